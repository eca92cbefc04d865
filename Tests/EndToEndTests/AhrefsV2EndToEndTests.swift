import Foundation
import Sandbox
import Testing

/// Ahrefs API v2 refdomains through the built binary: filters, ordering, paging, stats, errors.
@Suite("Ahrefs v2, end to end")
struct AhrefsV2EndToEndTests {
    static let date = "2026-11-20"

    static func stage(
        targets: String = "[ahrefs.com, moz.com]", mode: String = "domain", extra: String = ""
    ) -> String {
        """
          - id: refdomains
            provider: ahrefs_v2
            endpoint: refdomains
            targets: \(targets)
            params:
              mode: \(mode)
        \(extra)
        """
    }

    static let filtered = """
              where: ["last_visited >= 2020-01-01"]
              having: ["domain_rating >= 30", "substring(refdomain, e)"]
              order_by: ["backlinks:desc", "refdomain"]
              limit: 10

        """

    /// What the sandbox's data holds for the filters above, computed here independently of the sandbox.
    static func expected(_ target: String) -> [AhrefsV2Refdomain] {
        AhrefsV2Data.refdomains(target: target, mode: "domain", date: date)
            .filter { $0.lastVisited >= "2020-01-01" && $0.domainRating >= 30 && $0.refdomain.contains("e") }
            .sorted { ($0.backlinks, $1.refdomain) > ($1.backlinks, $0.refdomain) }
    }

