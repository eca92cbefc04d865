import Foundation
import Testing

@testable import Providers
@testable import SeopipeCore

/// The analytics Batch API client: batch bodies, id mapping, grouping, classification (seed: analytics-batch-api.txt).
@Suite("Analytics Batch API requests and results")
struct AnalyticsBatchProviderTests {
    let driver = AnalyticsBatchProvider()
    var spec: EndpointSpec { driver.endpoint(named: "batch")! }

    func context(_ params: [String: ParamValue], options: RunOptions = RunOptions()) -> RequestContext {
        let stage = Stage(
            id: "own_traffic", dependsOn: [], provider: "analytics", endpoint: "batch", targets: .list([]),
            params: params, table: "analytics_overview_daily", location: Fixtures.location)
        let provider = ProviderConfig(
            name: "analytics", kind: "analytics-batch", baseURL: "https://my.sealmetrics.com/api/v1",
            credentials: ["api_key": Secret("sm_KEY-123")], rateLimit: RateLimit(requests: 240, per: .seconds(60)),
            retry: RetryPolicy(), budget: Budget())
        return RequestContext(
            stage: stage, provider: provider, snapshotDate: SnapshotDate("2026-11-20")!, options: options)
    }

    static let params: [String: ParamValue] = [
        "queries": .list(["overview", "pages", "sources"]), "periods": .list(["yesterday", "7d"]),
        "depends_on": .list(["pages:overview"]), "page_size": .string("20"),
    ]

    func accounts(_ names: [String]) -> [Target] { names.map { Target(original: $0, normalized: $0) } }

    @Test("groups of (account, period) are never split: 120 queries in groups of 6 go out as 3 batches")
    func grouping() {
        let params: [String: ParamValue] = [
            "queries": .list(["overview", "pages", "sources", "countries", "devices", "channels"]),
            "periods": .list(["yesterday", "7d"]),
        ]
        let chunks = driver.chunks(
            accounts((1...10).map { "site\($0)" }), size: 50, endpoint: spec, context: context(params))
        #expect(chunks.map(\.targets.count) == [8, 8, 4], "8 groups of 6 = 48 queries fit in 50")
        #expect(chunks.flatMap(\.targets).count == 20)
    }

    @Test(
        "the body is the seed's shape: alphanumeric ids, endpoints, explicit dates, depends_on inside the group, options"
    )
    func body() throws {
        let ctx = context(Self.params, options: RunOptions(failFast: true, parallelLimit: 3, includeTiming: false))
        let chunk = driver.chunks(accounts(["acme"]), size: 50, endpoint: spec, context: ctx)[0]
        let request = try driver.makeRequest(for: chunk, endpoint: spec, context: ctx)
        #expect(request.http.url == "https://my.sealmetrics.com/api/v1/batch")
        #expect(request.http.headers.contains { $0.name == "X-API-Key" && $0.value == "sm_KEY-123" })
        #expect(request.http.headers.contains { $0.name == "Content-Type" && $0.value == "application/json" })
        let json = try #require(try JSONSerialization.jsonObject(with: Data(request.http.body)) as? [String: Any])
        #expect(Set(json.keys) == ["queries", "options"])
        let options = try #require(json["options"] as? [String: Any])
        #expect(options["fail_fast"] as? Bool == true)
        #expect(options["parallel_limit"] as? Int == 3)
        #expect(options["include_timing"] as? Bool == false)
        let queries = try #require(json["queries"] as? [[String: Any]])
        #expect(queries.count == 6)
        for query in queries {
            let id = try #require(query["id"] as? String)
            #expect(!id.isEmpty && id.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }, "\(id)")
            #expect(Set(query.keys).isSubset(of: ["id", "endpoint", "params", "depends_on"]))
        }
        #expect(Set(queries.compactMap { $0["id"] as? String }).count == 6, "ids are unique")
        let pages = try #require(queries.first { ($0["endpoint"] as? String) == "/stats/pages" })
        let params = try #require(pages["params"] as? [String: Any])
        #expect(params["account_id"] as? String == "acme")
        #expect(params["start_date"] as? String == "2026-11-19" && params["end_date"] as? String == "2026-11-19")
        #expect(params["page_size"] as? Int == 20)
        let overviewID = queries.first { ($0["endpoint"] as? String) == "/stats/overview" }?["id"] as? String
        #expect(pages["depends_on"] as? [String] == [overviewID].compactMap { $0 })
        let overview = try #require(queries.first { ($0["endpoint"] as? String) == "/stats/overview" })
        #expect((overview["params"] as? [String: Any])?["page_size"] == nil, "overview takes no page_size")
        #expect(!String(decoding: request.http.body, as: UTF8.self).contains("sm_KEY-123"))
    }

