import Foundation
import Sandbox
import SeopipeCore
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The analytics Batch API through the built binary: batches, dependencies, statuses, periods.
@Suite("Analytics Batch API, end to end")
struct AnalyticsEndToEndTests {
    static let date = "2026-11-20"

    static func stage(
        _ id: String = "traffic", accounts: String = "[acme, globex]", queries: String = "[overview, pages]",
        periods: String = "[yesterday, 7d]", dependsOn: String? = "[\"pages:overview\"]", pageSize: Int? = nil,
        maxRows: Int? = nil
    ) -> String {
        var text = """
              - id: \(id)
                provider: analytics
                endpoint: batch
                targets: \(accounts)
                params:
                  queries: \(queries)
                  periods: \(periods)

            """
        if let dependsOn { text += "      depends_on: \(dependsOn)\n" }
        if let pageSize { text += "      page_size: \(pageSize)\n" }
        if let maxRows { text += "      max_rows: \(maxRows)\n" }
        return text
    }

    static func pipeline(_ stages: String, failFast: Bool = false, parallelLimit: Int = 5) -> String {
        pipelineYAML(stages: stages, parallelLimit: parallelLimit)
            .replacingOccurrences(
                of: "options: { parallel_limit: \(parallelLimit) }",
                with: "options: { parallel_limit: \(parallelLimit), fail_fast: \(failFast) }")
    }

