import Foundation
import SeopipeCore

/// Ahrefs API v3 batch endpoints (seed: ahrefs-v3-batch-api.md, DESIGN.md section 8).
public struct AhrefsV3Provider: ProviderDriver {
    public init() {}

    public let kind = "ahrefs-v3"
    public let displayName = "Ahrefs v3"
    public let summary = "Ahrefs API v3 batch endpoints: domain and URL metrics, backlinks stats, keyword overview"
    public let pipelineName = "ahrefs"
    public let baseURL = BaseURLSpec(variable: "AHREFS_BASE_URL", defaultURL: "https://api.ahrefs.com/v3")
    public let credentials = [CredentialSpec(key: "token", variable: "AHREFS_API_TOKEN")]
    /// Ahrefs' documented default: 60 requests a minute.
    public let defaultRateLimit = RateLimit(requests: 60, per: .seconds(60))
    /// The batch endpoints take at most 100 targets.
    public static let maxBatchSize = 100
    /// Fields `select` may name on site-explorer/batch/metrics, as documented.
    public static let metricsFields = ["org_keywords", "org_traffic", "domain_rating"]

    public enum Endpoint: String, CaseIterable, Sendable {
        case metrics = "site-explorer/batch/metrics"
        case backlinksStats = "site-explorer/batch/backlinks-stats"
        case domainRating = "site-explorer/batch/domain-rating"
        case keywordsOverview = "keywords-explorer/batch/overview"
        case urlMetrics = "site-explorer/batch/url-metrics"
    }

    public var endpoints: [EndpointSpec] {
        let select = ParameterSpec(
            "select", help: "a comma-separated subset of \(Self.metricsFields.joined(separator: ","))",
            validate: { value in
                let fields = Self.fields(value)
                let unknown = fields.filter { !Self.metricsFields.contains($0) }
                if fields.isEmpty { return "select is empty" }
                return unknown.isEmpty ? nil : "unknown field(s) \(unknown.joined(separator: ", "))"
            })
        let country = ParameterSpec(
            "country", required: true, help: "a 2-letter country code, e.g. us",
            validate: { value in
                guard case .string(let code) = value, code.count == 2, code.allSatisfy({ $0.isASCII && $0.isLetter })
                else { return "country must be a 2-letter code like us or gb" }
                return nil
            })
        return [
            EndpointSpec(
                name: Endpoint.metrics.rawValue, targetKind: .domain, table: Endpoint.metrics.table,
                parameters: [select], maxBatchSize: Self.maxBatchSize),
            EndpointSpec(
                name: Endpoint.backlinksStats.rawValue, targetKind: .domain, table: Endpoint.backlinksStats.table,
                parameters: [], maxBatchSize: Self.maxBatchSize),
            EndpointSpec(
                name: Endpoint.domainRating.rawValue, targetKind: .domain, table: Endpoint.domainRating.table,
                parameters: [], maxBatchSize: Self.maxBatchSize),
            EndpointSpec(
                name: Endpoint.keywordsOverview.rawValue, targetKind: .keyword, table: Endpoint.keywordsOverview.table,
                parameters: [country], maxBatchSize: Self.maxBatchSize,
                currentOnly: "takes no date: it answers with today's search volumes"),
            EndpointSpec(
                name: Endpoint.urlMetrics.rawValue, targetKind: .url, table: Endpoint.urlMetrics.table,
                parameters: [], maxBatchSize: Self.maxBatchSize),
        ]
    }

    static func fields(_ value: ParamValue) -> [String] {
        let raw: [String] =
            switch value {
            case .string(let text): text.split(separator: ",").map(String.init)
            case .list(let items): items
            }
        return raw.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    public func normalize(_ raw: String, for endpoint: EndpointSpec) -> Result<String, TargetFailure> {
        switch endpoint.targetKind {
        case .domain: TargetNormalizer.domain(raw)
        case .url: TargetNormalizer.url(raw)
        case .keyword: TargetNormalizer.keyword(raw)
        case .domainOrURL: raw.contains("://") ? TargetNormalizer.url(raw) : TargetNormalizer.domain(raw)
        case .account: .failure(TargetFailure(target: raw, message: "Ahrefs v3 endpoints take no accounts"))
        }
    }

    /// Units are `max(50, rows x per-row cost)` (DESIGN.md section 8); we estimate 5 units a row.
    public func estimatedUnits(targetCount: Int, endpoint: EndpointSpec) -> Double {
        Double(max(50, 5 * targetCount))
    }

    public func makeRequest(for chunk: Chunk, endpoint: EndpointSpec, context: RequestContext) throws -> ProviderRequest
    {
        guard let which = Endpoint(rawValue: endpoint.name) else {
            throw ProviderDecodingError("ahrefs-v3 has no endpoint \(endpoint.name)")
        }
        let targets = chunk.targets.map(\.normalized)
        let date = context.snapshotDate.description
        var body: [String: any Sendable] = [:]
        switch which {
        case .metrics:
            body = ["targets": targets, "date": date]
            if let select = context.stage.params["select"] {
                body["select"] = Self.fields(select).joined(separator: ",")
            }
        case .backlinksStats, .domainRating:
            body = ["targets": targets, "date": date]
        case .keywordsOverview:
            body = ["keywords": targets, "country": context.stage.params["country"]?.description.lowercased() ?? ""]
        case .urlMetrics:
            body = ["urls": targets, "date": date]
        }
        return try .jsonPOST(
            baseURL: context.provider.baseURL, path: endpoint.name, body: body,
            credential: ("Authorization", "Bearer \(context.provider.token.value)"))
    }

    public func classify(_ response: HTTPResponseData) -> ResponseClass {
        let status = response.status
        if (200..<300).contains(status) { return .success }
        let message = "HTTP \(status): " + Self.errorMessage(response.body)
        switch status {
        case 429:
            return .retryable(message: message, retryAfter: RetryAfter.parse(response.header("Retry-After")))
        case 500, 502, 503, 504:
            return .retryable(message: message, retryAfter: RetryAfter.parse(response.header("Retry-After")))
        default:
            // 400 (bad request), 401 (token), 403 (plan or units) and anything else: retrying cannot help.
            return .fatal(message: message)
        }
    }

    static func errorMessage(_ body: [UInt8]) -> String {
        if let decoded = try? JSONDecoder().decode(AhrefsV3.ErrorBody.self, from: Data(body)), let error = decoded.error
        {
            return String(error.prefix(500))
        }
        let text = String(decoding: body.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? "(empty body)" : text
    }
}
