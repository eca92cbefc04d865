import Foundation

/// A fault to inject: requests to `endpoint` (or to every endpoint, `"*"`) get `status` instead of a real
/// answer from request number `fromRequest` on, for `count` requests (or for ever when `count` is nil).
///
/// Each rule counts the requests to each endpoint separately, from 1 when the rules are installed: a
/// `"*"` rule with `fromRequest: 2, count: 1` fails the second request to every endpoint. When several
/// rules fire for one request, the first installed wins (all of them still count it).
///
/// DataForSEO reports most errors in an HTTP 200 body: a rule with `dataForSEOStatusCode` answers a
/// top-level envelope with that `status_code` and no tasks; one with `dataForSEOTaskStatusCode` answers a
/// top-level 20000 whose task carries that code. Such rules match DataForSEO endpoints only (a `"*"` rule
/// leaves the other providers alone), answer with HTTP `status` (200 unless set) and charge nothing.
///
/// Ahrefs v2 reports its errors as `{"error": "<string>"}`, read from the body whatever the HTTP status: a
/// rule with `ahrefsV2Error` answers that body ("no credit", "internal error"...) with HTTP `status` (200
/// unless set), matches the v2 endpoint only and charges nothing.
///
/// The analytics Batch API answers an accepted batch with 200 and reports errors per query: a rule with
/// `analyticsQueryError` lets the batch run as usual (validated, served, charged) except that the query
/// `analyticsQueryID` (or, when nil, the first query in execution order) fails with that error code,
/// its dependents being skipped as usual; nothing fails when the batch has no query with that id. Such
/// rules match the `batch` endpoint only (not `batch/validate`, not other providers); their `status`
/// must be 200. A refused batch (401, 400) still counts as a request the rule has seen.
///
/// Chaos: `rate` makes a rule fire for that fraction of the requests in its window only, chosen by a hash of
/// (`seed`, endpoint, request number), so a seed replays the same faults. Transport faults: `delay_seconds` answers
/// only after that delay (beyond the client's timeout, a "slow response"); `truncate_body` answers the real answer
/// with its body cut in half; `drop_connection` sends the real answer's headers and half its body, then closes
/// the connection. None of them is charged (the provider never delivered).
///
/// JSON form (control route `POST /_sandbox/faults`), snake_case keys; only `status` is required, and
/// not even that when a DataForSEO code, an Ahrefs v2 error or an analytics query error is given:
/// `{"endpoint": "site-explorer/batch/metrics", "from_request": 2, "count": 1, "status": 429, "retry_after_seconds": 3}`
/// `{"endpoint": "backlinks/bulk_pages_summary/live", "count": 1, "dataforseo_status_code": 40202}`
/// `{"endpoint": "v2", "count": 1, "ahrefs_v2_error": "no credit"}`
/// `{"endpoint": "batch", "count": 1, "analytics_query_error": "internal_error", "analytics_query_id": "pages"}`
public struct FaultRule: Sendable, Codable, Equatable {
    /// Endpoint path as in usage keys (`site-explorer/batch/metrics`), or `"*"` for all endpoints.
    public var endpoint: String
    /// 1-based index of the request to this endpoint (counted per rule) where the fault starts.
    public var fromRequest: Int
    /// How many requests get the fault; nil means every request from `fromRequest` on.
    public var count: Int?
    /// HTTP status to answer with, e.g. 429, 500, 502, 503.
    public var status: Int
    /// Sets the `Retry-After` header (seconds) when present.
    public var retryAfterSeconds: Int?
    /// Response body sent verbatim; by default the provider's JSON error for the status.
    public var body: String?
    /// DataForSEO only: answer a top-level envelope with this `status_code` (e.g. 40202 rate limit, 40200
    /// payment required, 40203 cost limit, 50000 internal error), tasks `[]`, cost 0.
    public var dataForSEOStatusCode: Int?
    /// DataForSEO only: answer top-level 20000 with the task carrying this `status_code`, result null, cost 0.
    /// Ignored when `dataForSEOStatusCode` is set.
    public var dataForSEOTaskStatusCode: Int?
    /// Ahrefs v2 only: answer `{"error": <this string>}`, e.g. "no credit", "internal error" or
    /// "internal billing error" (the reference's error strings).
    public var ahrefsV2Error: String?
    /// Analytics Batch API only: the error `code` one query of the batch fails with, e.g. "internal_error",
    /// "validation_error", "rate_limit_exceeded"; the batch itself answers 200.
    public var analyticsQueryError: String?
    /// Analytics Batch API only: the id of the query `analyticsQueryError` fails; nil means the first
    /// query in execution order. Needs `analyticsQueryError`.
    public var analyticsQueryID: String?
    /// The fraction (0-1) of the requests in the rule's window that get the fault; nil means all of them.
    public var rate: Double?
    /// Picks which requests a `rate` rule hits: the same seed hits the same requests.
    public var seed: UInt64
    /// Answer only after this many seconds (with the fault's status, or the dropped/truncated real answer).
    public var delaySeconds: Double?
    /// Answer the real answer with its body cut in half, uncharged.
    public var truncateBody: Bool
    /// Send the real answer's headers and half its body, then close the connection, uncharged.
    public var dropConnection: Bool

