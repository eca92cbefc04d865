import Foundation
import SeopipeCore

/// DataForSEO Backlinks bulk Live endpoints (seed: dataforseo-bulk-pages-summary.txt, DESIGN.md section 8).
///
/// One task per POST (Live endpoints), Basic auth, status codes in the body of an HTTP 200, USD cost per task.
public struct DataForSEOProvider: ProviderDriver {
    public init() {}

    public let kind = "dataforseo"
    public let displayName = "DataForSEO"
    public let summary =
        "DataForSEO Backlinks bulk Live endpoints: page summaries, ranks, backlinks, referring domains, spam scores, new and lost"
    public let pipelineName = "dataforseo"
    public let baseURL = BaseURLSpec(variable: "DATAFORSEO_BASE_URL", defaultURL: "https://api.dataforseo.com/v3")
    public let credentials = [
        CredentialSpec(key: "login", variable: "DATAFORSEO_LOGIN"),
        CredentialSpec(key: "password", variable: "DATAFORSEO_PASSWORD"),
    ]
    /// About 2000 API calls a minute for the Backlinks API.
    public let defaultRateLimit = RateLimit(requests: 2000, per: .seconds(60))
    /// A task takes up to 1000 targets...
    public static let maxTargets = 1000
    /// ...whose page URLs belong to at most 100 different domains.
    public static let maxDomains = 100

    public enum Endpoint: String, CaseIterable, Sendable {
        case pagesSummary = "backlinks/bulk_pages_summary/live"
        case ranks = "backlinks/bulk_ranks/live"
        case backlinks = "backlinks/bulk_backlinks/live"
        case referringDomains = "backlinks/bulk_referring_domains/live"
        case spamScore = "backlinks/bulk_spam_score/live"
        case newLostBacklinks = "backlinks/bulk_new_lost_backlinks/live"
        case newLostReferringDomains = "backlinks/bulk_new_lost_referring_domains/live"
    }

    public var endpoints: [EndpointSpec] {
        let includeSubdomains = ParameterSpec(
            "include_subdomains", help: "true (the API's default) or false",
            validate: { Self.bool($0) == nil ? "include_subdomains must be true or false" : nil })
        let rankScale = ParameterSpec(
            "rank_scale", help: "one_thousand (the API's default) or one_hundred",
            validate: { ["one_hundred", "one_thousand"].contains($0.description) ? nil : "unknown rank_scale" })
        let dateFrom = ParameterSpec(
            "date_from", help: "a date YYYY-MM-DD within the last year: count what was new and lost since then",
            validate: { SnapshotDate($0.description) == nil ? "date_from must be YYYY-MM-DD" : nil })
        return Endpoint.allCases.map { endpoint in
            let parameters: [ParameterSpec] =
                switch endpoint {
                case .pagesSummary: [includeSubdomains, rankScale]
                case .ranks: [rankScale]
                case .newLostBacklinks, .newLostReferringDomains: [dateFrom]
                case .backlinks, .referringDomains, .spamScore: []
                }
            return EndpointSpec(
                name: endpoint.rawValue, targetKind: .domainOrURL, table: endpoint.table, parameters: parameters,
                maxBatchSize: Self.maxTargets, currentOnly: "takes no date: it answers from today's backlink index")
        }
    }

    static func bool(_ value: ParamValue) -> Bool? {
        switch value.description.lowercased() {
        case "true", "yes": true
        case "false", "no": false
        default: nil
        }
    }

    /// Domains and subdomains without scheme and `www.`; pages as absolute URLs (the seed's target rules).
    public func normalize(_ raw: String, for endpoint: EndpointSpec) -> Result<String, TargetFailure> {
        let text = TargetNormalizer.trimmed(raw)
        if TargetNormalizer.contains(text, "://") { return TargetNormalizer.url(raw) }
        if text.utf8.contains(UInt8(ascii: "/")) || text.utf8.contains(UInt8(ascii: "?")) {
            return .failure(
                TargetFailure(
                    target: raw, message: "`\(raw)` looks like a page without a scheme; write it as https://\(text)"))
        }
        return TargetNormalizer.domain(raw, stripWWW: true)
    }

    /// The host of a page target (the group the 100-domain limit counts); nil for a bare domain.
    ///
    /// Counting hosts (not registrable domains) is the stricter reading of "100 different domains": a task
    /// within it is within any reading of the rule.
    public static func domainGroup(of target: String) -> String? {
        guard target.contains("://"), let host = URLComponents(string: target)?.host?.lowercased() else { return nil }
        return host
    }

    public func chunks(_ targets: [Target], size: Int, endpoint: EndpointSpec, context: RequestContext) -> [Chunk] {
        chunks(targets, size: size, endpoint: endpoint)
    }

