import Foundation
import SeopipeCore

/// Ahrefs API v3: the endpoints Ahrefs publishes (its OpenAPI description, DESIGN.md section 8b) and, for
/// pipelines written against it, the reference document's batch endpoints (seed: ahrefs-v3-batch-api.md).
public struct AhrefsV3Provider: ProviderDriver {
    public init() {}

    public let kind = "ahrefs-v3"
    public let displayName = "Ahrefs v3"
    public let summary =
        "Ahrefs API v3: batch analysis, dated and history site metrics, Domain Rating, backlinks stats, keyword overview"
    public let pipelineName = "ahrefs"
    public let baseURL = BaseURLSpec(variable: "AHREFS_BASE_URL", defaultURL: "https://api.ahrefs.com/v3")
    public let credentials = [CredentialSpec(key: "token", variable: "AHREFS_API_TOKEN")]
    /// Ahrefs' documented default: 60 requests a minute.
    public let defaultRateLimit = RateLimit(requests: 60, per: .seconds(60))
    /// The batch endpoints take at most 100 targets.
    public static let maxBatchSize = 100
    /// `keywords-explorer/overview` answers at most `limit` rows, 1000 by default: at most that many keywords a
    /// request, and no more than fit in a URL every server takes (``maxKeywordBytes``).
    public static let maxKeywords = 1000
    /// The longest `keywords` value a request carries, percent-encoded: common servers refuse URLs over 8 KiB.
    public static let maxKeywordBytes = 6000
    /// Fields `select` may name on the reference's site-explorer/batch/metrics.
    public static let metricsFields = ["org_keywords", "org_traffic", "domain_rating"]

    public enum Endpoint: String, CaseIterable, Sendable {
        // Published by Ahrefs.
        case batchAnalysis = "batch-analysis/batch-analysis"
        case domainRating = "site-explorer/domain-rating"
        case siteMetrics = "site-explorer/metrics"
        case backlinksStats = "site-explorer/backlinks-stats"
        case domainRatingHistory = "site-explorer/domain-rating-history"
        case metricsHistory = "site-explorer/metrics-history"
        case refdomainsHistory = "site-explorer/refdomains-history"
        case keywordsOverview = "keywords-explorer/overview"
        // The reference document's batch endpoints (not published by Ahrefs).
        case batchMetrics = "site-explorer/batch/metrics"
        case batchBacklinksStats = "site-explorer/batch/backlinks-stats"
        case batchDomainRating = "site-explorer/batch/domain-rating"
        case batchKeywordsOverview = "keywords-explorer/batch/overview"
        case batchURLMetrics = "site-explorer/batch/url-metrics"

        /// The reference document's endpoints, which Ahrefs' published API does not have.
        public var isReference: Bool { rawValue.contains("/batch/") }

        /// Endpoints that take one target a request.
        var isSingleTarget: Bool {
            switch self {
            case .domainRating, .siteMetrics, .backlinksStats, .domainRatingHistory, .metricsHistory,
                .refdomainsHistory:
                true
            default: false
            }
        }

        var isHistory: Bool { self == .domainRatingHistory || self == .metricsHistory || self == .refdomainsHistory }
    }

