import Foundation

/// What a provider's endpoint takes as targets; one batch never mixes kinds.
public enum TargetKind: String, Sendable, Hashable {
    case domain
    case url
    case keyword
    /// Domains, subdomains or page URLs in one list (DataForSEO bulk endpoints).
    case domainOrURL = "domain_or_url"
    /// An account (site) identifier of an analytics product.
    case account
}

/// One credential a provider kind needs: the key in `providers:` and the variable it defaults to.
public struct CredentialSpec: Sendable {
    /// `token`, `login`, `password`.
    public var key: String
    public var variable: String

    public init(key: String, variable: String) {
        self.key = key
        self.variable = variable
    }
}

/// Where a provider answers, as pipeline files write `base_url:`: an environment variable and the published URL.
public struct BaseURLSpec: Sendable {
    /// `AHREFS_BASE_URL`: the sandbox and tests point the shipped pipelines elsewhere through it.
    public var variable: String
    /// The provider's published base URL, e.g. `https://api.ahrefs.com/v3`.
    public var defaultURL: String

    public init(variable: String, defaultURL: String) {
        self.variable = variable
        self.defaultURL = defaultURL
    }

    /// `${AHREFS_BASE_URL:-https://api.ahrefs.com/v3}`, the value the shipped pipelines give `base_url`.
    public var pipelineValue: String { "${\(variable):-\(defaultURL)}" }
}

/// One parameter an endpoint accepts in `params:`.
public struct ParameterSpec: Sendable {
    public var name: String
    public var isRequired: Bool
    /// What the user should write; shown in errors.
    public var help: String
    /// Returns an error message for an invalid value, nil when valid.
    public var validate: @Sendable (ParamValue) -> String?

    public init(
        _ name: String, required: Bool = false, help: String,
        validate: @escaping @Sendable (ParamValue) -> String? = { _ in nil }
    ) {
        self.name = name
        self.isRequired = required
        self.help = help
        self.validate = validate
    }
}

/// One endpoint a provider supports.
public struct EndpointSpec: Sendable {
    public var name: String
    public var targetKind: TargetKind
    /// The fact table its rows load into.
    public var table: String
    public var parameters: [ParameterSpec]
    /// The most targets one request may carry.
    public var maxBatchSize: Int
    /// Why the endpoint cannot answer for a past date (it takes no date and answers with today's numbers);
    /// nil when it can. A backfill leaves such stages out of past dates (``Backfill``).
    public var currentOnly: String?
    /// True when one request answers a whole range of dates (Ahrefs v3 `*-history`): a run loads its snapshot
    /// date, a backfill sends one request per target for every date of the range (``Stage/dateRange``).
    public var answersDateRange: Bool
    /// The endpoint that answers the same table for a range of dates in one request per target: a backfill
    /// uses it instead of this one when it costs less (``Backfill/rangeFetches(_:dates:registry:)``).
    public var history: String?

    public init(
        name: String, targetKind: TargetKind, table: String, parameters: [ParameterSpec], maxBatchSize: Int,
        currentOnly: String? = nil, answersDateRange: Bool = false, history: String? = nil
    ) {
        self.name = name
        self.targetKind = targetKind
        self.table = table
        self.parameters = parameters
        self.maxBatchSize = maxBatchSize
        self.currentOnly = currentOnly
        self.answersDateRange = answersDateRange
        self.history = history
    }
}

/// A target as read from the pipeline and as sent to the provider.
public struct Target: Sendable, Hashable {
    /// Exactly as the user wrote it.
    public var original: String
    /// As sent to the provider and stored in the warehouse's key.
    public var normalized: String

    public init(original: String, normalized: String) {
        self.original = original
        self.normalized = normalized
    }
}

/// A set of targets sent in one request.
public struct Chunk: Sendable, Hashable {
    /// 0-based position within the stage.
    public var index: Int
    public var targets: [Target]
    /// 0-based page of a paged endpoint (Ahrefs v2 `offset`, analytics `page`); 0 for everything else.
    public var page: Int
    /// What a later page still asks for, as the provider wrote it in ``ChunkPayload/nextCursor`` of the page
    /// before (the analytics lists that have more rows); nil on a first page and for providers that page by rows.
    public var cursor: String?

    public init(index: Int, targets: [Target], page: Int = 0, cursor: String? = nil) {
        self.index = index
        self.targets = targets
        self.page = page
        self.cursor = cursor
    }
}

/// Everything a provider needs to build a request for a chunk.
public struct RequestContext: Sendable {
    public var stage: Stage
    public var provider: ProviderConfig
    public var snapshotDate: SnapshotDate
    /// The pipeline's `options:` (the analytics Batch API passes them through).
    public var options: RunOptions

