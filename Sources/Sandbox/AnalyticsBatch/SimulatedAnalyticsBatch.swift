/// The simulated web-analytics Batch API (Sealmetrics), `POST /api/v1/batch` and `POST /api/v1/batch/validate`,
/// validated as strictly as the reference (seeds/analytics-batch-api.txt) and DESIGN section 8 allow.
///
/// Errors are `{"error": {"code", "message"}}`. A refused batch (401, 400) runs nothing; an accepted one
/// answers 200 whatever its queries did, each query's outcome in `results`. Each accepted batch is one
/// charged request covering its queries; validate calls are free.
public struct SimulatedAnalyticsBatch: SimulatedProvider {
    /// Path prefix of the API on the sandbox (the real base URL is `https://my.sealmetrics.com/api/v1`).
    /// The provider kind pipelines name it by (`kind:`), also the `api` of recorded exchanges.
    static let kind = "analytics"
    static let pathPrefix = "/api/v1"
    static let title = "the analytics Batch API"
    static let baseURLVariable = "ANALYTICS_BASE_URL"
    /// The `X-API-Key` header.
    static let apiKey = SandboxCredential(variable: "ANALYTICS_API_KEY", defaultValue: "sandbox-analytics-key")
    static let credentials = [apiKey]
    static let faultDialect: (any FaultDialect.Type)? = Fault.self
    static let batchUsageKey = "batch"
    static let validateUsageKey = "batch/validate"

    let apiKey: String
    /// Fixed "today" (YYYY-MM-DD), or nil for the current UTC date.
    let today: String?

    init(_ configuration: SandboxConfiguration) {
        apiKey = configuration[Self.apiKey]
        today = configuration.today
    }

    var endpoints: [SandboxEndpoint] {
        let handler = AnalyticsBatchHandler(apiKey: apiKey, fixedToday: today)
        return [(Self.batchUsageKey, false), (Self.validateUsageKey, true)].map { usageKey, validateOnly in
            SandboxEndpoint(
                path: Self.pathPrefix + "/" + usageKey,
                usageKey: usageKey,
                methods: [.post],
                // Only the batch call runs queries, so only it takes per-query fault rules.
                faultDialect: validateOnly ? nil : Fault.self,
                answersDialectFaultsInline: !validateOnly,
                errorResponse: { status, message in AnalyticsBatchHandler.error(status, message) },
                faultResponse: { rule, _ in
                    AnalyticsBatchHandler.error(rule.status, AnalyticsBatchHandler.faultMessage(rule.status))
                },
                summarize: { body in AnalyticsBatchHandler.summarize(body) },
                handle: { request in handler.respond(to: request, validateOnly: validateOnly) }
            )
        }
    }
}

extension SandboxConfiguration {
    /// `X-API-Key` header the simulated analytics Batch API (Sealmetrics) accepts (`ANALYTICS_API_KEY`).
    public var analyticsAPIKey: String {
        get { self[SimulatedAnalyticsBatch.apiKey] }
        set { self[SimulatedAnalyticsBatch.apiKey] = newValue }
    }

    public static let defaultAnalyticsAPIKey = SimulatedAnalyticsBatch.apiKey.defaultValue
}
