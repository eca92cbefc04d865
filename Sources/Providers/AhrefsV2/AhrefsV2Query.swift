import Foundation
import SeopipeCore

/// A column of an Ahrefs v2 table, with where it may be used (seed: the table's Where/Having columns).
public struct AhrefsV2Column: Sendable, Hashable {
    public enum Kind: String, Sendable { case string, int, date, bool, float }

    public var name: String
    public var kind: Kind
    public var inWhere: Bool
    public var inHaving: Bool
}

/// The v2 tables seopipe supports, with their columns (seed: ahrefs-v2-refdomains.txt).
public enum AhrefsV2Table: String, Sendable, CaseIterable {
    case refdomains

    public var columns: [AhrefsV2Column] {
        switch self {
        case .refdomains:
            [
                AhrefsV2Column(name: "url", kind: .string, inWhere: true, inHaving: false),
                AhrefsV2Column(name: "ip", kind: .string, inWhere: true, inHaving: false),
                AhrefsV2Column(name: "refdomain", kind: .string, inWhere: true, inHaving: true),
                AhrefsV2Column(name: "backlinks", kind: .int, inWhere: true, inHaving: true),
                AhrefsV2Column(name: "refpages", kind: .int, inWhere: true, inHaving: true),
                AhrefsV2Column(name: "first_seen", kind: .date, inWhere: true, inHaving: true),
                AhrefsV2Column(name: "last_visited", kind: .date, inWhere: true, inHaving: true),
                AhrefsV2Column(name: "domain_rating", kind: .int, inWhere: false, inHaving: true),
            ]
        }
    }

    public func column(_ name: String) -> AhrefsV2Column? { columns.first { $0.name == name } }

    /// Only columns the `having` filter knows are returned, selectable and sortable (seed, `select`).
    public var returnedColumns: [AhrefsV2Column] { columns.filter(\.inHaving) }
}

/// One `where`/`having` condition, parsed from the readable pipeline form or the raw v2 form, and
/// written back exactly as v2 wants it: `column>=50`, `first_seen>"2024-01-01"`, `substring(refdomain,"blog")`.
public struct AhrefsV2Condition: Sendable, Hashable, CustomStringConvertible {
    public enum Filter: String, Sendable { case `where`, having }

    public static let operators = ["<=", ">=", "<>", "=", "<", ">"]
    public static let functions = ["subdomain", "substring", "word"]

    public var column: String
    /// An operator, or nil for a function.
    public var op: String?
    public var function: String?
    public var value: String
    /// Written without quotes (an int column compared with an operator); set by validation.
    public var bare = false

