import AsyncHTTPClient
import Foundation
import Sandbox
import Testing

@Suite("Analytics Batch API sandbox", .serialized)
struct AnalyticsBatchSandboxTests {
    /// A Wednesday.
    static let today = "2026-02-18"
    static let configuration = SandboxConfiguration(today: today)
    static let uuidPattern = "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"

    // MARK: - The seed's example

    @Test("the seed's example request succeeds with data equal to AnalyticsData for the configured today")
    func seedExample() async throws {
        try await withSandbox(Self.configuration) { sandbox in
            let answer = try await callAnalytics(sandbox, body: seedBatchBody)
            #expect(answer.status == 200)
            #expect(answer.headers["content-type"]?.hasPrefix("application/json") == true)
            let response = try answer.decode(BatchResponse.self)
            #expect(response.batchId.range(of: Self.uuidPattern, options: .regularExpression) != nil)
            #expect(response.status == "completed")
            #expect(Set(response.results.keys) == ["overview", "pages", "sources"])
            for result in response.results.values {
                #expect(result.status == "success")
                #expect(result.error == nil)
                #expect(try #require(result.timingMs) > 0)
            }
            #expect(response.meta.totalQueries == 3)
            #expect(response.meta.successful == 3)
            #expect(response.meta.failed == 0)
            #expect(response.meta.skipped == 0)
            #expect(response.meta.totalTimingMs == response.results.values.compactMap(\.timingMs).reduce(0, +))

            // 30d: the 30 days ending yesterday.
            let (start, end) = ("2026-01-19", "2026-02-17")
            let overview = try answer.analyticsOverview("overview")
            #expect(overview == AnalyticsData.overview(account: "my-site", start: start, end: end))
            #expect(overview.dateRange == .init(start: start, end: end))
            #expect(overview.entrances > 0)
            let pages = try answer.analyticsRows("pages", key: "page_path")
            #expect(pages.count == 10)
            #expect(
                pages
                    == AnalyticsData.rows(
                        endpoint: "/stats/pages", account: "my-site", start: start, end: end, pageSize: 10))
            let sources = try answer.analyticsRows("sources", key: "utm_source")
            #expect(!sources.isEmpty)
            #expect(
                sources
                    == AnalyticsData.rows(
                        endpoint: "/stats/sources", account: "my-site", start: start, end: end, pageSize: 50))

