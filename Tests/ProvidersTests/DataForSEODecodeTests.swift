import Foundation
import Providers
import SeopipeCore
import Testing

@Suite("DataForSEO response decoding")
struct DataForSEODecodeTests {
    let driver = DataForSEOProvider()

    /// The seed's example response, verbatim (dataforseo-bulk-pages-summary.txt).
    static let seedResponse = """
        {
          "version": "0.1.20240422",
          "status_code": 20000,
          "status_message": "Ok.",
          "time": "0.1566 sec.",
          "cost": 0.02006,
          "tasks_count": 1,
          "tasks_error": 0,
          "tasks": [
            {
              "id": "04241333-1535-0576-0000-a7b281e5516b",
              "status_code": 20000,
              "status_message": "Ok.",
              "time": "0.0989 sec.",
              "cost": 0.02006,
              "result_count": 1,
              "path": [
                "v3",
                "backlinks",
                "bulk_pages_summary",
                "live"
              ],
              "data": {
                "api": "backlinks",
                "function": "bulk_pages_summary",
                "targets": [
                  "https://dataforseo.com/solutions",
                  "https://dataforseo.com/about-us"
                ]
              },
              "result": [
                {
                  "total_count": 2,
                  "items_count": 2,
                  "items": [
                    {
                      "type": "backlinks_page_summary",
                      "url": "https://dataforseo.com/solutions",
                      "rank": 0,
                      "main_domain_rank": 419,
                      "backlinks": 0,
                      "first_seen": null,
                      "lost_date": null,
                      "backlinks_spam_score": 0,
                      "broken_backlinks": 0,
                      "broken_pages": 0,
                      "referring_domains": 0,
                      "referring_domains_nofollow": 0,
                      "referring_main_domains": 0,
                      "referring_main_domains_nofollow": 0,
                      "referring_ips": 0,
                      "referring_subnets": 0,
                      "referring_pages": 0,
                      "referring_pages_nofollow": 0,
                      "referring_links_tld": null,
                      "referring_links_types": null,
                      "referring_links_attributes": null,
                      "referring_links_platform_types": null,
                      "referring_links_semantic_locations": null,
                      "referring_links_countries": null
                    },
                    {
                      "type": "backlinks_page_summary",
                      "url": "https://dataforseo.com/about-us",
                      "rank": 0,
                      "main_domain_rank": 419,
                      "backlinks": 3,
                      "first_seen": "2024-03-31 07:06:04 +00:00",
                      "lost_date": null,
                      "backlinks_spam_score": 5,
                      "broken_backlinks": 0,
                      "broken_pages": 0,
                      "referring_domains": 1,
                      "referring_domains_nofollow": 0,
                      "referring_main_domains": 1,
                      "referring_main_domains_nofollow": 0,
                      "referring_ips": 1,
                      "referring_subnets": 1,
                      "referring_pages": 3,
                      "referring_pages_nofollow": 0,
                      "referring_links_tld": {
                        "com": 3
                      },
                      "referring_links_types": {
                        "anchor": 3
                      },
                      "referring_links_attributes": null,
                      "referring_links_platform_types": {
                        "unknown": 3
                      },
                      "referring_links_semantic_locations": {
                        "": 3
                      },
                      "referring_links_countries": {
                        "": 3
                      }
                    }
                  ]
                }
              ]
            }
          ]
        }
        """

    static let solutions = "https://dataforseo.com/solutions"
    static let aboutUs = "https://dataforseo.com/about-us"

    /// The seed's targets as a user might write them, normalized as the provider does.
    static let seedChunk = Fixtures.chunk([
        (original: "https://DataForSEO.com/solutions", normalized: solutions),
        (original: aboutUs, normalized: aboutUs),
    ])

    static let stampColumns: [String: SQLValue] = [
        "snapshot_date": .text("2026-02-18"), "fetched_at": .text("2026-02-18T03:15:00Z"), "run_id": .text("run-1"),
    ]

    func decode(
        _ endpoint: DataForSEOProvider.Endpoint = .pagesSummary, chunk: Chunk = seedChunk,
        params: [String: ParamValue] = [:], _ body: String = seedResponse
    ) throws -> ChunkPayload {
        try driver.decode(
            Fixtures.response(body), chunk: chunk, endpoint: DataForSEOFixtures.spec(endpoint),
            context: DataForSEOFixtures.context(endpoint, params: params), stamp: Fixtures.stamp)
    }