    /// `status` is the HTTP status; it matters little for DataForSEO and Ahrefs v2 rules, whose default 200
    /// is what those APIs send with their in-body errors.
    public init(
        endpoint: String = "*",
        fromRequest: Int = 1,
        count: Int? = nil,
        status: Int = 200,
        retryAfterSeconds: Int? = nil,
        body: String? = nil,
        dataForSEOStatusCode: Int? = nil,
        dataForSEOTaskStatusCode: Int? = nil,
        ahrefsV2Error: String? = nil,
        analyticsQueryError: String? = nil,
        analyticsQueryID: String? = nil,
        rate: Double? = nil,
        seed: UInt64 = 0,
        delaySeconds: Double? = nil,
        truncateBody: Bool = false,
        dropConnection: Bool = false
    ) {
        self.endpoint = endpoint
        self.fromRequest = fromRequest
        self.count = count
        self.status = status
        self.retryAfterSeconds = retryAfterSeconds
        self.body = body
        self.dataForSEOStatusCode = dataForSEOStatusCode
        self.dataForSEOTaskStatusCode = dataForSEOTaskStatusCode
        self.ahrefsV2Error = ahrefsV2Error
        self.analyticsQueryError = analyticsQueryError
        self.analyticsQueryID = analyticsQueryID
        self.rate = rate
        self.seed = seed
        self.delaySeconds = delaySeconds
        self.truncateBody = truncateBody
        self.dropConnection = dropConnection
    }

    enum CodingKeys: String, CodingKey {
        case endpoint
        case fromRequest = "from_request"
        case count
        case status
        case retryAfterSeconds = "retry_after_seconds"
        case body
        case dataForSEOStatusCode = "dataforseo_status_code"
        case dataForSEOTaskStatusCode = "dataforseo_task_status_code"
        case ahrefsV2Error = "ahrefs_v2_error"
        case analyticsQueryError = "analytics_query_error"
        case analyticsQueryID = "analytics_query_id"
        case rate, seed
        case delaySeconds = "delay_seconds"
        case truncateBody = "truncate_body"
        case dropConnection = "drop_connection"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.endpoint = try container.decodeIfPresent(String.self, forKey: .endpoint) ?? "*"
        self.fromRequest = try container.decodeIfPresent(Int.self, forKey: .fromRequest) ?? 1
        self.count = try container.decodeIfPresent(Int.self, forKey: .count)
        self.retryAfterSeconds = try container.decodeIfPresent(Int.self, forKey: .retryAfterSeconds)
        self.body = try container.decodeIfPresent(String.self, forKey: .body)
        self.dataForSEOStatusCode = try container.decodeIfPresent(Int.self, forKey: .dataForSEOStatusCode)
        self.dataForSEOTaskStatusCode = try container.decodeIfPresent(Int.self, forKey: .dataForSEOTaskStatusCode)
        self.ahrefsV2Error = try container.decodeIfPresent(String.self, forKey: .ahrefsV2Error)
        self.analyticsQueryError = try container.decodeIfPresent(String.self, forKey: .analyticsQueryError)
        self.analyticsQueryID = try container.decodeIfPresent(String.self, forKey: .analyticsQueryID)
        self.rate = try container.decodeIfPresent(Double.self, forKey: .rate)
        self.seed = try container.decodeIfPresent(UInt64.self, forKey: .seed) ?? 0
        self.delaySeconds = try container.decodeIfPresent(Double.self, forKey: .delaySeconds)
        self.truncateBody = try container.decodeIfPresent(Bool.self, forKey: .truncateBody) ?? false
        self.dropConnection = try container.decodeIfPresent(Bool.self, forKey: .dropConnection) ?? false
        if self.truncateBody || self.dropConnection {
            self.status = try container.decodeIfPresent(Int.self, forKey: .status) ?? 200
        } else if self.dataForSEOStatusCode != nil || self.dataForSEOTaskStatusCode != nil || self.ahrefsV2Error != nil
            || self.analyticsQueryError != nil || self.analyticsQueryID != nil
        {
            self.status = try container.decodeIfPresent(Int.self, forKey: .status) ?? 200
        } else {
            self.status = try container.decode(Int.self, forKey: .status)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.endpoint, forKey: .endpoint)
        try container.encode(self.fromRequest, forKey: .fromRequest)
        try container.encodeIfPresent(self.count, forKey: .count)
        try container.encode(self.status, forKey: .status)
        try container.encodeIfPresent(self.retryAfterSeconds, forKey: .retryAfterSeconds)
        try container.encodeIfPresent(self.body, forKey: .body)
        try container.encodeIfPresent(self.dataForSEOStatusCode, forKey: .dataForSEOStatusCode)
        try container.encodeIfPresent(self.dataForSEOTaskStatusCode, forKey: .dataForSEOTaskStatusCode)
        try container.encodeIfPresent(self.ahrefsV2Error, forKey: .ahrefsV2Error)
        try container.encodeIfPresent(self.analyticsQueryError, forKey: .analyticsQueryError)
        try container.encodeIfPresent(self.analyticsQueryID, forKey: .analyticsQueryID)
        try container.encodeIfPresent(self.rate, forKey: .rate)
        try container.encode(self.seed, forKey: .seed)
        try container.encodeIfPresent(self.delaySeconds, forKey: .delaySeconds)
        try container.encode(self.truncateBody, forKey: .truncateBody)
        try container.encode(self.dropConnection, forKey: .dropConnection)
    }

