import Foundation
import SeopipeCore

/// A web-analytics Batch API (Sealmetrics): up to 50 `/stats/` queries a request, with ids, `depends_on`,
/// `fail_fast`, `parallel_limit` and `include_timing` (seed: analytics-batch-api.txt; DESIGN.md section 8).
///
/// A stage lists accounts as targets and `queries` × `periods` as params; every (account, period) becomes a
/// group of queries that always travels in one batch, so `depends_on` between queries stays intact.
public struct AnalyticsBatchProvider: ProviderDriver {
    public init() {}

    public let kind = "analytics-batch"
    public let displayName = "analytics Batch API"
    public let summary = "a web-analytics Batch API (Sealmetrics): own site traffic per account and period"
    public let pipelineName = "analytics"
    public let baseURL = BaseURLSpec(variable: "ANALYTICS_BASE_URL", defaultURL: "https://my.sealmetrics.com/api/v1")
    public let credentials = [CredentialSpec(key: "api_key", variable: "ANALYTICS_API_KEY")]
    /// 240 requests a minute (DESIGN.md section 8).
    public let defaultRateLimit = RateLimit(requests: 240, per: .seconds(60))
    /// Queries a batch request may carry.
    public static let maxQueries = 50

    /// The query kinds seopipe loads, each into its own table.
    public enum Query: String, CaseIterable, Sendable {
        case overview, pages, sources, mediums, campaigns, countries, devices, channels, conversions

        /// The path a batch query names: the published one (docs.sealmetrics.com/api/stats; countries moved to
        /// `/stats/geo/countries`).
        public var endpoint: String { self == .countries ? "/stats/geo/countries" : "/stats/\(rawValue)" }

        /// The dimension column of a list query (nil for overview).
        var dimension: String? {
            switch self {
            case .overview: nil
            case .pages: "page_path"
            case .sources: "utm_source"
            case .mediums: "utm_medium"
            case .campaigns: "utm_campaign"
            case .countries: "country"
            case .devices: "device_type"
            case .channels: "channel"
            case .conversions: "conversion_type"
            }
        }

        /// The members a row may name its dimension by: the stored column's name first, then the published
        /// alternatives (`/stats/pages` rows grouped by `path`, `/stats/devices`' `by_device` rows by `device`).
        var dimensionKeys: [String] {
            switch self {
            case .pages: ["page_path", "path"]
            case .devices: ["device_type", "device"]
            default: dimension.map { [$0] } ?? []
            }
        }

        /// Whether the query's answer comes in pages (`page`, `page_size`): every list but `/stats/devices`, which
        /// the API documents as one `{by_device, by_browser, by_os}` object.
        var isPaged: Bool { dimension != nil && self != .devices }

        /// Rows a page holds when the stage sets no `page_size` (docs.sealmetrics.com/api/stats).
        var defaultPageSize: Int { self == .conversions ? 20 : 50 }

        /// The value of the row's dimension, under any name ``dimensionKeys`` allows, as text.
        func dimensionValue(in row: [String: Any]) -> String? {
            dimensionKeys.lazy.compactMap { row[$0] }.first.map { "\($0)" }
        }
    }