    @Test("a skipped query names its dependency by query name, even with ids that prefix each other")
    func skippedNamesDependency() throws {
        let ctx = context([
            "queries": .list(["overview", "pages"]), "periods": .list(["yesterday"]),
            "depends_on": .list(["pages:overview"]),
        ])
        let chunk = driver.chunks(accounts((1...11).map { "a\($0)" }), size: 50, endpoint: spec, context: ctx)[0]
        #expect(chunk.targets.count == 11)
        var results: [String: Any] = [:]
        for group in 0..<11 {
            let overview = AnalyticsBatchProvider.queryID(stage: "own_traffic", query: .overview, group: group)
            let pages = AnalyticsBatchProvider.queryID(stage: "own_traffic", query: .pages, group: group)
            results[overview] =
                group == 10
                ? ["status": "error", "error": ["code": "validation_error", "message": "bad account"]]
                : [
                    "status": "success",
                    "data": [
                        "entrances": 1, "page_views": 0, "engaged_entrances": 0,
                        "bounce_rate": 0.0, "conversions": 0, "revenue": 0.0, "microconversions": 0,
                    ],
                ]
            results[pages] =
                group == 10
                ? [
                    "status": "skipped",
                    "error": ["code": "dependency_failed", "message": "dependency '\(overview)' failed"],
                ]
                : ["status": "success", "data": [["page_path": "/", "entrances": 1]]]
        }
        let body = try JSONSerialization.data(withJSONObject: [
            "batch_id": "x", "status": "partial", "results": results,
        ])
        let response = HTTPResponseData(status: 200, headers: [], body: Array(body))
        #expect(driver.classify(response) == .success, "a query's validation error is that query's own")
        let payload = try driver.decode(
            response, chunk: chunk, endpoint: spec, context: ctx,
            stamp: RowStamp(snapshotDate: ctx.snapshotDate, fetchedAt: "2026-11-20T05:00:00Z", runID: "r"))
        #expect(payload.factRows == 20, "10 overview rows and 10 page rows")
        #expect(payload.targetFailures.count == 2)
        let skip = try #require(payload.targetFailures.first { $0.target == "a11 yesterday pages" })
        #expect(skip.message == "skipped (dependency_failed: dependency 'overview' failed)")
        // Foundation bridges 0 and 1 to Bool: they still load as numbers.
        let overview = payload.rows
        #expect(overview.row(0)[overview.columns.firstIndex(of: "page_views")!] == .integer(0))
        #expect(overview.row(0)[overview.columns.firstIndex(of: "entrances")!] == .integer(1))
    }

    @Test(
        "classifies the documented error codes",
        arguments: [
            (429, "rate_limit_exceeded", "retryable"), (500, "internal_error", "retryable"),
            (402, "quota_exceeded", "exhausted"), (400, "validation_error", "fatal"), (401, "unauthorized", "fatal"),
        ])
    func errors(status: Int, code: String, expected: String) throws {
        let body = try JSONSerialization.data(withJSONObject: ["error": ["code": code, "message": "m"]])
        let verdict = driver.classify(
            HTTPResponseData(status: status, headers: [("Retry-After", "2")], body: Array(body)))
        switch (verdict, expected) {
        case (.retryable, "retryable"), (.exhausted, "exhausted"), (.fatal, "fatal"): break
        default: Issue.record("\(code): \(verdict)")
        }
        if case .retryable(let message, let retryAfter) = verdict {
            #expect(message.contains(code))
            #expect(retryAfter == .seconds(2))
        }
    }

