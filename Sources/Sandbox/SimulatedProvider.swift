import Foundation
import Hummingbird

/// One simulated provider API (Ahrefs v3, Ahrefs v2, DataForSEO, the analytics Batch API): everything the
/// sandbox needs to serve it and to point pipelines at it.
///
/// The shared server routes to the endpoints, applies latency and fault rules, counts usage and writes the HTTP
/// response; `RunningSandbox.environment` prints the base URL and credential variables. Each provider lives in
/// its own folder (`AhrefsV3/`...) and is listed once in `SimulatedProviders.all`.
protocol SimulatedProvider: Sendable {
    /// The provider kind pipelines name it by, e.g. `ahrefs-v3`.
    static var kind: String { get }
    /// Path prefix of the API on the sandbox, e.g. `/v3`.
    static var pathPrefix: String { get }
    /// What it serves, for help texts, e.g. `the Ahrefs v3 batch endpoints`.
    static var title: String { get }
    /// The environment variable pipelines read the API's base URL from, e.g. `AHREFS_BASE_URL`.
    static var baseURLVariable: String { get }
    /// The credentials the API accepts, each with its environment variable and default value.
    static var credentials: [SandboxCredential] { get }
    /// The in-body error answers fault rules may carry for this API, nil when it has none (see `FaultDialect`).
    static var faultDialect: (any FaultDialect.Type)? { get }

    /// The provider as the configuration sets it up (credentials, today).
    init(_ configuration: SandboxConfiguration)

    var endpoints: [SandboxEndpoint] { get }
}

/// A credential a simulated provider accepts: the environment variable pipelines read it from, and the value the
/// sandbox accepts unless `SandboxConfiguration.credentials` says otherwise.
struct SandboxCredential: Sendable, Hashable {
    /// E.g. `AHREFS_API_TOKEN`.
    var variable: String
    /// E.g. `sandbox-ahrefs-v3-token`.
    var defaultValue: String
}

/// A request as a provider handler sees it: the body is already read.
struct SandboxRequest: Sendable {
    var method: HTTPRequest.Method
    var path: String
    var headers: HTTPFields
    /// The raw query string as sent (still percent-encoded, without the `?`); nil when the target had none.
    var query: String?
    var body: [UInt8]
    /// A fault rule the endpoint plays inside its normal answer (see `SandboxEndpoint.answersDialectFaultsInline`).
    var fault: FaultRule? = nil
    /// What the sandbox has served so far, for endpoints that report it (`SandboxEndpoint.readsUsage`).
    var usage: SandboxUsage? = nil
}

/// A provider's answer. The server sends it and records it in the usage counters.
struct SandboxResponse: Sendable {
    var status: Int
    var body: String
    var headers: [(name: String, value: String)] = []
    /// Units charged for this response; only charged responses count toward usage units.
    var units: Int = 0
    /// Whether the provider charged for this response (a served 200, never an error).
    var charged: Bool = false
    /// Targets (domains, URLs, keywords) in the request, when the provider could tell.
    var targetCount: Int? = nil
    /// Targets the charge covers, when not all of `targetCount` (DataForSEO: targets of charged tasks).
    var chargedTargets: Int? = nil
    /// Money charged in USD (DataForSEO); 0 for providers that charge units.
    var costUSD: Double = 0
}

/// What the server can tell about a request body without answering it, for the request log.
struct RequestSummary: Sendable, Equatable {
    /// Targets (domains, URLs, keywords) in the body.
    var targets: Int = 0
    /// Tasks in the body (DataForSEO); 0 for providers without tasks.
    var tasks: Int = 0
    /// Distinct registrable domains among URL targets (DataForSEO); 0 elsewhere.
    var distinctDomains: Int = 0
}

/// One routable endpoint of a provider.
struct SandboxEndpoint: Sendable {
    /// Full request path, e.g. `/v3/site-explorer/batch/metrics`.
    var path: String
    /// Key in usage counters, request log and fault rules, e.g. `site-explorer/batch/metrics`.
    var usageKey: String
    /// The provider kind serving it (set by the sandbox), for recorded exchanges.
    var api: String = ""
    /// Accepted HTTP methods; anything else is answered 405.
    var methods: [HTTPRequest.Method]
    /// The provider-specific fault answers this endpoint speaks (rules carrying one match nothing else).
    var faultDialect: (any FaultDialect.Type)? = nil
    /// When true, a rule carrying this endpoint's dialect does not replace the answer: the request is
    /// validated, served and charged as usual, the handler seeing the rule in `SandboxRequest.fault`
    /// (the analytics API's per-query errors). Plain-status rules still replace the answer.
    var answersDialectFaultsInline: Bool = false
    /// When true, the handler is given the usage counters (`SandboxRequest.usage`): the free account endpoints
    /// report units used and money left.
    var readsUsage: Bool = false
    /// Builds an error in the provider's own error format (used for 405, 413 and injected faults).
    var errorResponse: @Sendable (_ status: Int, _ message: String) -> SandboxResponse
    /// Answers an injected fault (the body is nil when it could not be read); by default
    /// `errorResponse(rule.status, rule.defaultMessage)`.
    var faultResponse: (@Sendable (_ rule: FaultRule, _ body: [UInt8]?) -> SandboxResponse)? = nil
    /// Best-effort summary of a request body, for the request log of rejected or faulted requests.
    var summarize: @Sendable (_ body: [UInt8]) -> RequestSummary
    /// For endpoints that take their parameters in the query string: the query as the request log keeps
    /// it (secrets redacted), from the raw query string. Nil for body-only endpoints (the log keeps no query).
    var logQuery: (@Sendable (_ rawQuery: String?) -> String)? = nil
    /// Validates and answers a request.
    var handle: @Sendable (SandboxRequest) async -> SandboxResponse
}

/// Standard HTTP reason phrases for the statuses the sandbox sends.
enum HTTPStatusText {
    static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 201: "Created"
        case 204: "No Content"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 402: "Payment Required"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 409: "Conflict"
        case 413: "Content Too Large"
        case 415: "Unsupported Media Type"
        case 422: "Unprocessable Content"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        default: ""
        }
    }
}

/// One request and its answer, as a contract test reads them (`SandboxConfiguration.recordsExchanges`).
public struct SandboxExchange: Sendable, Codable {
    /// The provider kind, e.g. `ahrefs-v3`.
    public var api: String
    public var method: String
    /// The path under the API's base path, e.g. `/site-explorer/metrics`.
    public var path: String
    /// The raw query string, nil when there was none.
    public var query: String?
    /// The request body as sent (empty for a GET).
    public var requestBody: String
    public var status: Int
    public var responseBody: String
}
