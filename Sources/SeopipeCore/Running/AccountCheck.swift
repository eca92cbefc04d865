import Foundation

/// What a provider's free account call says: the credentials work, and what is left to spend.
public struct AccountStatus: Sendable, Equatable {
    /// Units left this period (Ahrefs); nil when the provider does not count units or the key is unlimited.
    public var unitsLeft: Double?
    /// Money left in USD (DataForSEO); nil when the provider does not charge money.
    public var balanceUSD: Double?
    /// One line for people: the plan, units used of the limit, the balance.
    public var summary: String

    public init(unitsLeft: Double? = nil, balanceUSD: Double? = nil, summary: String) {
        self.unitsLeft = unitsLeft
        self.balanceUSD = balanceUSD
        self.summary = summary
    }
}

/// Why an account call did not prove the credentials.
public enum AccountCheckFailure: Error, Sendable, Equatable {
    /// The provider refused the credentials.
    case unauthorized(String)
    /// Anything else: unreachable, an error answer, an answer that cannot be read.
    case failed(String)
}

/// `seopipe check`: one free call per provider of a pipeline, next to what `plan` estimates.
public enum AccountCheck {
    /// The outcome for one provider of the file.
    public struct Outcome: Sendable {
        public var provider: String
        public var kind: String
        /// nil when the provider has no free account call (nothing was sent).
        public var result: Result<AccountStatus, AccountCheckFailure>?
        public var estimatedUnits: Double
        public var estimatedCostUSD: Double

        /// True when the plan needs more than is left.
        public var isShort: Bool {
            guard case .success(let status)? = result else { return false }
            if let left = status.unitsLeft, estimatedUnits > left { return true }
            if let balance = status.balanceUSD, estimatedCostUSD > balance { return true }
            return false
        }
    }

    /// Calls each provider of `pipeline` that has a free account endpoint, in name order.
    public static func run(
        _ pipeline: Pipeline, plans: [StagePlan], registry: ProviderRegistry, transport: any HTTPTransport
    ) async -> [Outcome] {
        var outcomes: [Outcome] = []
        for (name, config) in pipeline.providers.sorted(by: { $0.key < $1.key }) {
            guard let driver = registry[config.kind] else { continue }
            let stages = plans.filter { $0.provider == name }
            var outcome = Outcome(
                provider: name, kind: config.kind, result: nil,
                estimatedUnits: stages.compactMap(\.estimatedUnits).reduce(0, +),
                estimatedCostUSD: stages.compactMap(\.estimatedCostUSD).reduce(0, +))
            if let request = driver.accountRequest(config) {
                do {
                    let response = try await transport.send(request, timeout: config.timeout)
                    outcome.result = driver.accountStatus(response)
                } catch {
                    outcome.result = .failure(.failed("\(config.baseURL) cannot be reached: \(error)"))
                }
            }
            outcomes.append(outcome)
        }
        return outcomes
    }
}
