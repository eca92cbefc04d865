import Foundation

/// What the sandbox received and charged since it started (or since the last reset).
///
/// Its `Codable` form is the wire form of `GET /_sandbox/usage`: snake_case keys, `received_at` as an
/// ISO 8601 string, plus the read-only totals. Decode it with a plain `JSONDecoder` (no key strategy).
public struct SandboxUsage: Sendable, Codable, Equatable {
    /// Counters per endpoint; the key is the endpoint path without its API prefix, e.g.
    /// `site-explorer/batch/metrics`. Only endpoints that received requests appear.
    public var endpoints: [String: EndpointUsage]
    /// Every provider request received (faulted, rejected or served), in arrival order.
    public var requestLog: [LoggedRequest]

    public init(endpoints: [String: EndpointUsage] = [:], requestLog: [LoggedRequest] = []) {
        self.endpoints = endpoints
        self.requestLog = requestLog
    }

    public var totalRequests: Int { endpoints.values.reduce(0) { $0 + $1.requests } }
    public var totalChargedRequests: Int { endpoints.values.reduce(0) { $0 + $1.chargedRequests } }
    public var totalUnits: Int { endpoints.values.reduce(0) { $0 + $1.units } }
    /// USD charged in total (DataForSEO), rounded to 5 decimals like the provider's `cost`.
    public var totalCostUSD: Double {
        USDAmount.rounded(endpoints.values.reduce(0) { $0 + $1.costUSD })
    }

    enum CodingKeys: String, CodingKey {
        case endpoints
        case requestLog = "request_log"
        case totalRequests = "total_requests"
        case totalChargedRequests = "total_charged_requests"
        case totalUnits = "total_units"
        case totalCostUSD = "total_cost_usd"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        endpoints = try container.decode([String: EndpointUsage].self, forKey: .endpoints)
        requestLog = try container.decode([LoggedRequest].self, forKey: .requestLog)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(endpoints, forKey: .endpoints)
        try container.encode(requestLog, forKey: .requestLog)
        try container.encode(totalRequests, forKey: .totalRequests)
        try container.encode(totalChargedRequests, forKey: .totalChargedRequests)
        try container.encode(totalUnits, forKey: .totalUnits)
        try container.encode(totalCostUSD, forKey: .totalCostUSD)
    }
}

/// Counters for one endpoint.
public struct EndpointUsage: Sendable, Codable, Equatable {
    /// Every request received, whatever its outcome.
    public var requests: Int
    /// Requests that were served and charged (Ahrefs v3: HTTP 200; Ahrefs v2: an answer without `error`;
    /// DataForSEO: at least one task with 20000).
    public var chargedRequests: Int
    /// Units charged in total (Ahrefs v3 units; Ahrefs v2 rows); 0 for providers that charge money.
    public var units: Int
    /// Targets (domains, URLs or keywords) sent in charged requests (DataForSEO: in charged tasks).
    public var targets: Int
    /// USD charged in total (DataForSEO: the sum of charged tasks' `cost`, rounded to 5 decimals); 0 for Ahrefs.
    public var costUSD: Double

    public init(requests: Int = 0, chargedRequests: Int = 0, units: Int = 0, targets: Int = 0, costUSD: Double = 0) {
        self.requests = requests
        self.chargedRequests = chargedRequests
        self.units = units
        self.targets = targets
        self.costUSD = costUSD
    }

    enum CodingKeys: String, CodingKey {
        case requests
        case chargedRequests = "charged_requests"
        case units
        case targets
        case costUSD = "cost_usd"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        requests = try container.decode(Int.self, forKey: .requests)
        chargedRequests = try container.decode(Int.self, forKey: .chargedRequests)
        units = try container.decode(Int.self, forKey: .units)
        targets = try container.decode(Int.self, forKey: .targets)
        costUSD = try container.decodeIfPresent(Double.self, forKey: .costUSD) ?? 0
    }
}