            // Results come in request order; numbers are written with their fixed decimals.
            let keys = ["\"overview\":{\"status\"", "\"pages\":{\"status\"", "\"sources\":{\"status\""]
            let offsets = try keys.map { try #require(answer.body.range(of: $0)).lowerBound }
            #expect(offsets == offsets.sorted())
            #expect(answer.body.range(of: #""bounce_rate":[0-9]+\.[0-9],"#, options: .regularExpression) != nil)
            #expect(answer.body.range(of: #""revenue":[0-9]+\.[0-9]{2},"#, options: .regularExpression) != nil)

            // The same body gets the same batch id; usage counts one charged request covering three queries.
            let again = try await callAnalytics(sandbox, body: seedBatchBody)
            #expect(try again.decode(BatchResponse.self).batchId == response.batchId)
            let usage = sandbox.usage()
            #expect(usage.endpoints["batch"] == EndpointUsage(requests: 2, chargedRequests: 2, units: 0, targets: 6))
            let logged = try #require(usage.requestLog.first)
            #expect(logged.endpoint == "batch")
            #expect(logged.status == 200)
            #expect(logged.charged)
            #expect(logged.targetCount == 3)
            #expect(logged.taskCount == 3)
            #expect(logged.query == nil)
        }
    }

    @Test("validate returns the seed's execution order and parallel groups and is not charged")
    func validateSeed() async throws {
        try await withSandbox(Self.configuration) { sandbox in
            let answer = try await callAnalytics(sandbox, "batch/validate", body: seedBatchBody)
            #expect(answer.status == 200)
            #expect(
                try answer.decode(ValidateResponse.self)
                    == ValidateResponse(
                        valid: true, queryCount: 3, executionOrder: ["overview", "pages", "sources"],
                        parallelGroups: [["overview", "pages"], ["sources"]]))
            #expect(
                answer.body
                    == #"{"valid":true,"query_count":3,"execution_order":["overview","pages","sources"],"parallel_groups":[["overview","pages"],["sources"]]}"#
            )
            let usage = sandbox.usage()
            #expect(usage.endpoints["batch/validate"] == EndpointUsage(requests: 1))
            #expect(usage.requestLog.first?.taskCount == 3)
            #expect(usage.requestLog.first?.charged == false)
        }
    }

    @Test("validate plans a diamond, a chain listed backwards and a query behind the longest chain")
    func validateShapes() async throws {
        try await withSandbox(Self.configuration) { sandbox in
            let diamond = analyticsBody([
                analyticsQuery("d", dependsOn: ["b", "c"]), analyticsQuery("b", dependsOn: ["a"]),
                analyticsQuery("c", dependsOn: ["a"]), analyticsQuery("a"),
            ])
            let planned = try await callAnalytics(sandbox, "batch/validate", body: diamond)
            #expect(
                try planned.decode(ValidateResponse.self)
                    == ValidateResponse(
                        valid: true, queryCount: 4, executionOrder: ["a", "b", "c", "d"],
                        parallelGroups: [["a"], ["b", "c"], ["d"]]))

            let chain = analyticsBody([
                analyticsQuery("c3", dependsOn: ["c2"]), analyticsQuery("c2", dependsOn: ["c1"]), analyticsQuery("c1"),
                analyticsQuery("x", dependsOn: ["c1", "c3"]), analyticsQuery("y"),
            ])
            let chained = try await callAnalytics(sandbox, "batch/validate", body: chain)
            #expect(
                try chained.decode(ValidateResponse.self)
                    == ValidateResponse(
                        valid: true, queryCount: 5, executionOrder: ["c1", "y", "c2", "c3", "x"],
                        parallelGroups: [["c1", "y"], ["c2"], ["c3"], ["x"]]))

            // The batch runs in that order: every query succeeds, dependencies first.
            let ran = try await callAnalytics(sandbox, body: diamond)
            let response = try ran.decode(BatchResponse.self)
            #expect(response.status == "completed")
            #expect(response.meta.successful == 4)
        }
    }

    // MARK: - Refused batches

    static let refusals: [(String, String, String)] = [
        ("51 queries", analyticsBody((0..<51).map { analyticsQuery("q\($0)") }), "at most 50"),
        ("an underscore in an id", analyticsBody([analyticsQuery("top_pages")]), "alphanumeric"),
        ("a dash in an id", analyticsBody([analyticsQuery("top-pages")]), "alphanumeric"),
        ("an empty id", analyticsBody([analyticsQuery("")]), "alphanumeric"),
        ("a non-ASCII letter in an id", analyticsBody([analyticsQuery("caf\u{e9}")]), "alphanumeric"),
        ("a numeric id", #"{"queries":[{"id":1,"endpoint":"/stats/overview","params":{}}]}"#, "id must be a string"),
        ("a missing id", #"{"queries":[{"endpoint":"/stats/overview","params":{}}]}"#, "id is required"),
        (
            "duplicate ids", analyticsBody([analyticsQuery("a"), analyticsQuery("b"), analyticsQuery("a")]),
            "duplicate query id \"a\" (queries[0] and queries[2])"
        ),
        (
            "an unknown depends_on", analyticsBody([analyticsQuery("a", dependsOn: ["nope"])]),
            "queries[0].depends_on names unknown query \"nope\""
        ),
        ("a self-dependency", analyticsBody([analyticsQuery("a", dependsOn: ["a"])]), "circular dependency: a -> a"),
        (
            "a two-query cycle",
            analyticsBody([analyticsQuery("a", dependsOn: ["b"]), analyticsQuery("b", dependsOn: ["a"])]),
            "circular dependency: a -> b -> a"
        ),
        (
            "a cycle behind a valid query",
            analyticsBody([
                analyticsQuery("z"), analyticsQuery("a", dependsOn: ["z", "c"]), analyticsQuery("b", dependsOn: ["a"]),
                analyticsQuery("c", dependsOn: ["b"]),
            ]),
            "circular dependency: a -> c -> b -> a"
        ),
        (
            "a repeated depends_on entry",
            analyticsBody([analyticsQuery("a"), analyticsQuery("b", dependsOn: ["a", "a"])]),
            "more than once"
        ),
        ("no queries", analyticsBody([]), "queries must not be empty"),
        ("a missing queries field", #"{"options":{}}"#, "queries is required"),
        ("queries as an object", #"{"queries":{}}"#, "queries must be an array"),
        ("a query that is a string", #"{"queries":["overview"]}"#, "queries[0] must be an object"),
        ("an unknown top-level field", #"{"queries":[],"limit":5}"#, "unknown field \"limit\" in the request"),
        (
            "an unknown query field",
            #"{"queries":[{"id":"a","endpoint":"/stats/overview","params":{},"cache":true}]}"#,
            "unknown field \"cache\" in queries[0]"
        ),
        (
            "an endpoint outside /stats/", analyticsBody([analyticsQuery("a", "/api/v1/stats/overview")]),
            "must start with /stats/"
        ),
        (
            "an unknown /stats/ endpoint", analyticsBody([analyticsQuery("a", "/stats/visitors")]),
            "is not a /stats/ endpoint"
        ),
        ("a missing endpoint", #"{"queries":[{"id":"a","params":{}}]}"#, "queries[0].endpoint is required"),
        ("missing params", #"{"queries":[{"id":"a","endpoint":"/stats/overview"}]}"#, "queries[0].params is required"),
        ("params as an array", analyticsBody([analyticsQuery("a", params: "[]")]), "params must be an object"),
        (
            "depends_on as a string",
            #"{"queries":[{"id":"a","endpoint":"/stats/overview","params":{},"depends_on":"b"}]}"#,
            "depends_on must be an array"
        ),
        (
            "parallel_limit 0", analyticsBody([analyticsQuery("a")], options: #""parallel_limit":0"#),
            "from 1 to 10, got 0"
        ),
        (
            "parallel_limit 11", analyticsBody([analyticsQuery("a")], options: #""parallel_limit":11"#),
            "from 1 to 10, got 11"
        ),
        ("parallel_limit 2.5", analyticsBody([analyticsQuery("a")], options: #""parallel_limit":2.5"#), "got 2.5"),
        (
            "parallel_limit as a string", analyticsBody([analyticsQuery("a")], options: #""parallel_limit":"5""#),
            "got \"5\""
        ),
        (
            "fail_fast as a string", analyticsBody([analyticsQuery("a")], options: #""fail_fast":"yes""#),
            "fail_fast must be a boolean"
        ),
        (
            "fail_fast as a number", analyticsBody([analyticsQuery("a")], options: #""fail_fast":1"#),
            "fail_fast must be a boolean"
        ),
        (
            "include_timing null", analyticsBody([analyticsQuery("a")], options: #""include_timing":null"#),
            "include_timing must be a boolean"
        ),
        (
            "an unknown option", analyticsBody([analyticsQuery("a")], options: #""retry":true"#),
            "unknown field \"retry\" in options"
        ),
        (
            "options as an array", #"{"queries":[{"id":"a","endpoint":"/stats/overview","params":{}}],"options":[]}"#,
            "options must be an object"
        ),
        ("a body that is not JSON", "{queries:", "not valid JSON"),
        ("a JSON array body", "[]", "must be a JSON object"),
        ("an empty body", "", "Request body is empty"),
    ]

    @Test("refuses the whole batch with 400 validation_error and runs nothing", arguments: refusals)
    func refusesBatch(_ name: String, _ body: String, _ fragment: String) async throws {
        try await withSandbox(Self.configuration) { sandbox in
            for path in ["batch", "batch/validate"] {
                let answer = try await callAnalytics(sandbox, path, body: body)
                #expect(answer.status == 400, "\(name) on \(path)")
                let error = try #require(answer.analyticsError, "\(name): \(answer.body)")
                #expect(error.code == "validation_error")
                #expect(error.message.contains(fragment), "\(name): \(error.message)")
                #expect(answer.object?.keys.sorted() == ["error", "request_id"], "the documented error envelope")
            }
            let usage = sandbox.usage()
            #expect(usage.totalChargedRequests == 0)
            #expect(usage.endpoints["batch"]?.targets == 0)
        }
    }

    @Test("accepts exactly 50 queries")
    func fiftyQueries() async throws {
        try await withSandbox(Self.configuration) { sandbox in
            let body = analyticsBody(
                (0..<50).map { analyticsQuery("q\($0)", dependsOn: $0 == 0 ? nil : ["q\($0 - 1)"]) })
            let planned = try await callAnalytics(sandbox, "batch/validate", body: body)
            #expect(try planned.decode(ValidateResponse.self).parallelGroups.count == 50)
            let answer = try await callAnalytics(sandbox, body: body)
            #expect(answer.status == 200)
            #expect(try answer.decode(BatchResponse.self).meta.successful == 50)
            #expect(sandbox.usage().endpoints["batch"]?.targets == 50)
        }
    }

    @Test(
        "a missing or wrong API key answers 401 unauthorized and charges nothing",
        arguments: [nil, "wrong-key", "Bearer \(SandboxConfiguration.defaultAnalyticsAPIKey)", ""] as [String?])
    func rejectsBadKey(_ key: String?) async throws {
        try await withSandbox(Self.configuration) { sandbox in
            for path in ["batch", "batch/validate"] {
                let answer = try await callAnalytics(sandbox, path, body: seedBatchBody, apiKey: key)
                #expect(answer.status == 401)
                #expect(answer.analyticsError == .init(code: "unauthorized", message: "Invalid or missing API key"))
                #expect((answer.object?["request_id"] as? String)?.hasPrefix("req_") == true)
            }
            #expect(sandbox.usage().totalChargedRequests == 0)
            #expect(sandbox.usage().totalRequests == 2)
        }
    }

    @Test("accepts only the configured key and points the environment at /api/v1 with it")
    func customKey() async throws {
        try await withSandbox(SandboxConfiguration(today: Self.today, credentials: ["ANALYTICS_API_KEY": "k-123"])) {
            sandbox in
            #expect(sandbox.environment["ANALYTICS_BASE_URL"] == "http://127.0.0.1:\(sandbox.port)/api/v1")
            #expect(sandbox.environment["ANALYTICS_API_KEY"] == "k-123")
            #expect(try await callAnalytics(sandbox, body: seedBatchBody, apiKey: "k-123").status == 200)
            let old = try await callAnalytics(sandbox, body: seedBatchBody)
            #expect(old.status == 401)
        }
        #expect(SandboxConfiguration().analyticsAPIKey == "sandbox-analytics-key")
    }

    @Test("requires Content-Type application/json, parameters allowed")
    func contentType() async throws {
        try await withSandbox(Self.configuration) { sandbox in
            let missing = try await callAnalytics(sandbox, body: seedBatchBody, contentType: nil)
            #expect(missing.status == 400)
            #expect(missing.analyticsError?.code == "validation_error")
            #expect(missing.analyticsError?.message.contains("Content-Type") == true)
            let text = try await callAnalytics(sandbox, body: seedBatchBody, contentType: "text/plain")
            #expect(text.status == 400)
            let charset = try await callAnalytics(
                sandbox, body: seedBatchBody, contentType: "application/json; charset=utf-8")
            #expect(charset.status == 200)
        }
    }

    @Test("answers a wrong method with 405 in the API's error shape")
    func wrongMethod() async throws {
        try await withSandbox(Self.configuration) { sandbox in
            let answer = try await callAnalytics(sandbox, method: "GET", body: nil)
            #expect(answer.status == 405)
            #expect(answer.headers["allow"] == "POST")
            #expect(answer.analyticsError?.code == "method_not_allowed")
        }
    }

    // MARK: - Execution semantics

    @Test("a failing query skips its dependents with dependency_failed while independent ones succeed")
    func failureSkipsDependents() async throws {
        try await withSandbox(Self.configuration) { sandbox in
            let body = analyticsBody([
                analyticsQuery("bad", params: #"{"period":"30d"}"#),
                analyticsQuery("child", "/stats/pages", dependsOn: ["bad"]),
                analyticsQuery("grandchild", "/stats/devices", dependsOn: ["child"]),
                analyticsQuery("mixed", "/stats/channels", dependsOn: ["ok", "bad"]),
                analyticsQuery("ok", "/stats/countries"),
            ])
            let answer = try await callAnalytics(sandbox, body: body)
            #expect(answer.status == 200)
            let response = try answer.decode(BatchResponse.self)
            #expect(response.status == "partial")
            let bad = try #require(response.results["bad"])
            #expect(bad.status == "error")
            #expect(bad.error == .init(code: "validation_error", message: "account_id is required"))
            #expect(bad.timingMs != nil)
            #expect(
                response.results["child"]?.error == .init(code: "dependency_failed", message: "dependency 'bad' failed")
            )
            #expect(response.results["child"]?.status == "skipped")
            #expect(response.results["child"]?.timingMs == nil)
            #expect(
                response.results["grandchild"]?.error
                    == .init(code: "dependency_failed", message: "dependency 'child' failed"))
            #expect(
                response.results["mixed"]?.error == .init(code: "dependency_failed", message: "dependency 'bad' failed")
            )
            #expect(response.results["ok"]?.status == "success")
            #expect(
                try answer.analyticsRows("ok", key: "country")
                    == AnalyticsData.rows(
                        endpoint: "/stats/countries", account: "my-site", start: "2026-01-19", end: "2026-02-17",
                        pageSize: 50))
            #expect(response.meta.totalQueries == 5)
            #expect(response.meta.successful == 1)
            #expect(response.meta.failed == 1)
            #expect(response.meta.skipped == 3)
            #expect(response.meta.totalTimingMs == (bad.timingMs ?? 0) + (response.results["ok"]?.timingMs ?? 0))
            // An accepted batch is charged whatever its queries did.
            #expect(sandbox.usage().endpoints["batch"] == EndpointUsage(requests: 1, chargedRequests: 1, targets: 5))
        }
    }

    @Test("a batch where no query succeeds has status failed, still HTTP 200")
    func allFailed() async throws {
        try await withSandbox(Self.configuration) { sandbox in
            let body = analyticsBody([
                analyticsQuery("a", params: #"{"account_id":"x"}"#), analyticsQuery("b", dependsOn: ["a"]),
            ])
            let answer = try await callAnalytics(sandbox, body: body)
            #expect(answer.status == 200)
            let response = try answer.decode(BatchResponse.self)
            #expect(response.status == "failed")
            #expect(response.results["a"]?.error?.message == "period or start_date and end_date is required")
        }
    }

    @Test("endpoints of the seed's list without sandbox data fail per query")
    func unavailableEndpoints() async throws {
        let unavailable = [
            "/stats/terms", "/stats/referrers", "/stats/browsers", "/stats/os", "/stats/microconversions",
            "/stats/funnel", "/stats/landing-pages",
        ]
        try await withSandbox(Self.configuration) { sandbox in
            let queries = unavailable.enumerated().map { analyticsQuery("u\($0.offset)", $0.element) }
            let answer = try await callAnalytics(sandbox, body: analyticsBody(queries + [analyticsQuery("fine")]))
            let response = try answer.decode(BatchResponse.self)
            #expect(response.status == "partial")
            for index in unavailable.indices {
                #expect(
                    response.results["u\(index)"]?.error
                        == .init(code: "validation_error", message: "endpoint not available in this sandbox"))
            }
            #expect(response.results["fine"]?.status == "success")
        }
    }

    @Test("fail_fast skips every query of the later slices; parallel_limit sets the slice")
    func failFast() async throws {
        try await withSandbox(Self.configuration) { sandbox in
            let queries = [
                analyticsQuery("a"), analyticsQuery("bad", params: "{}"), analyticsQuery("c"), analyticsQuery("d"),
                analyticsQuery("e", dependsOn: ["a"]),
            ]
            // One query at a time: everything after the failure is skipped.
            let serial = try await callAnalytics(
                sandbox, body: analyticsBody(queries, options: #""fail_fast":true,"parallel_limit":1"#))
            let response = try serial.decode(BatchResponse.self)
            #expect(response.results["a"]?.status == "success")
            #expect(response.results["bad"]?.status == "error")
            for id in ["c", "d", "e"] {
                #expect(response.results[id]?.status == "skipped")
                #expect(response.results[id]?.error?.code == "fail_fast")
            }
            #expect(response.status == "partial")
            #expect(response.meta.skipped == 3)

            // Two at a time: "c" ran beside "bad"; "d" and the next group are skipped.
            let pairs = try await callAnalytics(
                sandbox, body: analyticsBody(queries, options: #""fail_fast":true,"parallel_limit":2"#))
            let paired = try pairs.decode(BatchResponse.self)
            #expect(
                paired.results.mapValues(\.status) == [
                    "a": "success", "bad": "error", "c": "skipped", "d": "skipped", "e": "skipped",
                ])

            let wide = try await callAnalytics(
                sandbox, body: analyticsBody(queries, options: #""fail_fast":true,"parallel_limit":5"#))
            let widened = try wide.decode(BatchResponse.self)
            #expect(
                widened.results.mapValues(\.status) == [
                    "a": "success", "bad": "error", "c": "success", "d": "success", "e": "skipped",
                ])
            #expect(widened.results["e"]?.error?.code == "fail_fast")

            // Without fail_fast everything else runs.
            let relaxed = try await callAnalytics(
                sandbox, body: analyticsBody(queries, options: #""parallel_limit":1"#))
            #expect(try relaxed.decode(BatchResponse.self).meta.successful == 4)
        }
    }

    @Test("include_timing false omits timing_ms and total_timing_ms")
    func withoutTiming() async throws {
        try await withSandbox(Self.configuration) { sandbox in
            let body = analyticsBody(
                [analyticsQuery("a"), analyticsQuery("bad", params: "{}"), analyticsQuery("c", dependsOn: ["bad"])],
                options: #""include_timing":false"#)
            let answer = try await callAnalytics(sandbox, body: body)
            #expect(!answer.body.contains("timing_ms"))
            let response = try answer.decode(BatchResponse.self)
            #expect(response.results.values.allSatisfy { $0.timingMs == nil })
            #expect(response.meta.totalTimingMs == nil)
            #expect(response.meta.totalQueries == 3)

            let timed = try await callAnalytics(sandbox, body: analyticsBody([analyticsQuery("a")], options: ""))
            #expect(try timed.decode(BatchResponse.self).meta.totalTimingMs != nil)
        }
    }

    // MARK: - Parameters

    static let expectedPeriods: [(String, String, String)] = [
        ("today", "2026-02-18", "2026-02-18"), ("yesterday", "2026-02-17", "2026-02-17"),
        ("7d", "2026-02-11", "2026-02-17"), ("30d", "2026-01-19", "2026-02-17"), ("90d", "2025-11-20", "2026-02-17"),
        ("12m", "2025-02-18", "2026-02-17"), ("this_week", "2026-02-16", "2026-02-22"),
        ("last_week", "2026-02-09", "2026-02-15"), ("this_month", "2026-02-01", "2026-02-28"),
        ("last_month", "2026-01-01", "2026-01-31"), ("this_quarter", "2026-01-01", "2026-03-31"),
        ("last_quarter", "2025-10-01", "2025-12-31"), ("this_year", "2026-01-01", "2026-12-31"),
        ("last_year", "2025-01-01", "2025-12-31"), ("wtd", "2026-02-16", "2026-02-18"),
        ("mtd", "2026-02-01", "2026-02-18"), ("qtd", "2026-01-01", "2026-02-18"), ("ytd", "2026-01-01", "2026-02-18"),
    ]

    @Test("each period keyword resolves against the configured today in one batch")
    func periods() async throws {
        #expect(Self.expectedPeriods.map(\.0) == AnalyticsData.periods)
        try await withSandbox(Self.configuration) { sandbox in
            let queries = Self.expectedPeriods.enumerated().map { index, period in
                analyticsQuery("p\(index)", params: #"{"account_id":"shop","period":"\#(period.0)"}"#)
            }
            let answer = try await callAnalytics(sandbox, body: analyticsBody(queries))
            #expect(try answer.decode(BatchResponse.self).status == "completed")
            for (index, (period, start, end)) in Self.expectedPeriods.enumerated() {
                let overview = try answer.analyticsOverview("p\(index)")
                #expect(overview.dateRange == .init(start: start, end: end), "\(period)")
                #expect(overview == AnalyticsData.overview(account: "shop", start: start, end: end), "\(period)")
            }
        }
    }

    @Test("explicit start_date and end_date select the range, and values grow with its length")
    func explicitDates() async throws {
        try await withSandbox(Self.configuration) { sandbox in
            let body = analyticsBody([
                analyticsQuery(
                    "day", params: #"{"account_id":"shop","start_date":"2025-12-01","end_date":"2025-12-01"}"#),
                analyticsQuery(
                    "month", params: #"{"account_id":"shop","start_date":"2025-12-01","end_date":"2025-12-31"}"#),
                analyticsQuery(
                    "conv", "/stats/conversions",
                    params: #"{"account_id":"shop","start_date":"2025-12-01","end_date":"2025-12-31"}"#),
            ])
            let answer = try await callAnalytics(sandbox, body: body)
            let day = try answer.analyticsOverview("day")
            let month = try answer.analyticsOverview("month")
            #expect(day == AnalyticsData.overview(account: "shop", start: "2025-12-01", end: "2025-12-01"))
            #expect(month == AnalyticsData.overview(account: "shop", start: "2025-12-01", end: "2025-12-31"))
            #expect(month.dateRange == .init(start: "2025-12-01", end: "2025-12-31"))
            #expect(month.entrances > 20 * day.entrances)
            #expect(month.entrances < 45 * day.entrances)

            let conversions = try answer.analyticsRows("conv", key: "conversion_type")
            #expect(
                conversions
                    == AnalyticsData.rows(
                        endpoint: "/stats/conversions", account: "shop", start: "2025-12-01", end: "2025-12-31",
                        pageSize: 50))
            let items = try #require(try answer.analyticsPage("conv")["data"] as? [[String: Any]])
            #expect(items.allSatisfy { Set($0.keys) == ["conversion_type", "count", "revenue", "avg_value"] })
            for item in items {
                let count = try #require(item["count"] as? Int)
                let revenue = try #require(item["revenue"] as? Double)
                #expect(item["avg_value"] as? Double == (revenue / Double(count) * 100).rounded() / 100)
            }
        }
    }

    static let badParams: [(String, String, String)] = [
        ("/stats/overview", #"{"period":"7d"}"#, "account_id is required"),
        ("/stats/overview", #"{"account_id":42,"period":"7d"}"#, "account_id must be a string, got a number"),
        ("/stats/overview", #"{"account_id":"","period":"7d"}"#, "account_id must not be empty"),
        ("/stats/overview", #"{"account_id":"a","period":"31d"}"#, "period must be one of today, yesterday"),
        ("/stats/overview", #"{"account_id":"a","period":"30D"}"#, "got \"30D\""),
        (
            "/stats/overview", #"{"account_id":"a","period":"7d","start_date":"2026-01-01","end_date":"2026-01-02"}"#,
            "either period or start_date and end_date, not both"
        ),
        ("/stats/overview", #"{"account_id":"a","start_date":"2026-01-01"}"#, "must be given together"),
        ("/stats/overview", #"{"account_id":"a","end_date":"2026-01-01"}"#, "must be given together"),
        (
            "/stats/overview", #"{"account_id":"a","start_date":"2026-01-05","end_date":"2026-01-04"}"#,
            "start_date 2026-01-05 is after end_date 2026-01-04"
        ),
        ("/stats/overview", #"{"account_id":"a","start_date":"2026-1-5","end_date":"2026-01-06"}"#, "YYYY-MM-DD"),
        ("/stats/overview", #"{"account_id":"a","start_date":"2026-02-30","end_date":"2026-03-01"}"#, "real date"),
        (
            "/stats/overview", #"{"account_id":"a","period":"7d","page_size":10}"#,
            "page_size is accepted by list endpoints only"
        ),
        (
            "/stats/pages", #"{"account_id":"a","period":"7d","page_size":0}"#,
            "page_size must be an integer from 1 to 1000, got 0"
        ),
        ("/stats/pages", #"{"account_id":"a","period":"7d","page_size":1001}"#, "got 1001"),
        (
            "/stats/sources", #"{"account_id":"a","period":"7d","page_size":101}"#,
            "page_size must be an integer from 1 to 100, got 101"
        ),
        ("/stats/pages", #"{"account_id":"a","period":"7d","page":0}"#, "page must be an integer from 1, got 0"),
        ("/stats/overview", #"{"account_id":"a","period":"7d","page":2}"#, "page is accepted by list endpoints only"),
        ("/stats/pages", #"{"account_id":"a","period":"7d","page_size":"10"}"#, "got \"10\""),
        ("/stats/pages", #"{"account_id":"a","period":"7d","page_size":2.5}"#, "got 2.5"),
        (
            "/stats/pages", #"{"account_id":"a","period":"7d","limit":10}"#,
            "unknown parameter \"limit\" for /stats/pages"
        ),
    ]

    @Test("a bad parameter fails that query only with validation_error and a precise message")
    func badParameters() async throws {
        try await withSandbox(Self.configuration) { sandbox in
            let queries = Self.badParams.enumerated().map { index, bad in
                analyticsQuery("q\(index)", bad.0, params: bad.1)
            }
            let answer = try await callAnalytics(sandbox, body: analyticsBody(queries + [analyticsQuery("good")]))
            #expect(answer.status == 200)
            let response = try answer.decode(BatchResponse.self)
            #expect(response.status == "partial")
            #expect(response.meta.failed == Self.badParams.count)
            #expect(response.results["good"]?.status == "success")
            for (index, bad) in Self.badParams.enumerated() {
                let error = try #require(response.results["q\(index)"]?.error, "\(bad.1)")
                #expect(error.code == "validation_error")
                #expect(error.message.contains(bad.2), "\(bad.1): \(error.message)")
            }
        }
    }

    @Test("page_size caps the rows, defaults to 50 and goes up to 100; rows come by entrances descending")
    func pageSize() async throws {
        let (start, end) = ("2026-01-19", "2026-02-17")
        let account = try #require(
            (0..<300).map { "site\($0)" }.first {
                AnalyticsData.rows(endpoint: "/stats/pages", account: $0, start: start, end: end, pageSize: 100).count
                    == 100
            })
        try await withSandbox(Self.configuration) { sandbox in
            let params = { (size: String) in
                #"{"account_id":"\#(account)","period":"30d"\#(size.isEmpty ? "" : ",\"page_size\":" + size)}"#
            }
            let body = analyticsBody([
                analyticsQuery("five", "/stats/pages", params: params("5")),
                analyticsQuery("default", "/stats/pages", params: params("")),
                analyticsQuery("max", "/stats/pages", params: params("100")),
                analyticsQuery("devices", "/stats/devices", params: params("2")),
            ])
            let answer = try await callAnalytics(sandbox, body: body)
            let all = AnalyticsData.rows(
                endpoint: "/stats/pages", account: account, start: start, end: end, pageSize: 100)
            #expect(try answer.analyticsRows("five", key: "page_path") == Array(all.prefix(5)))
            #expect(try answer.analyticsRows("default", key: "page_path") == Array(all.prefix(50)))
            #expect(try answer.analyticsRows("max", key: "page_path") == all)
            #expect(try answer.analyticsRows("devices", key: "device_type").count == 2)
            for (earlier, later) in zip(all, all.dropFirst()) {
                #expect(
                    earlier.entrances > later.entrances
                        || (earlier.entrances == later.entrances && earlier.key < later.key))
            }
        }
    }

    @Test("a list answers page by page in the per-endpoint form: total, page, page_size, has_next, has_prev")
    func paging() async throws {
        let (start, end) = ("2026-01-19", "2026-02-17")
        // A site with more than 100 pages: its list needs a second page of 100.
        let account = try #require(
            (0..<300).map { "site\($0)" }.first {
                AnalyticsData.rows(endpoint: "/stats/pages", account: $0, start: start, end: end).count > 150
            })
        let all = AnalyticsData.rows(endpoint: "/stats/pages", account: account, start: start, end: end)
        try await withSandbox(Self.configuration) { sandbox in
            let params = { (page: Int) in
                #"{"account_id":"\#(account)","period":"30d","page_size":100,"page":\#(page)}"#
            }
            let body = analyticsBody([
                analyticsQuery("p1", "/stats/pages", params: params(1)),
                analyticsQuery("p2", "/stats/pages", params: params(2)),
                analyticsQuery("p3", "/stats/pages", params: params(3)),
                analyticsQuery("geo", "/stats/geo/countries", params: #"{"account_id":"acme","period":"30d"}"#),
            ])
            let answer = try await callAnalytics(sandbox, body: body)
            let first = try answer.analyticsPage("p1")
            #expect(first["total"] as? Int == all.count)
            #expect(first["page"] as? Int == 1)
            #expect(first["page_size"] as? Int == 100)
            #expect(first["has_next"] as? Bool == true)
            #expect(first["has_prev"] as? Bool == false)
            let second = try answer.analyticsPage("p2")
            #expect(second["has_next"] as? Bool == false)
            #expect(second["has_prev"] as? Bool == true)
            #expect(
                try answer.analyticsRows("p1", key: "page_path") + answer.analyticsRows("p2", key: "page_path") == all)
            #expect(try answer.analyticsRows("p3", key: "page_path").isEmpty, "a page past the end is empty")
            // The published path of the countries list answers the same rows as the reference's.
            #expect(
                try answer.analyticsRows("geo", key: "country")
                    == AnalyticsData.rows(
                        endpoint: "/stats/countries", account: "acme", start: start, end: end, pageSize: 50))
            let geo = try #require(try answer.analyticsPage("geo")["data"] as? [[String: Any]])
            #expect(
                geo.contains { $0["country"] as? String == "US" && $0["country_name"] as? String == "United States" })
        }
    }

    static let dimensions: [(String, String)] = [
        ("/stats/pages", "page_path"), ("/stats/sources", "utm_source"), ("/stats/mediums", "utm_medium"),
        ("/stats/campaigns", "utm_campaign"), ("/stats/countries", "country"), ("/stats/devices", "device_type"),
        ("/stats/channels", "channel"),
    ]

    @Test("each list endpoint answers rows with its dimension key and the six metrics, equal to AnalyticsData")
    func listShapes() async throws {
        try await withSandbox(Self.configuration) { sandbox in
            let queries = Self.dimensions.enumerated().map { index, dimension in
                analyticsQuery("d\(index)", dimension.0, params: #"{"account_id":"acme","period":"90d"}"#)
            }
            let answer = try await callAnalytics(sandbox, body: analyticsBody(queries))
            for (index, (endpoint, key)) in Self.dimensions.enumerated() {
                let items = try #require(try answer.analyticsPage("d\(index)")["data"] as? [[String: Any]])
                #expect(!items.isEmpty, "\(endpoint)")
                // As published: channels add microconversions, countries their name.
                let extra: Set<String> =
                    endpoint == "/stats/channels"
                    ? ["microconversions"] : endpoint == "/stats/countries" ? ["country_name"] : []
                for item in items {
                    #expect(
                        Set(item.keys)
                            == Set([
                                key, "entrances", "engaged_entrances", "page_views", "conversions", "revenue",
                                "bounce_rate",
                            ]).union(extra))
                }
                #expect(
                    try answer.analyticsRows("d\(index)", key: key)
                        == AnalyticsData.rows(
                            endpoint: endpoint, account: "acme", start: "2025-11-20", end: "2026-02-17", pageSize: 50))
            }
            let countries = try answer.analyticsRows("d4", key: "country").map(\.key)
            #expect(countries.allSatisfy { $0.count == 2 && $0 == $0.uppercased() && $0.allSatisfy(\.isLetter) })
            let devices = try answer.analyticsRows("d5", key: "device_type").map(\.key)
            #expect(Set(devices).isSubset(of: ["desktop", "mobile", "tablet"]))
            let channels = try answer.analyticsRows("d6", key: "channel").map(\.key)
            #expect(Set(channels).isSuperset(of: ["Organic Search", "Direct"]))
        }
    }

    // MARK: - Faults

    @Test("a 429 fault answers rate_limit_exceeded with Retry-After, uncharged, then the batch runs")
    func rateLimitFault() async throws {
        try await withSandbox(Self.configuration) { sandbox in
            sandbox.setFaults([FaultRule(endpoint: "batch", count: 1, status: 429, retryAfterSeconds: 7)])
            let limited = try await callAnalytics(sandbox, body: seedBatchBody)
            #expect(limited.status == 429)
            #expect(limited.headers["retry-after"] == "7")
            #expect(limited.analyticsError?.code == "rate_limit_exceeded")
            let served = try await callAnalytics(sandbox, body: seedBatchBody)
            #expect(served.status == 200)
            let usage = sandbox.usage()
            #expect(usage.endpoints["batch"] == EndpointUsage(requests: 2, chargedRequests: 1, targets: 3))
            #expect(usage.requestLog.map(\.taskCount) == [3, 3])
        }
    }

    @Test(
        "plain status faults answer the API's error codes",
        arguments: [(500, "internal_error"), (402, "quota_exceeded"), (503, "internal_error"), (401, "unauthorized")])
    func statusFaults(_ status: Int, _ code: String) async throws {
        try await withSandbox(Self.configuration) { sandbox in
            sandbox.setFaults([FaultRule(endpoint: "*", count: 2, status: status)])
            for path in ["batch", "batch/validate"] {
                let answer = try await callAnalytics(sandbox, path, body: seedBatchBody)
                #expect(answer.status == status)
                #expect(answer.analyticsError?.code == code)
            }
            #expect(sandbox.usage().totalChargedRequests == 0)
        }
    }

    @Test("an analytics_query_error fault fails the named query and skips its dependents; the batch answers 200")
    func queryErrorFault() async throws {
        try await withSandbox(Self.configuration) { sandbox in
            sandbox.setFaults([
                FaultRule(
                    endpoint: "batch", count: 1,
                    dialect: SimulatedAnalyticsBatch.Fault(queryError: "internal_error", queryID: "overview"))
            ])
            let answer = try await callAnalytics(sandbox, body: seedBatchBody)
            #expect(answer.status == 200)
            let response = try answer.decode(BatchResponse.self)
            #expect(response.status == "partial")
            #expect(response.results["overview"]?.status == "error")
            #expect(response.results["overview"]?.error?.code == "internal_error")
            #expect(response.results["overview"]?.timingMs != nil)
            #expect(
                response.results["sources"]?.error
                    == .init(code: "dependency_failed", message: "dependency 'overview' failed"))
            #expect(response.results["pages"]?.status == "success")

            let next = try await callAnalytics(sandbox, body: seedBatchBody)
            #expect(try next.decode(BatchResponse.self).status == "completed")
            // Both batches were accepted, so both are charged.
            #expect(sandbox.usage().endpoints["batch"] == EndpointUsage(requests: 2, chargedRequests: 2, targets: 6))
        }
    }

    @Test(
        "without analytics_query_id the first query in execution order fails; validate and other providers are untouched"
    )
    func queryErrorFaultFirst() async throws {
        try await withSandbox(Self.configuration) { sandbox in
            sandbox.setFaults([
                FaultRule(endpoint: "*", dialect: SimulatedAnalyticsBatch.Fault(queryError: "validation_error"))
            ])
            let planned = try await callAnalytics(sandbox, "batch/validate", body: seedBatchBody)
            #expect(planned.status == 200)
            let ahrefs = try await call(sandbox, "/v3/site-explorer/batch/metrics", body: domainBody(["example.com"]))
            #expect(ahrefs.status == 200)

            let body = analyticsBody(
                [
                    analyticsQuery("late", dependsOn: ["early"]), analyticsQuery("early"), analyticsQuery("other"),
                ], options: #""fail_fast":true"#)
            let answer = try await callAnalytics(sandbox, body: body)
            let response = try answer.decode(BatchResponse.self)
            #expect(response.results["early"]?.error?.code == "validation_error")
            #expect(response.results["early"]?.error?.message.contains("injected") == true)
            #expect(response.results["other"]?.status == "success")
            #expect(response.results["late"]?.error?.code == "fail_fast")
        }
    }

    @Test("the faults control route takes analytics_query_error and analytics_query_id and checks them")
    func queryErrorFaultOverHTTP() async throws {
        try await withSandbox(Self.configuration) { sandbox in
            let install = try await call(
                sandbox, "/_sandbox/faults",
                body:
                    #"[{"endpoint":"batch","count":1,"analytics_query_error":"rate_limit_exceeded","analytics_query_id":"pages"}]"#,
                token: nil)
            #expect(install.status == 200)
            let installed = try await call(sandbox, "/_sandbox/faults", method: "GET", token: nil, contentType: nil)
            #expect(
                try installed.decodeAsIs([FaultRule].self) == [
                    FaultRule(
                        endpoint: "batch", count: 1,
                        dialect: SimulatedAnalyticsBatch.Fault(queryError: "rate_limit_exceeded", queryID: "pages"))
                ])
            let answer = try await callAnalytics(sandbox, body: seedBatchBody)
            let response = try answer.decode(BatchResponse.self)
            #expect(response.results["pages"]?.error?.code == "rate_limit_exceeded")
            #expect(response.results["overview"]?.status == "success")

            for bad in [
                #"[{"analytics_query_error":""}]"#, #"[{"analytics_query_id":"a"}]"#,
                #"[{"analytics_query_error":"internal_error","status":500}]"#,
                #"[{"analytics_query_error":"internal_error","ahrefs_v2_error":"no credit"}]"#,
            ] {
                let refused = try await call(sandbox, "/_sandbox/faults", body: bad, token: nil)
                #expect(refused.status == 400, "\(bad)")
                #expect(refused.errorMessage?.contains("analytics_query") == true, "\(bad): \(refused.body)")
            }
        }
    }
}
