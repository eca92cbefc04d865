import Foundation
import Sandbox
import Testing

/// The built binary runs pipelines against the sandbox into real SQLite files.
@Suite("seopipe run, end to end")
struct RunEndToEndTests {
    static let date = "2026-11-20"

    /// All five endpoints; 150 domains in the metrics stage so it takes two requests.
    static func fullPipeline(metricsTargets: [String]) -> String {
        pipelineYAML(
            stages: """
                  - id: metrics
                    provider: ahrefs
                    endpoint: site-explorer/batch/metrics
                    targets: \(flowList(metricsTargets))
                  - id: rating
                    provider: ahrefs
                    endpoint: site-explorer/batch/domain-rating
                    targets: [ahrefs.com, Moz.com, "https://www.semrush.com/"]
                  - id: backlinks
                    depends_on: [metrics]
                    provider: ahrefs
                    endpoint: site-explorer/batch/backlinks-stats
                    targets: { from_sql: "SELECT target FROM ahrefs_domain_metrics WHERE snapshot_date = :snapshot ORDER BY target LIMIT 7" }
                  - id: keywords
                    provider: ahrefs
                    endpoint: keywords-explorer/batch/overview
                    targets: ["seo tools", "  Keyword   Research "]
                    params: { country: us }
                  - id: pages
                    provider: ahrefs
                    endpoint: site-explorer/batch/url-metrics
                    targets: { file: pages.txt }
                """)
    }

    static let pages = "# pages\nhttps://Example.com/blog/post-1\nhttps://example.com/pricing?plan=pro\n\n"

    @Test(
        "loads every endpoint's documented fields, stamped with the date, and records the run",
        arguments: Backend.available)
    func loadsEveryEndpoint(backend: Backend) async throws {
        try await withHarness(backend) { harness in
            let targets = domains(150)
            let file = try harness.write("pipeline.yml", Self.fullPipeline(metricsTargets: targets))
            try harness.write("pages.txt", Self.pages)

            let output = try await harness.seopipe(["run", file, "--date", Self.date])
            #expect(output.exitCode == 0, "stderr: \(output.stderr)")

            // Exact values for named targets, as the sandbox served them for this date.
            let metrics = AhrefsV3Data.domainMetrics(target: "site7.example-shop.com", date: Self.date)
            let row = try await harness.query(
                """
                SELECT org_keywords, org_traffic, domain_rating, snapshot_date, target_original, run_id
                FROM ahrefs_domain_metrics WHERE target = 'site7.example-shop.com'
                """)
            #expect(row.count == 1)
            #expect(row.first?[0] == "\(metrics.orgKeywords)")
            #expect(row.first?[1] == "\(metrics.orgTraffic)")
            #expect(Double(row.first?[2] ?? "") == metrics.domainRating)
            #expect(row.first?[3] == Self.date)
            #expect(row.first?[4] == "site7.example-shop.com")

            let rating = AhrefsV3Data.domainRating(target: "moz.com", date: Self.date)
            let ratingRow = try await harness.query(
                "SELECT domain_rating, ahrefs_rank, target_original FROM ahrefs_domain_rating WHERE target = 'moz.com'")
            #expect(
                ratingRow.first.map { [Double($0[0] ?? ""), Double($0[1] ?? "")] }
                    == [rating.domainRating, Double(rating.ahrefsRank)])
            #expect(ratingRow.first?[2] == "Moz.com", "the original spelling is kept")
            #expect(
                try await harness.query("SELECT target FROM ahrefs_domain_rating ORDER BY target").map { $0[0] }
                    == ["ahrefs.com", "moz.com", "www.semrush.com"])

            let keyword = AhrefsV3Data.keywordOverview(keyword: "keyword research", country: "us")
            let keywordRow = try await harness.query(
                """
                SELECT volume, keyword_difficulty, cpc, traffic_potential, country, keyword_original
                FROM ahrefs_keyword_overview WHERE keyword = 'keyword research'
                """)
            #expect(keywordRow.first?[0] == "\(keyword.volume)")
            #expect(keywordRow.first?[1] == "\(keyword.keywordDifficulty)")
            #expect(Double(keywordRow.first?[2] ?? "") == keyword.cpc)
            #expect(keywordRow.first?[3] == "\(keyword.trafficPotential)")
            #expect(keywordRow.first?[4] == "us")