    @Test(
        "a filtered, ordered, paged pull lands exactly the rows the filter yields, in full, with stats",
        arguments: Backend.available)
    func filteredPagedPull(backend: Backend) async throws {
        try await withHarness(backend, today: Self.date) { harness in
            let file = try harness.write("p.yml", pipelineYAML(stages: Self.stage(extra: Self.filtered)))
            let output = try await harness.seopipe(["run", file, "--date", Self.date])
            #expect(output.exitCode == 0, "\(output.stderr)")
            for target in ["ahrefs.com", "moz.com"] {
                let expected = Self.expected(target)
                #expect(expected.count > 10, "the test needs more than one page")
                let rows = try await harness.query(
                    """
                    SELECT refdomain, backlinks, refpages, first_seen, last_visited, domain_rating
                    FROM ahrefs_v2_refdomains WHERE target = '\(target)' AND mode = 'domain'
                      AND snapshot_date = '\(Self.date)'
                    ORDER BY backlinks DESC, refdomain
                    """)
                #expect(
                    rows
                        == expected.map {
                            [
                                $0.refdomain, "\($0.backlinks)", "\($0.refpages)", $0.firstSeen, $0.lastVisited,
                                "\($0.domainRating)",
                            ]
                        })
                let stats = AhrefsV2Data.stats(target: target, mode: "domain", date: Self.date)
                #expect(
                    try await harness.query(
                        "SELECT refdomains, ips, class_c FROM ahrefs_v2_refdomains_stats WHERE target = '\(target)'")
                        == [["\(stats.refdomains)", "\(stats.ips)", "\(stats.classC)"]])
                // One request a page: full pages, then the short last one.
                let pages = expected.count / 10 + 1
                let sent = harness.sandbox.usage().requestLog.filter { $0.query?.contains("target=\(target)") == true }
                #expect(sent.count == pages)
            }
            // Units are the rows v2 billed, as the sandbox counted them.
            let ledger = Double(try await harness.query("SELECT units FROM seopipe_runs").first?[0] ?? "") ?? -1
            #expect(ledger == Double(harness.sandbox.usage().totalUnits))
            // What was sent is what the seed documents, and the token is not in the request log.
            let first = try #require(harness.sandbox.usage().requestLog.first?.query)
            #expect(first.contains("having=domain_rating%3E%3D30,substring%28refdomain,%22e%22%29"), "\(first)")
            #expect(first.contains("order_by=backlinks%3Adesc,refdomain"))
            #expect(first.contains("output=json"))
        }
    }

    @Test(
        "re-running the date changes nothing and buys nothing; a crash after page k resumes at page k+1",
        arguments: Backend.available)
    func resumeAfterPageK(backend: Backend) async throws {
        try await withHarness(backend, today: Self.date) { harness in
            let file = try harness.write(
                "p.yml",
                pipelineYAML(
                    stages: Self.stage(targets: "[ahrefs.com]", extra: "      limit: 10\n"), maxAttempts: 1,
                    parallelLimit: 1))
            let all = AhrefsV2Data.refdomains(target: "ahrefs.com", mode: "domain", date: Self.date).count
            #expect(all > 30, "the test needs at least four pages")
            // Page 3 fails for good this run (as a crash there would leave it).
            harness.sandbox.setFaults([FaultRule(endpoint: "v2", fromRequest: 3, status: 503)])
            let failed = try await harness.seopipe(["run", file, "--date", Self.date])
            #expect(failed.exitCode == 1)
            #expect(failed.stderr.contains("page 3"), "\(failed.stderr)")
            #expect(try await harness.count("ahrefs_v2_refdomains") == 20, "pages 1 and 2 committed")

            harness.sandbox.setFaults([])
            let resumed = try await harness.seopipe(["run", file, "--date", Self.date])
            #expect(resumed.exitCode == 0, "\(resumed.stderr)")
            let offsets = harness.sandbox.usage().requestLog.filter { $0.status == 200 && $0.charged }
                .map { $0.query?.components(separatedBy: "&").first { $0.hasPrefix("offset=") } ?? "offset=0" }
            #expect(offsets.count == Set(offsets).count, "no page was bought twice: \(offsets)")
            #expect(try await harness.count("ahrefs_v2_refdomains") == all)

            let before = harness.sandbox.usage().totalRequests
            #expect(try await harness.seopipe(["run", file, "--date", Self.date]).exitCode == 0)
            #expect(harness.sandbox.usage().totalRequests == before)
            #expect(try await harness.count("ahrefs_v2_refdomains") == all)
        }
    }

    @Test("max_rows stops paging; without filters every row of the target is read", arguments: Backend.available)
    func maxRows(backend: Backend) async throws {
        try await withHarness(backend, today: Self.date) { harness in
            let file = try harness.write(
                "p.yml",
                pipelineYAML(
                    stages: Self.stage(
                        targets: "[ahrefs.com]", extra: "      limit: 30\n      max_rows: 70\n")))
            #expect(try await harness.seopipe(["run", file, "--date", Self.date]).exitCode == 0)
            #expect(try await harness.count("ahrefs_v2_refdomains") == 70)
            #expect(harness.sandbox.usage().totalRequests == 3, "30 + 30 + 10")
            let last = harness.sandbox.usage().requestLog.last?.query ?? ""
            #expect(last.contains("limit=10&offset=60"), "\(last)")
        }
    }

    @Test("plan estimates rows billed for each target's first page: 1 + limit + 5 for having")
    func planEstimate() async throws {
        try await withHarness(today: Self.date) { harness in
            let file = try harness.write(
                "p.yml",
                pipelineYAML(
                    stages: Self.stage(
                        extra: "      having: [\"domain_rating >= 30\"]\n      limit: 25\n")))
            let plan = try await harness.seopipe(["plan", file, "--json"])
            let stages = try #require(
                try JSONSerialization.jsonObject(with: Data(plan.stdout.utf8)) as? [[String: Any]])
            #expect(stages.first?["estimated_units"] as? Double == Double(2 * (1 + 25 + 5)))
            #expect(harness.sandbox.usage().totalRequests == 0)
        }
    }

    /// Each documented error string, how the run treats it.
    static let errors: [(error: String, exitCode: Int32, requests: Int)] = [
        ("invalid token", 1, 1),  // fatal, never retried
        ("no credit", 1, 1),  // stop spending
        ("internal billing error", 1, 1),  // stop spending
        ("bad target: 'ahrefs.com'", 3, 2),  // that target fails, the other loads
        ("where: bad syntax", 1, 1),  // our request was wrong: fatal
        ("internal error", 0, 4),  // v2's own transient failure: retried twice, then both targets load
    ]

    @Test(
        "each documented error string is classified and reported with provider, stage and the API's message",
        arguments: Backend.available, errors.indices)
    func errorStrings(backend: Backend, index: Int) async throws {
        let (error, exitCode, requests) = Self.errors[index]
        try await withHarness(backend, today: Self.date) { harness in
            let count = error == "internal error" ? 2 : 1
            harness.sandbox.setFaults([
                FaultRule(endpoint: "v2", fromRequest: 1, count: count, dialect: SimulatedAhrefsV2.Fault(error: error))
            ])
            let file = try harness.write(
                "p.yml",
                pipelineYAML(
                    stages: Self.stage(extra: "      max_rows: 10\n"), maxAttempts: 3, parallelLimit: 1))
            let output = try await harness.seopipe(["run", file, "--date", Self.date])
            #expect(output.exitCode == exitCode, "\(error): \(output.stderr)")
            #expect(harness.sandbox.usage().totalRequests == requests, "\(error)")
            #expect(output.stderr.contains(error), "the API's own message: \(output.stderr)")
            #expect(output.stderr.contains("ahrefs_v2"))
            #expect(output.stderr.contains("stage `refdomains`"))
            #expect(!output.stderr.contains("sandbox-ahrefs-v2-token"), "the token travels in the URL: never log it")
        }
    }
}
