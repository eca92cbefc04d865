import Foundation
import Sandbox
import Testing

/// `seopipe plan` against what the run then spends on the sandbox, per provider.
@Suite("Plan versus actual cost, end to end")
struct PlanAccuracyEndToEndTests {
    static let date = "2026-11-20"

    /// Stages whose targets are known before the run (a `from_sql` stage's are not: plan says so).
    static let stages: [(provider: String, yaml: String)] = [
        (
            "ahrefs-v3",
            """
              - id: metrics
                provider: ahrefs
                endpoint: site-explorer/batch/metrics
                targets: \(flowList(domains(250)))
              - id: rating
                provider: ahrefs
                endpoint: site-explorer/batch/domain-rating
                targets: \(flowList(domains(7, prefix: "rated")))
              - id: keywords
                provider: ahrefs
                endpoint: keywords-explorer/batch/overview
                targets: ["seo tools", "keyword research"]
                params: { country: us }

            """
        ),
        (
            "dataforseo",
            """
              - id: summary
                provider: dataforseo
                endpoint: backlinks/bulk_pages_summary/live
                targets: \(flowList(domains(150)))
              - id: ranks
                provider: dataforseo
                endpoint: backlinks/bulk_ranks/live
                targets: \(flowList(domains(1100, prefix: "ranked")))

            """
        ),
        (
            "ahrefs-v2",
            """
              - id: refdomains
                provider: ahrefs_v2
                endpoint: refdomains
                targets: [ahrefs.com, moz.com, semrush.com]
                params: { mode: domain, limit: 50, max_rows: 100 }

            """
        ),
    ]

    @Test("plan's units and USD are within 5 % of what the run is charged", arguments: stages.indices)
    func planMatchesRun(index: Int) async throws {
        let (provider, stages) = Self.stages[index]
        try await withHarness(today: Self.date) { harness in
            let file = try harness.write("p.yml", pipelineYAML(stages: stages))
            let plan = try await harness.seopipe(["plan", file, "--json"])
            #expect(plan.exitCode == 0, "\(plan.stderr)")
            let entries = try #require(
                try JSONSerialization.jsonObject(with: Data(plan.stdout.utf8)) as? [[String: Any]])
            let units = entries.reduce(0.0) { $0 + (($1["estimated_units"] as? NSNumber)?.doubleValue ?? 0) }
            let cost = entries.reduce(0.0) { $0 + (($1["estimated_cost_usd"] as? NSNumber)?.doubleValue ?? 0) }
            #expect(harness.sandbox.usage().totalRequests == 0, "plan sends nothing")

            let run = try await harness.seopipe(["run", file, "--date", Self.date])
            #expect(run.exitCode == 0, "\(run.stderr)")
            let usage = harness.sandbox.usage()
            let spentUnits = Double(usage.totalUnits)
            let spentCost = usage.totalCostUSD
            func error(_ estimate: Double, _ actual: Double) -> Double {
                actual == 0 ? (estimate == 0 ? 0 : 1) : abs(estimate - actual) / actual
            }
            print(
                "plan vs actual (\(provider)): units \(units) planned, \(spentUnits) charged "
                    + "(\(String(format: "%.1f", 100 * error(units, spentUnits))) %); USD \(cost) planned, \(spentCost) charged "
                    + "(\(String(format: "%.1f", 100 * error(cost, spentCost))) %)")
            #expect(error(units, spentUnits) <= 0.05, "\(provider): \(units) planned, \(spentUnits) charged")
            #expect(error(cost, spentCost) <= 0.05, "\(provider): $\(cost) planned, $\(spentCost) charged")
        }
    }
}
