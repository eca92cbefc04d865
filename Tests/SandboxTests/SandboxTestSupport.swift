import AsyncHTTPClient
import Foundation
import Sandbox
import Testing

/// An HTTP answer from the sandbox, read in full.
struct HTTPAnswer: Sendable {
    var status: Int
    var headers: [String: String]
    var body: String

    /// The body parsed as a JSON object (nil when it is not one).
    var object: [String: Any]? {
        guard let json = try? JSONSerialization.jsonObject(with: Data(self.body.utf8)) else { return nil }
        return json as? [String: Any]
    }

    /// The `error` string of a JSON error body.
    var errorMessage: String? {
        self.object?["error"] as? String
    }

    /// Decodes a provider response (snake_case keys onto camelCase properties).
    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(type, from: Data(self.body.utf8))
    }

    /// Decodes a type whose `Codable` form already spells the wire keys, such as `SandboxUsage`.
    func decodeAsIs<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONDecoder().decode(type, from: Data(self.body.utf8))
    }
}

/// Starts a sandbox on an ephemeral port, runs `body`, and always stops the sandbox.
@discardableResult
func withSandbox<T>(
    _ configuration: SandboxConfiguration = .init(),
    _ body: (RunningSandbox) async throws -> T
) async throws -> T {
    let sandbox = try await RunningSandbox.start(configuration)
    do {
        let result = try await body(sandbox)
        await sandbox.stop()
        return result
    } catch {
        await sandbox.stop()
        throw error
    }
}

/// Sends one request to the sandbox.
func call(
    _ sandbox: RunningSandbox,
    _ path: String,
    method: String = "POST",
    body: String? = nil,
    token: String? = SandboxConfiguration.defaultAhrefsV3Token,
    contentType: String? = "application/json"
) async throws -> HTTPAnswer {
    var request = HTTPClientRequest(url: sandbox.baseURL + path)
    request.method = .init(rawValue: method)
    if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
    if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
    if let body { request.body = .bytes(Array(body.utf8)) }
    // Generous: hundreds of tests share two cores, and a debug-built sandbox computes large answers; these tests
    // assert answers, not speed.
    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(90))
    let buffer = try await response.body.collect(upTo: 4 << 20)
    var headers: [String: String] = [:]
    for header in response.headers {
        headers[header.name.lowercased()] = header.value
    }
    return HTTPAnswer(status: Int(response.status.code), headers: headers, body: String(buffer: buffer))
}

/// `{"targets": [...], "date": "..."}` plus extra raw members.
func domainBody(_ targets: [String], date: String = "2026-02-18", extra: String = "") -> String {
    let list = targets.map { "\"\($0)\"" }.joined(separator: ",")
    return "{\"targets\":[\(list)],\"date\":\"\(date)\"\(extra.isEmpty ? "" : "," + extra)}"
}

// MARK: - Response shapes, as documented

struct MetricsResponse: Decodable {
    struct Row: Decodable {
        var target: String
        var metrics: Metrics?
        var error: String?
    }
    struct Metrics: Decodable, Equatable {
        var orgKeywords: Int?
        var orgTraffic: Int?
        var domainRating: Double?
    }
    var results: [Row]
}

struct BacklinksStatsResponse: Decodable {
    struct Row: Decodable {
        var target: String
        var backlinksStats: Stats?
        var error: String?
    }
    struct Stats: Decodable {
        var live: Int
        var liveRefdomains: Int
    }
    var results: [Row]
}

struct DomainRatingResponse: Decodable {
    struct Row: Decodable {
        var target: String
        var domainRating: Rating?
        var error: String?
    }
    struct Rating: Decodable {
        var domainRating: Double
        var ahrefsRank: Int
    }
    var results: [Row]
}

struct KeywordsResponse: Decodable {
    struct Row: Decodable {
        var keyword: String
        var volume: Int
        var keywordDifficulty: Int
        var cpc: Double
        var trafficPotential: Int
    }
    var results: [Row]
}

struct URLMetricsResponse: Decodable {
    struct Row: Decodable {
        var url: String
        var urlRating: Int?
        var backlinks: Int?
        var referringDomains: Int?
        var keywords: Int?
        var traffic: Int?
        var error: String?
    }
    var results: [Row]
}
