import Foundation

/// A fault to inject: requests to `endpoint` (or to every endpoint, `"*"`) get `status` instead of a real
/// answer from request number `fromRequest` on, for `count` requests (or for ever when `count` is nil).
///
/// Each rule counts the requests to each endpoint separately, from 1 when the rules are installed: a
/// `"*"` rule with `fromRequest: 2, count: 1` fails the second request to every endpoint. When several
/// rules fire for one request, the first installed wins (all of them still count it).
///
/// A rule may instead carry a provider's own in-body error, its `dialect` (`SimulatedDataForSEO.Fault`,
/// `SimulatedAhrefsV2.Fault`, `SimulatedAnalyticsBatch.Fault`): such a rule matches that provider's endpoints only
/// (a `"*"` rule leaves the other providers alone) and is answered in the provider's format, as its `Fault` type
/// describes. Its `status` defaults to 200, what those APIs send with their in-body errors.
///
/// Chaos: `rate` makes a rule fire for that fraction of the requests in its window only, chosen by a hash of
/// (`seed`, endpoint, request number), so a seed replays the same faults. Transport faults: `delay_seconds` answers
/// only after that delay (beyond the client's timeout, a "slow response"); `truncate_body` answers the real answer
/// with its body cut in half; `drop_connection` sends the real answer's headers and half its body, then closes
/// the connection. None of them is charged (the provider never delivered).
///
/// JSON form (control route `POST /_sandbox/faults`), snake_case keys, a dialect's keys next to the others; only
/// `status` is required, and not even that when the rule carries a dialect:
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
    /// The provider-specific in-body errors the rule carries: none, or one (a decoded rule mixing two dialects
    /// matches nothing, and `problems` says so).
    public var dialects: [any FaultDialect]
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
    /// Answer the real answer, charged, with its rows changed: a provider whose schema drifted.
    public var schemaDrift: SchemaDriftFault?

    /// `status` is the HTTP status; it matters little for a rule with a `dialect`, whose default 200 is what those
    /// APIs send with their in-body errors.
    public init(
        endpoint: String = "*",
        fromRequest: Int = 1,
        count: Int? = nil,
        status: Int = 200,
        retryAfterSeconds: Int? = nil,
        body: String? = nil,
        dialect: (any FaultDialect)? = nil,
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
        dialects = dialect.map { [$0] } ?? []
        self.rate = rate
        self.seed = seed
        self.delaySeconds = delaySeconds
        self.truncateBody = truncateBody
        self.dropConnection = dropConnection
    }

    /// The rule's in-body error in one provider's dialect, if it carries that one.
    public func dialect<Dialect: FaultDialect>(_ type: Dialect.Type) -> Dialect? {
        dialects.lazy.compactMap { $0 as? Dialect }.first
    }

    enum CodingKeys: String, CodingKey {
        case endpoint
        case fromRequest = "from_request"
        case count
        case status
        case retryAfterSeconds = "retry_after_seconds"
        case body
        case rate, seed
        case delaySeconds = "delay_seconds"
        case truncateBody = "truncate_body"
        case dropConnection = "drop_connection"
        case schemaDrift = "schema_drift"
    }

    /// The keys the control route's 400 answer lists: the common ones, then each registered dialect's.
    static var documentedKeys: [String] {
        let common: [CodingKeys] = [.endpoint, .fromRequest, .count, .status, .retryAfterSeconds, .body]
        return common.map(\.stringValue) + SimulatedProviders.faultDialects.flatMap { $0.keys }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        endpoint = try container.decodeIfPresent(String.self, forKey: .endpoint) ?? "*"
        fromRequest = try container.decodeIfPresent(Int.self, forKey: .fromRequest) ?? 1
        count = try container.decodeIfPresent(Int.self, forKey: .count)
        retryAfterSeconds = try container.decodeIfPresent(Int.self, forKey: .retryAfterSeconds)
        body = try container.decodeIfPresent(String.self, forKey: .body)
        // Each registered dialect reads its own keys from the same object, when the object has any of them.
        let object = try decoder.container(keyedBy: AnyKey.self)
        dialects = try SimulatedProviders.faultDialects.compactMap { dialect in
            let present = try dialect.keys.contains { key in
                try object.contains(AnyKey(key)) && !object.decodeNil(forKey: AnyKey(key))
            }
            return present ? try dialect.init(from: decoder) : nil
        }
        rate = try container.decodeIfPresent(Double.self, forKey: .rate)
        seed = try container.decodeIfPresent(UInt64.self, forKey: .seed) ?? 0
        delaySeconds = try container.decodeIfPresent(Double.self, forKey: .delaySeconds)
        truncateBody = try container.decodeIfPresent(Bool.self, forKey: .truncateBody) ?? false
        dropConnection = try container.decodeIfPresent(Bool.self, forKey: .dropConnection) ?? false
        schemaDrift = try container.decodeIfPresent(SchemaDriftFault.self, forKey: .schemaDrift)
        if truncateBody || dropConnection || schemaDrift != nil || !dialects.isEmpty {
            status = try container.decodeIfPresent(Int.self, forKey: .status) ?? 200
        } else {
            status = try container.decode(Int.self, forKey: .status)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(endpoint, forKey: .endpoint)
        try container.encode(fromRequest, forKey: .fromRequest)
        try container.encodeIfPresent(count, forKey: .count)
        try container.encode(status, forKey: .status)
        try container.encodeIfPresent(retryAfterSeconds, forKey: .retryAfterSeconds)
        try container.encodeIfPresent(body, forKey: .body)
        // A dialect writes its keys into the rule's own object.
        for dialect in dialects {
            try dialect.encode(to: encoder)
        }
        try container.encodeIfPresent(rate, forKey: .rate)
        try container.encode(seed, forKey: .seed)
        try container.encodeIfPresent(delaySeconds, forKey: .delaySeconds)
        try container.encode(truncateBody, forKey: .truncateBody)
        try container.encode(dropConnection, forKey: .dropConnection)
        try container.encodeIfPresent(schemaDrift, forKey: .schemaDrift)
    }

    public static func == (lhs: FaultRule, rhs: FaultRule) -> Bool {
        lhs.endpoint == rhs.endpoint && lhs.fromRequest == rhs.fromRequest && lhs.count == rhs.count
            && lhs.status == rhs.status && lhs.retryAfterSeconds == rhs.retryAfterSeconds && lhs.body == rhs.body
            && lhs.dialects.count == rhs.dialects.count
            && zip(lhs.dialects, rhs.dialects).allSatisfy { $0.isEqual(to: $1) }
            && lhs.rate == rhs.rate && lhs.seed == rhs.seed && lhs.delaySeconds == rhs.delaySeconds
            && lhs.truncateBody == rhs.truncateBody && lhs.dropConnection == rhs.dropConnection
            && lhs.schemaDrift == rhs.schemaDrift
    }

    /// Whether the real answer is computed and then spoiled in transit (truncated or cut off).
    var spoilsRealAnswer: Bool { truncateBody || dropConnection }

    /// A short name for the request log and chaos figures: `dropped`, `truncated`, `slow 503`, `429`,
    /// `dataforseo 40202`, `ahrefs_v2 internal error`, `analytics internal_error`.
    public var kind: String {
        if schemaDrift != nil { return "schema drift" }
        if dropConnection { return "dropped" }
        if truncateBody { return "truncated" }
        let answer = dialects.lazy.compactMap(\.kind).first ?? String(status)
        return delaySeconds == nil ? answer : "slow \(answer)"
    }

    /// Whether this rule applies to requests for the endpoint with this usage key, full path and dialect.
    func matches(usageKey: String, path: String, dialect: (any FaultDialect.Type)? = nil) -> Bool {
        guard dialects.allSatisfy({ type(of: $0) == dialect }) else { return false }
        return endpoint == "*" || endpoint == usageKey || endpoint == path
    }

    /// Whether the rule fires for the `index`-th (1-based) matching request to the endpoint `usageKey`.
    func fires(atRequest index: Int, usageKey: String = "") -> Bool {
        let start = max(1, fromRequest)
        guard index >= start else { return false }
        if let count, index >= start + max(0, count) { return false }
        guard let rate else { return true }
        return SimulatedValues.unit("fault", String(seed), usageKey, String(index)) < rate
    }

    /// Problems that make the rule meaningless, for the control route's 400 answer.
    var problems: [String] {
        var problems: [String] = []
        if !(100...599).contains(status) {
            problems.append("status must be an HTTP status 100-599, got \(status)")
        }
        if fromRequest < 1 { problems.append("from_request must be at least 1, got \(fromRequest)") }
        if let count, count < 0 { problems.append("count must not be negative, got \(count)") }
        if let seconds = retryAfterSeconds, seconds < 0 {
            problems.append("retry_after_seconds must not be negative, got \(seconds)")
        }
        if endpoint.isEmpty { problems.append("endpoint must not be empty (use \"*\" for all endpoints)") }
        problems += dialects.flatMap(\.valueProblems)
        if let rate, !(0...1).contains(rate) {
            problems.append("rate must be between 0 and 1, got \(rate)")
        }
        if let seconds = delaySeconds, !(0...600).contains(seconds) {
            problems.append("delay_seconds must be between 0 and 600, got \(seconds)")
        }
        if spoilsRealAnswer, !dialects.isEmpty || body != nil {
            problems.append(
                "truncate_body and drop_connection spoil the real answer: no body or in-body error with them")
        }
        if truncateBody, dropConnection { problems.append("truncate_body or drop_connection, not both") }
        problems += dialects.flatMap { $0.ruleProblems(status: status) }
        if dialects.count > 1 {
            let summaries = SimulatedProviders.faultDialects.map { $0.summary }
            let listed =
                summaries.count > 1
                ? summaries.dropLast().joined(separator: ", ") + " or " + summaries[summaries.count - 1]
                : summaries.joined()
            problems.append("a rule carries one provider's in-body error only (\(listed))")
        }
        return problems
    }

    /// The default error message for an injected fault with this status.
    var defaultMessage: String {
        switch status {
        case 401: "Invalid API token (injected fault)"
        case 402, 403: "Insufficient API units for this request (injected fault)"
        case 429: "Too many requests: rate limit exceeded, retry later (injected fault)"
        case 500: "Internal server error (injected fault)"
        case 502: "Bad gateway (injected fault)"
        case 503: "Service temporarily unavailable (injected fault)"
        case 504: "Gateway timeout (injected fault)"
        default:
            "\(HTTPStatusText.reason(status).isEmpty ? "HTTP \(status)" : HTTPStatusText.reason(status)) (injected fault)"
        }
    }
}