    /// Tasks of at most `size` targets from at most 100 page hosts, as few as the two limits allow.
    public func chunks(_ targets: [Target], size: Int, endpoint: EndpointSpec) -> [Chunk] {
        Chunking.packed(targets, maxTargets: size, maxGroups: Self.maxDomains) { Self.domainGroup(of: $0.normalized) }
    }

    public func estimatedUnits(targetCount: Int, endpoint: EndpointSpec) -> Double { 0 }

    /// USD 0.02 a task plus 0.00003 a target (the seed's example: 2 targets cost 0.02006).
    public func estimatedCostUSD(targetCount: Int, endpoint: EndpointSpec) -> Double {
        0.02 + 0.00003 * Double(targetCount)
    }

    public func makeRequest(for chunk: Chunk, endpoint: EndpointSpec, context: RequestContext) throws -> ProviderRequest
    {
        guard let which = Endpoint(rawValue: endpoint.name) else {
            throw ProviderDecodingError("dataforseo has no endpoint \(endpoint.name)")
        }
        var task: [String: any Sendable] = [
            "targets": chunk.targets.map(\.normalized),
            // The tag comes back in the task's `data`: it names the stage and chunk in DataForSEO's logs too.
            // At most 255 characters (seed), so a long stage id is cut, never the chunk number.
            "tag": String(context.stage.id.prefix(255 - "#\(chunk.index + 1)".count)) + "#\(chunk.index + 1)",
        ]
        switch which {
        case .pagesSummary:
            if let value = context.stage.params["include_subdomains"].flatMap(Self.bool) {
                task["include_subdomains"] = value
            }
            if let value = context.stage.params["rank_scale"] { task["rank_scale"] = value.description }
        case .ranks:
            if let value = context.stage.params["rank_scale"] { task["rank_scale"] = value.description }
        case .newLostBacklinks, .newLostReferringDomains:
            if let value = context.stage.params["date_from"] { task["date_from"] = value.description }
        case .backlinks, .referringDomains, .spamScore:
            break
        }
        let login = context.provider.credential("login").value
        let password = context.provider.credential("password").value
        let basic = Data("\(login):\(password)".utf8).base64EncodedString()
        // Live endpoints take exactly one task per POST: the body is an array of one.
        return try .jsonPOST(
            baseURL: context.provider.baseURL, path: endpoint.name, body: [task],
            credential: ("Authorization", "Basic \(basic)"))
    }

    /// Status codes live in the body of an HTTP 200, at the top and per task; both are read here, once.
    public func classify(_ response: HTTPResponseData) -> ResponseClass {
        // Status codes only: the tasks' results and echoed data are read by `decode`, not built twice.
        if let envelope = try? JSONValue.parse(response.body, skipping: ["result", "data"]), case .object = envelope,
            let code = try? envelope.flexibleInt("status_code")
        {
            let message = "DataForSEO \(code): \((try? envelope.string("status_message")) ?? "(no message)")"
            if code != 20000 { return Self.classify(code: code, message: message, taskLevel: false) }
            guard let task = (try? envelope.array("tasks"))?.first, let taskCode = try? task.flexibleInt("status_code")
            else {
                return .retryable(message: "DataForSEO answered 20000 without a task", retryAfter: nil)
            }
            if taskCode == 20000 { return .success }
            let taskMessage = (try? task.string("status_message")) ?? "(no message)"
            return Self.classify(
                code: taskCode, message: "DataForSEO task \(taskCode): \(taskMessage)",
                taskLevel: true)
        }
        let status = response.status
        let text = String(decoding: response.body.prefix(300), as: UTF8.self)
        let message = "HTTP \(status): \(text.isEmpty ? "(empty body)" : text)"
        switch status {
        case 200..<300: return .retryable(message: "the response is not DataForSEO's JSON envelope", retryAfter: nil)
        case 401, 403: return .fatal(message: message)
        case 402: return .exhausted(message: message)
        case 429, 500...599:
            return .retryable(message: message, retryAfter: RetryAfter.parse(response.header("Retry-After")))
        default: return .fatal(message: message)
        }
    }

    /// DESIGN.md section 8's classes of DataForSEO status codes.
    static func classify(code: Int, message: String, taskLevel: Bool) -> ResponseClass {
        switch code {
        case 40202, 40103, 50000, 50301, 50303, 50401: return .retryable(message: message, retryAfter: nil)
        case 40200, 40203: return .exhausted(message: message)
        case 50000...59999: return .retryable(message: message, retryAfter: nil)
        default:
            // An invalid field in a task fails that task only; anything else at the top (auth, bad POST
            // data) cannot be fixed by retrying.
            return taskLevel ? .rejected(message: message) : .fatal(message: message)
        }
    }
}