            let page = AhrefsV3Data.urlMetrics(url: "https://example.com/pricing?plan=pro", date: Self.date)
            let pageRow = try await harness.query(
                """
                SELECT url_rating, backlinks, referring_domains, keywords, traffic FROM ahrefs_url_metrics
                WHERE url = 'https://example.com/pricing?plan=pro'
                """)
            #expect(
                pageRow.first == [
                    "\(page.urlRating)", "\(page.backlinks)", "\(page.referringDomains)",
                    "\(page.keywords)", "\(page.traffic)",
                ])
            #expect(try await harness.count("ahrefs_url_metrics") == 2)

            // from_sql read the metrics stage's rows of this snapshot.
            let stats = AhrefsV3Data.backlinksStats(target: "site1.example-shop.com", date: Self.date)
            #expect(try await harness.count("ahrefs_backlinks_stats") == 7)
            #expect(
                try await harness.query(
                    "SELECT live, live_refdomains FROM ahrefs_backlinks_stats WHERE target = 'site1.example-shop.com'"
                ).first
                    == ["\(stats.live)", "\(stats.liveRefdomains)"])

            #expect(try await harness.count("ahrefs_domain_metrics") == 150)
            #expect(try await harness.count("ahrefs_domain_rating") == 3)
            #expect(try await harness.count("ahrefs_keyword_overview") == 2)

            // Requests per stage are ceil(targets / 100), and what the sandbox charged is what the ledger recorded.
            let usage = harness.sandbox.usage()
            #expect(usage.endpoints["site-explorer/batch/metrics"]?.requests == 2)
            #expect(usage.endpoints["site-explorer/batch/domain-rating"]?.requests == 1)
            #expect(usage.endpoints["site-explorer/batch/backlinks-stats"]?.requests == 1)
            #expect(usage.endpoints["keywords-explorer/batch/overview"]?.requests == 1)
            #expect(usage.endpoints["site-explorer/batch/url-metrics"]?.requests == 1)
            let ledger = try await harness.query(
                "SELECT status, rows, requests, units, snapshot_date FROM seopipe_runs")
            #expect(ledger.count == 1)
            #expect(ledger.first?[0] == "succeeded")
            #expect(ledger.first?[1] == "\(150 + 3 + 7 + 2 + 2)")
            #expect(ledger.first?[2] == "6")
            #expect(Double(ledger.first?[3] ?? "") == Double(usage.totalUnits))
            #expect(try await harness.count("seopipe_chunks") == 6)
            #expect(
                try await harness.query("SELECT count(*) FROM seopipe_stage_runs WHERE status = 'success'").first?[0]
                    == "5")
        }
    }

    @Test(
        "re-running a date loads nothing twice and buys nothing twice; a new date adds a snapshot",
        arguments: Backend.available)
    func rerunsAreIdempotent(backend: Backend) async throws {
        try await withHarness(backend) { harness in
            let file = try harness.write("pipeline.yml", Self.fullPipeline(metricsTargets: domains(120)))
            try harness.write("pages.txt", Self.pages)

            #expect(try await harness.seopipe(["run", file, "--date", Self.date]).exitCode == 0)
            let firstUsage = harness.sandbox.usage()
            let tables = [
                "ahrefs_domain_metrics", "ahrefs_domain_rating", "ahrefs_backlinks_stats",
                "ahrefs_keyword_overview", "ahrefs_url_metrics",
            ]
            var counts: [Int] = []
            for table in tables { counts.append(try await harness.count(table)) }

            let again = try await harness.seopipe(["run", file, "--date", Self.date, "--json"])
            #expect(again.exitCode == 0, "stderr: \(again.stderr)")
            #expect(harness.sandbox.usage().totalRequests == firstUsage.totalRequests, "no request is sent again")
            for (table, expected) in zip(tables, counts) { #expect(try await harness.count(table) == expected) }
            let json = try JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as? [String: Any]
            let metrics = (json?["results"] as? [String: Any])?["metrics"] as? [String: Any]
            #expect(metrics?["chunks_skipped"] as? Int == 2)
            #expect(metrics?["requests"] as? Int == 0)

            // --refresh buys the same chunks again and replaces them: still no duplicate rows.
            #expect(try await harness.seopipe(["run", file, "--date", Self.date, "--refresh"]).exitCode == 0)
            #expect(harness.sandbox.usage().totalRequests == 2 * firstUsage.totalRequests)
            for (table, expected) in zip(tables, counts) { #expect(try await harness.count(table) == expected) }

            // A new date adds history next to the first snapshot.
            #expect(try await harness.seopipe(["run", file, "--date", "2026-11-21"]).exitCode == 0)
            for (table, expected) in zip(tables, counts) { #expect(try await harness.count(table) == 2 * expected) }
            let dates = try await harness.query(
                "SELECT snapshot_date, count(*) FROM ahrefs_domain_metrics GROUP BY snapshot_date ORDER BY 1")
            #expect(dates == [[Self.date, "120"], ["2026-11-21", "120"]])
            let drift = try await harness.query(
                """
                SELECT count(*) FROM ahrefs_domain_metrics a JOIN ahrefs_domain_metrics b ON a.target = b.target
                WHERE a.snapshot_date = '\(Self.date)' AND b.snapshot_date = '2026-11-21'
                  AND a.org_traffic = b.org_traffic AND a.domain_rating = b.domain_rating AND a.org_keywords = b.org_keywords
                """)
            #expect(drift.first?[0] != "120", "values vary by date, so history is real")
        }
    }

    @Test(
        "a target with a per-target error exits 3, records the error, and loads every other target",
        arguments: Backend.available)
    func perTargetErrors(backend: Backend) async throws {
        try await withHarness(backend) { harness in
            let file = try harness.write(
                "pipeline.yml",
                pipelineYAML(
                    stages: """
                          - id: metrics
                            provider: ahrefs
                            endpoint: site-explorer/batch/metrics
                            targets: [ahrefs.com, gone-away.invalid, moz.com, "not a domain"]
                        """))
            let output = try await harness.seopipe(["run", file, "--date", Self.date])
            #expect(output.exitCode == 3, "stderr: \(output.stderr)")
            #expect(
                try await harness.query("SELECT target FROM ahrefs_domain_metrics ORDER BY target").map { $0[0] }
                    == ["ahrefs.com", "moz.com"])
            let errors = try await harness.query(
                "SELECT target, error, stage_id, CASE WHEN request_hash IS NULL THEN 1 ELSE 0 END "
                    + "FROM seopipe_target_errors ORDER BY target")
            #expect(errors.count == 2)
            #expect(errors.first?[0] == "gone-away.invalid")
            #expect(errors.first?[1] == "Domain not found in index", "the provider's own message")
            #expect(errors.first?[2] == "metrics")
            #expect(errors.last?[0] == "not a domain")
            #expect(errors.last?[3] == "1", "an invalid domain is refused before sending")
            #expect(output.stderr.contains("gone-away.invalid"), "the log names the target")
            #expect(try await harness.query("SELECT status FROM seopipe_runs").first?[0] == "partial")
            #expect(
                harness.sandbox.usage().endpoints["site-explorer/batch/metrics"]?.targets == 3,
                "`not a domain` was never sent")
        }
    }

    @Test(
        "a 429 with Retry-After is waited out before anything is sent again, and paid once",
        arguments: Backend.available)
    func honoursRetryAfter(backend: Backend) async throws {
        try await withHarness(backend) { harness in
            harness.sandbox.setFaults([
                FaultRule(
                    endpoint: "site-explorer/batch/metrics", fromRequest: 1, count: 1,
                    status: 429, retryAfterSeconds: 1)
            ])
            let file = try harness.write(
                "pipeline.yml",
                pipelineYAML(
                    stages: """
                          - id: metrics
                            provider: ahrefs
                            endpoint: site-explorer/batch/metrics
                            targets: \(flowList(domains(250)))
                        """, parallelLimit: 3))
            let output = try await harness.seopipe(["run", file, "--date", Self.date])
            #expect(output.exitCode == 0, "stderr: \(output.stderr)")
            let usage = harness.sandbox.usage()
            let log = usage.requestLog.filter { $0.endpoint == "site-explorer/batch/metrics" }
            #expect(log.count == 4, "3 chunks plus the one rejected attempt")
            #expect(log.first?.status == 429)
            // No worker sent anything during the wait.
            if let rejected = log.first {
                for later in log.dropFirst() {
                    #expect(later.receivedAt.timeIntervalSince(rejected.receivedAt) >= 0.95)
                }
            }
            #expect(usage.endpoints["site-explorer/batch/metrics"]?.chargedRequests == 3)
            let units = try await harness.query("SELECT sum(units) FROM seopipe_chunks").first?[0]
            #expect(Double(units ?? "") == Double(usage.totalUnits), "units counted once")
            #expect(try await harness.count("ahrefs_domain_metrics") == 250)
            #expect(output.stderr.contains("429"))
        }
    }

    @Test(
        "a run that fails part-way resumes with only the missing chunks and ends equal to a clean run",
        arguments: Backend.available)
    func resumesWithoutRebuying(backend: Backend) async throws {
        try await withHarness(backend) { harness in
            let stages = """
                  - id: metrics
                    provider: ahrefs
                    endpoint: site-explorer/batch/metrics
                    targets: \(flowList(domains(500)))
                """
            // Sequential requests so "from the 3rd request" means "after two committed chunks".
            let file = try harness.write("pipeline.yml", pipelineYAML(stages: stages, maxAttempts: 2, parallelLimit: 1))
            harness.sandbox.setFaults([FaultRule(endpoint: "site-explorer/batch/metrics", fromRequest: 3, status: 500)])
            let failed = try await harness.seopipe(["run", file, "--date", Self.date])
            #expect(failed.exitCode != 0)
            #expect(failed.stderr.contains("chunk 3/5"), "the error names the chunk: \(failed.stderr)")
            #expect(failed.stderr.contains("ahrefs"), "and the provider")
            #expect(try await harness.count("ahrefs_domain_metrics") == 200)
            #expect(try await harness.count("seopipe_chunks") == 2)
            let paidBefore = harness.sandbox.usage().endpoints["site-explorer/batch/metrics"]?.chargedRequests
            #expect(paidBefore == 2)

            harness.sandbox.setFaults([])
            let resumed = try await harness.seopipe(["run", file, "--date", Self.date])
            #expect(resumed.exitCode == 0, "stderr: \(resumed.stderr)")
            let usage = harness.sandbox.usage().endpoints["site-explorer/batch/metrics"]
            #expect(usage?.chargedRequests == 5, "only the 3 missing chunks were bought")

            // A clean run of the same date into another warehouse holds exactly the same facts.
            let cleanWarehouse = harness.warehouse(named: "clean")
            let clean = try harness.write("clean.yml", pipelineYAML(name: "clean", stages: stages))
            #expect(
                try await harness.seopipe(["run", clean, "--date", Self.date, "--warehouse", cleanWarehouse])
                    .exitCode == 0)
            let facts =
                "SELECT target, target_original, snapshot_date, org_keywords, org_traffic, domain_rating "
                + "FROM ahrefs_domain_metrics ORDER BY target"
            let resumedRows = try await harness.query(facts)
            let cleanRows = try await harness.query(facts, in: cleanWarehouse)
            #expect(resumedRows.count == 500)
            #expect(resumedRows == cleanRows)
            let runs = try await harness.query("SELECT status FROM seopipe_runs ORDER BY started_at")
            #expect(runs.map { $0[0] } == ["failed", "succeeded"])
        }
    }

    @Test(
        "an invalid token fails at once, is not retried, and never appears in output or the warehouse",
        arguments: Backend.available)
    func badTokenIsFatalAndSecret(backend: Backend) async throws {
        try await withHarness(backend) { harness in
            let secret = "tok-SECRET-3f9a2c"
            let file = try harness.write(
                "pipeline.yml",
                pipelineYAML(
                    stages: """
                          - id: metrics
                            provider: ahrefs
                            endpoint: site-explorer/batch/metrics
                            targets: [ahrefs.com]
                        """, maxAttempts: 5))
            let output = try await harness.seopipe(
                ["run", file, "--date", Self.date, "--json"],
                environment: ["AHREFS_API_TOKEN": secret])
            #expect(output.exitCode == 1)
            #expect(harness.sandbox.usage().totalRequests == 1, "401 is never retried")
            #expect(output.stdout.contains("HTTP 401"))
            #expect(!output.stdout.contains(secret) && !output.stderr.contains(secret))
            #expect(try await !harness.everyValue().contains(secret))
            if backend == .sqlite {
                let database = try Data(contentsOf: URL(fileURLWithPath: harness.databasePath))
                #expect(database.range(of: Data(secret.utf8)) == nil, "not even in free pages")
            }
        }
    }

    @Test(
        "a budget stops the run before it would be crossed, exits 3, and the next run resumes",
        arguments: Backend.available)
    func budgetStopsSpending(backend: Backend) async throws {
        try await withHarness(backend) { harness in
            // 300 targets = 3 chunks of ~500 units; a 1200-unit budget allows two.
            let stages = """
                  - id: metrics
                    provider: ahrefs
                    endpoint: site-explorer/batch/metrics
                    targets: \(flowList(domains(300)))
                """
            let file = try harness.write(
                "pipeline.yml", pipelineYAML(stages: stages, budget: "max_units: 1200", parallelLimit: 1))
            let output = try await harness.seopipe(["run", file, "--date", Self.date])
            #expect(output.exitCode == 3, "stderr: \(output.stderr)")
            #expect(output.stdout.contains("budget"), "stdout: \(output.stdout)")
            #expect(harness.sandbox.usage().totalUnits <= 1200)
            #expect(try await harness.count("ahrefs_domain_metrics") == 200)
            let next = try await harness.seopipe(["run", file, "--date", Self.date])
            #expect(next.exitCode == 0, "stderr: \(next.stderr)")
            #expect(try await harness.count("ahrefs_domain_metrics") == 300)
            #expect(harness.sandbox.usage().endpoints["site-explorer/batch/metrics"]?.chargedRequests == 3)
        }
    }

    @Test(
        "a per-day budget counts earlier runs of the day: a backfill of a second date stops where the day's money ends",
        arguments: Backend.available)
    func dailyBudget(backend: Backend) async throws {
        try await withHarness(backend) { harness in
            // 300 targets = 3 chunks of 500 units; 1700 units a day allow three chunks in all, whatever the date.
            let stages = """
                  - id: metrics
                    provider: ahrefs
                    endpoint: site-explorer/batch/metrics
                    targets: \(flowList(domains(300)))
                """
            let file = try harness.write(
                "pipeline.yml",
                pipelineYAML(
                    stages: stages, budget: "max_units: 10000, max_units_per_day: 1700", parallelLimit: 1))
            let first = try await harness.seopipe(["run", file, "--date", "2026-11-19"])
            #expect(first.exitCode == 0, "\(first.stderr)")
            let second = try await harness.seopipe(["run", file, "--date", "2026-11-20"])
            #expect(second.exitCode == 3, "\(second.stderr)")
            #expect(second.stdout.contains("spent 1500 of 1700 units today (1500 by earlier runs)"), "\(second.stdout)")
            #expect(harness.sandbox.usage().totalUnits == 1500, "nothing was bought past the day's budget")
            #expect(try await harness.count("ahrefs_domain_metrics") == 300)
        }
    }

    @Test(
        "a per-day budget counts what a same-day --refresh bought again, though it replaced the checkpoints",
        arguments: Backend.available)
    func dailyBudgetWithRefresh(backend: Backend) async throws {
        try await withHarness(backend) { harness in
            // 2 chunks of 500 units a run; 2500 units a day: a run, a refresh, then half a refresh.
            let stages = """
                  - id: metrics
                    provider: ahrefs
                    endpoint: site-explorer/batch/metrics
                    targets: \(flowList(domains(200)))
                """
            let file = try harness.write(
                "pipeline.yml",
                pipelineYAML(
                    stages: stages, budget: "max_units_per_day: 2500", parallelLimit: 1))
            let first = try await harness.seopipe(["run", file, "--date", Self.date])
            #expect(first.exitCode == 0, "\(first.stderr)")
            let refresh = try await harness.seopipe(["run", file, "--date", Self.date, "--refresh"])
            #expect(refresh.exitCode == 0, "\(refresh.stderr)")
            #expect(harness.sandbox.usage().totalUnits == 2000)
            // The checkpoints now hold only the refresh's 1000 units; the day has spent 2000.
            let again = try await harness.seopipe(["run", file, "--date", Self.date, "--refresh"])
            #expect(again.exitCode == 3, "\(again.stdout)\n\(again.stderr)")
            #expect(again.stdout.contains("spent 2500 of 2500 units today (2000 by earlier runs)"), "\(again.stdout)")
            #expect(harness.sandbox.usage().totalUnits == 2500, "nothing was bought past the day's budget")
        }
    }
}