/// A simulated provider's own in-body error answers, which a fault rule carries under the provider's JSON keys
/// (`dataforseo_status_code`, `ahrefs_v2_error`...) next to the common ones. The provider declares it
/// (`SimulatedProvider.faultDialect`) and answers it; `FaultRule` decodes, encodes, checks and names it without
/// knowing any provider.
public protocol FaultDialect: Codable, Sendable, Equatable {
    /// The rule's JSON keys the dialect reads and writes, in the order the control route's help lists them.
    static var keys: [String] { get }
    /// How the "one provider's in-body error only" problem names the dialect, e.g. "ahrefs_v2_error".
    static var summary: String { get }
    /// The answer's short name in the request log, e.g. `dataforseo 40202`; nil when the rule says too little.
    var kind: String? { get }
    /// Problems with the dialect's own values (a code out of range, an empty message), listed with the rule's.
    var valueProblems: [String] { get }
    /// Problems with how the values go together and with the rule's HTTP `status`, listed after the rule's own.
    func ruleProblems(status: Int) -> [String]
}

extension FaultDialect {
    func isEqual(to other: any FaultDialect) -> Bool {
        (other as? Self) == self
    }
}

/// A JSON key known only at run time (a dialect's).
private struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }

    init(_ stringValue: String) { self.stringValue = stringValue }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// The installed fault rules with their request counters (one per rule and endpoint).
