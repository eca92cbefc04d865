import Foundation
import Sandbox
import SeopipeCore
import Testing
import WarehousePostgres
import WarehouseSQLite

/// The built binary against a real PostgreSQL server (`SEOPIPE_TEST_POSTGRES_URL`, set by scripts/test.sh), each
/// test in a schema of its own.
@Suite(
    "PostgreSQL warehouse, end to end",
    .enabled(
        if: ProcessInfo.processInfo.environment["SEOPIPE_TEST_POSTGRES_URL"].map { !$0.isEmpty } ?? false
            || ProcessInfo.processInfo.environment["SEOPIPE_REQUIRE_POSTGRES"] == "1",
        "SEOPIPE_TEST_POSTGRES_URL is not set, so every end-to-end suite ran on SQLite only: scripts/test.sh starts a throwaway PostgreSQL and sets it"
    ))
struct PostgresEndToEndTests {
    static let date = "2026-11-20"

    /// Every provider and every table: the demo's stages plus the endpoints and queries it leaves out.
    static let everyTable = pipelineYAML(
        stages: """
              - id: metrics
                provider: ahrefs
                endpoint: site-explorer/batch/metrics
                targets: [seopipe.dev, ahrefs.com, Moz.com, "https://www.semrush.com/", backlinko.com]
              - id: rating
                provider: ahrefs
                endpoint: site-explorer/batch/domain-rating
                targets: [seopipe.dev, ahrefs.com, moz.com]
              - id: backlinks
                depends_on: [metrics]
                provider: ahrefs
                endpoint: site-explorer/batch/backlinks-stats
                targets: { from_sql: "SELECT target FROM ahrefs_domain_metrics WHERE snapshot_date = :snapshot AND domain_rating >= 20 ORDER BY target" }
              - id: keywords
                provider: ahrefs
                endpoint: keywords-explorer/batch/overview
                targets: ["seo tools", "  Keyword   Research ", "tab\\there?"]
                params: { country: us }
              - id: pages
                provider: ahrefs
                endpoint: site-explorer/batch/url-metrics
                targets: ["https://seopipe.dev/", "https://Example.com/blog/post-1", "https://example.com/pricing?plan=pro"]
              - id: overview
                provider: ahrefs
                endpoint: batch-analysis/batch-analysis
                targets: [seopipe.dev, ahrefs.com, "https://moz.com/learn/seo/"]
                params:
                  select: [domain_rating, url_rating, backlinks, refdomains, org_traffic_top_by_country, ip, org_cost]
              - id: search
                provider: ahrefs
                endpoint: site-explorer/metrics
                targets: [seopipe.dev, ahrefs.com]
                params: { country: us }
              - id: keyword_overview
                provider: ahrefs
                endpoint: keywords-explorer/overview
                targets: ["seo tools", "rank tracker"]
                params:
                  country: gb
                  select: [volume, difficulty, cpc, intents, serp_features, first_seen, serp_last_update, cps]
              - id: summary
                depends_on: [metrics]
                provider: dataforseo
                endpoint: backlinks/bulk_pages_summary/live
                targets:
                  from_sql: >-
                    SELECT target FROM ahrefs_domain_metrics WHERE snapshot_date = :snapshot
                    UNION ALL
                    SELECT 'https://' || target || '/' FROM ahrefs_domain_metrics WHERE snapshot_date = :snapshot
                params: { include_subdomains: true }
              - id: ranks
                provider: dataforseo
                endpoint: backlinks/bulk_ranks/live
                targets: [ahrefs.com, moz.com, "https://moz.com/learn/seo/"]
                params: { rank_scale: one_hundred }
              - id: bulk_backlinks
                provider: dataforseo
                endpoint: backlinks/bulk_backlinks/live
                targets: [ahrefs.com, moz.com]
              - id: referring
                provider: dataforseo
                endpoint: backlinks/bulk_referring_domains/live
                targets: [ahrefs.com, moz.com]
              - id: spam
                provider: dataforseo
                endpoint: backlinks/bulk_spam_score/live
                targets: [ahrefs.com, moz.com, gone.invalid]
              - id: new_lost
                provider: dataforseo
                endpoint: backlinks/bulk_new_lost_backlinks/live
                targets: [ahrefs.com, moz.com]
                params: { date_from: "2026-10-01" }
              - id: new_lost_domains
                provider: dataforseo
                endpoint: backlinks/bulk_new_lost_referring_domains/live
                targets: [ahrefs.com, moz.com]
              - id: refdomains
                provider: ahrefs_v2
                endpoint: refdomains
                targets: [ahrefs.com, moz.com]
                params:
                  mode: domain
                  having: ["domain_rating >= 30"]
                  order_by: ["domain_rating:desc", "refdomain"]
                  limit: 50
                  max_rows: 120
              - id: traffic
                provider: analytics
                endpoint: batch
                targets: [acme, globex]
                params:
                  queries: [overview, pages, sources, mediums, campaigns, countries, devices, channels, conversions]
                  periods: [yesterday, 7d, "2026-10-01..2026-10-31"]
                  depends_on: ["pages:overview"]
                  page_size: 20

            """)