    public var endpoints: [EndpointSpec] {
        let queries = ParameterSpec(
            "queries", required: true,
            help: "a list of \(Query.allCases.map(\.rawValue).joined(separator: ", "))"
        ) { value in
            let names = Self.list(value)
            if names.isEmpty { return "queries is empty" }
            let unknown = names.filter { Query(rawValue: $0) == nil }
            if !unknown.isEmpty { return "unknown query \(unknown.joined(separator: ", "))" }
            if Set(names).count != names.count { return "a query is listed twice" }
            return names.count > Self.maxQueries ? "at most \(Self.maxQueries) queries" : nil
        }
        let periods = ParameterSpec(
            "periods", help: "a list of \(AnalyticsPeriod.names.joined(separator: ", ")) or YYYY-MM-DD..YYYY-MM-DD"
        ) { value in
            let bad = Self.list(value).filter {
                AnalyticsPeriod.resolve($0, on: SnapshotDate(year: 2026, month: 1, day: 1)) == nil
            }
            return bad.isEmpty ? nil : "unknown period \(bad.joined(separator: ", "))"
        }
        let dependsOn = ParameterSpec(
            "depends_on", help: "a list of \"query:dependency\", e.g. \"sources:overview\""
        ) { value in
            var edges: [String: [String]] = [:]
            for item in Self.list(value) {
                let parts = item.split(separator: ":").map { $0.trimmingCharacters(in: .whitespaces) }
                guard parts.count == 2, parts.allSatisfy({ Query(rawValue: $0) != nil }) else {
                    return "`\(item)` is not query:dependency with known queries"
                }
                edges[parts[0], default: []].append(parts[1])
            }
            // The same planner as the stages' own DAG (and the API's validate call): no cycles.
            let names = Set(edges.keys).union(edges.values.flatMap { $0 }).sorted()
            do throws(StageGraph.CycleError) {
                _ = try StageGraph(names.map { ($0, edges[$0] ?? []) })
            } catch {
                return "queries depend on each other in a cycle: \(error.cycle.joined(separator: " -> "))"
            }
            return nil
        }
        let pageSize = ParameterSpec(
            "page_size", help: "rows a page of a list query, 1-100 (the API's default: 50; 20 for conversions)"
        ) {
            guard let number = Int($0.description), (1...100).contains(number) else { return "page_size must be 1-100" }
            return nil
        }
        let maxRows = ParameterSpec(
            "max_rows",
            help: "rows a list query loads at most for each account and period (default: every page the API has)"
        ) {
            guard let number = Int($0.description), number >= 1 else { return "max_rows must be a whole number >= 1" }
            return nil
        }
        let siteDomain = ParameterSpec(
            "site_domain",
            help: "the site's own domain, e.g. example.com: stored with the overview rows (not sent), "
                + "so the view site_traffic_with_backlinks can join own traffic with backlink metrics"
        ) { value in
            Self.siteDomain(value) == nil ? "site_domain must be a domain such as example.com" : nil
        }
        return [
            EndpointSpec(
                name: "batch", targetKind: .account, table: Query.overview.table,
                parameters: [queries, periods, dependsOn, pageSize, maxRows, siteDomain],
                maxBatchSize: Self.maxQueries)
        ]
    }

    /// `site_domain` as stored: a lower-case host without scheme, `www.` or path; nil when it is not one.
    static func siteDomain(_ value: ParamValue) -> String? {
        guard case .string(let text) = value else { return nil }
        var host = text.trimmingCharacters(in: .whitespaces).lowercased()
        if host.hasPrefix("www.") { host.removeFirst(4) }
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2,
            labels.allSatisfy({ label in
                !label.isEmpty && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
            })
        else { return nil }
        return host
    }

    static func list(_ value: ParamValue) -> [String] {
        switch value {
        case .string(let text): [text]
        case .list(let items): items
        }
    }

