import Foundation

/// A column of the `refdomains` table and the filters that know it (seeds/ahrefs-v2-refdomains.txt).
struct RefdomainsColumn: Sendable, Equatable {
    enum Kind: String, Sendable {
        case string, int, date
    }

    var name: String
    var kind: Kind
    var inWhere: Bool
    var inHaving: Bool

    /// Every column in the reference's order; the returned (having) columns keep this order in answers.
    static let refdomains: [RefdomainsColumn] = [
        .init(name: "url", kind: .string, inWhere: true, inHaving: false),
        .init(name: "ip", kind: .string, inWhere: true, inHaving: false),
        .init(name: "refdomain", kind: .string, inWhere: true, inHaving: true),
        .init(name: "backlinks", kind: .int, inWhere: true, inHaving: true),
        .init(name: "refpages", kind: .int, inWhere: true, inHaving: true),
        .init(name: "first_seen", kind: .date, inWhere: true, inHaving: true),
        .init(name: "last_visited", kind: .date, inWhere: true, inHaving: true),
        .init(name: "domain_rating", kind: .int, inWhere: false, inHaving: true),
    ]

    /// The columns `select` and `order_by` may name and answers carry: those of the `having` filter.
    static let returned = refdomains.filter(\.inHaving)

    /// The column's value in a row.
    func value(in row: AhrefsV2Refdomain) -> AhrefsV2Value {
        switch name {
        case "url": .string(row.url)
        case "ip": .string(row.ip)
        case "refdomain": .string(row.refdomain)
        case "backlinks": .int(row.backlinks)
        case "refpages": .int(row.refpages)
        case "first_seen": .date(W3CTimestamp(row.firstSeen) ?? W3CTimestamp(day: 0, second: 0))
        case "last_visited": .date(W3CTimestamp(row.lastVisited) ?? W3CTimestamp(day: 0, second: 0))
        default: .int(row.domainRating)
        }
    }

    /// The column's value as the JSON answer writes it.
    func json(in row: AhrefsV2Refdomain) -> JSONOutput {
        switch value(in: row) {
        case .string(let text): .string(text)
        case .int(let number): .int(number)
        case .date(let timestamp): .string(timestamp.text)
        }
    }
}

/// A typed value of a row or a condition.
enum AhrefsV2Value: Sendable, Equatable {
    case string(String)
    case int(Int)
    case date(W3CTimestamp)

    /// Orders two values of the same type: strings by UTF-8 bytes, numbers and timestamps numerically.
    static func compare(_ left: Self, _ right: Self) -> Int {
        switch (left, right) {
        case (.string(let a), .string(let b)):
            a == b ? 0 : (a.utf8.lexicographicallyPrecedes(b.utf8) ? -1 : 1)
        case (.int(let a), .int(let b)):
            a == b ? 0 : (a < b ? -1 : 1)
        case (.date(let a), .date(let b)):
            a == b ? 0 : (a < b ? -1 : 1)
        default:
            0
        }
    }
}

/// A parsed `where` or `having` filter: conditions that must all hold.
///
/// Grammar (after URL-decoding): `condition[,condition...]`, each either `column<op>value` with op one
/// of `=` `<>` `<` `<=` `>` `>=` (`:` may stand for `=`, also in `<:` and `>:`), or
/// `function(column,"value")` with function `subdomain`, `substring` or `word`. No spaces outside quoted
/// values. String and date values are double-quoted with `\` and `"` escaped as `\\` and `\"`; a date is
/// `YYYY-MM-DD` (midnight UTC) or `YYYY-MM-DDTHH:MM:SSZ`; an int is `-?[0-9]+`, bare or quoted. Commas
/// inside quoted values do not split. Problems are reported for the first failing condition, reading left
/// to right, with the reference's messages.
struct AhrefsV2Filter: Sendable {
    enum Comparison: Sendable {
        case equal, notEqual, less, lessOrEqual, greater, greaterOrEqual
    }

    enum Function: String, Sendable {
        case subdomain, substring, word
    }

    enum Condition: Sendable {
        case compare(RefdomainsColumn, Comparison, AhrefsV2Value)
        case function(Function, RefdomainsColumn, String)
    }

    var conditions: [Condition]

    /// Parses `text`, the value of `parameter` (`where` or `having`), against the columns that filter knows.
    init(_ text: String, parameter: String) throws(AhrefsV2Failure) {
        var parser = Parser(scalars: Array(text.unicodeScalars), parameter: parameter)
        conditions = try parser.conditions()
    }

