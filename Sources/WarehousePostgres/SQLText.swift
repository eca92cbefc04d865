/// Lexical work on PostgreSQL text that needs to know what is code and what is a string or a comment:
/// splitting a migration file into statements, binding `:snapshot`, reading the first keyword.
enum SQLText {
    /// The pieces of `sql`, each either code or an opaque span (a quoted string or identifier, a dollar-quoted
    /// body, a comment) that must be passed through untouched.
    enum Piece: Equatable {
        case code(Substring)
        case opaque(Substring)
    }

    /// Splits `sql` into code and opaque spans: `'...'` (with `''`), `E'...'` (with backslash escapes), `"..."`,
    /// `$tag$...$tag$`, `-- ...` to the end of the line and nested `/* ... */`. An unterminated span runs to the end.
    static func pieces(_ sql: String) -> [Piece] {
        var pieces: [Piece] = []
        let scalars = sql.unicodeScalars
        var codeStart = scalars.startIndex
        var index = scalars.startIndex

        func flushCode(upTo end: String.UnicodeScalarView.Index) {
            if codeStart < end { pieces.append(.code(Substring(scalars[codeStart..<end]))) }
        }
        func next(_ i: String.UnicodeScalarView.Index) -> Unicode.Scalar? {
            let after = scalars.index(after: i)
            return after < scalars.endIndex ? scalars[after] : nil
        }

        while index < scalars.endIndex {
            let scalar = scalars[index]
            var end: String.UnicodeScalarView.Index?
            switch scalar {
            case "'":
                let escapes = index > scalars.startIndex && isEscapePrefix(scalars, before: index)
                end = quotedEnd(scalars, from: index, quote: "'", backslashEscapes: escapes)
            case "\"":
                end = quotedEnd(scalars, from: index, quote: "\"", backslashEscapes: false)
            case "-" where next(index) == "-":
                var i = index
                while i < scalars.endIndex, scalars[i] != "\n" { i = scalars.index(after: i) }
                end = i
            case "/" where next(index) == "*":
                end = blockCommentEnd(scalars, from: index)
            case "$":
                end = dollarQuotedEnd(scalars, from: index)
            default:
                break
            }
            if let end {
                flushCode(upTo: index)
                pieces.append(.opaque(Substring(scalars[index..<end])))
                index = end
                codeStart = end
            } else {
                index = scalars.index(after: index)
            }
        }
        flushCode(upTo: scalars.endIndex)
        return pieces
    }

    /// Splits a migration file into its statements at top-level semicolons; empty statements are dropped.
    static func statements(_ sql: String) -> [String] {
        var statements: [String] = []
        var current = ""
        for piece in pieces(sql) {
            switch piece {
            case .opaque(let text):
                current += text
            case .code(let text):
                var rest = text
                while let semicolon = rest.firstIndex(of: ";") {
                    current += rest[..<semicolon]
                    statements.append(current)
                    current = ""
                    rest = rest[rest.index(after: semicolon)...]
                }
                current += rest
            }
        }
        statements.append(current)
        return statements.filter { !isBlank($0) }
    }

    /// Replaces the named parameter `:name` in code (not in strings, identifiers or comments, and not the `::`
    /// cast operator) with `replacement`; returns the text and how many were replaced.
    static func bindingNamedParameter(_ sql: String, name: String, to replacement: String) -> (sql: String, count: Int)
    {
        var output = ""
        var count = 0
        for piece in pieces(sql) {
            switch piece {
            case .opaque(let text):
                output += text
            case .code(let text):
                let scalars = Array(text.unicodeScalars)
                let nameScalars = Array(name.unicodeScalars)
                var i = 0
                while i < scalars.count {
                    if scalars[i] == ":" {
                        if i + 1 < scalars.count, scalars[i + 1] == ":" {
                            output += "::"
                            i += 2
                            continue
                        }
                        let start = i + 1
                        let end = start + nameScalars.count
                        let previousIsColon = i > 0 && scalars[i - 1] == ":"
                        if !previousIsColon, end <= scalars.count, Array(scalars[start..<end]) == nameScalars,
                            end == scalars.count || !isIdentifierPart(scalars[end])
                        {
                            output += replacement
                            count += 1
                            i = end
                            continue
                        }
                    }
                    output.unicodeScalars.append(scalars[i])
                    i += 1
                }
            }
        }
        return (output, count)
    }

    /// The first keyword of the code, lower-cased (`select`, `with`, `insert`, ...), skipping comments and any
    /// opening parentheses; nil when there is none.
    static func firstKeyword(_ sql: String) -> String? {
        for piece in pieces(sql) {
            guard case .code(let text) = piece else {
                if case .opaque(let text) = piece, !(text.hasPrefix("--") || text.hasPrefix("/*")) { return nil }
                continue
            }
            let trimmed = text.drop { $0.isWhitespace || $0 == "(" }
            if trimmed.isEmpty { continue }
            let word = trimmed.prefix { $0.isLetter || $0 == "_" }
            return word.isEmpty ? nil : word.lowercased()
        }
        return nil
    }

