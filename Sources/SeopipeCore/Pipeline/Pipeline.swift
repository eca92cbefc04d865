import Foundation

/// A parsed, interpolated and validated pipeline file.
public struct Pipeline: Sendable {
    public var name: String
    public var schedule: String?
    public var warehouse: WarehouseLocation
    public var snapshot: SnapshotSpec
    public var providers: [String: ProviderConfig]
    public var options: RunOptions
    public var stages: [Stage]
    /// The file this pipeline was read from; target files resolve against its directory.
    public var file: URL

    public init(
        name: String, schedule: String?, warehouse: WarehouseLocation, snapshot: SnapshotSpec,
        providers: [String: ProviderConfig], options: RunOptions, stages: [Stage], file: URL
    ) {
        self.name = name
        self.schedule = schedule
        self.warehouse = warehouse
        self.snapshot = snapshot
        self.providers = providers
        self.options = options
        self.stages = stages
        self.file = file
    }

    public func stage(_ id: String) -> Stage? { stages.first { $0.id == id } }
}

/// Which date a run stamps its rows with.
public enum SnapshotSpec: Sendable, Hashable {
    case today
    case yesterday
    case fixed(SnapshotDate)

    public func resolve(now: Date = Date()) -> SnapshotDate {
        switch self {
        case .today: SnapshotDate(now)
        case .yesterday: SnapshotDate(now.addingTimeInterval(-86_400))
        case .fixed(let date): date
        }
    }
}

/// A calendar date in UTC, written `YYYY-MM-DD`.
public struct SnapshotDate: Sendable, Hashable, Comparable, CustomStringConvertible, Codable {
    public let year: Int
    public let month: Int
    public let day: Int

    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            parts.allSatisfy({ $0.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) } }),
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
            (1...12).contains(month), day >= 1, day <= Self.daysIn(month: month, year: year)
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// A date known to be valid (callers compute it; no checks).
    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    public init(_ date: Date) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        self.year = parts.year!
        self.month = parts.month!
        self.day = parts.day!
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    public var description: String {
        let m = month < 10 ? "0\(month)" : "\(month)"
        let d = day < 10 ? "0\(day)" : "\(day)"
        return "\(year)-\(m)-\(d)"
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let date = SnapshotDate(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not YYYY-MM-DD"))
        }
        self = date
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// A value that must never be printed: `description` redacts it.
public struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    public let value: String
    public init(_ value: String) { self.value = value }
    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
}

/// One `providers:` entry.
public struct ProviderConfig: Sendable {
    public var name: String
    public var kind: String
    public var baseURL: String
    /// Credentials by key (`token`, or `login` and `password`), as the provider kind declares them.
    public var credentials: [String: Secret]
    public var rateLimit: RateLimit
    public var retry: RetryPolicy
    public var budget: Budget
    /// Largest batch the provider may be sent; the provider's own maximum unless set lower.
    public var batchSize: Int?
    public var timeout: Duration

    public init(
        name: String, kind: String, baseURL: String, credentials: [String: Secret], rateLimit: RateLimit,
        retry: RetryPolicy, budget: Budget, batchSize: Int? = nil, timeout: Duration = .seconds(60)
    ) {
        self.name = name
        self.kind = kind
        self.baseURL = baseURL
        self.credentials = credentials
        self.rateLimit = rateLimit
        self.retry = retry
        self.budget = budget
        self.batchSize = batchSize
        self.timeout = timeout
    }

    /// A provider whose one credential is a token.
    public init(
        name: String, kind: String, baseURL: String, token: Secret, rateLimit: RateLimit, retry: RetryPolicy,
        budget: Budget, batchSize: Int? = nil, timeout: Duration = .seconds(60)
    ) {
        self.init(
            name: name, kind: kind, baseURL: baseURL, credentials: ["token": token], rateLimit: rateLimit,
            retry: retry, budget: budget, batchSize: batchSize, timeout: timeout)
    }

    /// The credential under `key`; empty when the provider kind does not declare it.
    public func credential(_ key: String) -> Secret { credentials[key] ?? Secret("") }

    public var token: Secret { credential("token") }
}

/// Spending limits per run.
public struct Budget: Sendable, Hashable {
    /// Per run.
    public var maxUnits: Double?
    public var maxCostUSD: Double?
    /// Per UTC day, over every run of the pipeline that day (what their committed chunks were charged).
    public var maxUnitsPerDay: Double?
    public var maxCostUSDPerDay: Double?

    public init(
        maxUnits: Double? = nil, maxCostUSD: Double? = nil, maxUnitsPerDay: Double? = nil,
        maxCostUSDPerDay: Double? = nil
    ) {
        self.maxUnits = maxUnits
        self.maxCostUSD = maxCostUSD
        self.maxUnitsPerDay = maxUnitsPerDay
        self.maxCostUSDPerDay = maxCostUSDPerDay
    }

    public var hasDailyLimit: Bool { maxUnitsPerDay != nil || maxCostUSDPerDay != nil }
}

/// `options:` of a pipeline: the same knobs the analytics Batch API takes.
public struct RunOptions: Sendable, Hashable {
    public var failFast: Bool = false
    /// Concurrent provider requests across the whole run, 1-10.
    public var parallelLimit: Int = 5
    public var includeTiming: Bool = true

    public init(failFast: Bool = false, parallelLimit: Int = 5, includeTiming: Bool = true) {
        self.failFast = failFast
        self.parallelLimit = parallelLimit
        self.includeTiming = includeTiming
    }
}

/// Where a stage's targets come from.
public enum TargetSource: Sendable, Hashable {
    case list([String])
    /// One target per line; blank lines and `#` comments ignored. Path resolved against the pipeline file.
    case file(String)
    /// A query against the warehouse; `:snapshot` is bound to the run's snapshot date.
    case sql(String)
}

/// A parameter value from the pipeline file, kept as text or a list of texts.
public enum ParamValue: Sendable, Hashable, CustomStringConvertible {
    case string(String)
    case list([String])

    public var description: String {
        switch self {
        case .string(let text): text
        case .list(let items): items.joined(separator: ",")
        }
    }
}

/// One `stages:` entry.
public struct Stage: Sendable, Identifiable {
    public var id: String
    public var dependsOn: [String]
    public var provider: String
    public var endpoint: String
    public var targets: TargetSource
    public var params: [String: ParamValue]
    /// The fact table the rows go to (the endpoint's table).
    public var table: String
    /// `load: { raw_responses: true }`: each chunk's response body is kept in `seopipe_raw_responses`
    /// (credentials redacted), committed with the chunk's rows.
    public var keepsRawResponses: Bool
    /// `refresh: { every: 7d, spread: true }`: which targets are due on a date (``DueSelection``); daily by default.
    public var refresh: RefreshPolicy
    /// For an endpoint that answers a range of dates: the dates a backfill loads in this stage's one run
    /// (``Backfill``); nil means the run's snapshot date. Never read from the pipeline file.
    public var dateRange: ClosedRange<SnapshotDate>?
    public var location: SourceLocation

    public init(
        id: String, dependsOn: [String], provider: String, endpoint: String, targets: TargetSource,
        params: [String: ParamValue], table: String, keepsRawResponses: Bool = false, refresh: RefreshPolicy = .daily,
        location: SourceLocation
    ) {
        self.refresh = refresh
        self.id = id
        self.dependsOn = dependsOn
        self.provider = provider
        self.endpoint = endpoint
        self.targets = targets
        self.params = params
        self.table = table
        self.keepsRawResponses = keepsRawResponses
        self.location = location
    }
}