    /// Whether the real answer is computed and then spoiled in transit (truncated or cut off).
    var spoilsRealAnswer: Bool { self.truncateBody || self.dropConnection }

    /// A short name for the request log and chaos figures: `dropped`, `truncated`, `slow 503`, `429`,
    /// `dataforseo 40202`, `ahrefs_v2 internal error`, `analytics internal_error`.
    public var kind: String {
        if self.dropConnection { return "dropped" }
        if self.truncateBody { return "truncated" }
        let answer: String
        if let code = self.dataForSEOStatusCode ?? self.dataForSEOTaskStatusCode {
            answer = "dataforseo \(code)"
        } else if let message = self.ahrefsV2Error {
            answer = "ahrefs_v2 \(message)"
        } else if let code = self.analyticsQueryError {
            answer = "analytics \(code)"
        } else {
            answer = String(self.status)
        }
        return self.delaySeconds == nil ? answer : "slow \(answer)"
    }

    /// The provider-specific answers the rule carries; it applies only to endpoints speaking all of them
    /// (so a rule mixing two dialects matches nothing, and `problems` says so).
    var dialects: [FaultDialect] {
        var dialects: [FaultDialect] = []
        if self.dataForSEOStatusCode != nil || self.dataForSEOTaskStatusCode != nil { dialects.append(.dataForSEO) }
        if self.ahrefsV2Error != nil { dialects.append(.ahrefsV2) }
        if self.analyticsQueryError != nil || self.analyticsQueryID != nil { dialects.append(.analyticsBatch) }
        return dialects
    }

    /// Whether this rule applies to requests for the endpoint with this usage key, full path and dialect.
    func matches(usageKey: String, path: String, dialect: FaultDialect? = nil) -> Bool {
        guard self.dialects.allSatisfy({ $0 == dialect }) else { return false }
        return self.endpoint == "*" || self.endpoint == usageKey || self.endpoint == path
    }

    /// Whether the rule fires for the `index`-th (1-based) matching request to the endpoint `usageKey`.
    func fires(atRequest index: Int, usageKey: String = "") -> Bool {
        let start = max(1, self.fromRequest)
        guard index >= start else { return false }
        if let count = self.count, index >= start + max(0, count) { return false }
        guard let rate = self.rate else { return true }
        return SimulatedValues.unit("fault", String(self.seed), usageKey, String(index)) < rate
    }

