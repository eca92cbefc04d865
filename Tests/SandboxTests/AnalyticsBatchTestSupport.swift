import AsyncHTTPClient
import Foundation
import Sandbox
import Testing

/// Sends one request to the analytics Batch API of the sandbox, `path` being `batch` or `batch/validate`.
func callAnalytics(
    _ sandbox: RunningSandbox,
    _ path: String = "batch",
    method: String = "POST",
    body: String?,
    apiKey: String? = SandboxConfiguration.defaultAnalyticsAPIKey,
    contentType: String? = "application/json"
) async throws -> HTTPAnswer {
    var request = HTTPClientRequest(url: sandbox.baseURL + "/api/v1/" + path)
    request.method = .init(rawValue: method)
    if let apiKey { request.headers.add(name: "X-API-Key", value: apiKey) }
    if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
    if let body { request.body = .bytes(Array(body.utf8)) }
    // Generous: hundreds of tests share two cores, and a debug-built sandbox computes large answers; these tests
    // assert answers, not speed.
    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(90))
    let buffer = try await response.body.collect(upTo: 16 << 20)
    var headers: [String: String] = [:]
    for header in response.headers {
        headers[header.name.lowercased()] = header.value
    }
    return HTTPAnswer(status: Int(response.status.code), headers: headers, body: String(buffer: buffer))
}

/// One query as JSON; `params` is raw JSON.
func analyticsQuery(
    _ id: String,
    _ endpoint: String = "/stats/overview",
    params: String = #"{"account_id":"my-site","period":"30d"}"#,
    dependsOn: [String]? = nil
) -> String {
    var members = [#""id":"\#(id)""#, #""endpoint":"\#(endpoint)""#, #""params":\#(params)"#]
    if let dependsOn {
        members.append(#""depends_on":[\#(dependsOn.map { "\"\($0)\"" }.joined(separator: ","))]"#)
    }
    return "{" + members.joined(separator: ",") + "}"
}

/// `{"queries": [...], "options": {...}}`; `options` is raw JSON members without braces.
func analyticsBody(_ queries: [String], options: String? = nil) -> String {
    "{\"queries\":[\(queries.joined(separator: ","))]" + (options.map { ",\"options\":{\($0)}" } ?? "") + "}"
}

/// The seed's example request, verbatim.
let seedBatchBody = """
    {
    "queries": [
    {
    "id": "overview",
    "endpoint": "/stats/overview",
    "params": {
    "account_id": "my-site",
    "period": "30d"
    }
    },
    {
    "id": "pages",
    "endpoint": "/stats/pages",
    "params": {
    "account_id": "my-site",
    "period": "30d",
    "page_size": 10
    }
    },
    {
    "id": "sources",
    "endpoint": "/stats/sources",
    "params": {
    "account_id": "my-site",
    "period": "30d"
    },
    "depends_on": ["overview"]
    }
    ],
    "options": {
    "fail_fast": false,
    "parallel_limit": 5,
    "include_timing": true
    }
    }
    """

/// A batch answer; decode with `HTTPAnswer.decode` (snake_case keys). `data` is read from `object`.
struct BatchResponse: Decodable {
    struct ErrorBody: Decodable, Equatable {
        var code: String
        var message: String
    }
    struct Result: Decodable {
        var status: String
        var error: ErrorBody?
        var timingMs: Int?
    }
    struct Meta: Decodable {
        var totalQueries: Int
        var successful: Int
        var failed: Int
        var skipped: Int
        var totalTimingMs: Int?
    }
    var batchId: String
    var status: String
    var results: [String: Result]
    var meta: Meta
}

/// A validate answer.
struct ValidateResponse: Decodable, Equatable {
    var valid: Bool
    var queryCount: Int
    var executionOrder: [String]
    var parallelGroups: [[String]]
}

extension HTTPAnswer {
    /// `error.code` and `error.message` of an analytics error body.
    var analyticsError: BatchResponse.ErrorBody? {
        guard let error = self.object?["error"] as? [String: Any], let code = error["code"] as? String,
            let message = error["message"] as? String
        else { return nil }
        return BatchResponse.ErrorBody(code: code, message: message)
    }

    /// The `data` of one query's result.
    func analyticsData(_ id: String) -> Any? {
        ((self.object?["results"] as? [String: Any])?[id] as? [String: Any])?["data"]
    }

    /// The `data` of one query's result as the overview.
    func analyticsOverview(_ id: String) throws -> AnalyticsOverview {
        let data = try #require(self.analyticsData(id))
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(AnalyticsOverview.self, from: JSONSerialization.data(withJSONObject: data))
    }

    /// The page object a list query's result carries as its `data`: `{data: [rows], total, page, page_size,
    /// has_next, has_prev}`.
    func analyticsPage(_ id: String) throws -> [String: Any] {
        try #require(self.analyticsData(id) as? [String: Any])
    }

    /// The rows of one list query's page, the dimension value read from `key` (conversions' `count` as
    /// `conversions`, channels' `microconversions`).
    func analyticsRows(_ id: String, key: String) throws -> [AnalyticsRow] {
        let items = try #require(try analyticsPage(id)["data"] as? [[String: Any]])
        return try items.map { item in
            AnalyticsRow(
                key: try #require(item[key] as? String),
                entrances: item["entrances"] as? Int ?? 0,
                engagedEntrances: item["engaged_entrances"] as? Int ?? 0,
                pageViews: item["page_views"] as? Int ?? 0,
                conversions: try #require((item["conversions"] ?? item["count"]) as? Int),
                revenue: try #require(item["revenue"] as? Double),
                bounceRate: item["bounce_rate"] as? Double ?? 0,
                microconversions: item["microconversions"] as? Int ?? 0
            )
        }
    }
}
