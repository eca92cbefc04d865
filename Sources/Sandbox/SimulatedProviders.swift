/// The simulated providers the sandbox serves, in routing order. Adding one is its folder and a line here.
enum SimulatedProviders {
    static let all: [any SimulatedProvider.Type] = [
        SimulatedAhrefsV3.self,
        SimulatedDataForSEO.self,
        SimulatedAhrefsV2.self,
        SimulatedAnalyticsBatch.self,
    ]

    /// What the sandbox serves, where, in registry order: `the Ahrefs v3 batch endpoints under /v3`, ...
    static var served: [String] {
        all.map { "\($0.title) under \($0.pathPrefix)" }
    }

    /// Every registered credential, in registry order.
    static var credentials: [SandboxCredential] {
        all.flatMap { $0.credentials }
    }

    /// The fault dialects fault rules may carry, in registry order.
    static var faultDialects: [any FaultDialect.Type] {
        all.compactMap { $0.faultDialect }
    }
}
