import Foundation
import Providers
import SeopipeCore
import Testing

@Suite("Ahrefs v3 requests")
struct AhrefsV3RequestTests {
    let driver = AhrefsV3Provider()

    func request(
        _ endpoint: AhrefsV3Provider.Endpoint, _ targets: [String], params: [String: ParamValue] = [:],
        date: String = "2026-02-18", token: String = Fixtures.token
    ) throws -> ProviderRequest {
        try driver.makeRequest(
            for: Fixtures.chunk(targets), endpoint: Fixtures.spec(endpoint),
            context: Fixtures.context(endpoint, params: params, date: date, token: token))
    }

    func body(_ request: ProviderRequest) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(request.http.body))
        return try #require(object as? [String: Any])
    }

    func header(_ name: String, in request: ProviderRequest) -> [String] {
        request.http.headers.filter { $0.name.caseInsensitiveCompare(name) == .orderedSame }.map(\.value)
    }

    @Test(
        "sends a POST to base_url/endpoint with bearer auth and a JSON content type",
        arguments: AhrefsV3Provider.Endpoint.allCases.filter { $0.isReference || $0 == .batchAnalysis })
    func envelope(endpoint: AhrefsV3Provider.Endpoint) throws {
        let params: [String: ParamValue] = endpoint == .batchKeywordsOverview ? ["country": .string("us")] : [:]
        let request = try request(endpoint, ["example.com"], params: params)
        #expect(request.http.method == "POST")
        #expect(request.http.url == "https://api.ahrefs.com/v3/" + endpoint.rawValue)
        #expect(header("Authorization", in: request) == ["Bearer \(Fixtures.token)"])
        #expect(header("Content-Type", in: request) == ["application/json"])
    }

    @Test("sends site-explorer/batch/metrics exactly targets and date, plus select when given")
    func metricsBody() throws {
        let plain = try body(request(.batchMetrics, ["example.com", "competitor1.com"]))
        #expect(Set(plain.keys) == ["targets", "date"])
        #expect(plain["targets"] as? [String] == ["example.com", "competitor1.com"])
        #expect(plain["date"] as? String == "2026-02-18")

        let selected = try body(
            request(
                .batchMetrics, ["example.com"], params: ["select": .string("org_keywords, org_traffic,domain_rating")]))
        #expect(Set(selected.keys) == ["targets", "date", "select"])
        #expect(selected["select"] as? String == "org_keywords,org_traffic,domain_rating")

        let listed = try body(
            request(.batchMetrics, ["example.com"], params: ["select": .list(["domain_rating", "org_traffic"])]))
        #expect(listed["select"] as? String == "domain_rating,org_traffic")
    }

    @Test(
        "sends backlinks-stats and domain-rating exactly targets and date",
        arguments: [AhrefsV3Provider.Endpoint.batchBacklinksStats, .batchDomainRating])
    func domainBodies(endpoint: AhrefsV3Provider.Endpoint) throws {
        let json = try body(request(endpoint, ["example.com", "competitor2.com"]))
        #expect(Set(json.keys) == ["targets", "date"])
        #expect(json["targets"] as? [String] == ["example.com", "competitor2.com"])
        #expect(json["date"] as? String == "2026-02-18")
    }

    @Test("sends keywords-explorer/batch/overview keywords and a lower-case country, and no date")
    func keywordsBody() throws {
        let json = try body(
            request(.batchKeywordsOverview, ["seo tools", "keyword research"], params: ["country": .string("US")]))
        #expect(Set(json.keys) == ["keywords", "country"])
        #expect(json["keywords"] as? [String] == ["seo tools", "keyword research"])
        #expect(json["country"] as? String == "us")
    }

    @Test("sends site-explorer/batch/url-metrics urls and date")
    func urlBody() throws {
        let urls = ["https://example.com/page1", "https://competitor.com/article"]
        let json = try body(request(.batchURLMetrics, urls))
        #expect(Set(json.keys) == ["urls", "date"])
        #expect(json["urls"] as? [String] == urls)
        #expect(json["date"] as? String == "2026-02-18")
    }

    @Test("sends the normalized targets, not the originals")
    func normalizedTargets() throws {
        let chunk = Fixtures.chunk([(original: "https://Example.com/", normalized: "example.com")])
        let request = try driver.makeRequest(
            for: chunk, endpoint: Fixtures.spec(.batchMetrics), context: Fixtures.context(.batchMetrics))
        #expect(try body(request)["targets"] as? [String] == ["example.com"])
    }

    @Test("never puts the token in the body or the request hash")
    func tokenOnlyInHeader() throws {
        let request = try request(.batchMetrics, ["example.com"])
        #expect(!String(decoding: request.http.body, as: UTF8.self).contains(Fixtures.token))
        #expect(!request.requestHash.contains(Fixtures.token))
    }

    @Test("gives equal chunks the same request hash")
    func stableHash() throws {
        let first = try request(
            .batchMetrics, ["example.com", "competitor1.com"], params: ["select": .string("org_traffic")])
        let second = try request(
            .batchMetrics, ["example.com", "competitor1.com"], params: ["select": .string("org_traffic")])
        #expect(first.requestHash == second.requestHash)
        #expect(!first.requestHash.isEmpty)
    }

    @Test(
        "gives a different date a different request hash",
        arguments: [AhrefsV3Provider.Endpoint.batchMetrics, .batchBacklinksStats, .batchDomainRating, .batchURLMetrics])
    func hashByDate(endpoint: AhrefsV3Provider.Endpoint) throws {
        let target = endpoint == .batchURLMetrics ? "https://example.com/" : "example.com"
        let today = try request(endpoint, [target], date: "2026-02-18")
        let tomorrow = try request(endpoint, [target], date: "2026-02-19")
        #expect(today.requestHash != tomorrow.requestHash)
    }

    @Test("does not let the token change the request hash")
    func hashWithoutToken() throws {
        let first = try request(.batchDomainRating, ["example.com"], token: "token-one")
        let second = try request(.batchDomainRating, ["example.com"], token: "token-two")
        #expect(first.requestHash == second.requestHash)
        #expect(header("Authorization", in: first) != header("Authorization", in: second))
    }

    @Test("gives different targets, parameters or endpoints different request hashes")
    func hashDistinguishes() throws {
        let base = try request(.batchBacklinksStats, ["example.com"])
        #expect(try request(.batchBacklinksStats, ["example.org"]).requestHash != base.requestHash)
        #expect(try request(.batchBacklinksStats, ["example.com", "example.org"]).requestHash != base.requestHash)
        // Same body, different endpoint: a different answer, so a different checkpoint.
        #expect(try request(.batchDomainRating, ["example.com"]).requestHash != base.requestHash)
        let us = try request(.batchKeywordsOverview, ["seo"], params: ["country": .string("us")])
        let gb = try request(.batchKeywordsOverview, ["seo"], params: ["country": .string("gb")])
        #expect(us.requestHash != gb.requestHash)
    }

    @Test(
        "estimates max(50, 5 x targets) units per request",
        arguments: [(1, 50.0), (10, 50.0), (11, 55.0), (100, 500.0)])
    func estimatedUnits(targets: Int, units: Double) {
        #expect(driver.estimatedUnits(targetCount: targets, endpoint: Fixtures.spec(.batchMetrics)) == units)
    }

    @Test(
        "offers the published endpoints and the reference's five batch endpoints, each with its limit and target kind")
    func endpoints() {
        let kinds = Dictionary(uniqueKeysWithValues: driver.endpoints.map { ($0.name, $0.targetKind) })
        #expect(
            kinds == [
                "batch-analysis/batch-analysis": .domainOrURL,
                "site-explorer/domain-rating": .domain,
                "site-explorer/metrics": .domainOrURL,
                "site-explorer/backlinks-stats": .domainOrURL,
                "site-explorer/domain-rating-history": .domain,
                "site-explorer/metrics-history": .domainOrURL,
                "site-explorer/refdomains-history": .domainOrURL,
                "keywords-explorer/overview": .keyword,
                "site-explorer/batch/metrics": .domain,
                "site-explorer/batch/backlinks-stats": .domain,
                "site-explorer/batch/domain-rating": .domain,
                "keywords-explorer/batch/overview": .keyword,
                "site-explorer/batch/url-metrics": .url,
            ])
        let limits = Dictionary(uniqueKeysWithValues: driver.endpoints.map { ($0.name, $0.maxBatchSize) })
        #expect(limits["batch-analysis/batch-analysis"] == 100)
        #expect(limits["keywords-explorer/overview"] == 1000)
        #expect(limits["site-explorer/metrics"] == 1, "the dated and history GETs take one target a request")
        #expect(limits["site-explorer/refdomains-history"] == 1)
        #expect(limits["site-explorer/batch/metrics"] == 100)
        let history = Dictionary(uniqueKeysWithValues: driver.endpoints.map { ($0.name, $0.history) })
        #expect(history["site-explorer/domain-rating"] == "site-explorer/domain-rating-history")
        #expect(history["site-explorer/metrics"] == "site-explorer/metrics-history")
        #expect(history["site-explorer/backlinks-stats"] == "site-explorer/refdomains-history")
        #expect(
            driver.endpoints.filter(\.answersDateRange).map(\.name).sorted() == [
                "site-explorer/domain-rating-history", "site-explorer/metrics-history",
                "site-explorer/refdomains-history",
            ])
    }
}

