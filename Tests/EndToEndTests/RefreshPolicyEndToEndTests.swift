import Foundation
import Sandbox
import SeopipeCore
import Testing

/// `refresh:` policies (issue 18): a stage buys a target only when it is due, the views carry values forward between
/// purchases, and `plan`, `runs show` and the run summary say what was left alone.
@Suite("Refresh policies, end to end")
struct RefreshPolicyEndToEndTests {
    static let endpoint = "site-explorer/batch/metrics"
    static let nights = (20...26).map { "2026-11-\($0)" }
    static let targets = domains(700, prefix: "fresh")

    static func pipeline(name: String = "weekly", refresh: String?, targets: [String] = targets) -> String {
        pipelineYAML(
            name: name,
            stages: """
                  - id: metrics
                    provider: ahrefs
                    endpoint: \(endpoint)
                    targets: \(flowList(targets))
                """ + (refresh.map { "\n    refresh: \($0)\n" } ?? "\n"))
    }

    /// Targets the stage bought on each night, from the purchase ledger and the fact table.
    static func boughtPerNight(_ harness: Harness) async throws -> [Int] {
        var bought: [Int] = []
        for night in nights {
            bought.append(
                Int(
                    try await harness.query(
                        "SELECT count(*) FROM ahrefs_domain_metrics WHERE snapshot_date = '\(night)'"
                    ).first?[0] ?? "") ?? -1)
        }
        return bought
    }