/// USD amounts as DataForSEO writes them: at most 5 decimals.
enum USDAmount {
    /// Rounds to 5 decimals, so sums of task costs stay exact-looking (0.02003 + 0.02003 = 0.04006).
    static func rounded(_ value: Double) -> Double {
        (value * 100_000).rounded() / 100_000
    }
}

/// One provider request as the sandbox saw it.
public struct LoggedRequest: Sendable, Codable, Equatable {
    /// Endpoint usage key, e.g. `site-explorer/batch/metrics`.
    public var endpoint: String
    /// HTTP status the sandbox answered with.
    public var status: Int
    /// When the request arrived.
    public var receivedAt: Date
    /// Targets in the request body (0 when the body could not be read); 1 for Ahrefs v2, whose request
    /// names one target in its query.
    public var targetCount: Int
    /// Whether the request was charged.
    public var charged: Bool
    /// SHA-256 (hex) of the raw request body; equal bodies give equal digests.
    public var bodySHA: String?
    /// Tasks in the request body (DataForSEO); 0 for providers without tasks (Ahrefs).
    public var taskCount: Int
    /// Distinct registrable domains among the URL targets of the request's tasks (DataForSEO, see
    /// `DataForSEOData.registrableDomain(of:)`); 0 for Ahrefs.
    public var distinctDomains: Int
    /// Ahrefs v2 (parameters in the query string): the raw query string as sent, still percent-encoded,
    /// with the value of `token` replaced by `<redacted>`; nil for providers that take a body.
    public var query: String?
    /// The injected fault that answered it (`FaultRule.kind`, e.g. `429`, `truncated`), nil for a real answer.
    public var fault: String?

    public init(
        endpoint: String,
        status: Int,
        receivedAt: Date,
        targetCount: Int,
        charged: Bool,
        bodySHA: String? = nil,
        taskCount: Int = 0,
        distinctDomains: Int = 0,
        query: String? = nil,
        fault: String? = nil
    ) {
        self.endpoint = endpoint
        self.status = status
        self.receivedAt = receivedAt
        self.targetCount = targetCount
        self.charged = charged
        self.bodySHA = bodySHA
        self.taskCount = taskCount
        self.distinctDomains = distinctDomains
        self.query = query
        self.fault = fault
    }

    enum CodingKeys: String, CodingKey {
        case endpoint
        case status
        case receivedAt = "received_at"
        case targetCount = "target_count"
        case charged
        case bodySHA = "body_sha"
        case taskCount = "task_count"
        case distinctDomains = "distinct_domains"
        case query
        case fault
    }

    private static let timestampStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        endpoint = try container.decode(String.self, forKey: .endpoint)
        status = try container.decode(Int.self, forKey: .status)
        let timestamp = try container.decode(String.self, forKey: .receivedAt)
        let date = (try? Self.timestampStyle.parse(timestamp)) ?? (try? Date.ISO8601FormatStyle().parse(timestamp))
        guard let date else {
            throw DecodingError.dataCorruptedError(
                forKey: .receivedAt,
                in: container,
                debugDescription: "received_at must be an ISO 8601 timestamp, got \(timestamp)"
            )
        }
        receivedAt = date
        targetCount = try container.decode(Int.self, forKey: .targetCount)
        charged = try container.decode(Bool.self, forKey: .charged)
        bodySHA = try container.decodeIfPresent(String.self, forKey: .bodySHA)
        taskCount = try container.decodeIfPresent(Int.self, forKey: .taskCount) ?? 0
        distinctDomains = try container.decodeIfPresent(Int.self, forKey: .distinctDomains) ?? 0
        query = try container.decodeIfPresent(String.self, forKey: .query)
        fault = try container.decodeIfPresent(String.self, forKey: .fault)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(endpoint, forKey: .endpoint)
        try container.encode(status, forKey: .status)
        try container.encode(receivedAt.formatted(Self.timestampStyle), forKey: .receivedAt)
        try container.encode(targetCount, forKey: .targetCount)
        try container.encode(charged, forKey: .charged)
        try container.encodeIfPresent(bodySHA, forKey: .bodySHA)
        try container.encode(taskCount, forKey: .taskCount)
        try container.encode(distinctDomains, forKey: .distinctDomains)
        try container.encodeIfPresent(query, forKey: .query)
        try container.encodeIfPresent(fault, forKey: .fault)
    }
}