struct FaultBook: Sendable {
    private var rules: [FaultRule] = []
    /// For each rule, requests seen so far per endpoint usage key.
    private var seen: [[String: Int]] = []

    var installed: [FaultRule] { rules }

    /// Replaces the rules and resets their counters.
    mutating func replace(with rules: [FaultRule]) {
        self.rules = rules
        seen = Array(repeating: [:], count: rules.count)
    }

    /// Counts one request to the endpoint for every rule that matches it and returns the first rule
    /// (in installation order) that fires for it, if any.
    mutating func fault(usageKey: String, path: String, dialect: (any FaultDialect.Type)? = nil) -> FaultRule? {
        var firing: FaultRule?
        for index in rules.indices
        where rules[index].matches(usageKey: usageKey, path: path, dialect: dialect) {
            let number = seen[index][usageKey, default: 0] + 1
            seen[index][usageKey] = number
            if firing == nil, rules[index].fires(atRequest: number, usageKey: usageKey) {
                firing = rules[index]
            }
        }
        return firing
    }
}

/// `"schema_drift": {"row_field": "target", "add": {"f": 1}, "drop": ["backlinks"], "stringify": ["rank"],
/// "nullify": ["spam_score"]}`: every object of the real answer that has `row_field` (a row) gets the `add` members,
/// loses the `drop` ones, has the `stringify` numbers sent as strings (`"123"`) and the `nullify` members sent as
/// null. The answer is charged as usual.
public struct SchemaDriftFault: Sendable, Codable, Equatable {
    public var rowField: String
    public var add: [String: String]
    public var drop: [String]
    public var stringify: [String]
    public var nullify: [String]

