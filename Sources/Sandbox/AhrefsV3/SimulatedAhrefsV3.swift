/// The simulated Ahrefs API v3 under `/v3`: the endpoints Ahrefs publishes (its OpenAPI description, DESIGN section
/// 8b), and the reference document's batch endpoints (seeds/ahrefs-v3-batch-api.md, DESIGN section 8), each
/// validated as strictly as its document allows.
struct SimulatedAhrefsV3: SimulatedProvider {
    /// Path prefix of the API on the sandbox (the real base URL is `https://api.ahrefs.com/v3`).
    /// The provider kind pipelines name it by (`kind:`), also the `api` of recorded exchanges.
    static let kind = "ahrefs-v3"
    static let pathPrefix = "/v3"
    static let title = "Ahrefs API v3 (published endpoints and the reference's batch endpoints)"
    static let baseURLVariable = "AHREFS_BASE_URL"
    /// The `Authorization: Bearer` token.
    static let token = SandboxCredential(variable: "AHREFS_API_TOKEN", defaultValue: "sandbox-ahrefs-v3-token")
    static let credentials = [token]
    /// Errors are plain HTTP statuses with `{"error": ...}`; no in-body dialect.
    static let faultDialect: (any FaultDialect.Type)? = nil

    let token: String
    let today: String?
    let unitsLimit: Int?

    init(_ configuration: SandboxConfiguration) {
        token = configuration[Self.token]
        today = configuration.today
        unitsLimit = configuration.ahrefsUnitsLimit
    }

    var endpoints: [SandboxEndpoint] {
        let (token, today, unitsLimit) = (token, today, unitsLimit)
        let published = AhrefsV3PublishedEndpoint.allCases.map { endpoint in
            SandboxEndpoint(
                path: Self.pathPrefix + "/" + endpoint.rawValue,
                usageKey: endpoint.rawValue,
                methods: [endpoint.method],
                readsUsage: endpoint == .limitsAndUsage,
                errorResponse: { status, message in AhrefsV3Handler.error(status, message) },
                summarize: { body in
                    guard endpoint == .batchAnalysis, case .object(let object)? = JSONInput.parse(body),
                        case .array(let targets)? = object["targets"]
                    else { return RequestSummary(targets: endpoint == .limitsAndUsage ? 0 : 1) }
                    return RequestSummary(targets: targets.count)
                },
                logQuery: { $0 ?? "" },
                handle: { request in
                    AhrefsV3PublishedHandler(endpoint: endpoint, token: token, today: today, unitsLimit: unitsLimit)
                        .respond(to: request)
                }
            )
        }
        return published
            + AhrefsV3Endpoint.allCases.map { endpoint in
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