    func matches(_ row: AhrefsV2Refdomain) -> Bool {
        conditions.allSatisfy { condition in
            switch condition {
            case .compare(let column, let comparison, let value):
                let order = AhrefsV2Value.compare(column.value(in: row), value)
                switch comparison {
                case .equal: return order == 0
                case .notEqual: return order != 0
                case .less: return order < 0
                case .lessOrEqual: return order <= 0
                case .greater: return order > 0
                case .greaterOrEqual: return order >= 0
                }
            case .function(let function, let column, let argument):
                guard case .string(let text) = column.value(in: row) else { return false }
                return Self.apply(function, to: text, column: column.name, argument: argument)
            }
        }
    }

    /// `subdomain`: the column's domain (a URL's host) is the argument or ends with `.argument`;
    /// `substring`: the argument occurs in the column; `word`: the argument's words occur as consecutive
    /// whole words of the column, words being runs of letters and digits. All three ignore case.
    static func apply(_ function: Function, to text: String, column: String, argument: String) -> Bool {
        let value = text.lowercased()
        let wanted = argument.lowercased()
        switch function {
        case .subdomain:
            let host = column == "url" ? SimulatedValues.host(of: value) : value
            var domain = Substring(wanted)
            while domain.hasSuffix(".") { domain = domain.dropLast() }
            return !domain.isEmpty && (host == domain || host.hasSuffix("." + domain))
        case .substring:
            return wanted.isEmpty || value.contains(wanted)
        case .word:
            let words = Self.words(value)
            let sought = Self.words(wanted)
            guard !sought.isEmpty, sought.count <= words.count else { return false }
            return (0...(words.count - sought.count)).contains { words[$0..<($0 + sought.count)].elementsEqual(sought) }
        }
    }

    private static func words(_ text: String) -> [Substring] {
        text.split(whereSeparator: { !($0.isLetter || $0.isNumber) })
    }

    // MARK: - Parsing

    private struct Parser {
        let scalars: [Unicode.Scalar]
        let parameter: String
        var position = 0

        init(scalars: [Unicode.Scalar], parameter: String) {
            self.scalars = scalars
            self.parameter = parameter
        }

        private var current: Unicode.Scalar? {
            position < scalars.count ? scalars[position] : nil
        }

        private func failure(_ detail: String) -> AhrefsV2Failure {
            AhrefsV2Failure("\(parameter): \(detail)")
        }

        private var badSyntax: AhrefsV2Failure { .badSyntax(parameter) }

        mutating func conditions() throws(AhrefsV2Failure) -> [Condition] {
            var conditions: [Condition] = []
            repeat {
                if !conditions.isEmpty { position += 1 }  // the comma
                conditions.append(try condition())
            } while current == ","
            guard current == nil else { throw badSyntax }
            return conditions
        }

        private mutating func condition() throws(AhrefsV2Failure) -> Condition {
            let name = identifier()
            guard !name.isEmpty else { throw badSyntax }
            if current == "(" {
                position += 1
                let columnName = identifier()
                guard !columnName.isEmpty, current == ",", scalars.indices.contains(position + 1),
                    scalars[position + 1] == "\""
                else { throw badSyntax }
                position += 1
                let argument = try self.quoted(closingBefore: { $0 == ")" })
                position += 1  // the parenthesis
                guard let function = Function(rawValue: name) else { throw failure("unknown function '\(name)'") }
                let column = try self.column(columnName)
                guard column.kind == .string else {
                    throw failure("function '\(name)' cannot be applied to column '\(columnName)'")
                }
                return .function(function, column, argument)
            }

            let comparison = try self.comparison()
            let quoted: Bool
            let text: String
            if current == "\"" {
                quoted = true
                text = try self.quoted(closingBefore: { $0 == nil || $0 == "," })
            } else {
                quoted = false
                let start = position
                while let scalar = current, scalar != "," {
                    guard !"\"()=<>:\\".unicodeScalars.contains(scalar), !scalar.properties.isWhitespace else {
                        throw badSyntax
                    }
                    position += 1
                }
                guard position > start else { throw badSyntax }
                text = String(String.UnicodeScalarView(scalars[start..<position]))
            }
            let column = try self.column(name)
            return .compare(column, comparison, try value(text, quoted: quoted, for: column))
        }

        /// Letters, digits and `_`.
        private mutating func identifier() -> String {
            let start = position
            while let scalar = current, AhrefsV2Filter.isNameScalar(scalar) {
                position += 1
            }
            return String(String.UnicodeScalarView(scalars[start..<position]))
        }

        private mutating func comparison() throws(AhrefsV2Failure) -> Comparison {
            let first = current
            position += 1
            let second = current
            let isEquals = second == "=" || second == ":"
            switch first {
            case "=", ":":
                return .equal
            case "<":
                if second == ">" {
                    position += 1
                    return .notEqual
                }
                if isEquals { position += 1 }
                return isEquals ? .lessOrEqual : .less
            case ">":
                if isEquals { position += 1 }
                return isEquals ? .greaterOrEqual : .greater
            default:
                throw badSyntax
            }
        }