    public init(
        rowField: String, add: [String: String] = [:], drop: [String] = [], stringify: [String] = [],
        nullify: [String] = []
    ) {
        self.rowField = rowField
        self.add = add
        self.drop = drop
        self.stringify = stringify
        self.nullify = nullify
    }

    enum CodingKeys: String, CodingKey {
        case rowField = "row_field"
        case add, drop, stringify, nullify
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        rowField = try container.decode(String.self, forKey: .rowField)
        add = try container.decodeIfPresent([String: String].self, forKey: .add) ?? [:]
        drop = try container.decodeIfPresent([String].self, forKey: .drop) ?? []
        stringify = try container.decodeIfPresent([String].self, forKey: .stringify) ?? []
        nullify = try container.decodeIfPresent([String].self, forKey: .nullify) ?? []
    }

    /// The answer's JSON text with its rows changed; a body that is not JSON is sent unchanged. Added members are
    /// strings (their values as given).
    func apply(to body: String) -> String {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body.utf8)) else { return body }
        let changed = change(object)
        guard let data = try? JSONSerialization.data(withJSONObject: changed, options: [.sortedKeys]) else {
            return body
        }
        return String(decoding: data, as: UTF8.self)
    }

    private func change(_ value: Any) -> Any {
        if let array = value as? [Any] { return array.map(change) }
        guard var object = value as? [String: Any] else { return value }
        for (key, member) in object { object[key] = change(member) }
        guard object[rowField] != nil else { return object }
        for key in drop { object.removeValue(forKey: key) }
        for key in stringify {
            if let number = object[key] as? NSNumber { object[key] = number.stringValue }
        }
        for key in nullify where object[key] != nil { object[key] = NSNull() }
        for (key, text) in add { object[key] = text }
        return object
    }
}