    /// Parses `column op value` or `function(column, value)`; values may be quoted (`"a \"b\""`) or bare.
    /// Validates the column for `filter` on `table`, the function, and the value's type.
    public static func parse(_ text: String, filter: Filter, table: AhrefsV2Table) -> Result<Self, ParseError> {
        let source = text.trimmingCharacters(in: .whitespaces)
        let condition: AhrefsV2Condition
        if let open = source.firstIndex(of: "("), source.hasSuffix(")"),
            source[..<open].allSatisfy({ $0.isLetter || $0 == "_" }), !source[..<open].isEmpty
        {
            let name = String(source[..<open]).lowercased()
            guard functions.contains(name) else { return .failure(.init("unknown function '\(name)'")) }
            let inside = source[source.index(after: open)..<source.index(before: source.endIndex)]
            guard let comma = inside.firstIndex(of: ",") else {
                return .failure(.init("write \(name)(column, \"value\")"))
            }
            let column = inside[..<comma].trimmingCharacters(in: .whitespaces)
            guard case .success(let value) = unquote(inside[inside.index(after: comma)...]) else {
                return .failure(.init("the value of \(name)(...) is not a properly quoted string"))
            }
            condition = AhrefsV2Condition(column: column, op: nil, function: name, value: value)
        } else {
            guard let (range, op) = firstOperator(in: source) else {
                return .failure(.init("`\(text)` has no operator; use =, <>, <, <=, >, >= or a function"))
            }
            let column = source[..<range.lowerBound].trimmingCharacters(in: .whitespaces)
            guard case .success(let value) = unquote(source[range.upperBound...]) else {
                return .failure(.init("the value in `\(text)` is not properly quoted"))
            }
            condition = AhrefsV2Condition(column: column, op: op == ":" ? "=" : op, function: nil, value: value)
        }
        return condition.validated(filter: filter, table: table)
    }

    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        public var message: String
        init(_ message: String) { self.message = message }
        public var description: String { message }
    }

    func validated(filter: Filter, table: AhrefsV2Table) -> Result<Self, ParseError> {
        guard let column = table.column(self.column), filter == .where ? column.inWhere : column.inHaving else {
            let allowed = table.columns.filter { filter == .where ? $0.inWhere : $0.inHaving }.map(\.name)
            return .failure(
                .init(
                    "\(filter.rawValue) cannot use column '\(self.column)' on \(table.rawValue); "
                        + "it can use \(allowed.joined(separator: ", "))"))
        }
        if let function, column.kind != .string {
            return .failure(.init("\(function)() applies to text columns, not '\(column.name)'"))
        }
        var checked = self
        switch column.kind {
        case .int where function == nil:
            guard let number = Int(value) else {
                return .failure(.init("'\(column.name)' is a whole number, not '\(value)'"))
            }
            checked.value = String(number)  // `+5` becomes `5`: v2 wants -?[0-9]+
            checked.bare = true
        case .date:
            if SnapshotDate(String(value.prefix(10))) == nil || !(value.count == 10 || value.count == 20) {
                return .failure(.init("'\(column.name)' is a date: write YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ"))
            }
        default:
            break
        }
        return .success(checked)
    }

    /// The condition in v2's syntax: strings and dates in double quotes with `\` and `"` escaped, ints bare.
    public var description: String {
        let quoted =
            "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            + "\""
        if let function { return "\(function)(\(column),\(quoted))" }
        return column + (op ?? "=") + (bare ? value : quoted)
    }

    /// The first operator outside quotes, longest match first (`<=` before `<`); `:` counts as `=`.
    static func firstOperator(in text: String) -> (Range<String.Index>, String)? {
        var index = text.startIndex
        while index < text.endIndex {
            if text[index] == "\"" { return nil }
            for op in operators + [":"] where text[index...].hasPrefix(op) {
                return (index..<text.index(index, offsetBy: op.count), op)
            }
            index = text.index(after: index)
        }
        return nil
    }

    /// A bare or double-quoted value; inside quotes `\\` and `\"` are the only escapes.
    static func unquote(_ raw: Substring) -> Result<String, ParseError> {
        let text = raw.trimmingCharacters(in: .whitespaces)
        guard text.hasPrefix("\"") else {
            return text.isEmpty || text.contains("\"") ? .failure(.init("empty or stray quote")) : .success(text)
        }
        guard text.count >= 2, text.hasSuffix("\"") else { return .failure(.init("unclosed quote")) }
        var value = ""
        var escaping = false
        for character in text.dropFirst().dropLast() {
            if escaping {
                guard character == "\\" || character == "\"" else { return .failure(.init("bad escape")) }
                value.append(character)
                escaping = false
            } else if character == "\\" {
                escaping = true
            } else if character == "\"" {
                return .failure(.init("unescaped quote"))
            } else {
                value.append(character)
            }
        }
        return escaping ? .failure(.init("dangling backslash")) : .success(value)
    }
}

/// Builds the GET query of one v2 request; pure, so the exact strings are pinned by tests.
public struct AhrefsV2Query: Sendable, Equatable {
    public var table: AhrefsV2Table
    public var target: String
    public var mode: String
    public var select: [String]
    public var `where`: [AhrefsV2Condition]
    public var having: [AhrefsV2Condition]
    /// `column` or `column:asc` / `column:desc`.
    public var orderBy: [String]
    public var limit: Int
    public var offset: Int

    /// The parameters in the seed's order, `token` first; `output=json` always.
    public func parameters(token: String) -> [(String, String)] {
        var items: [(String, String)] = [
            ("token", token), ("from", table.rawValue), ("target", encodedTarget), ("mode", mode),
        ]
        if !select.isEmpty { items.append(("select", select.joined(separator: ","))) }
        if !`where`.isEmpty { items.append(("where", `where`.map(\.description).joined(separator: ","))) }
        if !having.isEmpty { items.append(("having", having.map(\.description).joined(separator: ","))) }
        if !orderBy.isEmpty { items.append(("order_by", orderBy.joined(separator: ","))) }
        items.append(("limit", String(limit)))
        if offset > 0 { items.append(("offset", String(offset))) }
        items.append(("output", "json"))
        return items
    }

    /// `key=value&...` with every value percent-encoded (RFC 3986 unreserved characters and `,` kept, as the
    /// seed's examples keep the comma between conditions).
    public func queryString(token: String) -> String {
        parameters(token: token).map { "\($0)=\(Self.encode($1))" }.joined(separator: "&")
    }

    /// The target as the database stores it: for `exact` and `prefix`, URL components are URL-encoded first
    /// (the seed: "the target should be encoded twice"); host-only modes send the host as it is.
    var encodedTarget: String {
        guard mode == "exact" || mode == "prefix" else { return target }
        return Self.databaseForm(target)
    }

    /// Percent-encodes what a browser would in a path and query (spaces, non-ASCII, quotes), keeping existing
    /// `%XX` escapes and URL punctuation.
    static func databaseForm(_ target: String) -> String {
        var allowed = CharacterSet.urlPathAllowed.union(.urlQueryAllowed)
        allowed.insert("%")
        return target.addingPercentEncoding(withAllowedCharacters: allowed) ?? target
    }

    static let valueAllowed: CharacterSet = {
        var set = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
        set.insert(",")
        return set
    }()

    static func encode(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: valueAllowed) ?? value
    }
}
