import AsyncHTTPClient
import Foundation
import Sandbox
import Testing

@Suite("Ahrefs v3 sandbox", .serialized)
struct AhrefsV3SandboxTests {
    static let metricsPath = "/v3/site-explorer/batch/metrics"

    // MARK: - Serving data

    @Test("serves batch metrics for valid targets with values equal to AhrefsV3Data, in request order")
    func servesBatchMetrics() async throws {
        try await withSandbox { sandbox in
            let targets = ["example.com", "Competitor1.com", "www.competitor2.com"]
            let answer = try await call(sandbox, Self.metricsPath, body: domainBody(targets))
            #expect(answer.status == 200)
            #expect(answer.headers["content-type"]?.hasPrefix("application/json") == true)
            let response = try answer.decode(MetricsResponse.self)
            #expect(response.results.map(\.target) == targets)
            for row in response.results {
                let expected = AhrefsV3Data.domainMetrics(target: row.target, date: "2026-02-18")
                #expect(row.error == nil)
                #expect(row.metrics?.orgKeywords == expected.orgKeywords)
                #expect(row.metrics?.orgTraffic == expected.orgTraffic)
                #expect(row.metrics?.domainRating == expected.domainRating)
                // domain_rating is written with exactly one decimal, like 65.0
                #expect(answer.body.contains("\"domain_rating\":\(String(format: "%.1f", expected.domainRating))"))
            }
        }
    }

