/// Expands `${VAR}` and `${VAR:-default}` from an environment; `$$` writes a literal `$`.
public enum Interpolation {
    public enum Failure: Error, Equatable, Sendable {
        /// A variable without a default is not set (or is empty).
        case missingVariable(String)
        /// `${` without a closing `}` or with an invalid name.
        case malformed(String)
    }

    public static func expand(_ text: String, environment: [String: String]) throws(Failure) -> String {
        guard text.contains("$") else { return text }
        var output = ""
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            guard character == "$" else {
                output.append(character)
                index = text.index(after: index)
                continue
            }
            let next = text.index(after: index)
            if next < text.endIndex, text[next] == "$" {
                output.append("$")
                index = text.index(after: next)
                continue
            }
            guard next < text.endIndex, text[next] == "{" else {
                output.append("$")
                index = next
                continue
            }
            guard let close = text[next...].firstIndex(of: "}") else {
                throw .malformed("'${' is not closed with '}' in \"\(text)\"")
            }
            let body = text[text.index(after: next)..<close]
            let name: Substring
            let fallback: Substring?
            if let separator = body.range(of: ":-") {
                name = body[..<separator.lowerBound]
                fallback = body[separator.upperBound...]
            } else {
                name = body
                fallback = nil
            }
            guard isValidName(name) else {
                throw .malformed("'${\(body)}' is not a variable reference; names use A-Z, 0-9 and _")
            }
            if let value = environment[String(name)], !value.isEmpty {
                output += value
            } else if let fallback {
                output += fallback
            } else {
                throw .missingVariable(String(name))
            }
            index = text.index(after: close)
        }
        return output
    }

    static func isValidName(_ name: Substring) -> Bool {
        guard let first = name.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy {
            $0 == "_" || ("A"..."Z").contains($0) || ("a"..."z").contains($0)
                || ("0"..."9").contains($0)
        }
    }
}