    @Test("a query that hit the rate limit makes the whole batch retryable")
    func queryRateLimit() throws {
        let body = try JSONSerialization.data(withJSONObject: [
            "results": [
                "a": ["status": "success", "data": [:] as [String: Any]],
                "b": ["status": "error", "error": ["code": "rate_limit_exceeded", "message": "slow down"]],
            ]
        ])
        guard case .retryable = driver.classify(HTTPResponseData(status: 200, headers: [], body: Array(body))) else {
            Issue.record("not retryable")
            return
        }
    }

    @Test("mutated batch answers decode or fail with ProviderDecodingError; never a crash")
    func fuzzedAnswers() throws {
        let ctx = context(["queries": .list(["overview", "pages"]), "periods": .list(["yesterday"])])
        let chunk = driver.chunks(accounts(["acme", "globex", "initech"]), size: 50, endpoint: spec, context: ctx)[0]
        var results: [String: Any] = [:]
        for group in 0..<3 {
            results[AnalyticsBatchProvider.queryID(stage: "own_traffic", query: .overview, group: group)] = [
                "status": "success",
                "data": [
                    "entrances": 12, "page_views": 30, "engaged_entrances": 7,
                    "bounce_rate": 41.5, "conversions": 2, "revenue": 19.9, "microconversions": 4,
                ],
            ]
            results[AnalyticsBatchProvider.queryID(stage: "own_traffic", query: .pages, group: group)] = [
                "status": "success",
                "data": [["page_path": "/", "entrances": 9], ["page_path": "/pricing", "entrances": 3]],
            ]
        }
        let body = String(
            decoding: try JSONSerialization.data(
                withJSONObject: ["batch_id": "b1", "status": "completed", "results": results], options: [.sortedKeys]),
            as: UTF8.self)
        let stamp = RowStamp(snapshotDate: ctx.snapshotDate, fetchedAt: "2026-11-20T05:00:00Z", runID: "r")
        _ = try driver.decode(
            HTTPResponseData(status: 200, headers: [], body: Array(body.utf8)), chunk: chunk,
            endpoint: spec, context: ctx, stamp: stamp)
        var mutator = Mutator(seed: 11)
        var refused = 0
        for round in 0..<2000 {
            do {
                _ = try driver.decode(
                    HTTPResponseData(status: 200, headers: [], body: mutator.mutate(body)), chunk: chunk,
                    endpoint: spec,
                    context: ctx, stamp: stamp)
            } catch {
                refused += 1
                #expect(error is ProviderDecodingError, "round \(round): \(type(of: error)) \(error)")
            }
        }
        #expect(refused > 0)
    }
}

/// List queries page by page (docs.sealmetrics.com/api/pagination-sorting): every documented form of a page, the
/// cursor to the next page, `max_rows`, and the pages `plan` counts.
@Suite("Analytics Batch API list pages")
struct AnalyticsListPageTests {
    let driver = AnalyticsBatchProvider()
    var spec: EndpointSpec { driver.endpoint(named: "batch")! }
    let base = AnalyticsBatchProviderTests()

    func id(_ query: AnalyticsBatchProvider.Query, group: Int = 0) -> String {
        AnalyticsBatchProvider.queryID(stage: "own_traffic", query: query, group: group)
    }