    /// Accounts are site identifiers: letters, digits, `-`, `_`, `.`.
    public func normalize(_ raw: String, for endpoint: EndpointSpec) -> Result<String, TargetFailure> {
        let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty, text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) })
        else {
            return .failure(
                TargetFailure(target: raw, message: "`\(raw)` is not an account id (letters, digits, - _ .)"))
        }
        return .success(text)
    }

    /// The stage's queries, periods and dependencies, read once from its params.
    struct Plan {
        var queries: [Query]
        var periods: [String]
        var dependencies: [Query: [Query]]
        var pageSize: Int?
        /// Rows a list query loads at most per account and period; nil: every page.
        var maxRows: Int?

        init(_ stage: Stage) {
            queries =
                stage.params["queries"].map(AnalyticsBatchProvider.list)?.compactMap(Query.init(rawValue:)) ?? [
                    .overview
                ]
            periods = stage.params["periods"].map(AnalyticsBatchProvider.list) ?? ["yesterday"]
            var dependencies: [Query: [Query]] = [:]
            for item in stage.params["depends_on"].map(AnalyticsBatchProvider.list) ?? [] {
                let parts = item.split(separator: ":").map { $0.trimmingCharacters(in: .whitespaces) }
                if parts.count == 2, let query = Query(rawValue: parts[0]), let dependency = Query(rawValue: parts[1]) {
                    dependencies[query, default: []].append(dependency)
                }
            }
            self.dependencies = dependencies
            pageSize = stage.params["page_size"].flatMap { Int($0.description) }
            maxRows = stage.params["max_rows"].flatMap { Int($0.description) }
        }

        /// Rows a page of `query` holds: the stage's `page_size`, else the API's default for it.
        func pageSize(for query: Query) -> Int { pageSize ?? query.defaultPageSize }
    }

    /// One target per (account, period), `account@period`; a batch takes as many whole groups as fit in
    /// `size` (≤ 50) queries, so a group never splits and its `depends_on` stays intact.
    public func chunks(_ targets: [Target], size: Int, endpoint: EndpointSpec, context: RequestContext) -> [Chunk] {
        let plan = Plan(context.stage)
        let groups = targets.flatMap { target in
            plan.periods.map { Target(original: target.original, normalized: "\(target.normalized)@\($0)") }
        }
        return Chunking.chunks(groups, size: max(1, min(size, Self.maxQueries) / max(1, plan.queries.count)))
    }

    /// A strictly alphanumeric query id (the API requires it) from stage, query and group, and back.
    static func queryID(stage: String, query: Query, group: Int) -> String {
        stage.filter { $0.isASCII && ($0.isLetter || $0.isNumber) } + query.rawValue.capitalized + "G\(group)"
    }

    /// Every query of a chunk: its id, group, account, period and dates.
    struct Item {
        var id: String
        var query: Query
        var group: Int
        var account: String
        var period: String
        var start: SnapshotDate
        var end: SnapshotDate
    }

    /// The queries of a chunk: every query of every group on a first page; on a later page only the lists its
    /// cursor names.
    func items(of chunk: Chunk, context: RequestContext) throws -> [Item] {
        let plan = Plan(context.stage)
        let continuing = chunk.cursor.map(Self.continuing)
        return try chunk.targets.enumerated().flatMap { group, target in
            guard let at = target.normalized.lastIndex(of: "@") else {
                throw ProviderDecodingError("malformed analytics target \(target.normalized)")
            }
            let account = String(target.normalized[..<at])
            let period = String(target.normalized[target.normalized.index(after: at)...])
            guard let (start, end) = AnalyticsPeriod.resolve(period, on: context.snapshotDate) else {
                throw ProviderDecodingError("unknown period \(period)")
            }
            return plan.queries.filter { query in
                continuing?.contains { $0.query == query && $0.group == group } ?? true
            }.map {
                Item(
                    id: Self.queryID(stage: context.stage.id, query: $0, group: group), query: $0, group: group,
                    account: account, period: period, start: start, end: end)
            }
        }
    }

    /// A list query of a chunk that has another page: its cursor entry is `query:group[:first]` (`pages:0:9f…`),
    /// `first` a hash of the dimension value of the page's first row, so a server that answers the same page again
    /// (it ignores `page`) is caught instead of bought forever.
    struct Continuing: Hashable {
        var query: Query
        var group: Int
        var first: String? = nil
    }

    /// A list is never read past this many pages (a million rows at 100 a page).
    static let maxPages = 10_000

    static func cursor(_ continuing: [Continuing]) -> String? {
        continuing.isEmpty
            ? nil
            : continuing.map { "\($0.query.rawValue):\($0.group)" + ($0.first.map { ":" + $0 } ?? "") }
                .joined(separator: ",")
    }

    static func continuing(_ cursor: String) -> [Continuing] {
        cursor.split(separator: ",").compactMap { entry in
            let parts = entry.split(separator: ":")
            guard parts.count == 2 || parts.count == 3, let query = Query(rawValue: String(parts[0])),
                let group = Int(parts[1])
            else { return nil }
            return Continuing(query: query, group: group, first: parts.count == 3 ? String(parts[2]) : nil)
        }
    }

    public func makeRequest(for chunk: Chunk, endpoint: EndpointSpec, context: RequestContext) throws -> ProviderRequest
    {
        let plan = Plan(context.stage)
        let items = try items(of: chunk, context: context)
        let queries: [[String: any Sendable]] = items.map { item in
            var params: [String: any Sendable] = [
                "account_id": item.account, "start_date": item.start.description, "end_date": item.end.description,
            ]
            // Always the page size seopipe counts with, so the offsets of later pages and `max_rows` hold whatever
            // the server's own default.
            if item.query.isPaged { params["page_size"] = plan.pageSize(for: item.query) }
            // The first page is the API's default page 1; later pages name theirs (1-based).
            if chunk.page > 0 { params["page"] = chunk.page + 1 }
            var query: [String: any Sendable] = ["id": item.id, "endpoint": item.query.endpoint, "params": params]
            // A later page carries only lists whose dependencies succeeded on page 1: no depends_on (its ids would
            // not be in this batch).
            let dependencies = (plan.dependencies[item.query] ?? []).filter(plan.queries.contains)
            if chunk.page == 0, !dependencies.isEmpty {
                query["depends_on"] = dependencies.map {
                    Self.queryID(stage: context.stage.id, query: $0, group: item.group)
                }
            }
            return query
        }
        let body: [String: any Sendable] = [
            "queries": queries,
            "options": [
                "fail_fast": context.options.failFast, "parallel_limit": context.options.parallelLimit,
                "include_timing": context.options.includeTiming,
            ] as [String: any Sendable],
        ]
        var request = try ProviderRequest.jsonPOST(
            baseURL: context.provider.baseURL, path: "batch", body: body,
            credential: ("X-API-Key", context.provider.credential("api_key").value))
        // `max_rows` is not sent but decides where a list stops: a run with another cap is another request.
        if let maxRows = plan.maxRows {
            request.requestHash = StableHash.fnv1a64Hex(Array("\(request.requestHash) max_rows=\(maxRows)".utf8))
        }
        return request
    }

    public func estimatedUnits(targetCount: Int, endpoint: EndpointSpec) -> Double { 0 }

    /// With `max_rows`, the later pages a chunk's lists need at most (every page full, every list that long);
    /// without it a list's length is known only from its answers, so `plan` counts first pages.
    public func plannedPages(after chunk: Chunk, endpoint: EndpointSpec, context: RequestContext) -> [Chunk] {
        let plan = Plan(context.stage)
        guard let maxRows = plan.maxRows else { return [] }
        let lists = plan.queries.filter(\.isPaged)
        let pages = { (query: Query) in (maxRows + plan.pageSize(for: query) - 1) / plan.pageSize(for: query) }
        let last = lists.map(pages).max() ?? 0
        guard last > chunk.page + 1 else { return [] }
        return ((chunk.page + 1)..<last).map { page in
            let open = lists.filter { pages($0) > page }.flatMap { query in
                chunk.targets.indices.map { Continuing(query: query, group: $0) }
            }
            return Chunk(index: chunk.index, targets: chunk.targets, page: page, cursor: Self.cursor(open))
        }
    }

    /// Errors are `{"error": {"code", "message"}}` for the batch, or per query in `results`.
    public func classify(_ response: HTTPResponseData) -> ResponseClass {
        let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
        if let error = object?["error"] as? [String: Any] {
            return Self.classify(
                code: error["code"] as? String ?? "", message: error["message"] as? String ?? "",
                status: response.status, retryAfter: RetryAfter.parse(response.header("Retry-After")))
        }
        switch response.status {
        case 200..<300:
            guard let results = object?["results"] as? [String: Any] else {
                let reason =
                    object == nil
                    ? "the answer is not valid JSON (\(response.body.count) bytes): cut short, or not the API's answer"
                    : "the answer has no `results`"
                return .retryable(message: reason, retryAfter: nil)
            }
            // A query that hit the rate limit or an internal error makes the batch worth sending again;
            // a spent quota stops; other query errors are that query's own (recorded by decode).
            for (_, value) in results.sorted(by: { $0.key < $1.key }) {
                guard let result = value as? [String: Any], result["status"] as? String == "error",
                    let error = result["error"] as? [String: Any], let code = error["code"] as? String
                else { continue }
                let verdict = Self.classify(
                    code: code, message: error["message"] as? String ?? "", status: 200, retryAfter: nil)
                switch verdict {
                case .retryable, .exhausted: return verdict
                default: continue
                }
            }
            return .success
        case 401, 403: return .fatal(message: "HTTP \(response.status)")
        case 402: return .exhausted(message: "HTTP 402")
        case 429, 500...599:
            return .retryable(
                message: "HTTP \(response.status)", retryAfter: RetryAfter.parse(response.header("Retry-After")))
        default: return .fatal(message: "HTTP \(response.status)")
        }
    }

    /// DESIGN.md section 8: rate_limit_exceeded and internal_error are retried; quota_exceeded and
    /// validation errors are not.
    static func classify(code: String, message: String, status: Int, retryAfter: Duration?) -> ResponseClass {
        let text = "analytics \(code): \(message)"
        switch code {
        case "rate_limit_exceeded", "internal_error": return .retryable(message: text, retryAfter: retryAfter)
        case "quota_exceeded": return .exhausted(message: text)
        default: return .fatal(message: text)
        }
    }
}
