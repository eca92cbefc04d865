import Foundation
import Providers
import SeopipeCore
import Testing

/// The endpoints Ahrefs publishes: the requests seopipe sends and how their answers load.
@Suite("Ahrefs v3 published endpoints")
struct AhrefsV3PublishedTests {
    let driver = AhrefsV3Provider()

    func context(
        _ endpoint: AhrefsV3Provider.Endpoint, params: [String: ParamValue] = [:], date: String = "2026-02-18",
        range: ClosedRange<SnapshotDate>? = nil
    ) -> RequestContext {
        var context = Fixtures.context(endpoint, params: params, date: date)
        context.stage.dateRange = range
        return context
    }

    func request(
        _ endpoint: AhrefsV3Provider.Endpoint, _ targets: [String], params: [String: ParamValue] = [:],
        range: ClosedRange<SnapshotDate>? = nil
    ) throws -> ProviderRequest {
        try driver.makeRequest(
            for: Fixtures.chunk(targets), endpoint: Fixtures.spec(endpoint),
            context: context(endpoint, params: params, range: range))
    }

    func decode(
        _ endpoint: AhrefsV3Provider.Endpoint, _ targets: [String], params: [String: ParamValue] = [:],
        range: ClosedRange<SnapshotDate>? = nil, headers: [(String, String)] = [], _ body: String
    ) throws -> ChunkPayload {
        try driver.decode(
            Fixtures.response(headers: headers, body), chunk: Fixtures.chunk(targets),
            endpoint: Fixtures.spec(endpoint), context: context(endpoint, params: params, range: range),
            stamp: Fixtures.stamp)
    }

    static func dates(_ from: String, _ to: String) -> ClosedRange<SnapshotDate> {
        SnapshotDate(from)!...SnapshotDate(to)!
    }

    // MARK: - Requests