    /// Problems that make the rule meaningless, for the control route's 400 answer.
    var problems: [String] {
        var problems: [String] = []
        if !(100...599).contains(self.status) {
            problems.append("status must be an HTTP status 100-599, got \(self.status)")
        }
        if self.fromRequest < 1 { problems.append("from_request must be at least 1, got \(self.fromRequest)") }
        if let count = self.count, count < 0 { problems.append("count must not be negative, got \(count)") }
        if let seconds = self.retryAfterSeconds, seconds < 0 {
            problems.append("retry_after_seconds must not be negative, got \(seconds)")
        }
        if self.endpoint.isEmpty { problems.append("endpoint must not be empty (use \"*\" for all endpoints)") }
        if let code = self.dataForSEOStatusCode, !(10000...60000).contains(code) {
            problems.append("dataforseo_status_code must be a DataForSEO status code 10000-60000, got \(code)")
        }
        if let code = self.dataForSEOTaskStatusCode, !(10000...60000).contains(code) {
            problems.append("dataforseo_task_status_code must be a DataForSEO status code 10000-60000, got \(code)")
        }
        if let message = self.ahrefsV2Error, message.isEmpty {
            problems.append("ahrefs_v2_error must not be empty (e.g. \"no credit\")")
        }
        if let code = self.analyticsQueryError, code.isEmpty {
            problems.append("analytics_query_error must not be empty (e.g. \"internal_error\")")
        }
        if let rate = self.rate, !(0...1).contains(rate) {
            problems.append("rate must be between 0 and 1, got \(rate)")
        }
        if let seconds = self.delaySeconds, !(0...600).contains(seconds) {
            problems.append("delay_seconds must be between 0 and 600, got \(seconds)")
        }
        if self.spoilsRealAnswer, !self.dialects.isEmpty || self.body != nil {
            problems.append(
                "truncate_body and drop_connection spoil the real answer: no body or in-body error with them")
        }
        if self.truncateBody, self.dropConnection { problems.append("truncate_body or drop_connection, not both") }
        if self.analyticsQueryID != nil, self.analyticsQueryError == nil {
            problems.append("analytics_query_id needs analytics_query_error (the code the query fails with)")
        }
        if self.dialects == [.analyticsBatch], self.status != 200 {
            problems.append("status must be 200 (or left out) with analytics_query_error: the batch answers 200")
        }
        if self.dialects.count > 1 {
            problems.append(
                "a rule carries one provider's in-body error only "
                    + "(a DataForSEO status code, ahrefs_v2_error or analytics_query_error)"
            )
        }
        return problems
    }

    /// The default error message for an injected fault with this status.
    var defaultMessage: String {
        switch self.status {
        case 401: "Invalid API token (injected fault)"
        case 402, 403: "Insufficient API units for this request (injected fault)"
        case 429: "Too many requests: rate limit exceeded, retry later (injected fault)"
        case 500: "Internal server error (injected fault)"
        case 502: "Bad gateway (injected fault)"
        case 503: "Service temporarily unavailable (injected fault)"
        case 504: "Gateway timeout (injected fault)"
        default:
            "\(HTTPStatusText.reason(self.status).isEmpty ? "HTTP \(self.status)" : HTTPStatusText.reason(self.status)) (injected fault)"
        }
    }
}

/// A provider whose in-body error answers fault rules can carry (see `FaultRule`).
enum FaultDialect: Sendable, Equatable {
    /// DataForSEO's `status_code` envelopes.
    case dataForSEO
    /// Ahrefs v2's `{"error": "<string>"}` bodies.
    case ahrefsV2
    /// The analytics Batch API's per-query errors.
    case analyticsBatch
}

/// The installed fault rules with their request counters (one per rule and endpoint).
struct FaultBook: Sendable {
    private var rules: [FaultRule] = []
    /// For each rule, requests seen so far per endpoint usage key.
    private var seen: [[String: Int]] = []

    var installed: [FaultRule] { self.rules }

    /// Replaces the rules and resets their counters.
    mutating func replace(with rules: [FaultRule]) {
        self.rules = rules
        self.seen = Array(repeating: [:], count: rules.count)
    }

    /// Counts one request to the endpoint for every rule that matches it and returns the first rule
    /// (in installation order) that fires for it, if any.
    mutating func fault(usageKey: String, path: String, dialect: FaultDialect? = nil) -> FaultRule? {
        var firing: FaultRule?
        for index in self.rules.indices
        where self.rules[index].matches(usageKey: usageKey, path: path, dialect: dialect) {
            let number = self.seen[index][usageKey, default: 0] + 1
            self.seen[index][usageKey] = number
            if firing == nil, self.rules[index].fires(atRequest: number, usageKey: usageKey) {
                firing = self.rules[index]
            }
        }
        return firing
    }
}
