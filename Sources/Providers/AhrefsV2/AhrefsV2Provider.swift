import Foundation
import SeopipeCore

/// Ahrefs API v2 (legacy, still served to integration apps): GET queries with `from`, `target`, `mode`,
/// `select`, `where`/`having`, `order_by`, `limit` and `offset` paging (seeds: ahrefs-v2-api.txt,
/// ahrefs-v2-refdomains.txt; DESIGN.md section 8).
public struct AhrefsV2Provider: ProviderDriver {
    public init() {}

    public let kind = "ahrefs-v2"
    public let displayName = "Ahrefs v2"
    public let summary = "Ahrefs API v2 (legacy): the referring domains of a target, filtered, ordered and paged"
    public let pipelineName = "ahrefs_v2"
    public let baseURL = BaseURLSpec(variable: "AHREFS_V2_BASE_URL", defaultURL: "https://apiv2.ahrefs.com")
    public let credentials = [CredentialSpec(key: "token", variable: "AHREFS_V2_TOKEN")]
    /// v2 publishes no request rate; one a second keeps a paging night run polite.
    public let defaultRateLimit = RateLimit(requests: 60, per: .seconds(60))
    /// v2's default and our page size: `limit` rows a request.
    public static let defaultPageSize = 1000
    public static let modes = ["exact", "domain", "subdomains", "prefix"]

    public var endpoints: [EndpointSpec] {
        AhrefsV2Table.allCases.map { table in
            EndpointSpec(
                name: table.rawValue, targetKind: .domainOrURL, table: table.warehouseTable,
                parameters: Self.parameters(table), maxBatchSize: 1,
                currentOnly: "takes no date: it answers from the current index")
        }
    }

    static func parameters(_ table: AhrefsV2Table) -> [ParameterSpec] {
        let returned = table.returnedColumns.map(\.name)
        func conditions(_ filter: AhrefsV2Condition.Filter) -> ParameterSpec {
            let columns = table.columns.filter { filter == .where ? $0.inWhere : $0.inHaving }.map(\.name)
            return ParameterSpec(
                filter.rawValue,
                help: "a list of conditions like \"domain_rating >= 50\", \"first_seen > 2024-01-01\" or "
                    + "\"substring(refdomain, blog)\" on \(columns.joined(separator: ", "))",
                validate: { value in
                    for text in list(value) {
                        if case .failure(let error) = AhrefsV2Condition.parse(text, filter: filter, table: table) {
                            return "`\(text)`: \(error)"
                        }
                    }
                    return nil
                })
        }
        return [
            ParameterSpec("mode", help: "exact, domain, subdomains or prefix (default domain)") { value in
                modes.contains(value.description) ? nil : "mode must be exact, domain, subdomains or prefix"
            },
            ParameterSpec("select", help: "columns to return: \(returned.joined(separator: ", "))") { value in
                let columns = list(value)
                let unknown = columns.filter { !returned.contains($0) }
                if !unknown.isEmpty { return "\(table.rawValue) cannot return \(unknown.joined(separator: ", "))" }
                return columns.contains("refdomain") ? nil : "select must include refdomain, the key of every row"
            },
            conditions(.where),
            conditions(.having),
            ParameterSpec("order_by", help: "columns with :asc or :desc, e.g. [\"domain_rating:desc\", refdomain]") {
                value in
                for item in list(value) {
                    let parts = item.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
                    guard parts.count <= 2, returned.contains(parts[0]) else {
                        return "cannot sort on `\(parts[0])`; sortable: \(returned.joined(separator: ", "))"
                    }
                    if parts.count == 2, !["asc", "desc"].contains(parts[1]) {
                        return "sort direction must be asc or desc, not `\(parts[1])`"
                    }
                }
                return nil
            },
            ParameterSpec("limit", help: "rows a page (request), 1-\(defaultPageSize), default \(defaultPageSize)") {
                guard let number = Int($0.description), (1...defaultPageSize).contains(number) else {
                    return "limit must be a whole number from 1 to \(defaultPageSize)"
                }
                return nil
            },
            ParameterSpec("max_rows", help: "rows to read per target over all pages (default: all)") {
                guard let number = Int($0.description), number > 0 else { return "max_rows must be a positive number" }
                return nil
            },
        ]
    }

    static func list(_ value: ParamValue) -> [String] {
        switch value {
        case .string(let text): [text]
        case .list(let items): items
        }
    }

    /// v2 targets are hosts, directories or URLs without scheme: scheme dropped, host lower-cased, path kept.
    public func normalize(_ raw: String, for endpoint: EndpointSpec) -> Result<String, TargetFailure> {
        var text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        for scheme in ["https://", "http://"] where text.lowercased().hasPrefix(scheme) {
            text.removeFirst(scheme.count)
        }
        let slash = text.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? text.endIndex
        switch TargetNormalizer.domain(String(text[..<slash])) {
        case .success(let host):
            return .success(host + text[slash...])
        case .failure:
            return .failure(TargetFailure(target: raw, message: "`\(raw)` is not a domain, directory or URL"))
        }
    }

    func query(for chunk: Chunk, context: RequestContext, table: AhrefsV2Table) -> AhrefsV2Query {
        let params = context.stage.params
        let pageSize = pageSize(context)
        let conditions = { (key: String, filter: AhrefsV2Condition.Filter) -> [AhrefsV2Condition] in
            params[key].map(Self.list)?.compactMap {
                try? AhrefsV2Condition.parse($0, filter: filter, table: table).get()
            } ?? []
        }
        let offset = chunk.page * pageSize
        var limit = pageSize
        if let maxRows = maxRows(context) { limit = min(limit, maxRows - offset) }
        return AhrefsV2Query(
            table: table, target: chunk.targets[0].normalized, mode: params["mode"]?.description ?? "domain",
            select: params["select"].map(Self.list) ?? [], where: conditions("where", .where),
            having: conditions("having", .having), orderBy: params["order_by"].map(Self.list) ?? [], limit: limit,
            offset: offset)
    }