    @Test("batch-analysis posts target objects, the stage's mode or each target's default, and the echo fields")
    func batchAnalysisBody() throws {
        let request = try request(.batchAnalysis, ["example.com", "https://example.com/blog/"])
        #expect(request.http.method == "POST")
        #expect(request.http.url == "https://api.ahrefs.com/v3/batch-analysis/batch-analysis")
        let body = try #require(try JSONSerialization.jsonObject(with: Data(request.http.body)) as? [String: Any])
        #expect(Set(body.keys) == ["targets", "select"], "no date, no field the document does not list")
        let targets = try #require(body["targets"] as? [[String: String]])
        #expect(
            targets == [
                ["url": "example.com", "mode": "subdomains", "protocol": "both"],
                ["url": "https://example.com/blog/", "mode": "exact", "protocol": "both"],
            ])
        let select = try #require(body["select"] as? [String])
        #expect(
            select == [
                "index", "url", "mode", "protocol", "domain_rating", "url_rating", "ahrefs_rank", "backlinks",
                "refdomains", "org_keywords", "org_traffic",
            ])

        let tuned = try self.request(
            .batchAnalysis, ["example.com"],
            params: [
                "mode": .string("domain"), "protocol": .string("https"), "country": .string("GB"),
                "volume_mode": .string("average"), "select": .list(["org_cost", "refips"]),
            ])
        let tunedBody = try #require(try JSONSerialization.jsonObject(with: Data(tuned.http.body)) as? [String: Any])
        #expect(tunedBody["country"] as? String == "gb")
        #expect(tunedBody["volume_mode"] as? String == "average")
        #expect(tunedBody["select"] as? [String] == ["index", "url", "mode", "protocol", "org_cost", "refips"])
        #expect(
            tunedBody["targets"] as? [[String: String]] == [
                ["url": "example.com", "mode": "domain", "protocol": "https"]
            ])
    }

    @Test("the dated GETs send one target and the snapshot date in the query, never a body")
    func datedQueries() throws {
        let rating = try request(.domainRating, ["example.com"])
        #expect(rating.http.method == "GET")
        #expect(rating.http.body.isEmpty)
        #expect(
            rating.http.url
                == "https://api.ahrefs.com/v3/site-explorer/domain-rating?target=example.com&date=2026-02-18")
        #expect(rating.http.headers.contains { $0.name == "Authorization" && $0.value == "Bearer \(Fixtures.token)" })
        let metrics = try request(.siteMetrics, ["https://example.com/a b"], params: ["country": .string("US")])
        #expect(
            metrics.http.url
                == "https://api.ahrefs.com/v3/site-explorer/metrics?target=https%3A%2F%2Fexample.com%2Fa%20b"
                + "&date=2026-02-18&mode=exact&protocol=both&country=us")
        let stats = try request(.backlinksStats, ["example.com"], params: ["mode": .string("domain")])
        #expect(
            stats.http.url
                == "https://api.ahrefs.com/v3/site-explorer/backlinks-stats?target=example.com&date=2026-02-18"
                + "&mode=domain&protocol=both")
    }

    @Test("a history GET asks for the stage's range, or the snapshot date alone, grouped by day")
    func historyQueries() throws {
        let range = try request(.domainRatingHistory, ["example.com"], range: Self.dates("2026-01-01", "2026-03-31"))
        #expect(
            range.http.url
                == "https://api.ahrefs.com/v3/site-explorer/domain-rating-history?target=example.com"
                + "&date_from=2026-01-01&date_to=2026-03-31&history_grouping=daily")
        let single = try request(.refdomainsHistory, ["example.com"])
        #expect(single.http.url.contains("date_from=2026-02-18&date_to=2026-02-18&history_grouping=daily"))
        let metrics = try request(.metricsHistory, ["example.com"])
        #expect(metrics.http.url.contains("select=date,org_traffic,org_cost,paid_traffic,paid_cost"))
        #expect(range.requestHash != (try request(.domainRatingHistory, ["example.com"])).requestHash)
    }

    @Test("keywords-explorer/overview sends its keywords comma-separated with select and country")
    func keywordsQuery() throws {
        let request = try request(.keywordsOverview, ["seo tools", "café"], params: ["country": .string("us")])
        #expect(
            request.http.url
                == "https://api.ahrefs.com/v3/keywords-explorer/overview?select=keyword,volume,difficulty,cpc,"
                + "traffic_potential,global_volume,parent_topic&country=us&keywords=seo%20tools,caf%C3%A9")
    }

    @Test("keywords-explorer/overview packs up to 1000 keywords a request, fewer when the URL would grow too long")
    func keywordChunks() {
        let spec = Fixtures.spec(.keywordsOverview)
        let context = context(.keywordsOverview, params: ["country": .string("us")])
        let short = (0..<2500).map { Target(original: "k\($0)", normalized: "k\($0)") }
        #expect(
            driver.chunks(short, size: spec.maxBatchSize, endpoint: spec, context: context).map(\.targets.count)
                == [1000, 1000, 500])
        let long = (0..<300).map { index in
            let keyword = "a fairly long keyword phrase number \(index)"
            return Target(original: keyword, normalized: keyword)
        }
        let chunks = driver.chunks(long, size: spec.maxBatchSize, endpoint: spec, context: context)
        #expect(chunks.count > 1)
        #expect(chunks.flatMap(\.targets) == long, "every keyword once, in order")
        for chunk in chunks {
            let value = chunk.targets.map { QueryEncoding.encode($0.normalized) }.joined(separator: ",")
            #expect(value.utf8.count <= AhrefsV3Provider.maxKeywordBytes)
        }
    }

    @Test("a keyword with a comma is refused for keywords-explorer/overview, which separates keywords by commas")
    func commaKeyword() {
        guard case .failure(let failure) = driver.normalize("seo, tools", for: Fixtures.spec(.keywordsOverview)) else {
            Issue.record("a comma must be refused")
            return
        }
        #expect(failure.message.contains("comma"))
    }

    @Test("plan estimates max(50, rows x the selected fields' units), history rows one per date")
    func estimates() {
        let chunk = Fixtures.chunk((0..<100).map { "d\($0).com" })
        // index, url, mode, protocol (4) + domain_rating, url_rating, ahrefs_rank, backlinks (4) + refdomains (5)
        // + org_keywords (1) + org_traffic (10) = 24 units a row.
        #expect(
            driver.estimate(for: chunk, endpoint: Fixtures.spec(.batchAnalysis), context: context(.batchAnalysis))
                .units == 2400)
        let one = Fixtures.chunk(["example.com"])
        #expect(
            driver.estimate(for: one, endpoint: Fixtures.spec(.domainRating), context: context(.domainRating))
                .units == 50)
        let ninety = context(.domainRatingHistory, range: Self.dates("2026-01-01", "2026-03-31"))
        #expect(driver.estimate(for: one, endpoint: Fixtures.spec(.domainRatingHistory), context: ninety).units == 180)
    }

    // MARK: - Answers

    @Test("batch-analysis rows match their targets by url, else by index, and keep every documented field typed")
    func batchAnalysisRows() throws {
        let payload = try decode(
            .batchAnalysis, ["a.com", "b.com", "c.com"],
            headers: [("x-api-units-cost-total", "300"), ("x-api-units-cost-total-actual", "0")],
            """
            {"targets": [
              {"index": 1, "url": "b.com", "mode": "subdomains", "protocol": "both", "domain_rating": 71.5,
               "backlinks": 1200, "org_traffic_top_by_country": [["us", 900]], "ip": null, "refdomains": "many"},
              {"index": 0, "mode": "subdomains", "protocol": "both", "domain_rating": 12}
            ]}
            """)
        #expect(payload.rows.table == "ahrefs_batch_analysis")
        let b = try #require(payload.rows.record(where: "target", is: "b.com"))
        #expect(b["domain_rating"] == .real(71.5))
        #expect(b["backlinks"] == .integer(1200))
        #expect(b["org_traffic_top_by_country"] == .text(#"[["us",900]]"#))
        #expect(b["ip"] == .null)
        #expect(b["refdomains"] == .null, "a value of another type than documented loads as null")
        #expect(b["mode"] == .text("subdomains"))
        let a = try #require(payload.rows.record(where: "target", is: "a.com"), "matched by its index")
        #expect(a["domain_rating"] == .real(12))
        #expect(payload.targetFailures.map(\.target) == ["c.com"])
        #expect(payload.units == 0, "the actual cost (a cache hit is free) wins over the total")
    }

    @Test("a history answer loads one row per date of the range, each stamped with its own date")
    func historyRows() throws {
        let payload = try decode(
            .domainRatingHistory, ["example.com"], range: Self.dates("2026-01-01", "2026-01-02"),
            headers: [("x-api-units-cost-total", "50")],
            """
            {"domain_ratings": [
              {"date": "2025-12-31", "domain_rating": 40.0},
              {"date": "2026-01-01", "domain_rating": 41.5},
              {"date": "2026-01-02", "domain_rating": 42}
            ]}
            """)
        #expect(payload.rows.table == "ahrefs_domain_rating")
        #expect(payload.rows.columns.contains("ahrefs_rank") == false, "the history has no rank: it is left alone")
        #expect(payload.rows.rowCount == 2, "a row outside the range asked for is not loaded")
        #expect(payload.rows.record(where: "snapshot_date", is: "2026-01-01")?["domain_rating"] == .real(41.5))
        #expect(payload.rows.record(where: "snapshot_date", is: "2026-01-02")?["domain_rating"] == .real(42))
        #expect(payload.units == 50)
    }

    @Test("metrics-history and refdomains-history load the dated endpoints' tables")
    func historyTables() throws {
        let metrics = try decode(
            .metricsHistory, ["example.com"],
            #"{"metrics": [{"date": "2026-02-18", "org_traffic": 10, "org_cost": 250, "paid_traffic": 0, "paid_cost": null}]}"#
        )
        #expect(metrics.rows.table == "ahrefs_domain_metrics")
        let row = metrics.rows.record(0)
        #expect(row["org_cost"] == .integer(250))
        #expect(row["paid_cost"] == .null)
        #expect(row["mode"] == .text("subdomains"))
        let refdomains = try decode(
            .refdomainsHistory, ["example.com"], #"{"refdomains": [{"date": "2026-02-18", "refdomains": 77}]}"#)
        #expect(refdomains.rows.table == "ahrefs_backlinks_stats")
        #expect(refdomains.rows.record(0)["live_refdomains"] == .integer(77))
        #expect(refdomains.units == 50, "no header: estimated as max(50, rows x 6)")
    }

    @Test("the dated endpoints load one row for their target and the snapshot date")
    func datedRows() throws {
        let rating = try decode(
            .domainRating, ["example.com"], #"{"domain_rating": {"domain_rating": 65.2, "ahrefs_rank": null}}"#)
        #expect(rating.rows.record(0)["domain_rating"] == .real(65.2))
        #expect(rating.rows.record(0)["ahrefs_rank"] == .null)
        #expect(rating.rows.record(0)["snapshot_date"] == .text("2026-02-18"))
        let stats = try decode(
            .backlinksStats, ["example.com"],
            #"{"metrics": {"live": 10, "all_time": 30, "live_refdomains": 4, "all_time_refdomains": 9}}"#)
        #expect(stats.rows.record(0)["all_time_refdomains"] == .integer(9))
        #expect(throws: ProviderDecodingError.self) {
            try decode(.siteMetrics, ["example.com"], #"{"results": []}"#)
        }
    }

    @Test("keyword rows load cpc in dollars and difficulty as keyword_difficulty; a keyword without data is reported")
    func keywordRows() throws {
        let payload = try decode(
            .keywordsOverview, ["seo tools", "nothing here"], params: ["country": .string("us")],
            """
            {"keywords": [{"keyword": "SEO tools", "volume": 14000, "difficulty": 75, "cpc": 255,
              "intents": {"informational": true, "local": false}, "serp_features": ["snippet"], "cps": 0.8}]}
            """)
        let row = try #require(payload.rows.record(where: "keyword", is: "seo tools"))
        #expect(row["cpc"] == .real(2.55))
        #expect(row["keyword_difficulty"] == .integer(75))
        #expect(row["intents"] == .text(#"{"informational":true,"local":false}"#))
        #expect(row["serp_features"] == .text(#"["snippet"]"#))
        #expect(row["cps"] == .real(0.8))
        #expect(row["country"] == .text("us"))
        #expect(payload.targetFailures.map(\.target) == ["nothing here"])
    }

    @Test("429 without Retry-After is retried (the run backs off for the whole provider)")
    func throttled() {
        let response = Fixtures.response(status: 429, #"{"error": "Too many requests"}"#)
        #expect(driver.classify(response) == .retryable(message: "HTTP 429: Too many requests", retryAfter: nil))
    }
}