    public var endpoints: [EndpointSpec] {
        let today = "takes no date: it answers with today's numbers"
        func spec(
            _ endpoint: Endpoint, _ kind: TargetKind, _ parameters: [ParameterSpec], currentOnly: String? = nil,
            history: Endpoint? = nil
        ) -> EndpointSpec {
            EndpointSpec(
                name: endpoint.rawValue, targetKind: kind, table: endpoint.table, parameters: parameters,
                maxBatchSize: endpoint.isSingleTarget ? 1 : endpoint == .keywordsOverview ? Self.maxKeywords : 100,
                currentOnly: currentOnly, answersDateRange: endpoint.isHistory, history: history?.rawValue)
        }
        let scope = [Parameters.mode, Parameters.protocol]
        let market = [Parameters.country(required: false), Parameters.volumeMode]
        return [
            spec(
                .batchAnalysis, .domainOrURL,
                scope + market + [
                    Parameters.select(
                        Self.batchAnalysisFields.map(\.name),
                        default: "the 7 fields of "
                            + Self.batchAnalysisDefault.joined(separator: ","))
                ], currentOnly: today),
            spec(.domainRating, .domain, [], history: .domainRatingHistory),
            spec(.siteMetrics, .domainOrURL, scope + market, history: .metricsHistory),
            spec(.backlinksStats, .domainOrURL, scope, history: .refdomainsHistory),
            spec(.domainRatingHistory, .domain, []),
            spec(.metricsHistory, .domainOrURL, scope + market),
            spec(.refdomainsHistory, .domainOrURL, scope),
            spec(
                .keywordsOverview, .keyword,
                [
                    Parameters.country(required: true),
                    Parameters.select(
                        Self.keywordFields.map(\.name), default: Self.keywordDefault.joined(separator: ",")),
                ], currentOnly: "takes no date: it answers with today's search volumes"),
            EndpointSpec(
                name: Endpoint.batchMetrics.rawValue, targetKind: .domain, table: Endpoint.batchMetrics.table,
                parameters: [Parameters.select(Self.metricsFields, default: Self.metricsFields.joined(separator: ","))],
                maxBatchSize: Self.maxBatchSize),
            spec(.batchBacklinksStats, .domain, []),
            spec(.batchDomainRating, .domain, []),
            spec(
                .batchKeywordsOverview, .keyword, [Parameters.country(required: true)],
                currentOnly: "takes no date: it answers with today's search volumes"),
            spec(.batchURLMetrics, .url, []),
        ]
    }

    /// The `params:` the endpoints take.
    enum Parameters {
        static let modes = ["exact", "prefix", "domain", "subdomains"]
        static let protocols = ["both", "http", "https"]

        static func choice(_ name: String, _ values: [String], help: String) -> ParameterSpec {
            ParameterSpec(
                name, help: help,
                validate: { value in
                    guard case .string(let text) = value, values.contains(text) else {
                        return "\(name) must be one of \(values.joined(separator: ", "))"
                    }
                    return nil
                })
        }

        static let mode = choice(
            "mode", modes,
            help: "one of exact, prefix, domain, subdomains (default: subdomains for a domain, exact for a URL)")
        static let `protocol` = choice("protocol", protocols, help: "one of both, http, https (default both)")
        static let volumeMode = choice(
            "volume_mode", ["monthly", "average"], help: "monthly (default) or average search volumes")

        static func country(required: Bool) -> ParameterSpec {
            ParameterSpec(
                "country", required: required, help: "a 2-letter country code, e.g. us",
                validate: { value in
                    guard case .string(let code) = value, code.count == 2,
                        code.allSatisfy({ $0.isASCII && $0.isLetter })
                    else { return "country must be a 2-letter code like us or gb" }
                    return nil
                })
        }

