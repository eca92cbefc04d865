import Foundation
import Sandbox
import Testing

/// The chaos suite: each provider's pipeline runs once fault-free and once with about 20 % of its requests
/// answered by a seeded mix of faults (429 with Retry-After, 500/502/503, slow answers past the client timeout,
/// dropped connections, truncated JSON, the provider's own in-body errors). The faulty run must end with the same
/// facts, no duplicate, and exactly the same units and money charged: no chunk is paid for twice.
@Suite("Chaos, end to end")
struct ChaosEndToEndTests {
    static let date = "2026-11-20"

    enum Provider: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case ahrefsV3 = "ahrefs-v3"
        case dataForSEO = "dataforseo"
        case ahrefsV2 = "ahrefs-v2"
        case analytics = "analytics"

        var testDescription: String { rawValue }

        var stages: String {
            switch self {
            case .ahrefsV3:
                """
                  - id: metrics
                    provider: ahrefs
                    endpoint: site-explorer/batch/metrics
                    targets: \(flowList(domains(300)))
                  - id: rating
                    provider: ahrefs
                    endpoint: site-explorer/batch/domain-rating
                    targets: \(flowList(domains(120, prefix: "rated")))
                  - id: backlinks
                    depends_on: [metrics]
                    provider: ahrefs
                    endpoint: site-explorer/batch/backlinks-stats
                    targets: { from_sql: "SELECT target FROM ahrefs_domain_metrics WHERE snapshot_date = :snapshot" }
                  - id: keywords
                    provider: ahrefs
                    endpoint: keywords-explorer/batch/overview
                    targets: ["seo tools", "keyword research", "backlink checker"]
                    params: { country: us }

                """
            case .dataForSEO:
                """
                  - id: summary
                    provider: dataforseo
                    endpoint: backlinks/bulk_pages_summary/live
                    targets: \(flowList(domains(150)))
                    params: { include_subdomains: true }
                  - id: ranks
                    provider: dataforseo
                    endpoint: backlinks/bulk_ranks/live
                    targets: \(flowList(domains(1100, prefix: "ranked")))
                  - id: spam
                    provider: dataforseo
                    endpoint: backlinks/bulk_spam_score/live
                    targets: \(flowList(domains(40)))

                """
            case .ahrefsV2:
                """
                  - id: refdomains
                    provider: ahrefs_v2
                    endpoint: refdomains
                    targets: [ahrefs.com, moz.com, semrush.com, backlinko.com, majestic.com, seopipe.dev]
                    params: { mode: domain, limit: 40, max_rows: 160 }

                """
            case .analytics:
                """
                  - id: traffic
                    provider: analytics
                    endpoint: batch
                    targets: [acme, globex, initech, umbrella, hooli, stark]
                    params:
                      queries: [overview, pages, sources, devices, countries]
                      periods: [yesterday, 7d, "2026-10-01..2026-10-31"]
                      page_size: 20

                """
            }
        }

        /// Small batches, so a run makes enough requests (15-80) for a 20 % fault rate to show.
        var batchSizes: [String: Int] {
            switch self {
            case .ahrefsV3: ["ahrefs": 10]
            case .dataForSEO: ["dataforseo": 100]
            case .ahrefsV2: [:]
            case .analytics: ["analytics": 5]
            }
        }

