/// The simulated legacy Ahrefs API v2, `GET /v2?token=...&from=refdomains&target=...&mode=...`, validated
/// as strictly as the reference (seeds/ahrefs-v2-api.txt, seeds/ahrefs-v2-refdomains.txt) and DESIGN
/// section 8 allow. Only the `refdomains` table is simulated (the only one the client reads).
///
/// Like the real API, it reports errors in the body, `{"error": "<string>"}`, with HTTP 200, and charges
/// rows only for answers without an error.
public struct SimulatedAhrefsV2: SimulatedProvider {
    /// Path prefix of the API on the sandbox (the real one answers at the root of `https://apiv2.ahrefs.com`).
    /// The provider kind pipelines name it by (`kind:`), also the `api` of recorded exchanges.
    static let kind = "ahrefs-v2"
    static let pathPrefix = "/v2"
    static let title = "the legacy Ahrefs v2 API"
    static let baseURLVariable = "AHREFS_V2_BASE_URL"
    /// The `token` query parameter.
    static let token = SandboxCredential(variable: "AHREFS_V2_TOKEN", defaultValue: "sandbox-ahrefs-v2-token")
    static let credentials = [token]
    static let faultDialect: (any FaultDialect.Type)? = Fault.self
    /// Key in usage counters, the request log and fault rules.
    static let usageKey = "v2"

    let token: String
    /// Fixed "today" (YYYY-MM-DD), or nil for the current UTC date.
    let today: String?

    init(_ configuration: SandboxConfiguration) {
        token = configuration[Self.token]
        today = configuration.today
    }

    var endpoints: [SandboxEndpoint] {
        let handler = AhrefsV2Handler(token: token, fixedToday: today)
        return [Self.pathPrefix, Self.pathPrefix + "/"].map { path in
            SandboxEndpoint(
                path: path,
                usageKey: Self.usageKey,
                methods: [.get],
                faultDialect: Fault.self,
                errorResponse: { status, message in SandboxResponse(status: status, body: JSONOutput.error(message)) },
                faultResponse: { rule, _ in
                    SandboxResponse(
                        status: rule.status,
                        body: JSONOutput.error(rule.dialect(Fault.self)?.error ?? rule.defaultMessage))
                },
                summarize: { _ in RequestSummary(targets: 1) },
                logQuery: { AhrefsV2Parameters.redacted($0) },
                handle: { request in handler.respond(to: request) }
            )
        }
    }
}

extension SandboxConfiguration {
    /// `token` query parameter the simulated legacy Ahrefs API v2 accepts (`AHREFS_V2_TOKEN`).
    public var ahrefsV2Token: String {
        get { self[SimulatedAhrefsV2.token] }
        set { self[SimulatedAhrefsV2.token] = newValue }
    }

    public static let defaultAhrefsV2Token = SimulatedAhrefsV2.token.defaultValue
}