        static func select(_ fields: [String], default fallback: String) -> ParameterSpec {
            ParameterSpec(
                "select",
                help: "a list (or comma-separated string) of fields among \(fields.joined(separator: ", "));"
                    + " default \(fallback)",
                validate: { value in
                    let chosen = AhrefsV3Provider.fields(value)
                    let unknown = chosen.filter { !fields.contains($0) }
                    if chosen.isEmpty { return "select is empty" }
                    return unknown.isEmpty ? nil : "unknown field(s) \(unknown.joined(separator: ", "))"
                })
        }
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
        case .keyword:
            TargetNormalizer.keyword(raw).flatMap { keyword in
                // keywords-explorer/overview takes its keywords as one comma-separated list.
                endpoint.name == Endpoint.keywordsOverview.rawValue && keyword.contains(",")
                    ? .failure(
                        TargetFailure(target: raw, message: "a keyword for \(endpoint.name) cannot contain a comma"))
                    : .success(keyword)
            }
        case .domainOrURL:
            TargetNormalizer.contains(raw, "://") ? TargetNormalizer.url(raw) : TargetNormalizer.domain(raw)
        case .account: .failure(TargetFailure(target: raw, message: "Ahrefs v3 endpoints take no accounts"))
        }
    }

    /// The reference endpoints: `max(50, 5 x rows)` (DESIGN.md section 8). The published ones: see `estimate`.
    public func estimatedUnits(targetCount: Int, endpoint: EndpointSpec) -> Double {
        Double(max(50, 5 * targetCount))
    }

    /// Ahrefs charges `max(50, rows x per-row cost)`, the per-row cost being the sum of the selected fields' weights;
    /// a history answer has one row per date of the range.
    public func estimate(for chunk: Chunk, endpoint: EndpointSpec, context: RequestContext) -> (
        units: Double, costUSD: Double
    ) {
        guard let which = Endpoint(rawValue: endpoint.name), !which.isReference else {
            return (estimatedUnits(targetCount: chunk.targets.count, endpoint: endpoint), 0)
        }
        let rows = which.isHistory ? context.dates.dayCount : chunk.targets.count
        return (Self.charge(rows: rows, rowUnits: rowUnits(which, context: context)), 0)
    }

    /// Units one row of `endpoint`'s answer costs, as requested for this stage.
    func rowUnits(_ endpoint: Endpoint, context: RequestContext) -> Int {
        switch endpoint {
        case .batchAnalysis:
            Self.rowUnits(
                selected(endpoint, context), in: Self.batchAnalysisFields, echoed: Self.batchAnalysisEcho.count)
        case .keywordsOverview:
            Self.rowUnits(selected(endpoint, context), in: Self.keywordFields, echoed: 1)
        case .siteMetrics: Self.rowUnits(Self.siteMetricsFields.map(\.name), in: Self.siteMetricsFields, echoed: 0)
        case .metricsHistory:
            Self.rowUnits(Self.metricsHistoryFields.map(\.name), in: Self.metricsHistoryFields, echoed: 1)
        case .backlinksStats:
            Self.rowUnits(Self.backlinksStatsFields.map(\.name), in: Self.backlinksStatsFields, echoed: 0)
        case .refdomainsHistory: 1 + 5
        case .domainRating: 2
        case .domainRatingHistory: 2
        default: 5
        }
    }

    /// The fields a batch-analysis or keywords-explorer stage selects (its `select`, else the default).
    func selected(_ endpoint: Endpoint, _ context: RequestContext) -> [String] {
        if let select = context.stage.params["select"] { return Self.fields(select) }
        return endpoint == .keywordsOverview ? Self.keywordDefault : Self.batchAnalysisDefault
    }

    /// keywords-explorer/overview: as many keywords a request as its answer's row limit and a URL allow.
    public func chunks(_ targets: [Target], size: Int, endpoint: EndpointSpec, context: RequestContext) -> [Chunk] {
        guard endpoint.name == Endpoint.keywordsOverview.rawValue else { return Chunking.chunks(targets, size: size) }
        var chunks: [Chunk] = []
        var current: [Target] = []
        var bytes = 0
        for target in targets {
            let length = QueryEncoding.encode(target.normalized).utf8.count + 1
            if !current.isEmpty, current.count >= size || bytes + length > Self.maxKeywordBytes {
                chunks.append(Chunk(index: chunks.count, targets: current))
                current = []
                bytes = 0
            }
            current.append(target)
            bytes += length
        }
        if !current.isEmpty { chunks.append(Chunk(index: chunks.count, targets: current)) }
        return chunks
    }

    public func classify(_ response: HTTPResponseData) -> ResponseClass {
        let status = response.status
        if (200..<300).contains(status) { return .success }
        let message = "HTTP \(status): " + Self.errorMessage(response.body)
        switch status {
        case 400:
            // The request's targets or parameters were refused, nothing was charged: its targets are recorded as
            // failed with Ahrefs' reason (one target, for the per-target endpoints) and the stage goes on.
            return .rejected(message: message)
        case 429:
            // Ahrefs sends no Retry-After; without one the run backs off exponentially, every worker together.
            return .retryable(message: message, retryAfter: RetryAfter.parse(response.header("Retry-After")))
        case 500, 502, 503, 504:
            return .retryable(message: message, retryAfter: RetryAfter.parse(response.header("Retry-After")))
        default:
            // 401 (token), 403 (plan or units) and anything else: retrying cannot help.
            return .fatal(message: message)
        }
    }

    static func errorMessage(_ body: [UInt8]) -> String {
        if let error = (try? JSONValue.parse(body))?["error"]?.stringValue {
            return String(error.prefix(500))
        }
        let text = String(decoding: body.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? "(empty body)" : text
    }
}