        /// The fault mix: one rule per kind (each with its own seed, so the kinds hit different requests),
        /// about 20 % of requests in all. Per-query analytics errors are left out on purpose: that API charges a
        /// batch in which one query failed, so retrying it is a second purchase by design.
        func faults(seed: UInt64) -> [FaultRule] {
            var rules = [
                // Every endpoint's second request fails once, so no run goes fault-free whatever the seed.
                FaultRule(fromRequest: 2, count: 1, status: 503),
                FaultRule(status: 429, retryAfterSeconds: 1, rate: 0.03, seed: seed),
                FaultRule(status: 500, rate: 0.025, seed: seed + 1),
                FaultRule(status: 502, rate: 0.025, seed: seed + 2),
                FaultRule(status: 503, rate: 0.025, seed: seed + 3),
                FaultRule(status: 503, rate: 0.01, seed: seed + 4, delaySeconds: 41),
                FaultRule(rate: 0.025, seed: seed + 5, dropConnection: true),
                FaultRule(rate: 0.025, seed: seed + 6, truncateBody: true),
            ]
            switch self {
            case .dataForSEO:
                rules.append(
                    FaultRule(dialect: SimulatedDataForSEO.Fault(statusCode: 40202), rate: 0.02, seed: seed + 7))
                rules.append(
                    FaultRule(dialect: SimulatedDataForSEO.Fault(statusCode: 50000), rate: 0.02, seed: seed + 8))
            case .ahrefsV2:
                rules.append(
                    FaultRule(dialect: SimulatedAhrefsV2.Fault(error: "internal error"), rate: 0.04, seed: seed + 7))
            case .ahrefsV3, .analytics:
                rules.append(FaultRule(status: 504, rate: 0.04, seed: seed + 7))
            }
            return rules
        }
    }

    @Test(
        "a run with ~20 % faults ends equal to a fault-free run, without duplicates, charged exactly the same",
        arguments: Backend.available, Provider.allCases)
    func chaos(backend: Backend, provider: Provider) async throws {
        try await withHarness(backend, today: Self.date) { harness in
            // The client gives up on an answer after 40 s, so a 41 s "slow" fault is a timeout. The timeout is far
            // above what a debug-built sandbox needs on a busy machine: an answer that really took longer would be
            // charged and then bought again, which is what the provider would do too, but not a fault we injected.
            // A 12-attempt budget makes a chunk failing for good (20 % ^ 12) practically impossible.
            let yaml = pipelineYAML(
                stages: provider.stages, maxAttempts: 12, timeout: "40s", batchSizes: provider.batchSizes)
            let file = try harness.write("chaos.yml", yaml)
            let clean = harness.warehouse(named: "clean")
            let reference = try await harness.seopipe(["run", file, "--date", Self.date, "--warehouse", clean])
            #expect(reference.exitCode == 0, "\(reference.stderr)")
            let paid = harness.sandbox.usage()

            harness.sandbox.reset()
            let seed = UInt64.random(in: 1...1_000_000)
            harness.sandbox.setFaults(provider.faults(seed: seed))
            let faulty = try await harness.seopipe(["run", file, "--date", Self.date, "--json"])
            #expect(faulty.exitCode == 0, "seed \(seed): \(faulty.stderr.suffix(2000))")
            let usage = harness.sandbox.usage()

            // The same facts, table by table (run_id and fetched_at differ between two runs by design).
            var rowsCompared = 0
            let tables = try await harness.factTables(in: clean)
            #expect(try await harness.factTables() == tables)
            for table in tables {
                let columns = try await harness.columns(of: table, in: clean).filter {
                    $0 != "run_id" && $0 != "fetched_at"
                }
                let list = columns.map { "\"\($0)\"" }.joined(separator: ", ")
                let order = columns.indices.map { String($0 + 1) }.joined(separator: ", ")
                let sql = "SELECT \(list) FROM \"\(table)\" ORDER BY \(order)"
                let expected = try await harness.query(sql, in: clean)
                let actual = try await harness.query(sql)
                #expect(
                    actual.count == expected.count,
                    "seed \(seed): \(table) has \(actual.count) rows, not \(expected.count)")
                #expect(actual == expected, "seed \(seed): \(table) differs from the fault-free run")
                rowsCompared += actual.count
            }
            #expect(rowsCompared > 0)

            // Paid exactly once: the faults were all uncharged, so the totals match the fault-free run's.
            #expect(usage.totalChargedRequests == paid.totalChargedRequests, "seed \(seed)")
            #expect(usage.totalUnits == paid.totalUnits, "seed \(seed)")
            #expect(abs(usage.totalCostUSD - paid.totalCostUSD) < 1e-9, "seed \(seed)")

            var kinds: [String: Int] = [:]
            for request in usage.requestLog { if let kind = request.fault { kinds[kind, default: 0] += 1 } }
            #expect(!kinds.isEmpty, "seed \(seed): no fault was injected")
            let result = try JSONSerialization.jsonObject(with: Data(faulty.stdout.utf8)) as? [String: Any]
            let stages = (result?["results"] as? [String: [String: Any]]) ?? [:]
            let retries = stages.values.reduce(0) { $0 + (($1["retries"] as? Int) ?? 0) }
            print(
                "chaos (\(provider.rawValue), \(backend), seed \(seed)): \(usage.totalRequests) requests for "
                    + "\(paid.totalRequests) fault-free, faults \(kinds.sorted { $0.key < $1.key }), \(retries) retries, "
                    + "\(rowsCompared) rows compared, 0 duplicates, charged \(usage.totalChargedRequests) requests / "
                    + "\(usage.totalUnits) units / $\(usage.totalCostUSD) vs fault-free \(paid.totalChargedRequests) / "
                    + "\(paid.totalUnits) / $\(paid.totalCostUSD)")
        }
    }
}