        /// Reads a quoted value starting at its opening quote and leaves the position after the closing
        /// one. The closing quote is the first unescaped `"` that `isEnd` accepts the next scalar after
        /// (nil at the end of the text); any other unescaped `"`, or a `\` before anything but `\` or `"`,
        /// makes the value "not properly escaped".
        private mutating func quoted(closingBefore isEnd: (Unicode.Scalar?) -> Bool) throws(AhrefsV2Failure)
            -> String
        {
            position += 1
            let start = position
            var decoded = String.UnicodeScalarView()
            var wellEscaped = true
            while true {
                guard let scalar = current else { throw badSyntax }
                let next = scalars.indices.contains(position + 1) ? scalars[position + 1] : nil
                if scalar == "\\" {
                    if next == "\\" || next == "\"" {
                        decoded.append(next!)
                        position += 2
                        continue
                    }
                    wellEscaped = false
                } else if scalar == "\"" {
                    if isEnd(next) { break }
                    wellEscaped = false
                }
                decoded.append(scalar)
                position += 1
            }
            let raw = String(String.UnicodeScalarView(scalars[start..<position]))
            position += 1
            guard wellEscaped else { throw failure("value '\(raw)' is not properly escaped") }
            return String(decoded)
        }

        private func column(_ name: String) throws(AhrefsV2Failure) -> RefdomainsColumn {
            let allowed = RefdomainsColumn.refdomains.first {
                $0.name == name && (parameter == "where" ? $0.inWhere : $0.inHaving)
            }
            guard let allowed else { throw failure("column '\(name)' not found") }
            return allowed
        }

        /// String and date values must be quoted; ints may be either.
        private func value(_ text: String, quoted: Bool, for column: RefdomainsColumn) throws(AhrefsV2Failure)
            -> AhrefsV2Value
        {
            let mustBe = failure("value '\(text)' must be a \(column.kind.rawValue)")
            switch column.kind {
            case .string:
                guard quoted else { throw mustBe }
                return .string(text)
            case .date:
                guard quoted, let timestamp = W3CTimestamp(text) else { throw mustBe }
                return .date(timestamp)
            case .int:
                guard let number = AhrefsV2Filter.integer(text) else { throw mustBe }
                return .int(number)
            }
        }
    }

    /// Whether the scalar may appear in a column or function name: ASCII letters, digits and `_`.
    static func isNameScalar(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "_"
    }

    /// `-?[0-9]+` within Int range.
    static func integer(_ text: String) -> Int? {
        let digits = text.hasPrefix("-") ? text.dropFirst() : Substring(text)
        guard !digits.isEmpty, digits.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) })
        else { return nil }
        return Int(text)
    }
}

/// A parsed `order_by`: `column[:asc|desc]` items, comma-separated, on the returned columns only.
struct AhrefsV2Ordering: Sendable {
    var keys: [(column: RefdomainsColumn, descending: Bool)]

    /// Checks each item in turn: `order_by: bad syntax` for an empty item, a column name that is not
    /// letters, digits and `_`, or more than one `:`; then `order_by: column '<column>' not found`; then
    /// `order_by: bad sorting direction '<direction>'` for anything but `asc` or `desc`.
    init(_ text: String) throws(AhrefsV2Failure) {
        keys = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let parts = item.split(separator: ":", omittingEmptySubsequences: false)
            let name = String(parts[0])
            guard parts.count <= 2, !name.isEmpty, name.unicodeScalars.allSatisfy(AhrefsV2Filter.isNameScalar) else {
                throw .badSyntax("order_by")
            }
            guard let column = RefdomainsColumn.returned.first(where: { $0.name == name }) else {
                throw AhrefsV2Failure("order_by: column '\(name)' not found")
            }
            let direction = parts.count == 2 ? String(parts[1]) : "asc"
            guard direction == "asc" || direction == "desc" else {
                throw AhrefsV2Failure("order_by: bad sorting direction '\(direction)'")
            }
            keys.append((column, direction == "desc"))
        }
    }

    /// Sorts by the keys in turn, ties broken by the default order (so pages never overlap).
    func sorted(_ rows: [AhrefsV2Refdomain]) -> [AhrefsV2Refdomain] {
        rows.sorted { left, right in
            for (column, descending) in keys {
                let order = AhrefsV2Value.compare(column.value(in: left), column.value(in: right))
                if order != 0 { return descending ? order > 0 : order < 0 }
            }
            return AhrefsV2Data.defaultOrder(left, right)
        }
    }
}
