/// Matches the results of a batch answer to the chunk's targets by the target each result echoes, and reports the
/// targets no result answered, so a target the provider skipped stays visible instead of silently missing.
///
/// A provider configures what it echoes (the field it reads from each result) and calls ``take(_:)`` once per
/// result; a result that echoes an unknown target, or one already answered, matches nothing and is ignored.
public struct EchoedTargets: Sendable {
    /// Targets not answered yet: normalized to original (the first original when two normalize alike).
    private var pending: [String: String]
    /// The message recorded for every target no result answered.
    public var missingMessage: String

    public init(_ targets: [Target], missingMessage: String = "missing from the provider's response") {
        pending = Dictionary(targets.map { ($0.normalized, $0.original) }, uniquingKeysWith: { first, _ in first })
        self.missingMessage = missingMessage
    }

    /// The target `echoed` answers (it is then answered); nil when it answers none still pending.
    public mutating func take(_ echoed: String?) -> Target? {
        guard let echoed, let original = pending.removeValue(forKey: echoed) else { return nil }
        return Target(original: original, normalized: echoed)
    }

    /// The targets no result answered yet, as failures sorted by target.
    public var missing: [TargetFailure] {
        pending.keys.sorted().map { TargetFailure(target: $0, message: missingMessage) }
    }
}
