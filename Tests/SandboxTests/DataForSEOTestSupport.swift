import AsyncHTTPClient
import Foundation
import Sandbox
import Testing

/// `Basic base64(login:password)` with the sandbox's default DataForSEO credentials.
let defaultDataForSEOAuthorization = basicAuthorization(
    SandboxConfiguration.defaultDataForSEOLogin, SandboxConfiguration.defaultDataForSEOPassword)

func basicAuthorization(_ login: String, _ password: String) -> String {
    "Basic " + Data("\(login):\(password)".utf8).base64EncodedString()
}

/// Sends one request to a DataForSEO endpoint of the sandbox, `function` being e.g. `bulk_pages_summary`.
func callDataForSEO(
    _ sandbox: RunningSandbox,
    _ function: String,
    method: String = "POST",
    body: String?,
    authorization: String? = defaultDataForSEOAuthorization,
    contentType: String? = "application/json"
) async throws -> HTTPAnswer {
    try await callDataForSEO(
        sandbox, path: "/v3/backlinks/\(function)/live", method: method, body: body, authorization: authorization,
        contentType: contentType)
}

func callDataForSEO(
    _ sandbox: RunningSandbox,
    path: String,
    method: String = "POST",
    body: String?,
    authorization: String? = defaultDataForSEOAuthorization,
    contentType: String? = "application/json"
) async throws -> HTTPAnswer {
    var request = HTTPClientRequest(url: sandbox.baseURL + path)
    request.method = .init(rawValue: method)
    if let authorization { request.headers.add(name: "Authorization", value: authorization) }
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

/// `[{"targets": [...], <extra>}]`: one task, the way DataForSEO takes it.
func dataForSEOBody(_ targets: [String], extra: String = "") -> String {
    let list = targets.map { "\"\($0)\"" }.joined(separator: ",")
    return "[{\"targets\":[\(list)]\(extra.isEmpty ? "" : "," + extra)}]"
}

/// A DataForSEO answer; decode with a plain `JSONDecoder` (`HTTPAnswer.decodeAsIs`).
struct DataForSEOResponse<Item: Decodable>: Decodable {
    struct Task: Decodable {
        var id: String
        var statusCode: Int
        var statusMessage: String
        var time: String
        var cost: Double
        var resultCount: Int
        var path: [String]
        var result: [Result]?

        enum CodingKeys: String, CodingKey {
            case id, time, cost, path, result
            case statusCode = "status_code"
            case statusMessage = "status_message"
            case resultCount = "result_count"
        }
    }
    struct Result: Decodable {
        /// Only bulk_pages_summary's results have it.
        var totalCount: Int?
        var itemsCount: Int
        var items: [Item]

        enum CodingKeys: String, CodingKey {
            case items
            case totalCount = "total_count"
            case itemsCount = "items_count"
        }
    }

    var version: String
    var statusCode: Int
    var statusMessage: String
    var time: String
    var cost: Double
    var tasksCount: Int
    var tasksError: Int
    var tasks: [Task]

    enum CodingKeys: String, CodingKey {
        case version, time, cost, tasks
        case statusCode = "status_code"
        case statusMessage = "status_message"
        case tasksCount = "tasks_count"
        case tasksError = "tasks_error"
    }

    /// The items of the first task's first result.
    var items: [Item]? { self.tasks.first?.result?.first?.items }
}

/// For answers whose items do not matter (errors).
struct NoItem: Decodable {}

/// The items of the sibling bulk endpoints; every field optional so a missing one shows as nil.
struct BulkItem: Decodable, Equatable {
    /// Only bulk_spam_score's items have it (the official client's models).
    var type: String?
    var target: String
    var rank: Int?
    var backlinks: Int?
    var referringDomains: Int?
    var referringMainDomains: Int?
    var spamScore: Int?
    var newBacklinks: Int?
    var lostBacklinks: Int?
    var newReferringDomains: Int?
    var lostReferringDomains: Int?
    var newReferringMainDomains: Int?
    var lostReferringMainDomains: Int?

    enum CodingKeys: String, CodingKey {
        case type, target, rank, backlinks
        case referringDomains = "referring_domains"
        case referringMainDomains = "referring_main_domains"
        case spamScore = "spam_score"
        case newBacklinks = "new_backlinks"
        case lostBacklinks = "lost_backlinks"
        case newReferringDomains = "new_referring_domains"
        case lostReferringDomains = "lost_referring_domains"
        case newReferringMainDomains = "new_referring_main_domains"
        case lostReferringMainDomains = "lost_referring_main_domains"
    }
}

extension HTTPAnswer {
    /// The first task of a DataForSEO answer, as a JSON object.
    var firstTask: [String: Any]? {
        (self.object?["tasks"] as? [Any])?.first as? [String: Any]
    }

    /// The items of the first task's first result, as JSON objects.
    var itemObjects: [[String: Any]]? {
        guard let result = (self.firstTask?["result"] as? [Any])?.first as? [String: Any] else { return nil }
        return result["items"] as? [[String: Any]]
    }
}