    /// `sql` without trailing semicolons, whitespace and comments, so it can be wrapped in a subquery.
    static func trimmingTrailingSemicolons(_ sql: String) -> String {
        var pieces = pieces(sql)
        while let last = pieces.last {
            switch last {
            case .opaque(let text) where text.hasPrefix("--") || text.hasPrefix("/*"):
                pieces.removeLast()
            case .code(let text):
                let trimmed = text.reversed().drop { $0.isWhitespace || $0 == ";" }
                if trimmed.isEmpty {
                    pieces.removeLast()
                } else {
                    pieces[pieces.count - 1] = .code(Substring(String(trimmed.reversed())))
                    return render(pieces)
                }
            default:
                return render(pieces)
            }
        }
        return ""
    }

    private static func render(_ pieces: [Piece]) -> String {
        pieces.map { piece -> Substring in
            switch piece {
            case .code(let text), .opaque(let text): text
            }
        }.joined()
    }

    private static func isBlank(_ statement: String) -> Bool {
        pieces(statement).allSatisfy { piece in
            switch piece {
            case .code(let text): text.allSatisfy(\.isWhitespace)
            case .opaque(let text): text.hasPrefix("--") || text.hasPrefix("/*")
            }
        }
    }

    private static func isIdentifierPart(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "_" || scalar == "$" || scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)
    }

    /// Whether the quote at `index` opens an escape string (`E'...'`, not part of a longer identifier).
    private static func isEscapePrefix(
        _ scalars: String.UnicodeScalarView, before index: String.UnicodeScalarView.Index
    )
        -> Bool
    {
        let previous = scalars.index(before: index)
        guard scalars[previous] == "E" || scalars[previous] == "e" else { return false }
        guard previous > scalars.startIndex else { return true }
        return !isIdentifierPart(scalars[scalars.index(before: previous)])
    }

    private static func quotedEnd(
        _ scalars: String.UnicodeScalarView, from start: String.UnicodeScalarView.Index, quote: Unicode.Scalar,
        backslashEscapes: Bool
    ) -> String.UnicodeScalarView.Index {
        var i = scalars.index(after: start)
        while i < scalars.endIndex {
            let scalar = scalars[i]
            if backslashEscapes, scalar == "\\" {
                i = scalars.index(after: i)
                if i < scalars.endIndex { i = scalars.index(after: i) }
                continue
            }
            if scalar == quote {
                let after = scalars.index(after: i)
                if after < scalars.endIndex, scalars[after] == quote {
                    i = scalars.index(after: after)
                    continue
                }
                return after
            }
            i = scalars.index(after: i)
        }
        return scalars.endIndex
    }

    private static func blockCommentEnd(_ scalars: String.UnicodeScalarView, from start: String.UnicodeScalarView.Index)
        -> String.UnicodeScalarView.Index
    {
        var depth = 0
        var i = start
        while i < scalars.endIndex {
            let after = scalars.index(after: i)
            let next = after < scalars.endIndex ? scalars[after] : nil
            if scalars[i] == "/", next == "*" {
                depth += 1
                i = scalars.index(after: after)
            } else if scalars[i] == "*", next == "/" {
                depth -= 1
                i = scalars.index(after: after)
                if depth == 0 { return i }
            } else {
                i = after
            }
        }
        return scalars.endIndex
    }

    /// The end of a `$tag$ ... $tag$` body starting at `start`, or nil when `$` starts no dollar quote here
    /// (a positional parameter such as `$1`, or `$` inside an identifier).
    private static func dollarQuotedEnd(_ scalars: String.UnicodeScalarView, from start: String.UnicodeScalarView.Index)
        -> String.UnicodeScalarView.Index?
    {
        if start > scalars.startIndex, isIdentifierPart(scalars[scalars.index(before: start)]) { return nil }
        var i = scalars.index(after: start)
        var tag: [Unicode.Scalar] = ["$"]
        while i < scalars.endIndex, scalars[i] != "$" {
            let scalar = scalars[i]
            let valid =
                scalar == "_" || scalar.properties.isAlphabetic || (tag.count > 1 && ("0"..."9").contains(scalar))
            guard valid else { return nil }
            tag.append(scalar)
            i = scalars.index(after: i)
        }
        guard i < scalars.endIndex else { return nil }
        tag.append("$")
        i = scalars.index(after: i)
        // Search for the closing tag.
        while i < scalars.endIndex {
            if scalars[i] == "$" {
                var j = i
                var matched = 0
                while j < scalars.endIndex, matched < tag.count, scalars[j] == tag[matched] {
                    matched += 1
                    j = scalars.index(after: j)
                }
                if matched == tag.count { return j }
            }
            i = scalars.index(after: i)
        }
        return scalars.endIndex
    }
}