    public init(stage: Stage, provider: ProviderConfig, snapshotDate: SnapshotDate, options: RunOptions = RunOptions())
    {
        self.stage = stage
        self.provider = provider
        self.snapshotDate = snapshotDate
        self.options = options
    }

    /// The dates an endpoint that answers a range (``EndpointSpec/answersDateRange``) is asked for: the stage's
    /// range in a backfill, else the snapshot date alone.
    public var dates: ClosedRange<SnapshotDate> { stage.dateRange ?? snapshotDate...snapshotDate }
}

/// An HTTP request, transport-neutral.
public struct HTTPRequestSpec: Sendable {
    public var method: String
    public var url: String
    /// Headers including credentials; never logged.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(method: String, url: String, headers: [(name: String, value: String)], body: [UInt8]) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

/// An HTTP response, transport-neutral.
public struct HTTPResponseData: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(name: String, value: String)], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }
}

/// Sends HTTP requests; implemented over AsyncHTTPClient by the `SeopipeHTTP` target.
public protocol HTTPTransport: Sendable {
    func send(_ request: HTTPRequestSpec, timeout: Duration) async throws -> HTTPResponseData
    /// Closes its connections; called once when the run ends.
    func shutdown() async
}

extension HTTPTransport {
    public func shutdown() async {}
}

/// A built request plus its identity for checkpoints.
public struct ProviderRequest: Sendable {
    public var http: HTTPRequestSpec
    /// Hash of everything that determines the answer except credentials: the chunk's checkpoint key.
    public var requestHash: String

    public init(http: HTTPRequestSpec, requestHash: String) {
        self.http = http
        self.requestHash = requestHash
    }
}

extension ProviderRequest {
    /// A JSON POST to `baseURL/path` with `Content-Type: application/json`, its body serialized with sorted
    /// keys so the same request always hashes the same; the checkpoint key covers path and body, never the
    /// credential header.
    public static func jsonPOST(
        baseURL: String, path: String, body: Any, credential: (name: String, value: String)
    ) throws -> ProviderRequest {
        let bytes =
            try JSONBodyWriter.serialize(body)
            ?? Array(try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys, .withoutEscapingSlashes]))
        let http = HTTPRequestSpec(
            method: "POST", url: baseURL + "/" + path,
            headers: [credential, ("Content-Type", "application/json"), ("Accept", "application/json")],
            body: bytes)
        return ProviderRequest(http: http, requestHash: StableHash.fnv1a64Hex(Array("POST \(path)\n".utf8) + bytes))
    }

    /// A GET of `baseURL/path?query`, each name and value percent-encoded (RFC 3986 unreserved characters and
    /// `,` kept, so a comma-separated list stays readable), in the order given; the checkpoint key covers path
    /// and query, never the credential header.
    public static func get(
        baseURL: String, path: String, query: [(name: String, value: String)], credential: (name: String, value: String)
    ) -> ProviderRequest {
        let encoded = query.map { "\(QueryEncoding.encode($0.name))=\(QueryEncoding.encode($0.value))" }
            .joined(separator: "&")
        let target = encoded.isEmpty ? path : path + "?" + encoded
        let http = HTTPRequestSpec(
            method: "GET", url: baseURL + "/" + target, headers: [credential, ("Accept", "application/json")], body: [])
        return ProviderRequest(http: http, requestHash: StableHash.fnv1a64Hex(Array("GET \(target)".utf8)))
    }
}

/// Percent-encoding of query-string names and values.
public enum QueryEncoding {
    static let allowed: CharacterSet = {
        var set = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
        set.insert(",")
        return set
    }()

    /// Everything but unreserved characters and `,` percent-encoded as UTF-8 (a space is `%20`).
    public static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}

/// How one HTTP answer is to be treated; decided once, by the provider.
public enum ResponseClass: Sendable, Equatable {
    case success
    /// Try again later (429, 5xx); `retryAfter` from the server when it said.
    case retryable(message: String, retryAfter: Duration?)
    /// Do not retry: the stage cannot continue (bad token, bad request).
    case fatal(message: String)
    /// Money or quota is exhausted (payment required, cost limit): stop every request to this provider.
    case exhausted(message: String)
    /// The provider refused this request's task but the rest of the stage can go on (an invalid field in
    /// one task): every target of the chunk is recorded as failed with the message; nothing was charged.
    case rejected(message: String)
}

/// A target the provider (or our own validation) refused, with the reason.
public struct TargetFailure: Error, Sendable, Hashable {
    public var target: String
    public var message: String

    public init(target: String, message: String) {
        self.target = target
        self.message = message
    }
}

