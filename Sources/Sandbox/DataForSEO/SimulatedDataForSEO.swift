/// The simulated DataForSEO Backlinks bulk Live endpoints, under `/v3`, validated as strictly as the
/// reference document (seeds/dataforseo-bulk-pages-summary.txt) and DESIGN section 8 allow.
///
/// Like the real API, it answers almost everything with HTTP 200 and reports success or failure in the
/// body's `status_code`, at the top level (auth, malformed POST data, more than one task) and per task
/// (invalid fields, 40501). Only a task with 20000 is charged, 0.02 USD + 0.00003 per target. `appendix/user_data`
/// (free) reports the balance left.
public struct SimulatedDataForSEO: SimulatedProvider {
    /// Path prefix of the API on the sandbox (the real base URL is `https://api.dataforseo.com/v3`).
    /// The provider kind pipelines name it by (`kind:`), also the `api` of recorded exchanges.
    static let kind = "dataforseo"
    static let pathPrefix = "/v3"
    static let title = "the DataForSEO Backlinks bulk endpoints"
    static let baseURLVariable = "DATAFORSEO_BASE_URL"
    /// The login of `Authorization: Basic base64(login:password)`.
    static let login = SandboxCredential(variable: "DATAFORSEO_LOGIN", defaultValue: "sandbox-dataforseo-login")
    /// The password of `Authorization: Basic base64(login:password)`.
    static let password = SandboxCredential(
        variable: "DATAFORSEO_PASSWORD", defaultValue: "sandbox-dataforseo-password")
    static let credentials = [login, password]
    static let faultDialect: (any FaultDialect.Type)? = Fault.self

    let login: String
    let password: String
    /// Fixed "today" (YYYY-MM-DD), or nil for the current UTC date.
    let today: String?
    let balanceUSD: Double

    init(_ configuration: SandboxConfiguration) {
        login = configuration[Self.login]
        password = configuration[Self.password]
        today = configuration.today
        balanceUSD = configuration.dataForSEOBalanceUSD
    }

    var endpoints: [SandboxEndpoint] {
        let account = DataForSEOUserData(
            handler: DataForSEOHandler(endpoint: .ranks, login: login, password: password, fixedToday: today),
            balanceUSD: balanceUSD)
        let userData = SandboxEndpoint(
            path: Self.pathPrefix + "/" + DataForSEOUserData.usageKey,
            usageKey: DataForSEOUserData.usageKey,
            methods: [.get],
            readsUsage: true,
            errorResponse: { status, message in DataForSEOEnvelope.httpError(status, message) },
            summarize: { _ in RequestSummary() },
            handle: { request in account.respond(to: request) }
        )
        return [userData]
            + DataForSEOEndpoint.allCases.map { endpoint in
                let handler = DataForSEOHandler(endpoint: endpoint, login: login, password: password, fixedToday: today)
                return SandboxEndpoint(
                    path: Self.pathPrefix + "/" + endpoint.rawValue,
                    usageKey: endpoint.rawValue,
                    methods: [.post],
                    faultDialect: Fault.self,
                    errorResponse: { status, message in DataForSEOEnvelope.httpError(status, message) },
                    faultResponse: { rule, body in handler.faultResponse(rule, body: body) },
                    summarize: { body in DataForSEOHandler.summarize(body) },
                    handle: { request in handler.respond(to: request) }
                )
            }
    }
}

extension SandboxConfiguration {
    /// Login the simulated DataForSEO API accepts in `Authorization: Basic base64(login:password)`
    /// (`DATAFORSEO_LOGIN`).
    public var dataForSEOLogin: String {
        get { self[SimulatedDataForSEO.login] }
        set { self[SimulatedDataForSEO.login] = newValue }
    }

    /// Password the simulated DataForSEO API accepts (`DATAFORSEO_PASSWORD`).
    public var dataForSEOPassword: String {
        get { self[SimulatedDataForSEO.password] }
        set { self[SimulatedDataForSEO.password] = newValue }
    }

    public static let defaultDataForSEOLogin = SimulatedDataForSEO.login.defaultValue
    public static let defaultDataForSEOPassword = SimulatedDataForSEO.password.defaultValue
}