    @Test("the same pipeline loads the same fact rows into PostgreSQL as into SQLite, table by table")
    func parityWithSQLite() async throws {
        try await withHarness(today: Self.date) { harness in
            try await withPostgresSchema { url in
                let file = try harness.write("every.yml", Self.everyTable)
                let sqlite = try await harness.seopipe(["run", file, "--date", Self.date, "--warehouse", "sqlite:w.db"])
                let postgres = try await harness.seopipe(["run", file, "--date", Self.date, "--warehouse", url])
                #expect(sqlite.exitCode == postgres.exitCode, "sqlite: \(sqlite.stderr)\npostgres: \(postgres.stderr)")
                #expect([0, 3].contains(postgres.exitCode), "\(postgres.stderr)")

                let sqliteStore = try SQLiteWarehouse(path: harness.directory.appendingPathComponent("w.db").path)
                let postgresStore = try await PostgresWarehouse(url: url)
                let sqliteCounts = try await sqliteStore.factTableCounts()
                let postgresCounts = try await postgresStore.factTableCounts()
                #expect(sqliteCounts.map(\.table) == postgresCounts.map(\.table), "the same fact tables")
                #expect(sqliteCounts.map(\.rows) == postgresCounts.map(\.rows), "\(sqliteCounts) \(postgresCounts)")
                #expect(
                    sqliteCounts.filter { $0.rows > 0 }.count == sqliteCounts.count,
                    "every table has rows: \(sqliteCounts)")

                for (table, _) in sqliteCounts {
                    // run_id and fetched_at differ between two runs by design; everything else must match.
                    let columns = try await sqliteStore.query("SELECT name FROM pragma_table_info('\(table)')")
                        .compactMap { $0.first ?? nil }.filter { $0 != "run_id" && $0 != "fetched_at" }
                    let list = columns.map { "\"\($0)\"" }.joined(separator: ", ")
                    let left = try await sqliteStore.query("SELECT \(list) FROM \"\(table)\"").map(Self.normalized)
                    let right = try await postgresStore.query("SELECT \(list) FROM \"\(table)\"").map(Self.normalized)
                    #expect(left.sorted(by: Self.precedes) == right.sorted(by: Self.precedes), "\(table)")
                }

                // The ledger agrees too: the same stages with the same rows and statuses.
                let stageSQL = "SELECT stage_id, status, rows, targets FROM seopipe_stage_runs ORDER BY stage_id"
                #expect(
                    try await sqliteStore.query(stageSQL).map(Self.normalized)
                        == postgresStore.query(stageSQL).map(Self.normalized))
                let errorSQL = "SELECT stage_id, target, error FROM seopipe_target_errors ORDER BY stage_id, target"
                #expect(try await sqliteStore.query(errorSQL) == postgresStore.query(errorSQL))
                await sqliteStore.close()
                await postgresStore.close()

                // `runs` and `migrate` read the same warehouse, by URL.
                let runs = try await harness.seopipe(["runs", "--warehouse", url])
                #expect(runs.exitCode == 0 && runs.stdout.contains("e2e"), "\(runs.stderr)")
                let migrate = try await harness.seopipe(["migrate"], environment: ["DATABASE_URL": url])
                #expect(migrate.stdout.contains("0005_analytics: already applied"), "\(migrate.stderr)")
            }
        }
    }

    @Test("a URL's password never appears in output, and a bad URL or server fails clearly")
    func passwordsStayHidden() async throws {
        try await withHarness { harness in
            try await withPostgresSchema { url in
                // The test server trusts loopback, so a wrong password still connects.
                let withPassword = url.replacingOccurrences(of: "://postgres@", with: "://postgres:s3cret@")
                #expect(withPassword != url)
                let runs = try await harness.seopipe(["runs", "--warehouse", withPassword])
                #expect(runs.exitCode == 0, "\(runs.stderr)")
                #expect(runs.stdout.contains("postgres:***@"), "\(runs.stdout)")
                #expect(!runs.stdout.contains("s3cret") && !runs.stderr.contains("s3cret"))
            }
            // Nothing listens on port 1.
            let down = try await harness.seopipe(
                ["runs", "--warehouse", "postgres://etl:s3cret@127.0.0.1:1/seo?sslmode=disable"])
            #expect(down.exitCode == 1)
            #expect(down.stderr.contains("postgres://etl:***@127.0.0.1:1/seo"), "\(down.stderr)")
            #expect(!down.stderr.contains("s3cret"))
            let bad = try await harness.seopipe(["runs", "--warehouse", "postgres://h/db?sslmode=sometimes"])
            #expect(bad.exitCode == 1 && bad.stderr.contains("sslmode=sometimes"), "\(bad.stderr)")
            let unparsable = try await harness.seopipe(["runs"], environment: ["DATABASE_URL": "postgres://h:99999/db"])
            #expect(unparsable.exitCode == 2 && unparsable.stderr.contains("$DATABASE_URL"), "\(unparsable.stderr)")
        }
    }

    /// Text in one spelling for both backends: numbers through Double (NUMERIC's trailing zeros, REAL's `.0`),
    /// ISO-8601 timestamps as seconds since 1970, the rest as is.
    static func normalized(_ row: [String?]) -> [String?] {
        row.map { value in
            guard let value else { return nil }
            if let number = Double(value), value.first.map({ $0.isNumber || $0 == "-" }) == true {
                return number == number.rounded() && abs(number) < 1e15
                    ? String(Int64(number)) : String(format: "%.6f", number)
            }
            // JSON columns: PostgreSQL's jsonb spaces and orders members its own way; the value is what counts.
            if value.first == "[" || value.first == "{",
                let object = try? JSONSerialization.jsonObject(with: Data(value.utf8)),
                let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            {
                return String(decoding: data, as: UTF8.self)
            }
            if value.count > 10, value.contains("T"), let date = try? Date(value, strategy: .iso8601) {
                return "\(date.timeIntervalSince1970)"
            }
            return value
        }
    }

    static func precedes(_ left: [String?], _ right: [String?]) -> Bool {
        left.map { $0 ?? "\u{0}" }.lexicographicallyPrecedes(right.map { $0 ?? "\u{0}" })
    }
}

/// Runs `body` with the test server's URL pointing at a fresh schema, dropped afterwards whatever happens.
func withPostgresSchema(_ body: (_ url: String) async throws -> Void) async throws {
    let server = try #require(ProcessInfo.processInfo.environment["SEOPIPE_TEST_POSTGRES_URL"])
    let schema = freshSchemaName()
    do {
        try await body(postgresURL(server, schema: schema))
    } catch {
        await dropSchemas(on: server, matching: schema)
        throw error
    }
    await dropSchemas(on: server, matching: schema)
}