    func pageSize(_ context: RequestContext) -> Int {
        context.stage.params["limit"].flatMap { Int($0.description) } ?? Self.defaultPageSize
    }

    func maxRows(_ context: RequestContext) -> Int? {
        context.stage.params["max_rows"].flatMap { Int($0.description) }
    }

    public func makeRequest(for chunk: Chunk, endpoint: EndpointSpec, context: RequestContext) throws -> ProviderRequest
    {
        guard let table = AhrefsV2Table(rawValue: endpoint.name) else {
            throw ProviderDecodingError("ahrefs-v2 has no table \(endpoint.name)")
        }
        let query = query(for: chunk, context: context, table: table)
        // The real API answers at the host root (https://apiv2.ahrefs.com?from=...); the token rides in the query.
        let url = context.provider.baseURL + "?" + query.queryString(token: context.provider.token.value)
        let http = HTTPRequestSpec(method: "GET", url: url, headers: [("Accept", "application/json")], body: [])
        let identity = Array("GET \(query.queryString(token: ""))".utf8)
        return ProviderRequest(http: http, requestHash: StableHash.fnv1a64Hex(identity))
    }

    /// Another page while the last one came back full and `max_rows` is not reached.
    public func nextPage(after chunk: Chunk, rowsReturned: Int, endpoint: EndpointSpec, context: RequestContext)
        -> Chunk?
    {
        let pageSize = pageSize(context)
        let offset = chunk.page * pageSize
        let maxRows = maxRows(context)
        let requested = maxRows.map { min(pageSize, $0 - offset) } ?? pageSize
        guard rowsReturned >= requested else { return nil }
        if let maxRows, offset + rowsReturned >= maxRows { return nil }
        return Chunk(index: chunk.index, targets: chunk.targets, page: chunk.page + 1)
    }

    /// With `max_rows`, the pages a target needs at most: `ceil(max_rows / limit)`; without it the row count is
    /// unknown before the run, so only first pages are planned.
    public func plannedPages(after chunk: Chunk, endpoint: EndpointSpec, context: RequestContext) -> [Chunk] {
        guard let maxRows = maxRows(context) else { return [] }
        let pageSize = max(1, pageSize(context))
        let pages = (maxRows + pageSize - 1) / pageSize
        guard pages > chunk.page + 1 else { return [] }
        return ((chunk.page + 1)..<pages).map { Chunk(index: chunk.index, targets: chunk.targets, page: $0) }
    }

    /// Rows cost (seed): 1 a request, 1 a returned row, 5 for `where`, 5 for `having`. Without the request,
    /// a full default page.
    public func estimatedUnits(targetCount: Int, endpoint: EndpointSpec) -> Double {
        Double(targetCount * (1 + Self.defaultPageSize))
    }

    /// A page at most: its `limit` rows plus the request and filter charges. `plan` shows the first page of each
    /// target (later pages exist only if it comes back full); budgets reserve this before each page.
    public func estimate(for chunk: Chunk, endpoint: EndpointSpec, context: RequestContext) -> (
        units: Double, costUSD: Double
    ) {
        guard let table = AhrefsV2Table(rawValue: endpoint.name) else { return (0, 0) }
        let query = query(for: chunk, context: context, table: table)
        return (Double(Self.rowsCost(returned: query.limit, query: query)), 0)
    }

    public func classify(_ response: HTTPResponseData) -> ResponseClass {
        let error = Self.errorString(response.body)
        switch response.status {
        case 429, 500...599:
            // Transient on the server's side whatever the body says.
            return .retryable(
                message: "HTTP \(response.status)" + (error.map { ": \($0)" } ?? ""),
                retryAfter: RetryAfter.parse(response.header("Retry-After")))
        case 200..<300:
            return error.map(Self.classify(error:)) ?? .success
        default:
            // Legacy v2 reports errors in the body; classify the string when there is one.
            return error.map(Self.classify(error:)) ?? .fatal(message: "HTTP \(response.status)")
        }
    }

    static func errorString(_ body: [UInt8]) -> String? {
        guard body.first(where: { !$0.isASCIIWhitespace }) == UInt8(ascii: "{"),
            let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]
        else { return nil }
        return object["error"] as? String
    }

    /// Every error string of the seed, classified once. Nothing here is worth a blind retry except v2's own
    /// "internal error" (its side, transient); a bad target fails that target only.
    static func classify(error: String) -> ResponseClass {
        let message = "Ahrefs v2 error: \(error)"
        switch error {
        case "no credit", "internal billing error":
            return .exhausted(message: message)
        case "invalid token":
            return .fatal(message: message)
        case "internal error":
            return .retryable(message: message, retryAfter: nil)
        default:
            if error.hasPrefix("bad target:") || error == "target: value is not valid UTF-8" {
                return .rejected(message: message)
            }
            // Bad output/mode/parameters, unknown columns or functions, syntax: our request is wrong.
            return .fatal(message: message)
        }
    }
}

extension UInt8 {
    fileprivate var isASCIIWhitespace: Bool { self == 0x20 || self == 0x0A || self == 0x0D || self == 0x09 }
}