    @Test(
        "exact values land for two accounts and two periods, dated, with the period's explicit dates",
        arguments: Backend.available)
    func exactValues(backend: Backend) async throws {
        try await withHarness(backend, today: Self.date) { harness in
            // One page of 20 and no more: max_rows 20.
            let file = try harness.write("p.yml", Self.pipeline(Self.stage(pageSize: 20, maxRows: 20)))
            let output = try await harness.seopipe(["run", file, "--date", Self.date])
            #expect(output.exitCode == 0, "\(output.stderr)")
            let periods = [("yesterday", "2026-11-19", "2026-11-19"), ("7d", "2026-11-13", "2026-11-19")]
            for account in ["acme", "globex"] {
                for (period, start, end) in periods {
                    let expected = AnalyticsData.overview(account: account, start: start, end: end)
                    let row = try await harness.query(
                        """
                        SELECT entrances, page_views, engaged_entrances, bounce_rate, conversions, revenue,
                            microconversions, period
                        FROM analytics_overview_daily WHERE account_id = '\(account)' AND period_start = '\(start)'
                          AND period_end = '\(end)' AND snapshot_date = '\(Self.date)'
                        """)
                    #expect(row.count == 1)
                    #expect(row.first?[0] == "\(expected.entrances)")
                    #expect(row.first?[1] == "\(expected.pageViews)")
                    #expect(row.first?[2] == "\(expected.engagedEntrances)")
                    #expect(Double(row.first?[3] ?? "") == expected.bounceRate)
                    #expect(row.first?[4] == "\(expected.conversions)")
                    #expect(Double(row.first?[5] ?? "") == expected.revenue)
                    #expect(row.first?[6] == "\(expected.microconversions)")
                    #expect(row.first?[7] == period)

                    let pages = AnalyticsData.rows(
                        endpoint: "/stats/pages", account: account, start: start, end: end, pageSize: 20)
                    let loaded = try await harness.query(
                        """
                        SELECT page_path, entrances, page_views, conversions FROM analytics_pages_daily
                        WHERE account_id = '\(account)' AND period_start = '\(start)' AND period_end = '\(end)'
                        ORDER BY entrances DESC, page_path
                        """)
                    #expect(
                        loaded == pages.map { [$0.key, "\($0.entrances)", "\($0.pageViews)", "\($0.conversions)"] })
                }
            }
            // Two accounts x two periods = 8 queries: one batch request.
            #expect(harness.sandbox.usage().endpoints["batch"]?.chargedRequests == 1)
            // Re-running the date buys nothing again and changes nothing.
            let rows = try await harness.count("analytics_pages_daily")
            #expect(try await harness.seopipe(["run", file, "--date", Self.date]).exitCode == 0)
            #expect(harness.sandbox.usage().endpoints["batch"]?.requests == 1)
            #expect(try await harness.count("analytics_pages_daily") == rows)
        }
    }

    @Test(
        "120 queries become 3 batch requests of at most 50, with every dependency in its own batch",
        arguments: Backend.available)
    func batching(backend: Backend) async throws {
        try await withHarness(backend, today: Self.date) { harness in
            let accounts = "[" + (1...10).map { "site\($0)" }.joined(separator: ", ") + "]"
            let file = try harness.write(
                "p.yml",
                Self.pipeline(
                    Self.stage(
                        accounts: accounts, queries: "[overview, pages, sources, countries, devices, channels]",
                        dependsOn: "[\"pages:overview\", \"sources:pages\", \"channels:overview\"]",
                        maxRows: 50)))
            let output = try await harness.seopipe(["run", file, "--date", Self.date])
            #expect(output.exitCode == 0, "\(output.stderr)")
            let requests = harness.sandbox.usage().requestLog.filter { $0.endpoint == "batch" }
            #expect(requests.count == 3)
            #expect(requests.map(\.taskCount).reduce(0, +) == 120)
            #expect(requests.allSatisfy { $0.taskCount <= 50 && $0.status == 200 })
            #expect(try await harness.count("analytics_overview_daily") == 20)
        }
    }

    @Test(
        "a failing query skips its dependents, names the dependency, and the rest loads (exit 3)",
        arguments: Backend.available)
    func failingQuerySkipsDependents(backend: Backend) async throws {
        try await withHarness(backend, today: Self.date) { harness in
            harness.sandbox.setFaults([
                FaultRule(
                    endpoint: "batch", fromRequest: 1,
                    dialect: SimulatedAnalyticsBatch.Fault(queryError: "validation_error", queryID: "trafficOverviewG0")
                )
            ])
            let file = try harness.write(
                "p.yml",
                Self.pipeline(
                    Self.stage(
                        accounts: "[acme]", queries: "[overview, pages, sources]", periods: "[yesterday]",
                        dependsOn: "[\"pages:overview\"]")))
            let output = try await harness.seopipe(["run", file, "--date", Self.date])
            #expect(output.exitCode == 3, "\(output.stderr)")
            let errors = try await harness.query("SELECT target, error FROM seopipe_target_errors ORDER BY target")
            #expect(errors.count == 2)
            #expect(errors.first?[0] == "acme yesterday overview")
            #expect(errors.first?[1]?.contains("validation_error") == true)
            #expect(errors.last?[0] == "acme yesterday pages")
            #expect(errors.last?[1]?.contains("skipped") == true)
            #expect(errors.last?[1]?.contains("'overview'") == true, "the dependency by its query name: \(errors)")
            #expect(try await harness.count("analytics_sources_daily") > 0, "the independent query loaded")
            #expect(try await harness.count("analytics_overview_daily") == 0)
        }
    }

    @Test(
        "fail_fast: after the first failure the rest of the batch is skipped (one query at a time)",
        arguments: Backend.available)
    func failFast(backend: Backend) async throws {
        try await withHarness(backend, today: Self.date) { harness in
            harness.sandbox.setFaults([
                FaultRule(
                    endpoint: "batch", fromRequest: 1,
                    dialect: SimulatedAnalyticsBatch.Fault(queryError: "validation_error", queryID: "trafficOverviewG0")
                )
            ])
            let file = try harness.write(
                "p.yml",
                Self.pipeline(
                    Self.stage(
                        accounts: "[acme]", queries: "[overview, pages, sources]", periods: "[yesterday]",
                        dependsOn: nil),
                    failFast: true, parallelLimit: 1))
            let output = try await harness.seopipe(["run", file, "--date", Self.date])
            #expect(output.exitCode != 0)
            let skipped = try await harness.query(
                "SELECT count(*) FROM seopipe_target_errors WHERE error LIKE '%fail_fast%'"
            ).first?[0]
            let errors = try await harness.query("SELECT target, error FROM seopipe_target_errors")
            #expect(skipped == "2", "\(errors)")
            #expect(try await harness.count("analytics_pages_daily") == 0)
        }
    }

    @Test("a 429 rate_limit_exceeded is waited out and retried", arguments: Backend.available)
    func rateLimitRetried(backend: Backend) async throws {
        try await withHarness(backend, today: Self.date) { harness in
            harness.sandbox.setFaults([
                FaultRule(endpoint: "batch", fromRequest: 1, count: 1, status: 429, retryAfterSeconds: 1)
            ])
            let file = try harness.write(
                "p.yml", Self.pipeline(Self.stage(accounts: "[acme]", periods: "[yesterday]", maxRows: 50)))
            let output = try await harness.seopipe(["run", file, "--date", Self.date])
            #expect(output.exitCode == 0, "\(output.stderr)")
            #expect(output.stderr.contains("rate_limit_exceeded"))
            let log = harness.sandbox.usage().requestLog
            #expect(log.count == 2)
            if log.count == 2 { #expect(log[1].receivedAt.timeIntervalSince(log[0].receivedAt) >= 0.95) }
            #expect(try await harness.count("analytics_overview_daily") == 1)
        }
    }

    @Test("the API's validate call plans a graph exactly as seopipe's own stage planner does")
    func validateMatchesPlanner() async throws {
        try await withHarness(today: Self.date) { harness in
            let graph: [(id: String, dependsOn: [String])] = [
                ("overview", []), ("pages", []), ("sources", ["overview"]), ("countries", ["sources", "pages"]),
                ("devices", []), ("channels", ["countries"]),
            ]
            let queries = graph.map { node -> [String: Any] in
                var query: [String: Any] = [
                    "id": node.id, "endpoint": "/stats/\(node.id)", "params": ["account_id": "acme", "period": "7d"],
                ]
                if !node.dependsOn.isEmpty { query["depends_on"] = node.dependsOn }
                return query
            }
            var request = URLRequest(url: URL(string: harness.sandbox.baseURL + "/api/v1/batch/validate")!)
            request.httpMethod = "POST"
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.setValue(harness.sandbox.environment["ANALYTICS_API_KEY"], forHTTPHeaderField: "X-API-Key")
            request.httpBody = try JSONSerialization.data(withJSONObject: ["queries": queries])
            let (data, _) = try await URLSession.shared.data(for: request)
            let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            let ours = try StageGraph(graph)
            #expect(json["valid"] as? Bool == true)
            #expect(json["execution_order"] as? [String] == ours.executionOrder)
            #expect(json["parallel_groups"] as? [[String]] == ours.parallelGroups)
        }
    }

    // MARK: - Pages

    /// An account whose 7-day pages list is longer than 150 rows on `date`: two pages of 100.
    static let bigSite: String = {
        (0..<400).map { "site\($0)" }.first {
            AnalyticsData.rows(endpoint: "/stats/pages", account: $0, start: "2026-11-13", end: "2026-11-19").count
                > 150
        } ?? "none"
    }()

    static func pagedStage(maxRows: Int? = nil) -> String {
        stage(accounts: "[\(bigSite)]", periods: "[7d]", pageSize: 100, maxRows: maxRows)
    }

    @Test(
        "a list longer than a page loads every page, each its own checkpoint; max_rows caps it",
        arguments: Backend.available)
    func everyPage(backend: Backend) async throws {
        let all = AnalyticsData.rows(
            endpoint: "/stats/pages", account: Self.bigSite, start: "2026-11-13", end: "2026-11-19")
        #expect(all.count > 150)
        try await withHarness(backend, today: Self.date) { harness in
            let file = try harness.write("p.yml", Self.pipeline(Self.pagedStage()))
            let plan = try await harness.seopipe(["plan", file])
            #expect(plan.exitCode == 0, "\(plan.stderr)")
            let output = try await harness.seopipe(["run", file, "--date", Self.date])
            #expect(output.exitCode == 0, "\(output.stderr)")
            let loaded = try await harness.query(
                "SELECT page_path, entrances FROM analytics_pages_daily ORDER BY entrances DESC, page_path")
            #expect(loaded == all.map { [$0.key, "\($0.entrances)"] })
            #expect(harness.sandbox.usage().endpoints["batch"]?.chargedRequests == 2)
            let checkpoints = try await harness.query(
                "SELECT next_cursor FROM seopipe_chunks WHERE stage_id = 'traffic' ORDER BY committed_at, next_cursor")
            #expect(checkpoints.count == 2)
            #expect(
                checkpoints.contains { $0[0]?.hasPrefix("pages:0:") == true }, "page 1 names page 2: \(checkpoints)")
            #expect(checkpoints.contains { $0[0] == nil }, "page 2 ends the list")

            // A cap: the second page is trimmed to the first 150 rows, and a third is never asked for.
            let capped = try harness.write("capped.yml", Self.pipeline(Self.pagedStage(maxRows: 150)))
            let plannedCapped = try await harness.seopipe(["plan", capped, "--json"])
            let entries = try #require(
                try JSONSerialization.jsonObject(with: Data(plannedCapped.stdout.utf8)) as? [[String: Any]])
            #expect(entries.first?["requests"] as? Int == 2, "150 rows at 100 a page: two requests")
            let rerun = try await harness.seopipe(["run", capped, "--date", Self.date, "--refresh"])
            #expect(rerun.exitCode == 0, "\(rerun.stderr)")
            let kept = try await harness.query(
                "SELECT page_path FROM analytics_pages_daily ORDER BY entrances DESC, page_path")
            #expect(kept == all.prefix(150).map { [$0.key] }, "the first page replaced the list; the second added 50")
        }
    }

    @Test(
        "a run that stops after page 1 resumes at page 2 without buying page 1 again", arguments: Backend.available)
    func resumeAtPage(backend: Backend) async throws {
        let all = AnalyticsData.rows(
            endpoint: "/stats/pages", account: Self.bigSite, start: "2026-11-13", end: "2026-11-19")
        try await withHarness(backend, today: Self.date) { harness in
            harness.sandbox.setFaults([FaultRule(endpoint: "batch", fromRequest: 2, count: 1, status: 402)])
            let file = try harness.write("p.yml", Self.pipeline(Self.pagedStage()))
            let failed = try await harness.seopipe(["run", file, "--date", Self.date])
            #expect(failed.exitCode != 0)
            #expect(try await harness.count("analytics_pages_daily") == 100, "page 1 committed")
            harness.sandbox.setFaults([])
            let resumed = try await harness.seopipe(["run", file, "--date", Self.date])
            #expect(resumed.exitCode == 0, "\(resumed.stderr)")
            #expect(try await harness.count("analytics_pages_daily") == all.count)
            let batches = harness.sandbox.usage().requestLog.filter { $0.endpoint == "batch" }
            #expect(batches.count == 3, "page 1, the refused page 2, page 2 again")
            #expect(batches.last?.taskCount == 1, "page 2 asks for the pages list only")

            // The same date with another first request (one more query): page 1 is bought again and replaces the
            // list, so page 2 is bought again too instead of being skipped on its old checkpoint.
            let more = try harness.write(
                "more.yml",
                Self.pipeline(
                    Self.stage(
                        accounts: "[\(Self.bigSite)]", queries: "[overview, pages, sources]", periods: "[7d]",
                        pageSize: 100)))
            let rerun = try await harness.seopipe(["run", more, "--date", Self.date])
            #expect(rerun.exitCode == 0, "\(rerun.stderr)")
            #expect(try await harness.count("analytics_pages_daily") == all.count, "no page lost")
            #expect(harness.sandbox.usage().requestLog.filter { $0.endpoint == "batch" }.count == 5)
        }
    }
}