    func decode(_ results: [String: Any], chunk: Chunk, context: RequestContext) throws -> ChunkPayload {
        let body = try JSONSerialization.data(withJSONObject: ["results": results])
        return try driver.decode(
            HTTPResponseData(status: 200, headers: [], body: Array(body)), chunk: chunk, endpoint: spec,
            context: context,
            stamp: RowStamp(snapshotDate: context.snapshotDate, fetchedAt: "2026-11-20T05:00:00Z", runID: "r"))
    }

    static func rows(_ range: Range<Int>) -> [[String: Any]] {
        range.map { ["page_path": "/p\($0)", "entrances": 1000 - $0, "page_views": 2000 - $0] }
    }

    @Test("rows beside the paging members, the page object, and plain rows all load; has_next makes a cursor")
    func forms() throws {
        let ctx = base.context([
            "queries": .list(["pages"]), "periods": .list(["yesterday"]), "page_size": .string("3"),
        ])
        let chunk = driver.chunks(base.accounts(["acme"]), size: 50, endpoint: spec, context: ctx)[0]
        let beside: [String: Any] = [
            "status": "success", "data": Self.rows(0..<3), "total": 7, "page": 1, "page_size": 3, "has_next": true,
            "has_prev": false,
        ]
        let object: [String: Any] = [
            "status": "success",
            "data": ["data": Self.rows(0..<3), "total": 7, "page": 1, "page_size": 3, "has_next": true]
                as [String: Any],
        ]
        let plain: [String: Any] = ["status": "success", "data": Self.rows(0..<2)]
        let firstRow = StableHash.fnv1a64Hex(Array("/p0".utf8))
        for (result, cursor) in [(beside, "pages:0:\(firstRow)"), (object, "pages:0:\(firstRow)"), (plain, nil)] {
            let payload = try decode([id(.pages): result], chunk: chunk, context: ctx)
            #expect(payload.rows.rowCount == (cursor == nil ? 2 : 3))
            #expect(payload.nextCursor == cursor)
            #expect(payload.rows.replaceKeys.count == 1, "the first page replaces the account's list")
        }
        // Without has_next, `total` decides; without both, a full page asks for the next.
        let byTotal: [String: Any] = ["status": "success", "data": Self.rows(0..<3), "total": 3]
        #expect(try decode([id(.pages): byTotal], chunk: chunk, context: ctx).nextCursor == nil)
        let full: [String: Any] = ["status": "success", "data": Self.rows(0..<3)]
        #expect(try decode([id(.pages): full], chunk: chunk, context: ctx).nextCursor == "pages:0:\(firstRow)")
        // `total` reached ends the list even when has_next says otherwise; `data: null` is an empty page.
        let reached: [String: Any] = ["status": "success", "data": Self.rows(0..<3), "total": 3, "has_next": true]
        #expect(try decode([id(.pages): reached], chunk: chunk, context: ctx).nextCursor == nil)
        let null: [String: Any] = ["status": "success", "data": NSNull(), "total": 0]
        let empty = try decode([id(.pages): null], chunk: chunk, context: ctx)
        #expect(empty.rows.rowCount == 0)
        #expect(empty.nextCursor == nil)
        #expect(empty.targetFailures.isEmpty)
    }

    @Test("a server that answers the same rows for every page is caught on page 2, not bought forever")
    func samePageAgain() throws {
        let ctx = base.context([
            "queries": .list(["pages"]), "periods": .list(["yesterday"]), "page_size": .string("3"),
        ])
        let chunk = driver.chunks(base.accounts(["acme"]), size: 50, endpoint: spec, context: ctx)[0]
        // Plain full pages, no paging members: each looks like "more follow".
        let answer: [String: Any] = ["status": "success", "data": Self.rows(0..<3)]
        let first = try decode([id(.pages): answer], chunk: chunk, context: ctx)
        let cursor = try #require(first.nextCursor)
        let second = try decode(
            [id(.pages): answer], chunk: Chunk(index: 0, targets: chunk.targets, page: 1, cursor: cursor), context: ctx)
        #expect(second.nextCursor == nil)
        #expect(second.targetFailures.first?.message.contains("does not page this list") == true)
    }