@Suite("Ahrefs v3 response classification")
struct AhrefsV3ClassifyTests {
    let driver = AhrefsV3Provider()

    @Test("treats 200 as success")
    func success() {
        #expect(driver.classify(Fixtures.response(#"{"results": []}"#)) == .success)
    }

    @Test("retries a 429 after the seconds its Retry-After asks for")
    func rateLimited() {
        let response = Fixtures.response(
            status: 429, headers: [("Retry-After", "7")], #"{"error": "Too many requests"}"#)
        guard case .retryable(let message, let retryAfter) = driver.classify(response) else {
            Issue.record("429 must be retryable")
            return
        }
        #expect(retryAfter == .seconds(7))
        #expect(message.contains("Too many requests"))
    }

    @Test("retries a 429 without Retry-After on our own backoff")
    func rateLimitedWithoutHeader() {
        let response = Fixtures.response(status: 429, #"{"error": "Too many requests"}"#)
        guard case .retryable(_, let retryAfter) = driver.classify(response) else {
            Issue.record("429 must be retryable")
            return
        }
        #expect(retryAfter == nil)
    }

    @Test("reads Retry-After given as an HTTP date")
    func retryAfterDate() throws {
        let now = try #require(ISO8601DateFormatter().date(from: "2015-10-21T07:27:30Z"))
        #expect(RetryAfter.parse("Wed, 21 Oct 2015 07:28:00 GMT", now: now) == .seconds(30))
        #expect(RetryAfter.parse("Wed, 21 Oct 2015 07:00:00 GMT", now: now) == .zero)
        #expect(RetryAfter.parse("soon", now: now) == nil)
        #expect(RetryAfter.parse(nil) == nil)
    }

    @Test("retries server errors", arguments: [500, 502, 503])
    func serverErrors(status: Int) {
        let response = Fixtures.response(status: status, #"{"error": "Internal server error"}"#)
        guard case .retryable(let message, _) = driver.classify(response) else {
            Issue.record("\(status) must be retryable")
            return
        }
        #expect(message.contains("\(status)"))
    }

    @Test(
        "never retries a bad token or a plan limit, and keeps the API's message",
        arguments: [(401, "Invalid API token"), (403, "Insufficient API units")])
    func fatal(status: Int, apiMessage: String) {
        let response = Fixtures.response(status: status, #"{"error": "\#(apiMessage)"}"#)
        guard case .fatal(let message) = driver.classify(response) else {
            Issue.record("\(status) must be fatal")
            return
        }
        #expect(message.contains(apiMessage))
        #expect(message.contains("\(status)"))
    }

    @Test("records a bad request's targets as failed with the API's message and lets the stage go on")
    func badRequestRejectsTheChunk() {
        let response = Fixtures.response(status: 400, #"{"error": "Invalid target"}"#)
        #expect(driver.classify(response) == .rejected(message: "HTTP 400: Invalid target"))
    }

    @Test("keeps a short text body as the message when the error is not JSON")
    func nonJSONError() {
        let response = Fixtures.response(status: 400, "Bad Request")
        #expect(driver.classify(response) == .rejected(message: "HTTP 400: Bad Request"))
    }

    @Test("refuses a Retry-After too large for a duration instead of crashing")
    func hugeRetryAfter() {
        // A conversion with Int64(seconds * 1000) would trap on `inf` or beyond Int64: a bad header from any
        // server or proxy would bring the whole run down.
        #expect(RetryAfter.parse("1e300") == .seconds(86_400), "clamped to a day")
        #expect(RetryAfter.parse("inf") == nil)
        #expect(RetryAfter.parse("-5") == nil)
    }
}
