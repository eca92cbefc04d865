import Foundation
import Providers
import SeopipeCore
import Testing

@Suite("Ahrefs v3 response decoding")
struct AhrefsV3DecodeTests {
    let driver = AhrefsV3Provider()

    func decode(
        _ endpoint: AhrefsV3Provider.Endpoint, chunk: Chunk, params: [String: ParamValue] = [:],
        headers: [(String, String)] = [], _ body: String
    ) throws -> ChunkPayload {
        try driver.decode(
            Fixtures.response(headers: headers, body), chunk: chunk, endpoint: Fixtures.spec(endpoint),
            context: Fixtures.context(endpoint, params: params), stamp: Fixtures.stamp)
    }

    static let stampColumns: [String: SQLValue] = [
        "snapshot_date": .text("2026-02-18"), "fetched_at": .text("2026-02-18T03:15:00Z"), "run_id": .text("run-1"),
    ]

    @Test("loads the seed's batch metrics response into ahrefs_domain_metrics, keeping the original target")
    func metrics() throws {
        let chunk = Fixtures.chunk([
            (original: "Example.com", normalized: "example.com"),
            (original: "https://competitor1.com/", normalized: "competitor1.com"),
        ])
        let payload = try decode(
            .batchMetrics, chunk: chunk,
            """
            {"results": [
              {"target": "example.com", "metrics": {"org_keywords": 6926, "org_traffic": 38707, "domain_rating": 65}},
              {"target": "competitor1.com", "metrics": {"org_keywords": 14573, "org_traffic": 67088, "domain_rating": 72}}
            ]}
            """)
        #expect(payload.rows.table == "ahrefs_domain_metrics")
        #expect(payload.rows.rowCount == 2)
        #expect(payload.targetFailures.isEmpty)
        #expect(
            payload.rows.record(where: "target", is: "example.com")
                == Self.stampColumns.merging([
                    "target": .text("example.com"), "target_original": .text("Example.com"),
                    "org_keywords": .integer(6926), "org_traffic": .integer(38707), "domain_rating": .real(65),
                ]) { $1 })
        #expect(
            payload.rows.record(where: "target", is: "competitor1.com")?["target_original"]
                == .text("https://competitor1.com/"))
        #expect(payload.rows.record(where: "target", is: "competitor1.com")?["domain_rating"] == .real(72))
        #expect(Set(payload.rows.keyColumns) == ["target", "snapshot_date"])
    }

    @Test("tolerates unknown fields, nulls and integers written as decimals")
    func tolerant() throws {
        let payload = try decode(
            .batchMetrics, chunk: Fixtures.chunk(["example.com"]),
            """
            {"results": [{"target": "example.com", "unexpected": [1, 2],
              "metrics": {"org_keywords": null, "org_traffic": 12.0, "domain_rating": null, "new_metric": "x"}}],
             "meta": {"units": 50}}
            """)
        let row = try #require(payload.rows.record(where: "target", is: "example.com"))
        #expect(row["org_keywords"] == .null)
        #expect(row["org_traffic"] == .integer(12))
        #expect(row["domain_rating"] == .null)
    }

    @Test("loads the seed's backlinks_stats response")
    func backlinksStats() throws {
        let payload = try decode(
            .batchBacklinksStats, chunk: Fixtures.chunk(["example.com"]),
            """
            {"results": [{"target": "example.com", "backlinks_stats": {"live": 4545, "live_refdomains": 718}}]}
            """)
        #expect(payload.rows.table == "ahrefs_backlinks_stats")
        #expect(
            payload.rows.record(where: "target", is: "example.com")
                == Self.stampColumns.merging([
                    "target": .text("example.com"), "target_original": .text("example.com"),
                    "live": .integer(4545), "live_refdomains": .integer(718),
                ]) { $1 })
    }

    @Test("loads domain-rating in the nested shape pinned by DESIGN.md section 8")
    func domainRatingNested() throws {
        let payload = try decode(
            .batchDomainRating, chunk: Fixtures.chunk(["example.com"]),
            """
            {"results": [{"target": "example.com", "domain_rating": {"domain_rating": 65.0, "ahrefs_rank": 1234}}]}
            """)
        #expect(payload.rows.table == "ahrefs_domain_rating")
        let row = try #require(payload.rows.record(where: "target", is: "example.com"))
        #expect(row["domain_rating"] == .real(65))
        #expect(row["ahrefs_rank"] == .integer(1234))
        #expect(payload.targetFailures.isEmpty)
    }

    @Test("loads domain-rating given as a flat number")
    func domainRatingFlat() throws {
        let payload = try decode(
            .batchDomainRating, chunk: Fixtures.chunk(["a.com", "b.com"]),
            """
            {"results": [{"target": "a.com", "domain_rating": 71.5, "ahrefs_rank": 99},
                         {"target": "b.com", "domain_rating": 12}]}
            """)
        #expect(payload.rows.record(where: "target", is: "a.com")?["domain_rating"] == .real(71.5))
        #expect(payload.rows.record(where: "target", is: "a.com")?["ahrefs_rank"] == .integer(99))
        #expect(payload.rows.record(where: "target", is: "b.com")?["domain_rating"] == .real(12))
        #expect(payload.rows.record(where: "target", is: "b.com")?["ahrefs_rank"] == .null)
    }

    @Test("loads the seed's keyword overview with the stage's country in lower case")
    func keywordOverview() throws {
        let chunk = Fixtures.chunk([
            (original: "SEO Tools", normalized: "seo tools"),
            (original: "keyword research", normalized: "keyword research"),
        ])
        let payload = try decode(
            .batchKeywordsOverview, chunk: chunk, params: ["country": .string("US")],
            """
            {"results": [
              {"keyword": "seo tools", "volume": 14000, "keyword_difficulty": 75, "cpc": 25.50, "traffic_potential": 18500},
              {"keyword": "keyword research", "volume": 8100, "keyword_difficulty": 68, "cpc": 18.20, "traffic_potential": 11200}
            ]}
            """)
        #expect(payload.rows.table == "ahrefs_keyword_overview")
        #expect(Set(payload.rows.keyColumns) == ["keyword", "country", "snapshot_date"])
        #expect(
            payload.rows.record(where: "keyword", is: "seo tools")
                == Self.stampColumns.merging([
                    "keyword": .text("seo tools"), "keyword_original": .text("SEO Tools"), "country": .text("us"),
                    "volume": .integer(14000), "keyword_difficulty": .integer(75), "cpc": .real(25.5),
                    "traffic_potential": .integer(18500),
                ]) { $1 })
        #expect(payload.rows.record(where: "keyword", is: "keyword research")?["cpc"] == .real(18.2))
    }

    @Test("loads the seed's url-metrics response keyed by url")
    func urlMetrics() throws {
        let payload = try decode(
            .batchURLMetrics, chunk: Fixtures.chunk(["https://example.com/page1"]),
            """
            {"results": [{"url": "https://example.com/page1", "url_rating": 42, "backlinks": 125,
              "referring_domains": 45, "keywords": 87, "traffic": 1250}]}
            """)
        #expect(payload.rows.table == "ahrefs_url_metrics")
        #expect(
            payload.rows.record(where: "url", is: "https://example.com/page1")
                == Self.stampColumns.merging([
                    "url": .text("https://example.com/page1"), "url_original": .text("https://example.com/page1"),
                    "url_rating": .integer(42), "backlinks": .integer(125), "referring_domains": .integer(45),
                    "keywords": .integer(87), "traffic": .integer(1250),
                ]) { $1 })
    }

    @Test("turns a per-target error into a target failure and loads the other rows")
    func perTargetError() throws {
        let payload = try decode(
            .batchMetrics, chunk: Fixtures.chunk(["example.com", "nosuch-domain.com"]),
            """
            {"results": [
              {"target": "example.com", "metrics": {"org_keywords": 1, "org_traffic": 2, "domain_rating": 3}},
              {"target": "nosuch-domain.com", "error": "Domain not found in index"}
            ]}
            """)
        #expect(payload.rows.rowCount == 1)
        #expect(payload.rows.record(where: "target", is: "example.com") != nil)
        #expect(
            payload.targetFailures == [TargetFailure(target: "nosuch-domain.com", message: "Domain not found in index")]
        )
    }

    @Test("records a target the response does not mention as a failure instead of losing it silently")
    func missingTarget() throws {
        let payload = try decode(
            .batchBacklinksStats, chunk: Fixtures.chunk(["a.com", "b.com", "c.com"]),
            """
            {"results": [{"target": "b.com", "backlinks_stats": {"live": 10, "live_refdomains": 3}}]}
            """)
        #expect(payload.rows.rowCount == 1)
        #expect(payload.targetFailures.map(\.target).sorted() == ["a.com", "c.com"])
        #expect(payload.targetFailures.allSatisfy { $0.message.contains("missing") })
    }

    @Test("does not load a result for a target that was not requested")
    func unrequestedTarget() throws {
        let payload = try decode(
            .batchBacklinksStats, chunk: Fixtures.chunk(["a.com"]),
            """
            {"results": [{"target": "a.com", "backlinks_stats": {"live": 1, "live_refdomains": 1}},
                         {"target": "intruder.com", "backlinks_stats": {"live": 9, "live_refdomains": 9}}]}
            """)
        #expect(payload.rows.rowCount == 1)
        #expect(payload.rows.record(where: "target", is: "intruder.com") == nil)
    }

    @Test("takes the units charged from x-api-units-cost-total when present")
    func unitsFromHeader() throws {
        let body = #"{"results": [{"target": "a.com", "backlinks_stats": {"live": 1, "live_refdomains": 1}}]}"#
        let payload = try decode(
            .batchBacklinksStats, chunk: Fixtures.chunk(["a.com"]), headers: [("x-api-units-cost-total", "123")], body)
        #expect(payload.units == 123)
        let upperCase = try decode(
            .batchBacklinksStats, chunk: Fixtures.chunk(["a.com"]), headers: [("X-API-Units-Cost-Total", "77.5")], body)
        #expect(upperCase.units == 77.5)
    }

    @Test("estimates units as max(50, 5 x rows) when the header is absent")
    func unitsEstimated() throws {
        let few = try decode(
            .batchBacklinksStats, chunk: Fixtures.chunk(["a.com", "b.com"]),
            """
            {"results": [{"target": "a.com", "backlinks_stats": {"live": 1, "live_refdomains": 1}},
                         {"target": "b.com", "backlinks_stats": {"live": 1, "live_refdomains": 1}}]}
            """)
        #expect(few.units == 50)

        let targets = (0..<20).map { "site\($0).com" }
        let results = targets.map { #"{"target": "\#($0)", "backlinks_stats": {"live": 1, "live_refdomains": 1}}"# }
        let many = try decode(
            .batchBacklinksStats, chunk: Fixtures.chunk(targets), #"{"results": [\#(results.joined(separator: ","))]}"#)
        #expect(many.rows.rowCount == 20)
        #expect(many.units == 100)
    }

    @Test(
        "throws a decoding error on truncated JSON",
        arguments: [
            #"{"results": [{"target": "example.com", "metrics": {"org_keywo"#,
            "",
            #"{"error": "no results here"}"#,
        ])
    func truncated(body: String) {
        #expect(throws: ProviderDecodingError.self) {
            try decode(.batchMetrics, chunk: Fixtures.chunk(["example.com"]), body)
        }
    }
}

