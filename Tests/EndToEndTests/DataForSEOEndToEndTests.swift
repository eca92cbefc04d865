import Foundation
import Sandbox
import Testing

/// DataForSEO bulk endpoints through the built binary, against the sandbox, into SQLite.
@Suite("DataForSEO, end to end")
struct DataForSEOEndToEndTests {
    static let date = "2026-11-20"

    static func stage(
        _ id: String = "summary", endpoint: String = "backlinks/bulk_pages_summary/live", targets: String,
        params: String? = nil, dependsOn: String? = nil
    ) -> String {
        var text = """
              - id: \(id)
                provider: dataforseo
                endpoint: \(endpoint)
                targets: \(targets)

            """
        if let params { text += "    params: \(params)\n" }
        if let dependsOn { text += "    depends_on: [\(dependsOn)]\n" }
        return text
    }

    @Test(
        "loads every documented field and the nested maps, typed, with the USD cost in the ledger",
        arguments: Backend.available)
    func pagesSummary(backend: Backend) async throws {
        try await withHarness(backend, today: Self.date) { harness in
            let file = try harness.write(
                "p.yml",
                pipelineYAML(
                    stages: Self.stage(
                        targets:
                            #"["https://DataForSEO.com/about-us", "www.Moz.com", "gone.invalid", "https://backlinko.com/hub"]"#,
                        params: "{ include_subdomains: false }")))
            let output = try await harness.seopipe(["run", file, "--date", Self.date])
            #expect(output.exitCode == 0, "\(output.stderr)")

            let expected = DataForSEOData.pageSummary(target: "https://dataforseo.com/about-us", date: Self.date)
            // The storage type each backend gave the numbers: SQLite's integer, PostgreSQL's BIGINT.
            let types =
                harness.backend == .sqlite
                ? (sql: "typeof(rank), typeof(backlinks)", expected: "integer")
                : (sql: "pg_typeof(rank)::text, pg_typeof(backlinks)::text", expected: "bigint")
            let row = try #require(
                try await harness.query(
                    """
                    SELECT url_original, rank, main_domain_rank, backlinks, first_seen, lost_date, backlinks_spam_score,
                        broken_backlinks, broken_pages, referring_domains, referring_domains_nofollow,
                        referring_main_domains, referring_main_domains_nofollow, referring_ips, referring_subnets,
                        referring_pages, referring_pages_nofollow, \(types.sql)
                    FROM dataforseo_page_summary WHERE url = 'https://dataforseo.com/about-us'
                    """
                ).first)
            #expect(row[0] == "https://DataForSEO.com/about-us")
            let numbers = [expected.rank, expected.mainDomainRank, expected.backlinks].map { "\($0)" }
            #expect(Array(row[1...3]) == numbers.map(Optional.some))
            #expect(row[4] == expected.firstSeen.map(Self.iso), "first_seen as ISO-8601 UTC")
            #expect(row[5] == expected.lostDate.map(Self.iso))
            let rest = [
                expected.backlinksSpamScore, expected.brokenBacklinks, expected.brokenPages,
                expected.referringDomains, expected.referringDomainsNofollow, expected.referringMainDomains,
                expected.referringMainDomainsNofollow, expected.referringIPs, expected.referringSubnets,
                expected.referringPages, expected.referringPagesNofollow,
            ].map { Optional("\($0)") }
            #expect(Array(row[6...16]) == rest)
            #expect(row[17] == types.expected && row[18] == types.expected)

            // The domain target went out without www. and comes back as such.
            #expect(
                try await harness.query("SELECT url_original FROM dataforseo_page_summary WHERE url = 'moz.com'")
                    == [["www.Moz.com"]])
            // A target the index does not know: zeros and NULLs, as the API returns them.
            #expect(
                try await harness.query(
                    "SELECT backlinks, first_seen, lost_date FROM dataforseo_page_summary WHERE url = 'gone.invalid'")
                    == [["0", nil, nil]])

            // Nested maps in long form, every key, the empty key kept.
            var expectedBreakdown: [[String?]] = []
            let maps: [(String, [String: Int]?)] = [
                ("referring_links_attributes", expected.referringLinksAttributes),
                ("referring_links_countries", expected.referringLinksCountries),
                ("referring_links_platform_types", expected.referringLinksPlatformTypes),
                ("referring_links_semantic_locations", expected.referringLinksSemanticLocations),
                ("referring_links_tld", expected.referringLinksTLD),
                ("referring_links_types", expected.referringLinksTypes),
            ]
            for (dimension, counts) in maps {
                for (key, count) in (counts ?? [:]).sorted(by: { $0.key < $1.key }) {
                    expectedBreakdown.append([dimension, key, "\(count)"])
                }
            }
            let breakdown = try await harness.query(
                """
                SELECT dimension, key, count FROM dataforseo_page_summary_breakdown
                WHERE url = 'https://dataforseo.com/about-us' AND snapshot_date = '\(Self.date)' ORDER BY dimension, key
                """)
            #expect(breakdown == expectedBreakdown)
            #expect(!breakdown.isEmpty)

            // Money: what the sandbox charged is what the ledger says, per chunk, stage and run.
            let usage = harness.sandbox.usage()
            let charged = usage.totalCostUSD
            #expect(abs(charged - DataForSEOData.taskCost(targets: 4)) < 1e-9)
            for sql in [
                "SELECT sum(cost_usd) FROM seopipe_chunks", "SELECT cost_usd FROM seopipe_stage_runs",
                "SELECT cost_usd FROM seopipe_runs",
            ] {
                let value = Double(try await harness.query(sql).first?[0] ?? "") ?? -1
                #expect(abs(value - charged) < 1e-9, "\(sql)")
            }

            // The same date again: nothing bought, nothing duplicated.
            let counts = (
                try await harness.count("dataforseo_page_summary"),
                try await harness.count("dataforseo_page_summary_breakdown")
            )
            #expect(try await harness.seopipe(["run", file, "--date", Self.date]).exitCode == 0)
            #expect(harness.sandbox.usage().totalRequests == usage.totalRequests)
            #expect(try await harness.count("dataforseo_page_summary") == counts.0)
            // --refresh buys it again and replaces the breakdown as a whole.
            #expect(try await harness.seopipe(["run", file, "--date", Self.date, "--refresh"]).exitCode == 0)
            #expect(try await harness.count("dataforseo_page_summary") == counts.0)
            #expect(try await harness.count("dataforseo_page_summary_breakdown") == counts.1)
        }
    }

    /// `2024-03-31 07:06:04 +00:00` -> `2024-03-31T07:06:04Z`.
    static func iso(_ text: String) -> String {
        let parts = text.split(separator: " ")
        return "\(parts[0])T\(parts[1])Z"
    }

    @Test(
        "1001 targets become two tasks; 101 page domains become two tasks; no task crosses a limit",
        arguments: Backend.available)
    func chunkingLimits(backend: Backend) async throws {
        try await withHarness(backend, today: Self.date) { harness in
            let domains = (1...1001).map { "\"d\($0).example.com\"" }.joined(separator: ", ")
            let pages = (1...101).map { "\"https://h\($0).example.org/p\"" }.joined(separator: ", ")
            let file = try harness.write(
                "p.yml",
                pipelineYAML(
                    stages:
                        Self.stage("domains", endpoint: "backlinks/bulk_backlinks/live", targets: "[\(domains)]")
                        + Self.stage("pages", targets: "[\(pages)]")))
            let output = try await harness.seopipe(["run", file, "--date", Self.date])
            #expect(output.exitCode == 0, "\(output.stderr)")
            let usage = harness.sandbox.usage()
            #expect(usage.endpoints["backlinks/bulk_backlinks/live"]?.chargedRequests == 2)
            #expect(usage.endpoints["backlinks/bulk_pages_summary/live"]?.chargedRequests == 2)
            for request in usage.requestLog {
                #expect(request.targetCount <= 1000)
                #expect(request.distinctDomains <= 100)
                #expect(request.taskCount == 1, "live endpoints take one task per call")
                #expect(request.status == 200)
            }
            #expect(try await harness.count("dataforseo_bulk_backlinks") == 1001)
            #expect(try await harness.count("dataforseo_page_summary") == 101)
            let expected = DataForSEOData.backlinks(target: "d7.example.com", date: Self.date)
            #expect(
                try await harness.query(
                    "SELECT backlinks FROM dataforseo_bulk_backlinks WHERE target = 'd7.example.com'")
                    == [["\(expected)"]])
            // Every task was charged as the sandbox says, and refused targets were never sent.
            #expect(usage.requestLog.allSatisfy { $0.charged })
        }
    }

    @Test(
        "a 40202 rate-limit body inside HTTP 200 is retried and then succeeds, paid once", arguments: Backend.available)
    func rateLimitInBody(backend: Backend) async throws {
        try await withHarness(backend, today: Self.date) { harness in
            harness.sandbox.setFaults([
                FaultRule(
                    endpoint: "backlinks/bulk_spam_score/live", fromRequest: 1, count: 1,
                    status: 200, dialect: SimulatedDataForSEO.Fault(statusCode: 40202))
            ])
            let file = try harness.write(
                "p.yml",
                pipelineYAML(
                    stages: Self.stage(
                        endpoint: "backlinks/bulk_spam_score/live", targets: "[ahrefs.com, moz.com]")))
            let output = try await harness.seopipe(["run", file, "--date", Self.date])
            #expect(output.exitCode == 0, "\(output.stderr)")
            #expect(output.stderr.contains("40202"), "the retry is logged with the API's code")
            let usage = harness.sandbox.usage().endpoints["backlinks/bulk_spam_score/live"]
            #expect(usage?.requests == 2)
            #expect(usage?.chargedRequests == 1)
            let spam = DataForSEOData.spamScore(target: "moz.com", date: Self.date)
            #expect(
                try await harness.query("SELECT spam_score FROM dataforseo_bulk_spam_score WHERE target = 'moz.com'")
                    == [["\(spam)"]])
        }
    }

    @Test(
        "a 40200 or 40203 body stops spending: the stage fails naming provider, stage and chunk",
        arguments: Backend.available, [40200, 40203])
    func paymentStopsSpending(backend: Backend, code: Int) async throws {
        try await withHarness(backend, today: Self.date) { harness in
            harness.sandbox.setFaults([
                FaultRule(
                    endpoint: "*", fromRequest: 2, status: 200, dialect: SimulatedDataForSEO.Fault(statusCode: code))
            ])
            let domains = (1...2500).map { "\"d\($0).example.com\"" }.joined(separator: ", ")
            let file = try harness.write(
                "p.yml",
                pipelineYAML(
                    stages:
                        Self.stage("first", endpoint: "backlinks/bulk_ranks/live", targets: "[\(domains)]")
                            + """
                              - id: ahrefs_still_runs
                                provider: ahrefs
                                endpoint: site-explorer/batch/domain-rating
                                targets: [a.com]

                            """, parallelLimit: 1))
            let output = try await harness.seopipe(["run", file, "--date", Self.date, "--json"])
            #expect(output.exitCode == 3, "other providers still load, so the run is partial: \(output.stderr)")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
            let results = try #require(json["results"] as? [String: [String: Any]])
            let message = try #require(results["first"]?["error"] as? String)
            #expect(message.contains("dataforseo"))
            #expect(message.contains("stage `first`"))
            #expect(message.contains("chunk 2/3"))
            #expect(message.contains("\(code)"))
            #expect(results["first"]?["status"] as? String == "error")
            #expect(results["ahrefs_still_runs"]?["status"] as? String == "success")
            let usage = harness.sandbox.usage()
            let dataForSEORequests = usage.requestLog.filter { $0.endpoint.hasPrefix("backlinks/") }
            #expect(dataForSEORequests.count == 2, "the refusal is not retried and nothing else is sent")
            #expect(try await harness.count("dataforseo_bulk_ranks") == 1000, "the first task's rows are kept")
        }
    }

    @Test(
        "a task refused for an invalid field fails its targets only; the rest of the stage loads",
        arguments: Backend.available)
    func taskLevelRejection(backend: Backend) async throws {
        try await withHarness(backend, today: Self.date) { harness in
            harness.sandbox.setFaults([
                FaultRule(
                    endpoint: "backlinks/bulk_backlinks/live", fromRequest: 1, count: 1,
                    status: 200, dialect: SimulatedDataForSEO.Fault(taskStatusCode: 40501))
            ])
            let domains = (1...1500).map { "\"d\($0).example.com\"" }.joined(separator: ", ")
            let file = try harness.write(
                "p.yml",
                pipelineYAML(
                    stages: Self.stage(
                        endpoint: "backlinks/bulk_backlinks/live", targets: "[\(domains)]"), parallelLimit: 1))
            let output = try await harness.seopipe(["run", file, "--date", Self.date])
            #expect(output.exitCode == 3, "\(output.stderr)")
            #expect(try await harness.count("dataforseo_bulk_backlinks") == 500)
            #expect(try await harness.count("seopipe_target_errors") == 1000)
            let error = try await harness.query("SELECT error FROM seopipe_target_errors LIMIT 1").first?[0]
            #expect(error?.contains("40501") == true, "\(String(describing: error))")
        }
    }

    @Test("a DataForSEO stage reads its targets from an Ahrefs stage's rows", arguments: Backend.available)
    func chainedFromAhrefs(backend: Backend) async throws {
        try await withHarness(backend, today: Self.date) { harness in
            let file = try harness.write(
                "p.yml",
                pipelineYAML(
                    stages: """
                          - id: metrics
                            provider: ahrefs
                            endpoint: site-explorer/batch/metrics
                            targets: [ahrefs.com, moz.com, www.semrush.com]

                        """
                            + Self.stage(
                                targets:
                                    "{ from_sql: \"SELECT target FROM ahrefs_domain_metrics WHERE snapshot_date = :snapshot\" }",
                                dependsOn: "metrics")))
            let output = try await harness.seopipe(["run", file, "--date", Self.date])
            #expect(output.exitCode == 0, "\(output.stderr)")
            #expect(
                try await harness.query("SELECT url FROM dataforseo_page_summary ORDER BY url").map { $0[0] }
                    == ["ahrefs.com", "moz.com", "semrush.com"], "www. stripped for DataForSEO")
        }
    }

    @Test("plan estimates the USD cost the run then spends", arguments: Backend.available)
    func planCost(backend: Backend) async throws {
        try await withHarness(backend, today: Self.date) { harness in
            let domains = (1...1200).map { "\"d\($0).example.com\"" }.joined(separator: ", ")
            let file = try harness.write(
                "p.yml",
                pipelineYAML(
                    stages: Self.stage(
                        endpoint: "backlinks/bulk_referring_domains/live", targets: "[\(domains)]")))
            let plan = try await harness.seopipe(["plan", file, "--json"])
            let stages = try #require(
                try JSONSerialization.jsonObject(with: Data(plan.stdout.utf8)) as? [[String: Any]])
            let estimate = try #require(stages.first?["estimated_cost_usd"] as? Double)
            #expect(try await harness.seopipe(["run", file, "--date", Self.date]).exitCode == 0)
            let spent = harness.sandbox.usage().totalCostUSD
            #expect(abs(estimate - spent) <= spent * 0.05, "estimate \(estimate) vs spent \(spent)")
        }
    }
}
