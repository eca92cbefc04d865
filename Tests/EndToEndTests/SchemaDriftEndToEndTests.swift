import Foundation
import Sandbox
import Testing

/// Schema drift (issue 18): a provider that adds fields, drops one and sends a number as a string from its second
/// answer on. Nothing paid for is bought again, what can be read loads, the rest is kept raw and reported once.
@Suite("Schema drift, end to end")
struct SchemaDriftEndToEndTests {
    static let endpoint = "backlinks/bulk_referring_domains/live"

    static func pipeline() -> String {
        pipelineYAML(
            stages: """
                  - id: refdomains
                    provider: dataforseo
                    endpoint: \(endpoint)
                    targets: \(flowList(domains(30, prefix: "drift")))
                """, batchSizes: ["dataforseo": 10])
    }

    static var drift: FaultRule {
        var rule = FaultRule(endpoint: endpoint, fromRequest: 2, status: 200)
        rule.schemaDrift = SchemaDriftFault(
            rowField: "target", add: ["backlinks_velocity": "fast", "trust_flow": "12"],
            drop: ["referring_main_domains"],
            stringify: ["referring_domains"])
        return rule
    }

    /// Runs `file` for 2026-11-20 against documented answers (no drift may be recorded), then for 2026-11-21 with
    /// `drift` applied to every answer of `endpoint`. Returns the requests the clean run sent to the endpoint.
    @discardableResult
    static func cleanThenDrifted(_ harness: Harness, _ file: String, endpoint: String, _ drift: SchemaDriftFault)
        async throws -> Int?
    {
        let clean = try await harness.seopipe(["run", file, "--date", "2026-11-20"])
        #expect(clean.exitCode == 0, "\(clean.stderr)")
        #expect(try await harness.count("seopipe_schema_drift") == 0, "a documented answer has no drift")
        let cleanRequests = harness.sandbox.usage().endpoints[endpoint]?.requests
        var rule = FaultRule(endpoint: endpoint, status: 200)
        rule.schemaDrift = drift
        harness.sandbox.reset()
        harness.sandbox.setFaults([rule])
        let run = try await harness.seopipe(["run", file, "--date", "2026-11-21"])
        #expect(run.exitCode == 0, "\(run.stderr)")
        return cleanRequests
    }

    @Test(
        "DataForSEO: added fields, a dropped field and a number sent as a string load what can be read, are reported once, and buy nothing twice",
        arguments: Backend.available)
    func dataForSEO(backend: Backend) async throws {
        try await withHarness(backend) { harness in
            let file = try harness.write("p.yml", Self.pipeline())
            // Without drift, nothing is reported: the documented answer is read whole.
            let clean = try await harness.seopipe(["run", file, "--date", "2026-11-20"])
            #expect(clean.exitCode == 0, "\(clean.stderr)")
            #expect(try await harness.count("seopipe_schema_drift") == 0)

            harness.sandbox.reset()
            harness.sandbox.setFaults([Self.drift])
            let run = try await harness.seopipe(["run", file, "--date", "2026-11-21"])
            #expect(run.exitCode == 0, "\(run.stderr)")
            // Three requests, each charged once: a drifted answer is never bought again.
            let usage = harness.sandbox.usage().endpoints[Self.endpoint]
            #expect(usage?.requests == 3)
            #expect(usage?.chargedRequests == 3)
            // Every target loads; the retyped and the dropped field are empty in the drifted answers only.
            let rows = try await harness.query(
                """
                SELECT count(*), count(referring_domains), count(referring_main_domains), count(referring_domains_nofollow)
                FROM dataforseo_bulk_referring_domains WHERE snapshot_date = '2026-11-21'
                """)
            #expect(rows.first == ["30", "10", "10", "30"])
            let drift = try await harness.query(
                "SELECT field, kind, detail FROM seopipe_schema_drift ORDER BY field, kind")
            #expect(
                drift == [
                    ["backlinks_velocity", "added", "a string"],
                    ["referring_domains", "type_changed", "a string, documented as a number"],
                    ["referring_main_domains", "missing", ""],
                    ["trust_flow", "added", "a string"],
                ], "\(drift)")
            #expect(
                run.stderr.contains("schema drift: dataforseo \(Self.endpoint) sends `referring_domains` as a string"))
            #expect(run.stdout.contains("warning: 4 field(s) differed"), "\(run.stdout)")
            // The drifted answers are kept as received: the added fields and the string are not lost.
            let raw = try await harness.query(
                "SELECT count(*) FROM seopipe_raw_responses WHERE snapshot_date = '2026-11-21'")
            #expect(raw.first?[0] == "2")
            let kept = try await harness.query("SELECT body FROM seopipe_raw_responses LIMIT 1").first?[0] ?? ""
            #expect(kept.contains("backlinks_velocity") && kept.contains("trust_flow"))