    @Test("max_rows is part of the request's checkpoint key; page_size is always sent")
    func maxRowsInHash() throws {
        let params: [String: ParamValue] = ["queries": .list(["overview", "pages"]), "periods": .list(["yesterday"])]
        let chunk = driver.chunks(
            base.accounts(["acme"]), size: 50, endpoint: spec, context: base.context(params))[0]
        let plain = try driver.makeRequest(for: chunk, endpoint: spec, context: base.context(params))
        var capped = params
        capped["max_rows"] = .string("60")
        let cappedRequest = try driver.makeRequest(for: chunk, endpoint: spec, context: base.context(capped))
        #expect(plain.http.body == cappedRequest.http.body, "max_rows is not sent")
        #expect(plain.requestHash != cappedRequest.requestHash)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(plain.http.body)) as? [String: Any])
        let pages = try #require(
            (json["queries"] as? [[String: Any]])?.first { $0["endpoint"] as? String == "/stats/pages" })
        #expect((pages["params"] as? [String: Any])?["page_size"] as? Int == 50, "the API's default, sent")
    }

    @Test("a later page asks only for the lists its cursor names, with page and no depends_on, and appends")
    func laterPage() throws {
        let ctx = base.context([
            "queries": .list(["overview", "pages", "sources"]), "periods": .list(["yesterday"]),
            "depends_on": .list(["pages:overview"]), "page_size": .string("3"),
        ])
        let first = driver.chunks(base.accounts(["acme", "globex"]), size: 50, endpoint: spec, context: ctx)[0]
        let second = Chunk(index: first.index, targets: first.targets, page: 1, cursor: "pages:1")
        let request = try driver.makeRequest(for: second, endpoint: spec, context: ctx)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(request.http.body)) as? [String: Any])
        let queries = try #require(json["queries"] as? [[String: Any]])
        #expect(queries.count == 1)
        #expect(queries.first?["id"] as? String == id(.pages, group: 1))
        #expect(queries.first?["depends_on"] == nil)
        let params = try #require(queries.first?["params"] as? [String: Any])
        #expect(params["page"] as? Int == 2)
        #expect(params["page_size"] as? Int == 3)
        #expect(params["account_id"] as? String == "globex")

        let payload = try decode(
            [id(.pages, group: 1): ["status": "success", "data": Self.rows(3..<5), "page": 2, "has_next": false]],
            chunk: second, context: ctx)
        let pages = try #require(payload.related.first { $0.table == "analytics_pages_daily" })
        #expect(pages.rowCount == 2)
        #expect(pages.replaceKeys.isEmpty, "page 2 adds to page 1's rows")
        #expect(payload.nextCursor == nil)
    }

    @Test("max_rows trims the last page and ends the list; plan counts the pages max_rows allows")
    func maxRows() throws {
        let ctx = base.context([
            "queries": .list(["overview", "pages", "conversions"]), "periods": .list(["yesterday"]),
            "max_rows": .string("5"),
        ])
        let chunk = driver.chunks(base.accounts(["acme"]), size: 50, endpoint: spec, context: ctx)[0]
        // page_size unset: 50 a page for pages (one page), 20 for conversions (one page): nothing more to plan.
        #expect(driver.plannedPages(after: chunk, endpoint: spec, context: ctx).isEmpty)
        let small = base.context([
            "queries": .list(["overview", "pages", "devices"]), "periods": .list(["yesterday"]),
            "max_rows": .string("5"),
            "page_size": .string("2"),
        ])
        let planned = driver.plannedPages(after: chunk, endpoint: spec, context: small)
        #expect(planned.map(\.page) == [1, 2], "5 rows at 2 a page: pages 2 and 3")
        #expect(planned.allSatisfy { $0.cursor == "pages:0" }, "devices is not paged")

        let third = Chunk(index: 0, targets: chunk.targets, page: 2, cursor: "pages:0")
        let payload = try decode(
            [id(.pages): ["status": "success", "data": Self.rows(4..<6), "page": 3, "has_next": true]], chunk: third,
            context: small)
        let pages = ([payload.rows] + payload.related).first { $0.table == "analytics_pages_daily" }
        #expect(pages?.rowCount == 1, "rows 5 of 5: the sixth is past max_rows")
        #expect(payload.nextCursor == nil)
    }

    @Test("a server that ignores `page` is not paged forever: the page it answered is named")
    func ignoredPage() throws {
        let ctx = base.context([
            "queries": .list(["pages"]), "periods": .list(["yesterday"]), "page_size": .string("3"),
        ])
        let second = Chunk(
            index: 0,
            targets: driver.chunks(base.accounts(["acme"]), size: 50, endpoint: spec, context: ctx)[0].targets,
            page: 1, cursor: "pages:0")
        let payload = try decode(
            [id(.pages): ["status": "success", "data": Self.rows(0..<3), "page": 1, "has_next": true]], chunk: second,
            context: ctx)
        #expect(payload.nextCursor == nil)
        #expect(payload.targetFailures.first?.message.contains("answered page 1") == true)
    }

    @Test("published shapes: overview totals under traffic, conversions as count, devices as by_device, path rows")
    func publishedShapes() throws {
        let ctx = base.context([
            "queries": .list(["overview", "pages", "devices", "conversions"]), "periods": .list(["yesterday"]),
        ])
        let chunk = driver.chunks(base.accounts(["acme"]), size: 50, endpoint: spec, context: ctx)[0]
        let payload = try decode(
            [
                id(.overview): [
                    "status": "success",
                    "data": [
                        "date_range": ["start_date": "2026-11-19", "end_date": "2026-11-19", "days": 1],
                        "traffic": [
                            "entrances": 120, "engaged_entrances": 70, "page_views": 290, "microconversions": 9,
                            "conversions": 2, "revenue": 150.5, "bounce_rate": 41.7,
                        ],
                        "conversions": ["conversions": 2, "revenue": 150.5, "microconversions": 9],
                    ] as [String: Any],
                ],
                id(.pages): [
                    "status": "success",
                    "data": [["path": "/", "content_grouping": "home", "page_views": 5, "entrances": 4]],
                ],
                id(.devices): [
                    "status": "success",
                    "data": [
                        "by_device": [["device": "desktop", "entrances": 80, "percentage": 66.7]],
                        "by_os": [["os": "Linux", "entrances": 80, "percentage": 66.7]],
                    ],
                ],
                id(.conversions): [
                    "status": "success",
                    "data": [["conversion_type": "purchase", "count": 2, "revenue": 150.5, "avg_value": 75.25]],
                    "total": 1, "page": 1, "page_size": 20, "has_next": false, "has_prev": false,
                ],
            ], chunk: chunk, context: ctx)
        #expect(payload.targetFailures.isEmpty)
        func only(_ table: String, _ column: String) -> SQLValue? {
            ([payload.rows] + payload.related).first { $0.table == table && $0.rowCount > 0 }.map { batch in
                batch.row(0)[batch.columns.firstIndex(of: column)!]
            }
        }
        #expect(only("analytics_overview_daily", "entrances") == .integer(120))
        #expect(only("analytics_overview_daily", "conversions") == .integer(2))
        #expect(only("analytics_overview_daily", "microconversions") == .integer(9))
        #expect(only("analytics_overview_daily", "revenue") == .real(150.5))
        #expect(only("analytics_pages_daily", "page_path") == .text("/"))
        #expect(only("analytics_devices_daily", "device_type") == .text("desktop"))
        #expect(only("analytics_devices_daily", "entrances") == .integer(80))
        #expect(only("analytics_conversions_daily", "conversions") == .integer(2))
        #expect(payload.nextCursor == nil)
    }
}