@Suite("Ahrefs v3 target normalization")
struct AhrefsV3NormalizeTests {
    let driver = AhrefsV3Provider()

    func normalize(_ raw: String, _ endpoint: AhrefsV3Provider.Endpoint) -> Result<String, TargetFailure> {
        driver.normalize(raw, for: Fixtures.spec(endpoint))
    }

    @Test(
        "lower-cases domains and strips scheme, trailing slash and surrounding space",
        arguments: [
            ("Example.COM", "example.com"),
            ("https://Example.com/", "example.com"),
            ("http://competitor1.com", "competitor1.com"),
            ("  example.org  ", "example.org"),
            ("example.com.", "example.com"),
            ("www.Example.com", "www.example.com"),
            ("blog.sub.example.co.uk", "blog.sub.example.co.uk"),
        ])
    func domains(raw: String, expected: String) throws {
        for endpoint in [AhrefsV3Provider.Endpoint.batchMetrics, .batchBacklinksStats, .batchDomainRating] {
            #expect(try normalize(raw, endpoint).get() == expected)
        }
    }

    @Test(
        "refuses a URL with a path for a domain endpoint, saying it is a URL",
        arguments: ["https://example.com/blog", "example.com/page", "example.com?x=1"])
    func urlForDomain(raw: String) {
        guard case .failure(let failure) = normalize(raw, .batchMetrics) else {
            Issue.record("\(raw) must be refused")
            return
        }
        #expect(failure.target == raw)
        #expect(failure.message.contains("URL"))
    }

