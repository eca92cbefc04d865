import Foundation

/// A fault to inject: requests to `endpoint` (or to every endpoint, `"*"`) get `status` instead of a real
/// answer from request number `fromRequest` on, for `count` requests (or for ever when `count` is nil).
///
/// Each rule counts the requests to each endpoint separately, from 1 when the rules are installed: a
/// `"*"` rule with `fromRequest: 2, count: 1` fails the second request to every endpoint. When several
/// rules fire for one request, the first installed wins (all of them still count it).
///
/// JSON form (control route `POST /_sandbox/faults`), snake_case keys; only `status` is required:
/// `{"endpoint": "site-explorer/batch/metrics", "from_request": 2, "count": 1, "status": 429, "retry_after_seconds": 3}`
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

    public init(
        endpoint: String = "*",
        fromRequest: Int = 1,
        count: Int? = nil,
        status: Int,
        retryAfterSeconds: Int? = nil,
        body: String? = nil
    ) {
        self.endpoint = endpoint
        self.fromRequest = fromRequest
        self.count = count
        self.status = status
        self.retryAfterSeconds = retryAfterSeconds
        self.body = body
    }

    enum CodingKeys: String, CodingKey {
        case endpoint
        case fromRequest = "from_request"
        case count
        case status
        case retryAfterSeconds = "retry_after_seconds"
        case body
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.endpoint = try container.decodeIfPresent(String.self, forKey: .endpoint) ?? "*"
        self.fromRequest = try container.decodeIfPresent(Int.self, forKey: .fromRequest) ?? 1
        self.count = try container.decodeIfPresent(Int.self, forKey: .count)
        self.status = try container.decode(Int.self, forKey: .status)
        self.retryAfterSeconds = try container.decodeIfPresent(Int.self, forKey: .retryAfterSeconds)
        self.body = try container.decodeIfPresent(String.self, forKey: .body)
    }

    /// Whether this rule applies to requests for the endpoint with this usage key and full path.
    func matches(usageKey: String, path: String) -> Bool {
        self.endpoint == "*" || self.endpoint == usageKey || self.endpoint == path
    }

    /// Whether the rule fires for the `index`-th (1-based) matching request.
    func fires(atRequest index: Int) -> Bool {
        let start = max(1, self.fromRequest)
        guard index >= start else { return false }
        guard let count = self.count else { return true }
        return index < start + max(0, count)
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
    mutating func fault(usageKey: String, path: String) -> FaultRule? {
        var firing: FaultRule?
        for index in self.rules.indices where self.rules[index].matches(usageKey: usageKey, path: path) {
            let number = self.seen[index][usageKey, default: 0] + 1
            self.seen[index][usageKey] = number
            if firing == nil, self.rules[index].fires(atRequest: number) {
                firing = self.rules[index]
            }
        }
        return firing
    }
}