            // The same answers again: the drift is known, its rows are not repeated, their latest sighting moves.
            let before = try await harness.query("SELECT last_seen FROM seopipe_schema_drift ORDER BY field, kind")
            try await Task.sleep(for: .seconds(1.1))
            let again = try await harness.seopipe(["run", file, "--date", "2026-11-22"])
            #expect(again.exitCode == 0, "\(again.stderr)")
            #expect(try await harness.count("seopipe_schema_drift") == 4)
            let after = try await harness.query("SELECT last_seen FROM seopipe_schema_drift ORDER BY field, kind")
            #expect(zip(before, after).allSatisfy { $0[0] != $1[0] }, "\(before) \(after)")

            // The dictionary marks the drifted columns and lists the added fields under their table.
            let schema = try await harness.seopipe(["schema", "--warehouse", harness.warehouse])
            #expect(schema.exitCode == 0, "\(schema.stderr)")
            let section =
                schema.stdout.components(separatedBy: "\n\n").first {
                    $0.hasPrefix("dataforseo_bulk_referring_domains (table)")
                } ?? ""
            #expect(
                section.split(separator: "\n").contains {
                    $0.hasPrefix("  referring_domains ") && $0.contains("Drift: type_changed since ")
                        && $0.hasSuffix("(a string, documented as a number).")
                }, "\(section)")
            #expect(section.contains("Drift: missing since"), "\(section)")
            #expect(section.contains("`backlinks_velocity`, `trust_flow`"), "\(section)")

            let listed = try await harness.seopipe(["drift", "--since", "7d", "--warehouse", harness.warehouse])
            #expect(listed.exitCode == 0, "\(listed.stderr)")
            #expect(listed.stdout.contains("type_changed"), "\(listed.stdout)")
            #expect(listed.stdout.contains("trust_flow"))
        }
    }

    @Test(
        "Ahrefs v3 batch-analysis: a selected field dropped, one sent as a string and an added field are reported; the rows load",
        arguments: Backend.available)
    func ahrefsV3(backend: Backend) async throws {
        try await withHarness(backend) { harness in
            let file = try harness.write(
                "p.yml",
                pipelineYAML(
                    stages: """
                          - id: strength
                            provider: ahrefs
                            endpoint: batch-analysis/batch-analysis
                            targets: \(flowList(domains(10, prefix: "v3drift")))
                            params: { select: [domain_rating, backlinks, refdomains] }
                        """))
            try await Self.cleanThenDrifted(
                harness, file, endpoint: "batch-analysis/batch-analysis",
                SchemaDriftFault(
                    rowField: "url", add: ["ai_visibility": "high"], drop: ["backlinks"], stringify: ["domain_rating"]))
            #expect(harness.sandbox.usage().totalRequests == 1, "bought once")
            let rows = try await harness.query(
                """
                SELECT count(*), count(domain_rating), count(backlinks), count(refdomains) FROM ahrefs_batch_analysis
                WHERE snapshot_date = '2026-11-21'
                """)
            #expect(rows.first == ["10", "0", "0", "10"])
            let drift = try await harness.query(
                "SELECT provider, field, kind, detail FROM seopipe_schema_drift ORDER BY field, kind")
            #expect(
                drift == [
                    ["ahrefs-v3", "ai_visibility", "added", "a string"],
                    ["ahrefs-v3", "backlinks", "missing", ""],
                    ["ahrefs-v3", "domain_rating", "type_changed", "a string, documented as a number"],
                ], "\(drift)")
        }
    }

    @Test(
        "Ahrefs v2 refdomains: a number sent as a string, a dropped field and an added one load the rows and are reported once",
        arguments: Backend.available)
    func ahrefsV2(backend: Backend) async throws {
        try await withHarness(backend) { harness in
            let file = try harness.write(
                "p.yml",
                pipelineYAML(
                    stages: """
                          - id: refdomains
                            provider: ahrefs_v2
                            endpoint: refdomains
                            targets: [v2drift.example]
                            params: { mode: domain, limit: 50, max_rows: 50 }
                        """))
            try await Self.cleanThenDrifted(
                harness, file, endpoint: "v2",
                SchemaDriftFault(
                    rowField: "refdomain", add: ["link_velocity": "3"], drop: ["refpages"], stringify: ["backlinks"]))
            #expect(harness.sandbox.usage().totalRequests == 1, "bought once")
            let rows = try await harness.query(
                """
                SELECT count(*), count(backlinks), count(refpages), count(domain_rating) FROM ahrefs_v2_refdomains
                WHERE snapshot_date = '2026-11-21'
                """)
            let loaded = rows.first?[0] ?? "0"
            #expect(Int(loaded) ?? 0 > 0)
            #expect(rows.first == [loaded, "0", "0", loaded])
            let drift = try await harness.query(
                "SELECT provider, field, kind, detail FROM seopipe_schema_drift ORDER BY field, kind")
            #expect(
                drift == [
                    ["ahrefs-v2", "backlinks", "type_changed", "a string, documented as a number"],
                    ["ahrefs-v2", "link_velocity", "added", "a string"],
                    ["ahrefs-v2", "refpages", "missing", ""],
                ], "\(drift)")
        }
    }

    @Test(
        "analytics Batch API: a metric sent as a string loads as empty and is reported once; the answer is bought once",
        arguments: Backend.available)
    func analytics(backend: Backend) async throws {
        try await withHarness(backend) { harness in
            let file = try harness.write(
                "p.yml",
                pipelineYAML(
                    stages: """
                          - id: traffic
                            provider: analytics
                            endpoint: batch
                            targets: [acme]
                            params: { queries: [overview, pages], periods: [yesterday] }
                        """))
            let cleanRequests = try await Self.cleanThenDrifted(
                harness, file, endpoint: "batch", SchemaDriftFault(rowField: "entrances", stringify: ["entrances"]))
            // The same requests as without drift (the pages list takes more than one): none bought again.
            #expect(harness.sandbox.usage().endpoints["batch"]?.requests == cleanRequests)
            let overview = try await harness.query(
                """
                SELECT count(*), count(entrances), count(page_views) FROM analytics_overview_daily
                WHERE snapshot_date = '2026-11-21'
                """)
            #expect(overview.first == ["1", "0", "1"], "\(overview)")
            let pages = try await harness.query(
                """
                SELECT count(*) > 0, count(entrances) FROM analytics_pages_daily WHERE snapshot_date = '2026-11-21'
                """)
            #expect(pages.first?[1] == "0", "\(pages)")
            let drift = try await harness.query("SELECT provider, field, kind, detail FROM seopipe_schema_drift")
            #expect(drift == [["analytics-batch", "entrances", "type_changed", "a string, documented as a number"]])
        }
    }
}