    @Test(
        "refuses what is not a domain name",
        arguments: [
            "", "   ", "localhost", "exa mple.com", "-example.com", "example-.com", "example..com", "ex_ample.com",
        ])
    func invalidDomains(raw: String) {
        guard case .failure(let failure) = normalize(raw, .batchDomainRating) else {
            Issue.record("\(raw) must be refused")
            return
        }
        #expect(failure.target == raw)
    }

    @Test(
        "keeps a URL's path and query, lower-cases scheme and host, drops the fragment",
        arguments: [
            ("https://Example.COM/Blog/Post?id=1#top", "https://example.com/Blog/Post?id=1"),
            ("HTTP://example.com/a", "http://example.com/a"),
            ("https://example.com/page1", "https://example.com/page1"),
            (" https://example.com/x ", "https://example.com/x"),
        ])
    func urls(raw: String, expected: String) throws {
        #expect(try normalize(raw, .batchURLMetrics).get() == expected)
    }

    @Test(
        "refuses a URL endpoint target that is not an absolute http(s) URL",
        arguments: ["example.com/page", "ftp://example.com/file", "https://", "not a url"])
    func invalidURLs(raw: String) {
        guard case .failure = normalize(raw, .batchURLMetrics) else {
            Issue.record("\(raw) must be refused")
            return
        }
    }

    @Test(
        "trims keywords, collapses inner whitespace and lower-cases them",
        arguments: [
            ("  SEO Tools ", "seo tools"), ("Keyword   Research", "keyword research"),
            ("backlink\tanalysis", "backlink analysis"),
        ])
    func keywords(raw: String, expected: String) throws {
        #expect(try normalize(raw, .batchKeywordsOverview).get() == expected)
    }

    @Test("refuses an empty keyword", arguments: ["", "   "])
    func emptyKeyword(raw: String) {
        guard case .failure = normalize(raw, .batchKeywordsOverview) else {
            Issue.record("an empty keyword must be refused")
            return
        }
    }
}
