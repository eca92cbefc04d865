import Foundation

/// A position in a pipeline file, 1-based, as editors show it.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }
}

/// One problem found in a pipeline file: where it is, what is wrong, and what to write instead.
public struct PipelineError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable, machine-readable code (`--json` prints it).
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        public static let unreadableFile = Code(rawValue: "unreadable_file")
        public static let malformedYAML = Code(rawValue: "malformed_yaml")
        public static let unknownKey = Code(rawValue: "unknown_key")
        public static let missingKey = Code(rawValue: "missing_key")
        public static let invalidValue = Code(rawValue: "invalid_value")
        public static let missingVariable = Code(rawValue: "missing_variable")
        public static let duplicateStage = Code(rawValue: "duplicate_stage")
        public static let unknownDependency = Code(rawValue: "unknown_dependency")
        public static let dependencyCycle = Code(rawValue: "dependency_cycle")
        public static let unknownProvider = Code(rawValue: "unknown_provider")
        public static let unknownEndpoint = Code(rawValue: "unknown_endpoint")
        public static let unsupported = Code(rawValue: "unsupported")
    }

    public var code: Code
    public var location: SourceLocation
    public var message: String
    /// What to write instead; nil when the message already says it.
    public var hint: String?

    public init(_ code: Code, at location: SourceLocation, _ message: String, hint: String? = nil) {
        self.code = code
        self.location = location
        self.message = message
        self.hint = hint
    }

    public var description: String {
        var text = "\(location): error: \(message)"
        if let hint { text += "\n  hint: \(hint)" }
        return text
    }
}

/// Every problem found in one pipeline file; thrown together so a user fixes them in one pass.
public struct PipelineValidationError: Error, Sendable, CustomStringConvertible {
    public var errors: [PipelineError]

    public init(_ errors: [PipelineError]) { self.errors = errors }

    public var description: String { errors.map(\.description).joined(separator: "\n") }
}

/// Suggests the closest known word for a misspelt key ("did you mean").
public enum Suggestion {
    public static func closest(to word: String, in candidates: some Sequence<String>) -> String? {
        var best: (String, Int)?
        for candidate in candidates {
            let distance = editDistance(word.lowercased(), candidate.lowercased())
            if distance <= max(2, candidate.count / 3), distance < (best?.1 ?? .max) {
                best = (candidate, distance)
            }
        }
        return best?.0
    }

    /// Levenshtein distance over Unicode scalars.
    public static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.unicodeScalars)
        let b = Array(b.unicodeScalars)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