/// What one successful response turned into.
public struct ChunkPayload: Sendable {
    /// The endpoint's fact rows.
    public var rows: TableBatch
    /// Rows of further tables (breakdowns of nested maps, other query kinds), committed in the same transaction.
    public var related: [TableBatch] = []
    /// Fact rows loaded, as the ledger counts them: `rows` unless the provider says otherwise.
    public var factRows: Int
    public var targetFailures: [TargetFailure]
    /// Units the provider charged (from its headers when present, else estimated).
    public var units: Double
    public var costUSD: Double
    /// Set when the answer says there is a next page (analytics `has_next`): the provider's note of what that page
    /// asks for. The engine sends it as the next page's ``Chunk/cursor`` and keeps it in the checkpoint, so a
    /// resumed run knows the next page without buying this one again. Nil when the chain ends here, or when the
    /// provider decides pages from the rows returned (``ProviderDriver/nextPage(after:rowsReturned:endpoint:context:)``).
    public var nextCursor: String?

    /// Rows of every table this chunk loads (what a commit writes).
    public var loadedRows: Int { related.reduce(rows.rowCount) { $0 + $1.rowCount } }

    public init(
        rows: TableBatch, related: [TableBatch] = [], targetFailures: [TargetFailure], units: Double,
        costUSD: Double = 0, factRows: Int? = nil, nextCursor: String? = nil
    ) {
        self.rows = rows
        self.related = related
        self.factRows = factRows ?? rows.rowCount
        self.targetFailures = targetFailures
        self.units = units
        self.costUSD = costUSD
        self.nextCursor = nextCursor
    }
}

/// Facts that stamp every row of a run.
public struct RowStamp: Sendable {
    public var snapshotDate: SnapshotDate
    public var fetchedAt: String
    public var runID: String

    public init(snapshotDate: SnapshotDate, fetchedAt: String, runID: String) {
        self.snapshotDate = snapshotDate
        self.fetchedAt = fetchedAt
        self.runID = runID
    }
}

/// A provider: everything seopipe knows about it, declared in its own folder: how pipelines name and configure it,
/// its endpoints and tables, their data-dictionary entries, request building, response classification and
/// decoding, normalization.
public protocol ProviderDriver: Sendable {
    /// The `kind:` value in pipeline files, e.g. `ahrefs-v3`.
    var kind: String { get }
    /// How help texts name it, e.g. `Ahrefs v3`.
    var displayName: String { get }
    /// One line for help texts and docs: what it serves.
    var summary: String { get }
    /// The name the shipped pipelines (and the tests' pipelines) give it under `providers:`, e.g. `ahrefs`.
    var pipelineName: String { get }
    /// The `base_url` variable and the published URL it defaults to.
    var baseURL: BaseURLSpec { get }
    /// The credentials it needs, each with the environment variable it is read from by default.
    var credentials: [CredentialSpec] { get }
    /// Its tables' entries in the data dictionary, under its own docs heading (``ProviderRegistry/dataDictionary``).
    var dictionary: DataDictionary.Section { get }
    var defaultRateLimit: RateLimit { get }
    var endpoints: [EndpointSpec] { get }

    /// Normalizes one target for an endpoint; a `String` failure is recorded as that target's error.
    func normalize(_ raw: String, for endpoint: EndpointSpec) -> Result<String, TargetFailure>
    /// Units a request for `targetCount` targets is expected to cost (for `plan` and budgets).
    func estimatedUnits(targetCount: Int, endpoint: EndpointSpec) -> Double
    /// USD a request for `targetCount` targets is expected to cost (for `plan` and budgets).
    func estimatedCostUSD(targetCount: Int, endpoint: EndpointSpec) -> Double
    /// Units and USD one chunk's request is expected to cost; by default from its target count, but a
    /// provider whose price depends on the request (Ahrefs v2: rows asked for, filters) refines it.
    func estimate(for chunk: Chunk, endpoint: EndpointSpec, context: RequestContext) -> (units: Double, costUSD: Double)
    /// Splits a stage's targets into requests of at most `size` targets, honouring any further limit.
    func chunks(_ targets: [Target], size: Int, endpoint: EndpointSpec, context: RequestContext) -> [Chunk]
    /// For paged endpoints: the page after `chunk`, given how many rows it returned; nil when done.
    func nextPage(after chunk: Chunk, rowsReturned: Int, endpoint: EndpointSpec, context: RequestContext) -> Chunk?
    /// For paged endpoints: the pages after `chunk` that `plan` counts, every page full, up to the stage's bound
    /// on rows; none when nothing bounds the pages (plan then counts first pages only) or there are no pages.
    func plannedPages(after chunk: Chunk, endpoint: EndpointSpec, context: RequestContext) -> [Chunk]
    func makeRequest(for chunk: Chunk, endpoint: EndpointSpec, context: RequestContext) throws -> ProviderRequest
    func classify(_ response: HTTPResponseData) -> ResponseClass
    /// Decodes a successful response into rows, per-target failures and units charged.
    func decode(
        _ response: HTTPResponseData, chunk: Chunk, endpoint: EndpointSpec, context: RequestContext, stamp: RowStamp
    ) throws -> ChunkPayload
    /// The provider's free call that proves the credentials and reports what is left (`seopipe check`); nil when
    /// it has none.
    func accountRequest(_ provider: ProviderConfig) -> HTTPRequestSpec?
    /// Reads the answer to ``accountRequest(_:)``.
    func accountStatus(_ response: HTTPResponseData) -> Result<AccountStatus, AccountCheckFailure>
}