    @Test(
        "every: 7d, spread: true over 700 targets and 7 nights buys each target once, 100 a night, and the as-of view has a value for every bought target every night",
        arguments: Backend.available)
    func weeklySpread(backend: Backend) async throws {
        try await withHarness(backend, today: Self.nights.last) { harness in
            let file = try harness.write("weekly.yml", Self.pipeline(refresh: "{ every: 7d, spread: true }"))
            let plan = try await harness.seopipe(["plan", file, "--warehouse", harness.warehouse])
            #expect(plan.exitCode == 0, "\(plan.stderr)")
            for (number, night) in Self.nights.enumerated() {
                let run = try await harness.seopipe(["run", file, "--date", night, "--metrics-file", "last.prom"])
                #expect(run.exitCode == 0, "\(night): \(run.stderr)")
                if number == 0 {
                    #expect(run.stdout.contains("600 target(s) not bought"), "\(run.stdout)")
                }
                // Every target bought so far has a value on this night; those bought earlier are carried forward.
                let asOf = try await harness.query(
                    """
                    SELECT count(*), sum(carried_forward), count(DISTINCT domain)
                    FROM domain_metrics_asof WHERE as_of_date = '\(night)' AND provider = 'ahrefs'
                    """)
                #expect(
                    asOf.first == ["\(100 * (number + 1))", "\(100 * number)", "\(100 * (number + 1))"], "\(night)")
            }
            #expect(try await Self.boughtPerNight(harness) == Array(repeating: 100, count: 7))
            let distinct = try await harness.query("SELECT count(DISTINCT target), count(*) FROM ahrefs_domain_metrics")
            #expect(distinct.first == ["700", "700"], "each target bought exactly once")
            #expect(
                harness.sandbox.usage().endpoints[Self.endpoint]?.chargedRequests == 7, "one 100-target request a night"
            )
            let fresh = try await harness.query(
                "SELECT targets, targets_fresh FROM seopipe_stage_runs ORDER BY started_at")
            #expect(fresh.map { $0[1] } == ["600", "600", "600", "600", "600", "600", "600"], "\(fresh)")
            #expect(fresh.allSatisfy { $0[0] == "700" })
            // The metrics file and `runs show` count the targets left alone.
            let metrics = try String(
                contentsOf: harness.directory.appendingPathComponent("last.prom"), encoding: .utf8)
            #expect(
                metrics.split(separator: "\n").contains {
                    $0.hasPrefix("seopipe_last_run_stage_targets_fresh{") && $0.hasSuffix(" 600")
                }, "\(metrics)")
            let runID = try await harness.query("SELECT run_id FROM seopipe_runs ORDER BY started_at DESC").first?[0]
            let shown = try await harness.seopipe(
                ["runs", "show", runID ?? "", "--json", "--warehouse", harness.warehouse])
            #expect(shown.stdout.contains("\"targets_fresh\" : 600"), "\(shown.stdout)")
            // The ledger holds one row a target: its latest purchase.
            #expect(try await harness.count("seopipe_target_fetches") == 700)

            // The first night's plan, made before anything was bought, already said so.
            #expect(plan.stdout.contains("700 (100 due)"), "\(plan.stdout)")
            #expect(
                plan.stdout.contains("stage metrics (refresh every 7d, spread): 100 of 700 targets due on"),
                "\(plan.stdout)")
            #expect(plan.stdout.contains("without the policy: 7 requests"), "\(plan.stdout)")

            // A re-run of a night buys nothing again; the eighth night starts the cycle over with the first slice.
            harness.sandbox.reset()
            let again = try await harness.seopipe(["run", file, "--date", Self.nights[3]])
            #expect(again.exitCode == 0, "\(again.stderr)")
            #expect(harness.sandbox.usage().totalChargedRequests == 0)
        }
    }

    @Test(
        "every: 7d without spread: all on the first night, none until the 8th; a new target is due at once; --refresh buys all",
        arguments: Backend.available)
    func weeklyWhole(backend: Backend) async throws {
        let nights = Self.nights + ["2026-11-27"]
        try await withHarness(backend, today: nights.last) { harness in
            let targets = Array(Self.targets.prefix(250))
            let file = try harness.write("weekly.yml", Self.pipeline(refresh: "{ every: 7d }", targets: targets))
            var bought: [Int] = []
            for night in nights {
                harness.sandbox.reset()
                if night == nights[2] {
                    // A target added on the third night is bought that night; the others stay fresh.
                    _ = try harness.write(
                        "weekly.yml", Self.pipeline(refresh: "{ every: 7d }", targets: targets + ["newcomer.example"]))
                }
                let run = try await harness.seopipe(["run", file, "--date", night])
                #expect(run.exitCode == 0, "\(night): \(run.stderr)")
                bought.append(harness.sandbox.usage().endpoints[Self.endpoint]?.targets ?? 0)
            }
            #expect(bought == [250, 0, 1, 0, 0, 0, 0, 250], "\(bought)")
            let newcomer = try await harness.query(
                "SELECT snapshot_date FROM seopipe_target_fetches WHERE target = 'newcomer.example'")
            #expect(newcomer.first?[0] == nights[2])

            harness.sandbox.reset()
            let forced = try await harness.seopipe(["run", file, "--date", nights[5], "--refresh"])
            #expect(forced.exitCode == 0, "\(forced.stderr)")
            #expect(harness.sandbox.usage().endpoints[Self.endpoint]?.targets == 251, "--refresh buys every target")
            // Buying an earlier date again never moves a purchase back in time: the 250 bought on the 8th night stay
            // there (the forced run of night 6 recorded only the newcomer), and so does everything after a forced
            // run of night 2.
            let past = try await harness.seopipe(["run", file, "--date", nights[1], "--refresh"])
            #expect(past.exitCode == 0, "\(past.stderr)")
            let latest = try await harness.query(
                "SELECT snapshot_date, count(*) FROM seopipe_target_fetches GROUP BY snapshot_date ORDER BY 1")
            #expect(latest == [[nights[5], "1"], [nights[7], "250"]], "\(latest)")
            // Without a policy the same nights buy every target every night.
            let daily = try harness.write("daily.yml", Self.pipeline(name: "daily", refresh: nil, targets: targets))
            harness.sandbox.reset()
            for night in nights.prefix(3) {
                let run = try await harness.seopipe(["run", daily, "--date", night])
                #expect(run.exitCode == 0, "\(run.stderr)")
            }
            #expect(harness.sandbox.usage().endpoints[Self.endpoint]?.targets == 750)
        }
    }

    @Test(
        "a paged answer counts as bought only once its last page committed: a chain cut short stays due",
        arguments: Backend.available)
    func pagedChain(backend: Backend) async throws {
        try await withHarness(backend) { harness in
            let file = try harness.write(
                "v2.yml",
                pipelineYAML(
                    stages: """
                          - id: refdomains
                            provider: ahrefs_v2
                            endpoint: refdomains
                            targets: [ahrefs.com]
                            params: { mode: domain, limit: 50, max_rows: 150 }
                            refresh: { every: 7d }
                        """, maxAttempts: 1))
            // Page 2 of 3 fails: page 1 commits, the chain is cut, the target is not recorded as bought.
            harness.sandbox.setFaults([FaultRule(endpoint: "v2", fromRequest: 2, count: 1, status: 500)])
            let cut = try await harness.seopipe(["run", file, "--date", "2026-11-20"])
            #expect(cut.exitCode != 0, "\(cut.stdout)")
            #expect(try await harness.count("ahrefs_v2_refdomains") == 50)
            #expect(try await harness.count("seopipe_target_fetches") == 0)
            // The next night it is still due, and the whole chain records it.
            let whole = try await harness.seopipe(["run", file, "--date", "2026-11-21"])
            #expect(whole.exitCode == 0, "\(whole.stderr)")
            let bought = try await harness.query("SELECT target, snapshot_date FROM seopipe_target_fetches")
            #expect(bought == [["ahrefs.com", "2026-11-21"]], "\(bought)")
        }
    }

    @Test("a refresh policy written wrong is refused with file, line, column and what to write instead")
    func refusedPolicies() async throws {
        try await withHarness { harness in
            for (refresh, message, hint) in [
                ("7d", "stage `metrics` refresh must be a mapping", "write `refresh: { every: 7d }`"),
                ("{ every: weekly }", "refresh.every `weekly` is not a number of days", "`every: 7d` (weekly)"),
                ("{ every: 0d }", "refresh.every `0d` is not a number of days", "from 1d to 365d"),
                ("{ spread: true }", "stage `metrics` refresh needs `every`", "refresh: { every: 7d, spread: true }"),
                ("{ every: 7d, spred: true }", "unknown key `spred`", "did you mean `spread`?"),
            ] {
                let file = try harness.write("bad.yml", Self.pipeline(refresh: refresh, targets: ["a.example"]))
                let output = try await harness.seopipe(["validate", file])
                #expect(output.exitCode == 2, "\(refresh): \(output.stderr)")
                #expect(output.stderr.contains("bad.yml:"), "\(output.stderr)")
                #expect(output.stderr.contains(message), "\(refresh): \(output.stderr)")
                #expect(output.stderr.contains(hint), "\(refresh): \(output.stderr)")
            }
        }
    }
}