    /// A bulk_pages_summary item with every count 0 except the ones given (JSON text of the extra fields).
    static func pageItem(_ url: String, _ fields: String = "") -> String {
        #"{"type": "backlinks_page_summary", "url": "\#(url)", "rank": 0, "main_domain_rank": 0, "backlinks": 0, "#
            + #""first_seen": null, "lost_date": null"# + (fields.isEmpty ? "" : ", " + fields) + "}"
    }

    func breakdown(_ payload: ChunkPayload) throws -> TableBatch {
        try #require(payload.related.first { $0.table == "dataforseo_page_summary_breakdown" })
    }

    /// A breakdown row as (url, dimension, key, count), for set comparisons.
    struct BreakdownRow: Hashable {
        var url: String
        var dimension: String
        var key: String
        var count: Int64
    }

    func breakdownRows(_ batch: TableBatch) -> Set<BreakdownRow> {
        Set(
            (0..<batch.rowCount).compactMap { index -> BreakdownRow? in
                let row = batch.record(index)
                guard case .text(let url)? = row["url"], case .text(let dimension)? = row["dimension"],
                    case .text(let key)? = row["key"], case .integer(let count)? = row["count"]
                else { return nil }
                return BreakdownRow(url: url, dimension: dimension, key: key, count: count)
            })
    }

