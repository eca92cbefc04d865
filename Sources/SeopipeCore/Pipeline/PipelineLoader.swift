import Foundation
import Yams

/// Reads a pipeline file into a ``Pipeline``: YAML with positions, `${VAR}` interpolation, and validation.
///
/// Every problem carries file, line and column and, where possible, what to write instead; all problems
/// of a file are reported together in a ``PipelineValidationError``.
public struct PipelineLoader: Sendable {
    public var registry: ProviderRegistry
    public var environment: [String: String]

    public init(registry: ProviderRegistry, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.registry = registry
        self.environment = environment
    }

    public func load(file: URL) throws(PipelineValidationError) -> Pipeline {
        let text: String
        do {
            text = try String(contentsOf: file, encoding: .utf8)
        } catch {
            throw PipelineValidationError([
                PipelineError(
                    .unreadableFile, at: SourceLocation(file: file.relativePath, line: 1, column: 1),
                    "cannot read the pipeline file (\(error.localizedDescription))",
                    hint: "check the path; pipeline files are YAML, e.g. pipelines/demo.yml")
            ])
        }
        return try load(yaml: text, file: file)
    }

    public func load(yaml: String, file: URL) throws(PipelineValidationError) -> Pipeline {
        let reader = NodeReader(file: file, environment: environment, registry: registry)
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            throw PipelineValidationError([reader.yamlError(error)])
        }
        guard let root else {
            throw PipelineValidationError([
                PipelineError(
                    .missingKey, at: reader.location(nil), "the pipeline file is empty",
                    hint: "start with `name:`, `providers:` and `stages:` (see pipelines/demo.yml)")
            ])
        }
        let pipeline = reader.pipeline(root)
        if !reader.errors.isEmpty || pipeline == nil {
            throw PipelineValidationError(
                reader.errors.sorted {
                    ($0.location.line, $0.location.column) < ($1.location.line, $1.location.column)
                })
        }
        return pipeline!
    }
}

/// Walks the YAML node tree, collecting errors instead of stopping at the first one.
final class NodeReader {
    let file: URL
    let displayPath: String
    let environment: [String: String]
    let registry: ProviderRegistry
    var errors: [PipelineError] = []
    /// `providers:` entries by name, with their `kind:` as written (even when the entry is invalid).
    var declaredProviderKinds: [String: String] = [:]

    init(file: URL, environment: [String: String], registry: ProviderRegistry) {
        self.file = file
        self.displayPath = file.relativePath
        self.environment = environment
        self.registry = registry
    }

    // MARK: Positions and errors

    func location(_ node: Node?) -> SourceLocation {
        let mark = node?.mark
        return SourceLocation(file: displayPath, line: mark?.line ?? 1, column: mark?.column ?? 1)
    }

    func fail(_ code: PipelineError.Code, _ node: Node?, _ message: String, hint: String? = nil) {
        errors.append(PipelineError(code, at: location(node), message, hint: hint))
    }

    func yamlError(_ error: any Error) -> PipelineError {
        let hint =
            "check indentation (spaces, not tabs), that every `key:` has a space after the colon, "
            + "and that quotes and brackets are closed"
        if let error = error as? YamlError {
            switch error {
            case .scanner(let context, let problem, let mark, _),
                .parser(let context, let problem, let mark, _),
                .composer(let context, let problem, let mark, _):
                let prefix = context.map { "\($0.text): " } ?? ""
                return PipelineError(
                    .malformedYAML, at: SourceLocation(file: displayPath, line: mark.line, column: mark.column),
                    "malformed YAML: \(prefix)\(problem)", hint: hint)
            default:
                break
            }
        }
        return PipelineError(
            .malformedYAML, at: SourceLocation(file: displayPath, line: 1, column: 1), "malformed YAML: \(error)",
            hint: hint)
    }

    // MARK: Typed reading

    /// The mapping's entries by key, reporting unknown keys with a "did you mean".
    func mapping(_ node: Node, what: String, allowed: [String]) -> [String: (key: Node, value: Node)]? {
        guard let mapping = node.mapping else {
            fail(.invalidValue, node, "\(what) must be a mapping of `key: value` lines")
            return nil
        }
        var entries: [String: (key: Node, value: Node)] = [:]
        for (key, value) in mapping {
            guard let name = key.scalar?.string else {
                fail(.invalidValue, key, "keys in \(what) must be plain words")
                continue
            }
            guard allowed.contains(name) else {
                let suggestion = Suggestion.closest(to: name, in: allowed)
                fail(
                    .unknownKey, key, "unknown key `\(name)` in \(what)",
                    hint: suggestion.map { "did you mean `\($0)`?" }
                        ?? "allowed keys: \(allowed.joined(separator: ", "))")
                continue
            }
            if entries[name] != nil {
                fail(.invalidValue, key, "`\(name)` appears twice in \(what)", hint: "keep one of them")
            }
            entries[name] = (key, value)
        }
        return entries
    }

    /// A scalar as text, with `${VAR}` expanded.
    func string(_ node: Node, what: String) -> String? {
        guard let scalar = node.scalar else {
            fail(.invalidValue, node, "\(what) must be a single value, not a list or mapping")
            return nil
        }
        do {
            return try Interpolation.expand(scalar.string, environment: environment)
        } catch {
            switch error {
            case .missingVariable(let name):
                fail(
                    .missingVariable, node, "environment variable \(name) is not set (used by \(what))",
                    hint: "export \(name)=... before running, or write ${\(name):-default} to give a default")
            case .malformed(let message):
                fail(.invalidValue, node, message, hint: "write ${NAME} or ${NAME:-default}")
            }
            return nil
        }
    }

    /// The scalar as written in the file, before interpolation: what error messages quote, since an
    /// expanded value may hold a secret.
    func raw(_ node: Node) -> String { node.scalar?.string ?? "" }

    func required(
        _ entries: [String: (key: Node, value: Node)], _ key: String, in parent: Node, what: String, example: String
    ) -> Node? {
        guard let entry = entries[key] else {
            fail(.missingKey, parent, "\(what) needs `\(key)`", hint: "add `\(key): \(example)`")
            return nil
        }
        return entry.value
    }

    func int(_ node: Node, what: String, range: ClosedRange<Int>) -> Int? {
        guard let text = string(node, what: what) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            fail(
                .invalidValue, node,
                "\(what) must be a whole number from \(range.lowerBound) to \(range.upperBound), not `\(raw(node))`")
            return nil
        }
        return value
    }

    func number(_ node: Node, what: String) -> Double? {
        guard let text = string(node, what: what) else { return nil }
        guard let value = Double(text), value >= 0, value.isFinite else {
            fail(.invalidValue, node, "\(what) must be a non-negative number, not `\(raw(node))`")
            return nil
        }
        return value
    }

    func bool(_ node: Node, what: String) -> Bool? {
        guard let text = string(node, what: what) else { return nil }
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default:
            fail(.invalidValue, node, "\(what) must be true or false, not `\(raw(node))`")
            return nil
        }
    }

    func duration(_ node: Node, what: String) -> Duration? {
        guard let text = string(node, what: what) else { return nil }
        guard let value = Duration.parse(text) else {
            fail(.invalidValue, node, "\(what) must be a duration like 500ms, 1s, 2m, not `\(raw(node))`")
            return nil
        }
        return value
    }

    func stringList(_ node: Node, what: String) -> [String]? {
        if let sequence = node.sequence {
            return sequence.compactMap { string($0, what: what) }
        }
        if node.scalar != nil, let single = string(node, what: what) { return [single] }
        fail(.invalidValue, node, "\(what) must be a list, e.g. [a, b]")
        return nil
    }
}
