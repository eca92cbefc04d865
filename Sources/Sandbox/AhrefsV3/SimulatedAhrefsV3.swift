/// The simulated Ahrefs API v3 batch endpoints, under `/v3`, validated as strictly as the reference
/// document (seeds/ahrefs-v3-batch-api.md) and DESIGN section 8 allow.
struct SimulatedAhrefsV3: SimulatedProvider {
    /// Path prefix of the API on the sandbox (the real base URL is `https://api.ahrefs.com/v3`).
    static let pathPrefix = "/v3"
    static let title = "the Ahrefs v3 batch endpoints"
    static let baseURLVariable = "AHREFS_BASE_URL"
    /// The `Authorization: Bearer` token.
    static let token = SandboxCredential(variable: "AHREFS_API_TOKEN", defaultValue: "sandbox-ahrefs-v3-token")
    static let credentials = [token]
    /// Errors are plain HTTP statuses with `{"error": ...}`; no in-body dialect.
    static let faultDialect: (any FaultDialect.Type)? = nil

    let token: String

    init(_ configuration: SandboxConfiguration) {
        token = configuration[Self.token]
    }

    var endpoints: [SandboxEndpoint] {
        let token = token
        return AhrefsV3Endpoint.allCases.map { endpoint in
            SandboxEndpoint(
                path: Self.pathPrefix + "/" + endpoint.rawValue,
                usageKey: endpoint.rawValue,
                methods: [.post],
                errorResponse: { status, message in AhrefsV3Handler.error(status, message) },
                summarize: { body in RequestSummary(targets: endpoint.countTargets(in: body)) },
                handle: { request in AhrefsV3Handler(endpoint: endpoint, token: token).respond(to: request) }
            )
        }
    }
}

extension SandboxConfiguration {
    /// Bearer token the simulated Ahrefs API v3 accepts (`AHREFS_API_TOKEN`).
    public var ahrefsV3Token: String {
        get { self[SimulatedAhrefsV3.token] }
        set { self[SimulatedAhrefsV3.token] = newValue }
    }

    public static let defaultAhrefsV3Token = SimulatedAhrefsV3.token.defaultValue
}
