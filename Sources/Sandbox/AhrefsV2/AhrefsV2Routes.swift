import Foundation
import Hummingbird

/// Validates and answers one v2 request.
struct AhrefsV2Handler: Sendable {
    let token: String
    let fixedToday: String?

    /// The tables the sandbox serves (the real API has many more; asking for one of them is answered as
    /// for an unknown table).
    static let tables = ["refdomains"]
    /// Default `limit` (reference) and `offset` (DESIGN section 8).
    static let defaultLimit = 1000

    /// The sandbox's date for this request.
    var today: String {
        fixedToday ?? CalendarDate.todayUTC().text
    }

    func respond(to request: SandboxRequest) -> SandboxResponse {
        do {
            return try answer(AhrefsV2Parameters(rawQuery: request.query))
        } catch {
            return SandboxResponse(status: 200, body: JSONOutput.error(error.message), targetCount: 1)
        }
    }

    /// Checks the parameters in this order: token, output, from, target, mode, select, where, having,
    /// order_by, limit, offset (after the query itself and the mandatory parameters); the first problem
    /// is the answer.
    private func answer(_ parameters: AhrefsV2Parameters) throws(AhrefsV2Failure) -> SandboxResponse {
        guard parameters["token"] == token else { throw AhrefsV2Failure("invalid token") }
        // The real API also writes xml and php; the sandbox serves json only and refuses the others.
        if let output = parameters["output"], output != "json" {
            throw AhrefsV2Failure("bad output: '\(output)'")
        }
        let table = parameters["from"] ?? ""
        guard Self.tables.contains(table) else { throw AhrefsV2Failure("from: table '\(table)' not found") }
        let target = parameters["target"] ?? ""
        guard Self.isValidTarget(target) else { throw AhrefsV2Failure("bad target: '\(target)'") }
        let mode = parameters["mode"] ?? ""
        guard AhrefsV2Data.modes.contains(mode) else { throw AhrefsV2Failure("bad mode: '\(mode)'") }

        let columns = try Self.selectedColumns(parameters["select"])
        let whereFilter = try parameters["where"].map { text throws(AhrefsV2Failure) in
            try AhrefsV2Filter(text, parameter: "where")
        }
        let havingFilter = try parameters["having"].map { text throws(AhrefsV2Failure) in
            try AhrefsV2Filter(text, parameter: "having")
        }
        let ordering = try parameters["order_by"].map { text throws(AhrefsV2Failure) in try AhrefsV2Ordering(text) }
        let limit = try Self.count(parameters["limit"], name: "limit") ?? Self.defaultLimit
        let offset = try Self.count(parameters["offset"], name: "offset") ?? 0

        let all = AhrefsV2Data.refdomains(target: target, mode: mode, date: today)
        // The table is not grouped, so both filters see the same rows; `where` still applies first.
        var rows = all
        if let whereFilter { rows = rows.filter(whereFilter.matches) }
        if let havingFilter { rows = rows.filter(havingFilter.matches) }
        if let ordering { rows = ordering.sorted(rows) }
        let page = rows.dropFirst(offset).prefix(limit)

        let stats = AhrefsV2Data.stats(of: all)
        let body = JSONOutput.object([
            (
                "refdomains",
                .array(page.map { row in .object(columns.map { ($0.name, $0.json(in: row)) }) })
            ),
            (
                "stats",
                .object([
                    ("refdomains", .int(stats.refdomains)), ("ips", .int(stats.ips)), ("class_c", .int(stats.classC)),
                ])
            ),
        ])
        return SandboxResponse(
            status: 200,
            body: body.text,
            units: AhrefsV2Data.rowsCost(
                returnedRows: page.count, hasWhere: whereFilter != nil, hasHaving: havingFilter != nil),
            charged: true,
            targetCount: 1
        )
    }

    /// `*` or absent: every returned column. Otherwise comma-separated names of returned columns, answered
    /// in the table's order whatever the order asked; `url`, `ip`, an unknown or an empty name fail.
    private static func selectedColumns(_ text: String?) throws(AhrefsV2Failure) -> [RefdomainsColumn] {
        guard let text, text != "*" else { return RefdomainsColumn.returned }
        var names: Set<String> = []
        for name in text.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
            guard RefdomainsColumn.returned.contains(where: { $0.name == name }) else {
                throw AhrefsV2Failure("select: column '\(name)' not found")
            }
            names.insert(name)
        }
        return RefdomainsColumn.returned.filter { names.contains($0.name) }
    }

    /// A non-negative decimal integer, or `<name>: bad syntax`.
    private static func count(_ text: String?, name: String) throws(AhrefsV2Failure) -> Int? {
        guard let text else { return nil }
        guard let number = AhrefsV2Filter.integer(text), number >= 0, !text.hasPrefix("-") else {
            throw .badSyntax(name)
        }
        return number
    }

    /// A domain, directory or URL: optionally `http://` or `https://`, then a host of two or more labels
    /// (letters, digits, `-`, `_`; the last not numeric unless the host is an IPv4 address), an optional
    /// `:port`, then any path; no spaces or control characters anywhere.
    static func isValidTarget(_ target: String) -> Bool {
        let isBlankOrControl = { (scalar: Unicode.Scalar) in
            scalar.properties.isWhitespace || scalar.value < 0x20 || scalar.value == 0x7f
        }
        guard !target.isEmpty, !target.unicodeScalars.contains(where: isBlankOrControl) else { return false }
        var rest = Substring(target)
        if let separator = rest.range(of: "://") {
            let scheme = rest[..<separator.lowerBound].lowercased()
            guard scheme == "http" || scheme == "https" else { return false }
            rest = rest[separator.upperBound...]
        }
        var host = rest[..<(rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex)]
        if let colon = host.firstIndex(of: ":") {
            let port = host[host.index(after: colon)...]
            guard (1...5).contains(port.count), port.allSatisfy({ $0.isASCII && $0.isNumber }) else { return false }
            host = host[..<colon]
        }
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, host.utf8.count <= 253,
            labels.allSatisfy({ label in
                !label.isEmpty && label.utf8.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                    && label.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }
            })
        else { return false }
        let isIPv4 = labels.count == 4 && labels.allSatisfy { $0.allSatisfy(\.isASCII) && (Int($0) ?? 256) <= 255 }
        return isIPv4 || !labels[labels.count - 1].allSatisfy(\.isNumber)
    }
}