    @Test("returns only the fields named in select")
    func honoursSelect() async throws {
        try await withSandbox { sandbox in
            let answer = try await call(
                sandbox,
                Self.metricsPath,
                body: domainBody(["example.com"], extra: "\"select\":\"domain_rating,org_traffic\"")
            )
            #expect(answer.status == 200)
            let metrics = try #require(try answer.decode(MetricsResponse.self).results.first?.metrics)
            let expected = AhrefsV3Data.domainMetrics(target: "example.com", date: "2026-02-18")
            #expect(
                metrics == .init(orgKeywords: nil, orgTraffic: expected.orgTraffic, domainRating: expected.domainRating)
            )
            #expect(!answer.body.contains("org_keywords"))
        }
    }

    @Test("serves backlinks stats, domain rating in the pinned nested shape, keyword overview and URL metrics")
    func servesTheOtherEndpoints() async throws {
        try await withSandbox { sandbox in
            let date = "2026-02-18"
            let stats = try await call(
                sandbox, "/v3/site-explorer/batch/backlinks-stats", body: domainBody(["example.com"]))
            #expect(stats.status == 200)
            let statsRow = try #require(try stats.decode(BacklinksStatsResponse.self).results.first?.backlinksStats)
            let expectedStats = AhrefsV3Data.backlinksStats(target: "example.com", date: date)
            #expect(statsRow.live == expectedStats.live)
            #expect(statsRow.liveRefdomains == expectedStats.liveRefdomains)
            #expect(statsRow.live > statsRow.liveRefdomains)

            let rating = try await call(
                sandbox, "/v3/site-explorer/batch/domain-rating", body: domainBody(["example.com"]))
            #expect(rating.status == 200)
            let ratingRow = try #require(try rating.decode(DomainRatingResponse.self).results.first?.domainRating)
            let expectedRating = AhrefsV3Data.domainRating(target: "example.com", date: date)
            #expect(ratingRow.domainRating == expectedRating.domainRating)
            #expect(ratingRow.ahrefsRank == expectedRating.ahrefsRank)
            #expect(
                expectedRating.domainRating
                    == AhrefsV3Data.domainMetrics(target: "example.com", date: date).domainRating)

            let keywords = try await call(
                sandbox,
                "/v3/keywords-explorer/batch/overview",
                body: #"{"keywords":["seo tools","keyword research"],"country":"us"}"#
            )
            #expect(keywords.status == 200)
            let keywordRows = try keywords.decode(KeywordsResponse.self).results
            #expect(keywordRows.map(\.keyword) == ["seo tools", "keyword research"])
            for row in keywordRows {
                let expected = AhrefsV3Data.keywordOverview(keyword: row.keyword, country: "us")
                #expect(row.volume == expected.volume)
                #expect(row.keywordDifficulty == expected.keywordDifficulty)
                #expect(row.cpc == expected.cpc)
                #expect(row.trafficPotential == expected.trafficPotential)
                #expect((0...100).contains(row.keywordDifficulty))
                #expect(keywords.body.contains("\"cpc\":\(String(format: "%.2f", expected.cpc))"))
            }

            let urls = ["https://example.com/page1", "http://competitor.com/article?x=1"]
            let pages = try await call(
                sandbox,
                "/v3/site-explorer/batch/url-metrics",
                body: #"{"urls":["\#(urls[0])","\#(urls[1])"],"date":"\#(date)"}"#
            )
            #expect(pages.status == 200)
            let pageRows = try pages.decode(URLMetricsResponse.self).results
            #expect(pageRows.map(\.url) == urls)
            for row in pageRows {
                let expected = AhrefsV3Data.urlMetrics(url: row.url, date: date)
                #expect(row.urlRating == expected.urlRating)
                #expect(row.backlinks == expected.backlinks)
                #expect(row.referringDomains == expected.referringDomains)
                #expect(row.keywords == expected.keywords)
                #expect(row.traffic == expected.traffic)
            }
        }
    }

    @Test("the same target on two dates gives different values, the same date the same ones")
    func datesChangeValues() async throws {
        try await withSandbox { sandbox in
            func fetch(_ date: String) async throws -> MetricsResponse.Metrics? {
                let answer = try await call(sandbox, Self.metricsPath, body: domainBody(["example.com"], date: date))
                #expect(answer.status == 200)
                return try answer.decode(MetricsResponse.self).results.first?.metrics
            }
            let first = try await fetch("2026-02-18")
            let again = try await fetch("2026-02-18")
            let nextDay = try await fetch("2026-02-19")
            #expect(first != nil)
            #expect(first == again)
            #expect(first != nextDay)
        }
    }

    // MARK: - Per-target errors and charging

    @Test("answers the reference's own error example as written: invalid-domain gets its per-target error")
    func referenceErrorExample() async throws {
        try await withSandbox { sandbox in
            let answer = try await call(sandbox, Self.metricsPath, body: domainBody(["example.com", "invalid-domain"]))
            #expect(answer.status == 200)
            let rows = try answer.decode(MetricsResponse.self).results
            #expect(rows.map(\.target) == ["example.com", "invalid-domain"])
            #expect(rows.first?.metrics != nil)
            #expect(rows.last?.error == "Domain not found in index")
        }
    }

    @Test("answers a per-target error for an .invalid domain while serving the others, and charges only those")
    func perTargetErrors() async throws {
        try await withSandbox { sandbox in
            let valid = (1...12).map { "site\($0).com" }
            let targets = valid + ["nothing-here.invalid"]
            let answer = try await call(sandbox, Self.metricsPath, body: domainBody(targets))
            #expect(answer.status == 200)
            let rows = try answer.decode(MetricsResponse.self).results
            #expect(rows.count == 13)
            #expect(rows.last?.target == "nothing-here.invalid")
            #expect(rows.last?.error == "Domain not found in index")
            #expect(rows.last?.metrics == nil)
            #expect(rows.dropLast().allSatisfy { $0.metrics != nil && $0.error == nil })

            #expect(answer.headers["x-api-units-cost-total"] == "60")
            let usage = sandbox.usage().endpoints["site-explorer/batch/metrics"]
            #expect(usage == EndpointUsage(requests: 1, chargedRequests: 1, units: 60, targets: 13))
        }
    }

    @Test("charges max(50, 5 x rows) in the units header and counts the request once", arguments: [1, 10, 11, 100])
    func unitsHeader(targetCount: Int) async throws {
        try await withSandbox { sandbox in
            let targets = (0..<targetCount).map { "domain-\($0).example" }
            let answer = try await call(sandbox, Self.metricsPath, body: domainBody(targets))
            #expect(answer.status == 200)
            let expectedUnits = max(50, 5 * targetCount)
            #expect(AhrefsV3Data.units(chargedRows: targetCount) == expectedUnits)
            #expect(answer.headers["x-api-units-cost-total"] == String(expectedUnits))

            let usage = sandbox.usage()
            #expect(usage.totalRequests == 1)
            #expect(usage.totalChargedRequests == 1)
            #expect(usage.totalUnits == expectedUnits)
            #expect(usage.endpoints["site-explorer/batch/metrics"]?.targets == targetCount)
            #expect(usage.requestLog.count == 1)
            #expect(usage.requestLog.first?.charged == true)
            #expect(usage.requestLog.first?.targetCount == targetCount)
        }
    }

    // MARK: - Strictness

    @Test(
        "rejects a missing or wrong token with 401 and charges nothing", arguments: [nil, "wrong-token"] as [String?])
    func rejectsBadTokens(token: String?) async throws {
        try await withSandbox { sandbox in
            let answer = try await call(sandbox, Self.metricsPath, body: domainBody(["example.com"]), token: token)
            #expect(answer.status == 401)
            #expect(answer.errorMessage?.isEmpty == false)
            let usage = sandbox.usage()
            #expect(usage.totalRequests == 1)
            #expect(usage.totalUnits == 0)
            #expect(usage.requestLog.first?.status == 401)
            #expect(usage.requestLog.first?.charged == false)
        }
    }

    @Test("accepts only the configured token")
    func customToken() async throws {
        try await withSandbox(SandboxConfiguration(credentials: ["AHREFS_API_TOKEN": "my-token"])) { sandbox in
            #expect(sandbox.environment["AHREFS_API_TOKEN"] == "my-token")
            let refused = try await call(sandbox, Self.metricsPath, body: domainBody(["example.com"]))
            #expect(refused.status == 401)
            let served = try await call(sandbox, Self.metricsPath, body: domainBody(["example.com"]), token: "my-token")
            #expect(served.status == 200)
        }
    }

    struct BadRequestCase: Sendable, CustomTestStringConvertible {
        var name: String
        var path: String = AhrefsV3SandboxTests.metricsPath
        var body: String
        var contentType: String? = "application/json"
        /// A fragment the error message must contain.
        var message: String

        var testDescription: String { self.name }
    }

    static let badRequests: [BadRequestCase] = [
        .init(
            name: "missing Content-Type", body: domainBody(["example.com"]), contentType: nil, message: "Content-Type"),
        .init(
            name: "text/plain Content-Type", body: domainBody(["example.com"]), contentType: "text/plain",
            message: "application/json"),
        .init(
            name: "unknown body field", body: domainBody(["example.com"], extra: "\"limit\":10"), message: "\"limit\""),
        .init(name: "101 targets", body: domainBody((0...100).map { "d\($0).com" }), message: "101"),
        .init(name: "empty targets", body: domainBody([]), message: "must not be empty"),
        .init(name: "targets not an array", body: #"{"targets":"example.com","date":"2026-02-18"}"#, message: "array"),
        .init(name: "non-string target", body: #"{"targets":["a.com",7],"date":"2026-02-18"}"#, message: "targets[1]"),
        .init(name: "missing targets", body: #"{"date":"2026-02-18"}"#, message: "\"targets\""),
        .init(name: "missing date", body: #"{"targets":["example.com"]}"#, message: "\"date\""),
        .init(name: "malformed date", body: domainBody(["example.com"], date: "2026/02/18"), message: "YYYY-MM-DD"),
        .init(name: "impossible date", body: domainBody(["example.com"], date: "2026-02-30"), message: "calendar date"),
        .init(name: "date as number", body: #"{"targets":["example.com"],"date":20260218}"#, message: "\"date\""),
        .init(
            name: "unknown select field",
            body: domainBody(["example.com"], extra: "\"select\":\"org_keywords,backlinks\""), message: "backlinks"),
        .init(
            name: "URL among domains",
            body: domainBody(["example.com", "https://example.com/page"]),
            message: "All targets in a batch must be the same type (domains)"
        ),
        .init(
            name: "domain among URLs",
            path: "/v3/site-explorer/batch/url-metrics",
            body: #"{"urls":["https://example.com/a","example.com"],"date":"2026-02-18"}"#,
            message: "All targets in a batch must be the same type (URLs)"
        ),
        .init(
            name: "date on keyword overview",
            path: "/v3/keywords-explorer/batch/overview",
            body: #"{"keywords":["seo"],"country":"us","date":"2026-02-18"}"#,
            message: "\"date\""
        ),
        .init(
            name: "three-letter country",
            path: "/v3/keywords-explorer/batch/overview",
            body: #"{"keywords":["seo"],"country":"usa"}"#,
            message: "country"
        ),
        .init(
            name: "missing country",
            path: "/v3/keywords-explorer/batch/overview",
            body: #"{"keywords":["seo"]}"#,
            message: "\"country\""
        ),
        .init(name: "body not JSON", body: "targets=example.com", message: "not valid JSON"),
        .init(name: "body a JSON array", body: #"["example.com"]"#, message: "JSON object"),
    ]

    @Test("rejects a request that breaks the documented contract with 400 and a JSON error", arguments: badRequests)
    func rejectsBadRequests(_ bad: BadRequestCase) async throws {
        try await withSandbox { sandbox in
            let answer = try await call(sandbox, bad.path, body: bad.body, contentType: bad.contentType)
            #expect(answer.status == 400)
            #expect(answer.headers["content-type"]?.hasPrefix("application/json") == true)
            let message = try #require(answer.errorMessage, "body: \(answer.body)")
            #expect(message.contains(bad.message), "message: \(message)")
            #expect(answer.headers["x-api-units-cost-total"] == nil)
            let usage = sandbox.usage()
            #expect(usage.totalRequests == 1)
            #expect(usage.totalChargedRequests == 0)
            #expect(usage.totalUnits == 0)
        }
    }

    @Test("answers a wrong method with 405 and an unknown path with 404, both as JSON errors")
    func methodAndPath() async throws {
        try await withSandbox { sandbox in
            let get = try await call(sandbox, Self.metricsPath, method: "GET")
            #expect(get.status == 405)
            #expect(get.headers["allow"] == "POST")
            #expect(get.errorMessage != nil)

            let unknown = try await call(sandbox, "/v3/site-explorer/batch/metricz", body: domainBody(["example.com"]))
            #expect(unknown.status == 404)
            #expect(unknown.errorMessage != nil)

            let doubleSlash = try await call(
                sandbox, "/v3//site-explorer/batch/metrics", body: domainBody(["example.com"]))
            #expect(doubleSlash.status == 404)
        }
    }

    // MARK: - Faults

    @Test("a fault rule answers 429 with Retry-After, then the next request succeeds")
    func faultThenSuccess() async throws {
        try await withSandbox { sandbox in
            sandbox.setFaults([
                FaultRule(endpoint: "site-explorer/batch/metrics", count: 1, status: 429, retryAfterSeconds: 2)
            ])
            let body = domainBody(["example.com"])
            let limited = try await call(sandbox, Self.metricsPath, body: body)
            #expect(limited.status == 429)
            #expect(limited.headers["retry-after"] == "2")
            #expect(limited.errorMessage != nil)

            let served = try await call(sandbox, Self.metricsPath, body: body)
            #expect(served.status == 200)

            let usage = sandbox.usage()
            #expect(usage.requestLog.map(\.status) == [429, 200])
            #expect(usage.requestLog.map(\.charged) == [false, true])
            #expect(usage.requestLog[0].bodySHA == usage.requestLog[1].bodySHA)
            #expect(
                usage.endpoints["site-explorer/batch/metrics"]
                    == EndpointUsage(requests: 2, chargedRequests: 1, units: 50, targets: 1))
        }
    }

    @Test("fault rules count requests per rule and per endpoint, and take a custom body")
    func faultWindows() async throws {
        try await withSandbox { sandbox in
            sandbox.setFaults([
                FaultRule(endpoint: "site-explorer/batch/metrics", fromRequest: 2, count: 2, status: 503),
                FaultRule(endpoint: "*", fromRequest: 6, status: 500, body: "{\"results\":["),
            ])
            var statuses: [Int] = []
            for _ in 0..<6 {
                statuses.append(try await call(sandbox, Self.metricsPath, body: domainBody(["example.com"])).status)
            }
            #expect(statuses == [200, 503, 503, 200, 200, 500])
            let truncated = try await call(sandbox, Self.metricsPath, body: domainBody(["example.com"]))
            #expect(truncated.status == 500)
            #expect(truncated.body == "{\"results\":[")

            // The other endpoint has its own count for the "*" rule: its first request is served.
            let other = try await call(
                sandbox, "/v3/site-explorer/batch/domain-rating", body: domainBody(["example.com"]))
            #expect(other.status == 200)

            sandbox.setFaults([])
            #expect(try await call(sandbox, Self.metricsPath, body: domainBody(["example.com"])).status == 200)
        }
    }

    // MARK: - Control routes

    @Test("control routes install faults, report usage with snake_case keys and reset over HTTP")
    func controlRoutes() async throws {
        try await withSandbox { sandbox in
            let install = try await call(
                sandbox,
                "/_sandbox/faults",
                body:
                    #"[{"endpoint":"site-explorer/batch/metrics","from_request":1,"count":1,"status":503,"retry_after_seconds":1}]"#,
                token: nil
            )
            #expect(install.status == 200)

            let faulted = try await call(sandbox, Self.metricsPath, body: domainBody(["example.com"]))
            #expect(faulted.status == 503)
            #expect(faulted.headers["retry-after"] == "1")
            let served = try await call(sandbox, Self.metricsPath, body: domainBody(["example.com", "b.com"]))
            #expect(served.status == 200)

            let report = try await call(sandbox, "/_sandbox/usage", method: "GET", token: nil, contentType: nil)
            #expect(report.status == 200)
            for key in [
                "\"request_log\"", "\"charged_requests\"", "\"target_count\"", "\"received_at\"", "\"total_units\"",
            ] {
                #expect(report.body.contains(key), "missing \(key)")
            }
            let usage = try report.decodeAsIs(SandboxUsage.self)
            let direct = sandbox.usage()
            #expect(usage.endpoints == direct.endpoints)
            #expect(usage.requestLog.map(\.status) == [503, 200])
            for (decoded, original) in zip(usage.requestLog, direct.requestLog) {
                #expect(decoded.bodySHA == original.bodySHA)
                #expect(decoded.targetCount == original.targetCount)
                #expect(abs(decoded.receivedAt.timeIntervalSince(original.receivedAt)) < 0.002)
            }
            #expect(usage.totalRequests == 2)
            #expect(usage.totalUnits == 50)
            #expect(usage.endpoints["site-explorer/batch/metrics"]?.targets == 2)

            let badRules = try await call(sandbox, "/_sandbox/faults", body: #"[{"status":"soon"}]"#, token: nil)
            #expect(badRules.status == 400)
            #expect(badRules.errorMessage != nil)

            let reset = try await call(sandbox, "/_sandbox/reset", token: nil, contentType: nil)
            #expect(reset.status == 200)
            #expect(sandbox.usage() == SandboxUsage())

            let wrongMethod = try await call(sandbox, "/_sandbox/reset", method: "GET", token: nil, contentType: nil)
            #expect(wrongMethod.status == 405)
        }
    }

    @Test("reset clears usage, the request log and the fault rules")
    func resetClearsEverything() async throws {
        try await withSandbox { sandbox in
            sandbox.setFaults([FaultRule(status: 500)])
            let faulted = try await call(sandbox, Self.metricsPath, body: domainBody(["a.com"]))
            #expect(faulted.status == 500)
            sandbox.reset()
            #expect(sandbox.usage().requestLog.isEmpty)
            let served = try await call(sandbox, Self.metricsPath, body: domainBody(["a.com"]))
            #expect(served.status == 200)
            #expect(sandbox.usage().totalRequests == 1)
        }
    }

    // MARK: - Request log and server lifecycle

    @Test("logs every request in arrival order with a SHA-256 of its body")
    func requestLog() async throws {
        try await withSandbox { sandbox in
            let invalid = try await call(sandbox, Self.metricsPath, body: "abc")
            #expect(invalid.status == 400)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<8 {
                    group.addTask {
                        _ = try await call(sandbox, Self.metricsPath, body: domainBody(["site\(index).com"]))
                    }
                }
                try await group.waitForAll()
            }
            let log = sandbox.usage().requestLog
            #expect(log.count == 9)
            #expect(log.first?.bodySHA == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
            #expect(zip(log, log.dropFirst()).allSatisfy { $0.receivedAt <= $1.receivedAt })
            #expect(Set(log.compactMap(\.bodySHA)).count == 9)
        }
    }

    @Test("adds the configured latency before provider responses")
    func latency() async throws {
        try await withSandbox(SandboxConfiguration(latency: .milliseconds(150))) { sandbox in
            let clock = ContinuousClock()
            let start = clock.now
            let answer = try await call(sandbox, Self.metricsPath, body: domainBody(["example.com"]))
            #expect(answer.status == 200)
            #expect(clock.now - start >= .milliseconds(150))
        }
    }

    @Test("held answers wait until released; arrivals are counted before the answer")
    func holdAndRelease() async throws {
        try await withSandbox { sandbox in
            sandbox.holdResponses()
            async let answer = call(sandbox, Self.metricsPath, body: domainBody(["example.com"]))
            let deadline = ContinuousClock.now + .seconds(30)
            while sandbox.arrivedRequests == 0, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(sandbox.arrivedRequests == 1)
            try await Task.sleep(for: .milliseconds(100))
            #expect(sandbox.usage().totalRequests == 0, "not answered while held")
            sandbox.releaseResponses()
            #expect(try await answer.status == 200)
            #expect(sandbox.usage().totalRequests == 1)
        }
    }

    @Test("points the environment at the sandbox, stops cleanly when asked twice and frees its port")
    func lifecycle() async throws {
        let sandbox = try await RunningSandbox.start()
        #expect(sandbox.port > 0)
        #expect(sandbox.baseURL == "http://127.0.0.1:\(sandbox.port)")
        #expect(sandbox.environment["AHREFS_BASE_URL"] == "http://127.0.0.1:\(sandbox.port)/v3")
        #expect(sandbox.environment["AHREFS_API_TOKEN"] == SandboxConfiguration.defaultAhrefsV3Token)
        #expect(try await call(sandbox, Self.metricsPath, body: domainBody(["example.com"])).status == 200)
        await sandbox.stop()
        await sandbox.stop()
        // The port is free again: a new sandbox can take it.
        let successor = try await RunningSandbox.start(SandboxConfiguration(port: sandbox.port))
        #expect(successor.port == sandbox.port)
        await successor.stop()
    }

    @Test("refuses to start on a port that is already taken")
    func portInUse() async throws {
        try await withSandbox { first in
            await #expect(throws: (any Error).self) {
                let second = try await RunningSandbox.start(SandboxConfiguration(port: first.port))
                await second.stop()
            }
        }
    }
}