    @Test("loads the seed's response into dataforseo_page_summary with every documented column")
    func seedRows() throws {
        let payload = try decode()
        #expect(payload.rows.table == "dataforseo_page_summary")
        #expect(payload.rows.rowCount == 2)
        #expect(payload.targetFailures.isEmpty)
        #expect(Set(payload.rows.keyColumns) == ["url", "snapshot_date"])
        #expect(
            payload.rows.record(where: "url", is: Self.aboutUs)
                == Self.stampColumns.merging([
                    "url": .text(Self.aboutUs), "url_original": .text(Self.aboutUs),
                    "rank": .integer(0), "main_domain_rank": .integer(419), "backlinks": .integer(3),
                    "first_seen": .text("2024-03-31T07:06:04Z"), "lost_date": .null,
                    "backlinks_spam_score": .integer(5),
                    "broken_backlinks": .integer(0), "broken_pages": .integer(0), "referring_domains": .integer(1),
                    "referring_domains_nofollow": .integer(0), "referring_main_domains": .integer(1),
                    "referring_main_domains_nofollow": .integer(0), "referring_ips": .integer(1),
                    "referring_subnets": .integer(1), "referring_pages": .integer(3),
                    "referring_pages_nofollow": .integer(0), "rank_scale": .text("one_thousand"),
                ]) { $1 })
        #expect(
            payload.rows.record(where: "url", is: Self.solutions)
                == Self.stampColumns.merging([
                    "url": .text(Self.solutions), "url_original": .text("https://DataForSEO.com/solutions"),
                    "rank": .integer(0), "main_domain_rank": .integer(419), "backlinks": .integer(0),
                    "first_seen": .null, "lost_date": .null, "backlinks_spam_score": .integer(0),
                    "broken_backlinks": .integer(0), "broken_pages": .integer(0), "referring_domains": .integer(0),
                    "referring_domains_nofollow": .integer(0), "referring_main_domains": .integer(0),
                    "referring_main_domains_nofollow": .integer(0), "referring_ips": .integer(0),
                    "referring_subnets": .integer(0), "referring_pages": .integer(0),
                    "referring_pages_nofollow": .integer(0), "rank_scale": .text("one_thousand"),
                ]) { $1 })
    }

    @Test(
        "converts yyyy-mm-dd hh:mm:ss +hh:mm dates to ISO-8601 UTC",
        arguments: [
            ("2024-03-31 07:06:04 +00:00", "2024-03-31T07:06:04Z"),
            ("2017-01-24 13:20:59 +00:00", "2017-01-24T13:20:59Z"),
            ("2019-11-15 12:57:46 +00:00", "2019-11-15T12:57:46Z"),
            ("2024-01-01 01:30:00 +02:00", "2023-12-31T23:30:00Z"),
        ])
    func dates(text: String, utc: String) throws {
        let body = DataForSEOFixtures.success(items: [
            Self.pageItem("dataforseo.com").replacingOccurrences(
                of: #""first_seen": null, "lost_date": null"#,
                with: #""first_seen": "\#(text)", "lost_date": "\#(text)""#)
        ])
        let payload = try decode(chunk: Fixtures.chunk(["dataforseo.com"]), body)
        let row = try #require(payload.rows.record(where: "url", is: "dataforseo.com"))
        #expect(row["first_seen"] == .text(utc))
        #expect(row["lost_date"] == .text(utc))
    }

    @Test("puts one breakdown row per map key, the empty key included, named by the documented field")
    func breakdownRowsFromSeed() throws {
        let batch = try breakdown(try decode())
        #expect(Set(["url", "snapshot_date", "dimension", "key", "count"]).isSubset(of: batch.columns))
        #expect(
            breakdownRows(batch) == [
                BreakdownRow(url: Self.aboutUs, dimension: "referring_links_tld", key: "com", count: 3),
                BreakdownRow(url: Self.aboutUs, dimension: "referring_links_types", key: "anchor", count: 3),
                BreakdownRow(url: Self.aboutUs, dimension: "referring_links_platform_types", key: "unknown", count: 3),
                BreakdownRow(url: Self.aboutUs, dimension: "referring_links_semantic_locations", key: "", count: 3),
                BreakdownRow(url: Self.aboutUs, dimension: "referring_links_countries", key: "", count: 3),
            ])
        #expect(batch.rowCount == 5, "no rows for null maps, no duplicates")
        #expect((0..<batch.rowCount).allSatisfy { batch.record($0)["snapshot_date"] == .text("2026-02-18") })
        #expect(Set(batch.keyColumns) == ["url", "snapshot_date", "dimension", "key"])
    }

    @Test("spreads a map with several keys over several rows, every map field included")
    func breakdownAllFields() throws {
        let fields = [
            "referring_links_tld", "referring_links_types", "referring_links_attributes",
            "referring_links_platform_types",
            "referring_links_semantic_locations", "referring_links_countries",
        ]
        let maps = fields.map { #""\#($0)": {"a": 1, "b": 2}"# }.joined(separator: ", ")
        let body = DataForSEOFixtures.success(items: [Self.pageItem("dataforseo.com", maps)])
        let batch = try breakdown(try decode(chunk: Fixtures.chunk(["dataforseo.com"]), body))
        let expected = Set(
            fields.flatMap { field in
                [
                    BreakdownRow(url: "dataforseo.com", dimension: field, key: "a", count: 1),
                    BreakdownRow(url: "dataforseo.com", dimension: field, key: "b", count: 2),
                ]
            })
        #expect(breakdownRows(batch) == expected)
        #expect(batch.rowCount == 12)
    }

    @Test("replaces each loaded page's breakdown as a whole, pages with only null maps included")
    func breakdownReplacement() throws {
        let batch = try breakdown(try decode())
        #expect(batch.replaceColumns == ["url", "snapshot_date"])
        let keys = Set(batch.replaceKeys)
        #expect(keys.contains([.text(Self.aboutUs), .text("2026-02-18")]))
        #expect(
            keys.contains([.text(Self.solutions), .text("2026-02-18")]),
            "a page whose maps became null must lose yesterday's breakdown rows of this date on re-run")
    }

    @Test("keeps null dates and null counts NULL")
    func nulls() throws {
        let body = DataForSEOFixtures.success(items: [
            #"{"url": "dataforseo.com", "rank": null, "backlinks": null, "first_seen": null, "lost_date": null, "#
                + #""referring_links_tld": null, "referring_links_countries": {}}"#
        ])
        let payload = try decode(chunk: Fixtures.chunk(["dataforseo.com"]), body)
        let row = try #require(payload.rows.record(where: "url", is: "dataforseo.com"))
        for column in ["rank", "main_domain_rank", "backlinks", "first_seen", "lost_date", "referring_pages"] {
            #expect(row[column] == .null, "\(column)")
        }
        #expect(try breakdown(payload).rowCount == 0)
    }

    @Test("records the task's USD cost as the chunk's cost")
    func cost() throws {
        #expect(abs(try decode().costUSD - 0.02006) < 1e-12)
        let other = try decode(
            chunk: Fixtures.chunk(["dataforseo.com"]),
            DataForSEOFixtures.success(cost: 0.02003, items: [Self.pageItem("dataforseo.com")]))
        #expect(abs(other.costUSD - 0.02003) < 1e-12)
    }

    @Test("records a target missing from the items as a target failure and loads the others")
    func missingTarget() throws {
        let chunk = Fixtures.chunk([Self.solutions, Self.aboutUs, "https://dataforseo.com/pricing"])
        let payload = try decode(chunk: chunk)
        #expect(payload.rows.rowCount == 2)
        #expect(payload.targetFailures.map(\.target) == ["https://dataforseo.com/pricing"])
        #expect(payload.targetFailures.first?.message.contains("missing") == true)
        #expect(
            try breakdown(payload).replaceKeys.allSatisfy {
                $0.first != SQLValue.text("https://dataforseo.com/pricing")
            })
    }

    @Test("does not load an item for a target that was not requested")
    func unrequestedTarget() throws {
        let payload = try decode(chunk: Fixtures.chunk([Self.aboutUs]))
        #expect(payload.rows.rowCount == 1)
        #expect(payload.rows.record(where: "url", is: Self.solutions) == nil)
        #expect(payload.targetFailures.isEmpty)
    }

    @Test(
        "throws a decoding error on a first_seen not in the documented format",
        arguments: [
            "2024-03-31", "31/03/2024 07:06:04", "2024-13-31 07:06:04 +00:00", "2024-03-31T07:06:04Z", "yesterday",
            "2024-03-31 25:06:04 +00:00",
        ])
    func malformedDate(text: String) {
        let body = DataForSEOFixtures.success(items: [
            Self.pageItem("dataforseo.com").replacingOccurrences(
                of: #""first_seen": null"#, with: #""first_seen": "\#(text)""#)
        ])
        #expect(throws: ProviderDecodingError.self) {
            try decode(chunk: Fixtures.chunk(["dataforseo.com"]), body)
        }
    }

    @Test("throws a decoding error on a truncated or foreign body", arguments: DataForSEOProvider.Endpoint.allCases)
    func truncated(endpoint: DataForSEOProvider.Endpoint) {
        for body in [String(Self.seedResponse.prefix(700)), "", "<html>oops</html>"] {
            #expect(throws: ProviderDecodingError.self) {
                try decode(endpoint, chunk: Fixtures.chunk(["dataforseo.com"]), body)
            }
        }
    }

    @Test("accepts counts written as decimals")
    func decimalCounts() throws {
        let body = DataForSEOFixtures.success(items: [
            Self.pageItem("dataforseo.com", #""referring_pages": 12.0, "referring_links_tld": {"com": 7.0}"#)
                .replacingOccurrences(of: #""backlinks": 0"#, with: #""backlinks": 12.0"#)
        ])
        let payload = try decode(chunk: Fixtures.chunk(["dataforseo.com"]), body)
        let row = try #require(payload.rows.record(where: "url", is: "dataforseo.com"))
        #expect(row["backlinks"] == .integer(12))
        #expect(row["referring_pages"] == .integer(12))
        #expect(
            breakdownRows(try breakdown(payload)) == [
                BreakdownRow(url: "dataforseo.com", dimension: "referring_links_tld", key: "com", count: 7)
            ])
    }

    @Test("does not crash on numbers too large for an integer", arguments: ["1e300", "-1e300", "1.8e19"])
    func hugeNumbers(number: String) throws {
        let body = DataForSEOFixtures.success(items: [
            Self.pageItem(
                "dataforseo.com",
                #""referring_pages": \#(number), "referring_links_tld": {"com": \#(number), "org": 2}"#)
        ])
        let payload = try decode(chunk: Fixtures.chunk(["dataforseo.com"]), body)
        let row = try #require(payload.rows.record(where: "url", is: "dataforseo.com"))
        #expect(row["referring_pages"] == .null)
        #expect(
            breakdownRows(try breakdown(payload)) == [
                BreakdownRow(url: "dataforseo.com", dimension: "referring_links_tld", key: "org", count: 2)
            ])
        let sibling = try decode(
            .backlinks, chunk: Fixtures.chunk(["dataforseo.com"]),
            DataForSEOFixtures.success(
                function: "bulk_backlinks", items: [#"{"target": "dataforseo.com", "backlinks": \#(number)}"#]))
        #expect(sibling.rows.record(where: "target", is: "dataforseo.com")?["backlinks"] == .null)
    }

    @Test("tolerates unknown fields in the envelope and the items")
    func unknownFields() throws {
        let body = DataForSEOFixtures.success(items: [
            Self.pageItem("dataforseo.com", #""brand_new_metric": [1, {"x": null}], "referring_links_tld": {"com": 1}"#)
        ]).replacingOccurrences(of: #""tasks_error": 0,"#, with: #""tasks_error": 0, "future_field": {"a": [true]},"#)
        let payload = try decode(chunk: Fixtures.chunk(["dataforseo.com"]), body)
        #expect(payload.rows.rowCount == 1)
        #expect(try breakdown(payload).rowCount == 1)
    }
}

@Suite("DataForSEO sibling endpoints' decoding")
struct DataForSEOSiblingDecodeTests {
    let driver = DataForSEOProvider()

    func decode(
        _ endpoint: DataForSEOProvider.Endpoint, chunk: Chunk, params: [String: ParamValue] = [:], items: [String]
    ) throws -> ChunkPayload {
        let function = endpoint.rawValue.split(separator: "/")[1]
        return try driver.decode(
            Fixtures.response(DataForSEOFixtures.success(function: String(function), cost: 0.02006, items: items)),
            chunk: chunk, endpoint: DataForSEOFixtures.spec(endpoint),
            context: DataForSEOFixtures.context(endpoint, params: params), stamp: Fixtures.stamp)
    }

    static let chunk = Fixtures.chunk([
        (original: "www.DataForSEO.com", normalized: "dataforseo.com"),
        (original: "https://moz.com/blog", normalized: "https://moz.com/blog"),
    ])

    func expectRow(
        _ payload: ChunkPayload, _ target: String, original: String, _ values: [String: SQLValue],
        sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) {
        let expected = DataForSEODecodeTests.stampColumns.merging(
            ["target": .text(target), "target_original": .text(original)]) { $1 }.merging(values) { $1 }
        #expect(payload.rows.record(where: "target", is: target) == expected, sourceLocation: sourceLocation)
    }

    @Test("loads bulk_ranks into dataforseo_bulk_ranks with the rank scale asked for")
    func ranks() throws {
        let items = [
            #"{"type": "bulk_ranks", "target": "dataforseo.com", "rank": 419}"#,
            #"{"type": "bulk_ranks", "target": "https://moz.com/blog", "rank": 38.0}"#,
        ]
        let payload = try decode(
            .ranks, chunk: Self.chunk, params: ["rank_scale": .string("one_hundred")], items: items)
        #expect(payload.rows.table == "dataforseo_bulk_ranks")
        #expect(Set(payload.rows.keyColumns) == ["target", "snapshot_date"])
        #expect(payload.targetFailures.isEmpty)
        #expect(payload.related.isEmpty)
        expectRow(
            payload, "dataforseo.com", original: "www.DataForSEO.com",
            ["rank": .integer(419), "rank_scale": .text("one_hundred")])
        expectRow(
            payload, "https://moz.com/blog", original: "https://moz.com/blog",
            ["rank": .integer(38), "rank_scale": .text("one_hundred")])
        #expect(abs(payload.costUSD - 0.02006) < 1e-12)

        let byDefault = try decode(.ranks, chunk: Self.chunk, items: items)
        #expect(
            byDefault.rows.record(where: "target", is: "dataforseo.com")?["rank_scale"] == .text("one_thousand"),
            "the API's default scale is one_thousand")
    }

    @Test("loads bulk_backlinks into dataforseo_bulk_backlinks")
    func backlinks() throws {
        let payload = try decode(
            .backlinks, chunk: Self.chunk,
            items: [
                #"{"type": "bulk_backlinks", "target": "dataforseo.com", "backlinks": 51234}"#,
                #"{"type": "bulk_backlinks", "target": "https://moz.com/blog", "backlinks": 12.0}"#,
            ])
        #expect(payload.rows.table == "dataforseo_bulk_backlinks")
        expectRow(payload, "dataforseo.com", original: "www.DataForSEO.com", ["backlinks": .integer(51234)])
        expectRow(payload, "https://moz.com/blog", original: "https://moz.com/blog", ["backlinks": .integer(12)])
    }

    @Test("loads bulk_referring_domains into dataforseo_bulk_referring_domains")
    func referringDomains() throws {
        let payload = try decode(
            .referringDomains, chunk: Self.chunk,
            items: [
                #"{"type": "bulk_referring_domains", "target": "dataforseo.com", "referring_domains": 1843, "#
                    + #""referring_domains_nofollow": 200, "referring_main_domains": 1544, "referring_main_domains_nofollow": 180}"#,
                #"{"type": "bulk_referring_domains", "target": "https://moz.com/blog", "referring_domains": 12.0, "#
                    + #""referring_main_domains": null}"#,
            ])
        #expect(payload.rows.table == "dataforseo_bulk_referring_domains")
        expectRow(
            payload, "dataforseo.com", original: "www.DataForSEO.com",
            [
                "referring_domains": .integer(1843), "referring_main_domains": .integer(1544),
                "referring_domains_nofollow": .integer(200), "referring_main_domains_nofollow": .integer(180),
            ])
        expectRow(
            payload, "https://moz.com/blog", original: "https://moz.com/blog",
            [
                "referring_domains": .integer(12), "referring_main_domains": .null,
                "referring_domains_nofollow": .null, "referring_main_domains_nofollow": .null,
            ])
    }

    @Test("loads bulk_new_lost_referring_domains into dataforseo_bulk_new_lost_referring_domains with its date_from")
    func newLostReferringDomains() throws {
        let payload = try decode(
            .newLostReferringDomains, chunk: Self.chunk, params: ["date_from": .string("2026-01-01")],
            items: [
                #"{"target": "dataforseo.com", "new_referring_domains": 12, "lost_referring_domains": 3, "#
                    + #""new_referring_main_domains": 10, "lost_referring_main_domains": 2}"#
            ])
        #expect(payload.rows.table == "dataforseo_bulk_new_lost_referring_domains")
        expectRow(
            payload, "dataforseo.com", original: "www.DataForSEO.com",
            [
                "date_from": .text("2026-01-01"), "new_referring_domains": .integer(12),
                "lost_referring_domains": .integer(3), "new_referring_main_domains": .integer(10),
                "lost_referring_main_domains": .integer(2),
            ])
    }

    @Test("loads bulk_spam_score into dataforseo_bulk_spam_score")
    func spamScore() throws {
        let payload = try decode(
            .spamScore, chunk: Self.chunk,
            items: [
                #"{"type": "bulk_spam_score", "target": "dataforseo.com", "spam_score": 21}"#,
                #"{"type": "bulk_spam_score", "target": "https://moz.com/blog", "spam_score": 4.0}"#,
            ])
        #expect(payload.rows.table == "dataforseo_bulk_spam_score")
        expectRow(payload, "dataforseo.com", original: "www.DataForSEO.com", ["spam_score": .integer(21)])
        expectRow(payload, "https://moz.com/blog", original: "https://moz.com/blog", ["spam_score": .integer(4)])
    }

    @Test("loads bulk_new_lost_backlinks into dataforseo_bulk_new_lost_backlinks with the date_from asked for")
    func newLostBacklinks() throws {
        let items = [
            #"{"type": "bulk_new_lost_backlinks", "target": "dataforseo.com", "new_backlinks": 120, "lost_backlinks": 45}"#,
            #"{"type": "bulk_new_lost_backlinks", "target": "https://moz.com/blog", "new_backlinks": 3.0, "lost_backlinks": 0}"#,
        ]
        let payload = try decode(
            .newLostBacklinks, chunk: Self.chunk, params: ["date_from": .string("2026-01-18")], items: items)
        #expect(payload.rows.table == "dataforseo_bulk_new_lost_backlinks")
        expectRow(
            payload, "dataforseo.com", original: "www.DataForSEO.com",
            ["date_from": .text("2026-01-18"), "new_backlinks": .integer(120), "lost_backlinks": .integer(45)])
        expectRow(
            payload, "https://moz.com/blog", original: "https://moz.com/blog",
            ["date_from": .text("2026-01-18"), "new_backlinks": .integer(3), "lost_backlinks": .integer(0)])

        let byDefault = try decode(.newLostBacklinks, chunk: Self.chunk, items: items)
        #expect(byDefault.rows.record(where: "target", is: "dataforseo.com")?["date_from"] == .null)
    }

    @Test(
        "records a target missing from a sibling's items as a target failure",
        arguments: [DataForSEOProvider.Endpoint.ranks, .backlinks, .referringDomains, .spamScore, .newLostBacklinks])
    func siblingMissingTarget(endpoint: DataForSEOProvider.Endpoint) throws {
        let payload = try decode(endpoint, chunk: Self.chunk, items: [#"{"target": "dataforseo.com"}"#])
        #expect(payload.rows.rowCount == 1)
        #expect(payload.targetFailures.map(\.target) == ["https://moz.com/blog"])
    }
}