extension ProviderDriver {
    // Defaults so a test double needs to declare none of these; a shipped provider declares each (the registry's
    // tests check that the built-in ones do).
    public var displayName: String { kind }
    public var summary: String { "" }
    public var pipelineName: String { kind.replacingOccurrences(of: "-", with: "_") }
    public var baseURL: BaseURLSpec {
        BaseURLSpec(variable: pipelineName.uppercased() + "_BASE_URL", defaultURL: "https://example.invalid")
    }
    public var dictionary: DataDictionary.Section {
        DataDictionary.Section(heading: "\(displayName) tables", entries: [])
    }

    public func endpoint(named name: String) -> EndpointSpec? { endpoints.first { $0.name == name } }

    public func estimatedCostUSD(targetCount: Int, endpoint: EndpointSpec) -> Double { 0 }

    public func estimate(for chunk: Chunk, endpoint: EndpointSpec, context: RequestContext) -> (
        units: Double, costUSD: Double
    ) {
        (
            estimatedUnits(targetCount: chunk.targets.count, endpoint: endpoint),
            estimatedCostUSD(targetCount: chunk.targets.count, endpoint: endpoint)
        )
    }

    public func chunks(_ targets: [Target], size: Int, endpoint: EndpointSpec, context: RequestContext) -> [Chunk] {
        Chunking.chunks(targets, size: size)
    }

    public func nextPage(after chunk: Chunk, rowsReturned: Int, endpoint: EndpointSpec, context: RequestContext)
        -> Chunk?
    { nil }

    public func plannedPages(after chunk: Chunk, endpoint: EndpointSpec, context: RequestContext) -> [Chunk] { [] }

    public func accountRequest(_ provider: ProviderConfig) -> HTTPRequestSpec? { nil }

    public func accountStatus(_ response: HTTPResponseData) -> Result<AccountStatus, AccountCheckFailure> {
        .failure(.failed("\(kind) has no account call"))
    }
}

/// The provider kinds a build knows, by `kind:`.
public struct ProviderRegistry: Sendable {
    public var drivers: [String: any ProviderDriver]
    /// The drivers in the order they were given: help texts and the data dictionary list them so.
    public let ordered: [any ProviderDriver]
    /// Data-dictionary sections that belong to no single provider (the BI views across them), listed first.
    public let sharedDictionary: [DataDictionary.Section]

    public init(_ drivers: [any ProviderDriver], sharedDictionary: [DataDictionary.Section] = []) {
        self.drivers = Dictionary(uniqueKeysWithValues: drivers.map { ($0.kind, $0) })
        ordered = drivers
        self.sharedDictionary = sharedDictionary
    }

    public subscript(kind: String) -> (any ProviderDriver)? { drivers[kind] }

    /// The whole data dictionary: the shared sections, each provider's, then the bookkeeping tables.
    public var dataDictionary: DataDictionary { DataDictionary(sharedDictionary + ordered.map(\.dictionary)) }
}

/// A failure decoding a provider's answer; treated as retryable (truncated bodies happen).
public struct ProviderDecodingError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension ProviderRegistry {
    /// Whatever answers only with today's numbers, for help texts: a provider whose every endpoint is current-only
    /// by its name, else its current-only endpoints by their first path segment (`keywords-explorer/...` is
    /// Keywords Explorer).
    public var currentOnlyNames: [String] {
        let whole = ordered.filter { !$0.endpoints.isEmpty && $0.endpoints.allSatisfy { $0.currentOnly != nil } }
        let partial = ordered.filter { driver in !whole.contains { $0.kind == driver.kind } }.flatMap { driver in
            driver.endpoints.filter { $0.currentOnly != nil }.map { endpoint in
                String(endpoint.name.split(separator: "/").first ?? "").split(separator: "-")
                    .map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(separator: " ")
            }
        }
        var seen: Set<String> = []
        return (whole.map(\.displayName) + partial).filter { seen.insert($0).inserted }
    }
}