/// The sandbox's mutable state: usage counters, the request log and the fault rules, behind one lock.
final class SandboxState: Sendable {
    /// A request that has arrived and not yet been answered.
    struct Ticket: Sendable {
        fileprivate var sequence: Int
        fileprivate var generation: Int
        var receivedAt: Date
        /// The fault rule that answers this request instead of the provider, if any.
        var fault: FaultRule?
    }

    private struct Contents {
        var endpoints: [String: EndpointUsage] = [:]
        var log: [(sequence: Int, request: LoggedRequest)] = []
        var faults = FaultBook()
        var nextSequence = 0
        /// Bumped by `reset()` so requests that arrived before it do not land in the fresh counters.
        var generation = 0
        /// Provider requests that arrived since the last reset, answered or not.
        var arrived = 0
        /// While set, provider answers wait (tests use it to keep a run mid-request).
        var holding = false
        /// Set when a stopping sandbox's grace period is over: answers still waiting stop waiting.
        var closing = false
    }

    private let contents = Locked(Contents())

    /// What a served request was charged.
    struct Charge: Sendable {
        var units: Int
        var costUSD: Double
        /// Targets the charge covers.
        var targets: Int
    }

    /// Registers an arriving provider request: fixes its place in the log and decides on a fault.
    func arrive(usageKey: String, path: String, dialect: (any FaultDialect.Type)? = nil) -> Ticket {
        self.contents.withLock { contents in
            contents.nextSequence += 1
            contents.arrived += 1
            return Ticket(
                sequence: contents.nextSequence,
                generation: contents.generation,
                receivedAt: Date(),
                fault: contents.faults.fault(usageKey: usageKey, path: path, dialect: dialect)
            )
        }
    }

    /// Records the outcome of a request registered with `arrive`; `charge` is nil for an uncharged one.
    func finish(_ ticket: Ticket, request: LoggedRequest, charge: Charge?) {
        self.contents.withLock { contents in
            guard ticket.generation == contents.generation else { return }
            var usage = contents.endpoints[request.endpoint] ?? EndpointUsage()
            usage.requests += 1
            if request.charged, let charge {
                usage.chargedRequests += 1
                usage.units += charge.units
                usage.targets += charge.targets
                usage.costUSD = USDAmount.rounded(usage.costUSD + charge.costUSD)
            }
            contents.endpoints[request.endpoint] = usage
            // Keep the log in arrival order even when later requests finish first.
            var index = contents.log.endIndex
            while index > contents.log.startIndex, contents.log[index - 1].sequence > ticket.sequence {
                index -= 1
            }
            contents.log.insert((ticket.sequence, request), at: index)
        }
    }

    var usage: SandboxUsage {
        self.contents.withLock { contents in
            SandboxUsage(endpoints: contents.endpoints, requestLog: contents.log.map(\.request))
        }
    }

    var faultRules: [FaultRule] {
        contents.withLock { $0.faults.installed }
    }

    func setFaults(_ rules: [FaultRule]) {
        contents.withLock { $0.faults.replace(with: rules) }
    }

    func reset() {
        self.contents.withLock { contents in
            contents.endpoints = [:]
            contents.log = []
            contents.faults.replace(with: [])
            contents.generation += 1
            contents.arrived = 0
        }
    }

    var arrived: Int {
        contents.withLock { $0.arrived }
    }

    var holding: Bool {
        get { contents.withLock { $0.holding } }
        set { contents.withLock { $0.holding = newValue } }
    }

    var closing: Bool {
        get { contents.withLock { $0.closing } }
        set { contents.withLock { $0.closing = newValue } }
    }
}
