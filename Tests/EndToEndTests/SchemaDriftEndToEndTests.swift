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
                    // Dropped from the second and third answers: empty in 20 of the night's 30 rows.
                    [
                        "referring_main_domains", "missing",
                        "empty in 20 of 30 rows; it had a value in 30 of 30 on 2026-11-20",
                    ],
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
            // And per row: each of the 20 drifted rows keeps its unknown fields as JSON, keyed as its table row.
            let extras = try await harness.query(
                """
                SELECT count(*), min(e.extra), max(e.extra), count(r.target) FROM seopipe_extra_fields e
                LEFT JOIN dataforseo_bulk_referring_domains r
                    ON r.target = e.row_key AND r.snapshot_date = e.snapshot_date
                WHERE e.snapshot_date = '2026-11-21' AND e.stage_id = 'refdomains' AND e.endpoint = '\(Self.endpoint)'
                    AND e.table_name = 'dataforseo_bulk_referring_domains'
                """)
            let json = #"{"backlinks_velocity":"fast","trust_flow":"12"}"#
            #expect(extras.first == ["20", json, json, "20"], "\(extras)")
            // A re-run of the date replaces them chunk by chunk: answers that come back without unknown fields
            // leave no entry behind. Then the same drift again, for the next date.
            harness.sandbox.reset()
            let rerun = try await harness.seopipe(["run", file, "--date", "2026-11-21", "--refresh"])
            #expect(rerun.exitCode == 0, "\(rerun.stderr)")
            #expect(try await harness.count("seopipe_extra_fields") == 0)
            harness.sandbox.setFaults([Self.drift])
            // The dictionary's view: the drifted columns, and the added fields without a column.
            let columns = try await harness.query(
                """
                SELECT column_name, kind FROM seopipe_column_drift
                WHERE table_name = 'dataforseo_bulk_referring_domains' AND column_name IS NOT NULL ORDER BY column_name
                """)
            #expect(columns == [["referring_domains", "type_changed"], ["referring_main_domains", "missing"]])
            let added = try await harness.query(
                "SELECT field FROM seopipe_column_drift WHERE column_name IS NULL ORDER BY field")
            #expect(added == [["backlinks_velocity"], ["trust_flow"]])

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
                    [
                        "ahrefs-v3", "backlinks", "missing",
                        "empty in 10 of 10 rows; it had a value in 10 of 10 on 2026-11-20",
                    ],
                    ["ahrefs-v3", "domain_rating", "type_changed", "a string, documented as a number"],
                ], "\(drift)")
        }
    }

    @Test(
        "Ahrefs v3 reference batch endpoint: a number sent as a string and an added field load the rows and are reported; bought once",
        arguments: Backend.available)
    func ahrefsV3Reference(backend: Backend) async throws {
        try await withHarness(backend) { harness in
            let file = try harness.write(
                "p.yml",
                pipelineYAML(
                    stages: """
                          - id: rating
                            provider: ahrefs
                            endpoint: site-explorer/batch/url-metrics
                            targets: \(flowList((1...10).map { "https://ref.example/page-\($0)" }))
                        """))
            try await Self.cleanThenDrifted(
                harness, file, endpoint: "site-explorer/batch/url-metrics",
                SchemaDriftFault(rowField: "url_rating", add: ["ai_mentions": "7"], stringify: ["backlinks"]))
            #expect(harness.sandbox.usage().totalRequests == 1, "bought once")
            let rows = try await harness.query(
                """
                SELECT count(*), count(url_rating), count(backlinks) FROM ahrefs_url_metrics
                WHERE snapshot_date = '2026-11-21'
                """)
            #expect(rows.first == ["10", "10", "0"], "\(rows)")
            let drift = try await harness.query(
                "SELECT provider, field, kind, detail FROM seopipe_schema_drift ORDER BY field, kind")
            #expect(
                drift == [
                    ["ahrefs-v3", "ai_mentions", "added", "a string"],
                    ["ahrefs-v3", "backlinks", "type_changed", "a string, documented as a number"],
                ], "\(drift)")
            #expect(try await harness.count("seopipe_extra_fields") == 10)
        }
    }

    @Test(
        "Ahrefs v3 single-object endpoint (backlinks-stats): a dropped field and an added one are reported; the rows load",
        arguments: Backend.available)
    func ahrefsV3SingleObject(backend: Backend) async throws {
        try await withHarness(backend) { harness in
            let file = try harness.write(
                "p.yml",
                pipelineYAML(
                    stages: """
                          - id: stats
                            provider: ahrefs
                            endpoint: site-explorer/backlinks-stats
                            targets: [one.example, two.example]
                        """))
            try await Self.cleanThenDrifted(
                harness, file, endpoint: "site-explorer/backlinks-stats",
                SchemaDriftFault(rowField: "live", add: ["live_ai": "9"], drop: ["all_time"]))
            #expect(harness.sandbox.usage().totalRequests == 2, "each target bought once")
            let rows = try await harness.query(
                """
                SELECT count(*), count(live), count(all_time) FROM ahrefs_backlinks_stats
                WHERE snapshot_date = '2026-11-21'
                """)
            #expect(rows.first == ["2", "2", "0"], "\(rows)")
            let drift = try await harness.query("SELECT field, kind, detail FROM seopipe_schema_drift ORDER BY field")
            // Two rows are too few to compare fills: `all_time` is missing as absent from every row.
            #expect(drift == [["all_time", "missing", ""], ["live_ai", "added", "a string"]], "\(drift)")
            let extras = try await harness.query("SELECT row_key, extra FROM seopipe_extra_fields ORDER BY row_key")
            #expect(extras == [["one.example", #"{"live_ai":"9"}"#], ["two.example", #"{"live_ai":"9"}"#]])
        }
    }

    @Test(
        "Ahrefs v3 reference batch/metrics with select: the fields the request left out are not missing",
        arguments: Backend.available)
    func ahrefsV3ReferenceSelect(backend: Backend) async throws {
        try await withHarness(backend) { harness in
            let file = try harness.write(
                "p.yml",
                pipelineYAML(
                    stages: """
                          - id: metrics
                            provider: ahrefs
                            endpoint: site-explorer/batch/metrics
                            targets: [one.example, two.example]
                            params: { select: [org_keywords, org_traffic] }
                        """))
            let run = try await harness.seopipe(["run", file, "--date", "2026-11-20"])
            #expect(run.exitCode == 0, "\(run.stderr)")
            #expect(try await harness.count("ahrefs_domain_metrics") == 2)
            #expect(try await harness.count("seopipe_schema_drift") == 0)
            #expect(try await harness.count("seopipe_raw_responses") == 0, "a documented answer is not kept")
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
            let earlier =
                try await harness.query(
                    "SELECT count(*) FROM ahrefs_v2_refdomains WHERE snapshot_date = '2026-11-20'"
                ).first?[0] ?? "0"
            let drift = try await harness.query(
                "SELECT provider, field, kind, detail FROM seopipe_schema_drift ORDER BY field, kind")
            #expect(
                drift == [
                    ["ahrefs-v2", "backlinks", "type_changed", "a string, documented as a number"],
                    ["ahrefs-v2", "link_velocity", "added", "a string"],
                    [
                        "ahrefs-v2", "refpages", "missing",
                        "empty in \(loaded) of \(loaded) rows; it had a value in \(earlier) of \(earlier) on 2026-11-20",
                    ],
                ], "\(drift)")
        }
    }

    @Test(
        "analytics Batch API: a metric sent as a string, a dropped one and an added field load what can be read and are reported; bought once",
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
                harness, file, endpoint: "batch",
                SchemaDriftFault(
                    rowField: "entrances", add: ["scroll_depth": "deep"], drop: ["page_views"], stringify: ["entrances"]
                ))
            // The same requests as without drift (the pages list takes more than one): none bought again.
            #expect(harness.sandbox.usage().endpoints["batch"]?.requests == cleanRequests)
            let overview = try await harness.query(
                """
                SELECT count(*), count(entrances), count(page_views) FROM analytics_overview_daily
                WHERE snapshot_date = '2026-11-21'
                """)
            #expect(overview.first == ["1", "0", "0"], "\(overview)")
            let pages = try await harness.query(
                """
                SELECT count(*), count(entrances) FROM analytics_pages_daily WHERE snapshot_date = '2026-11-21'
                """)
            #expect(pages.first?[1] == "0", "\(pages)")
            let listed = Int(pages.first?[0] ?? "") ?? 0
            let rows = 1 + listed
            #expect(listed >= 10, "enough rows to compare fills")
            let before =
                try await harness.query(
                    "SELECT count(*) FROM analytics_pages_daily WHERE snapshot_date = '2026-11-20'"
                ).first?[0] ?? ""
            // Each list's fill is its own; the overview's one row is too few to compare.
            let drift = try await harness.query(
                "SELECT provider, field, kind, detail FROM seopipe_schema_drift ORDER BY field")
            #expect(
                drift == [
                    ["analytics-batch", "entrances", "type_changed", "a string, documented as a number"],
                    [
                        "analytics-batch", "pages.page_views", "missing",
                        "empty in \(listed) of \(listed) rows; it had a value in \(before) of \(before) on 2026-11-20",
                    ],
                    ["analytics-batch", "scroll_depth", "added", "a string"],
                ], "\(drift)")
            // The added field is kept with every row, keyed by account, period, query (and the page).
            let extras = try await harness.query(
                """
                SELECT row_key, extra FROM seopipe_extra_fields WHERE snapshot_date = '2026-11-21' ORDER BY row_key
                """)
            #expect(extras.count == rows)
            #expect(extras.allSatisfy { $0[1] == #"{"scroll_depth":"deep"}"# }, "\(extras)")
            #expect(extras.contains { $0[0] == "acme yesterday overview" }, "\(extras)")
            #expect(extras.contains { $0[0] == "acme yesterday pages /" }, "\(extras)")
        }
    }
}

extension SchemaDriftEndToEndTests {
    @Test(
        "a documented field that still arrives but empty, where it had values the night before, is reported once; a field empty from the start is not",
        arguments: Backend.available)
    func wentEmpty(backend: Backend) async throws {
        try await withHarness(backend) { harness in
            let file = try harness.write("p.yml", Self.pipeline())
            // `referring_domains_nofollow` empty in every row on the first night: nothing to compare with, no drift.
            harness.sandbox.setFaults([
                {
                    var rule = FaultRule(endpoint: Self.endpoint, status: 200)
                    rule.schemaDrift = SchemaDriftFault(rowField: "target", nullify: ["referring_domains_nofollow"])
                    return rule
                }()
            ])
            let first = try await harness.seopipe(["run", file, "--date", "2026-11-19"])
            #expect(first.exitCode == 0, "\(first.stderr)")
            #expect(try await harness.count("seopipe_schema_drift") == 0)
            harness.sandbox.setFaults([])

            // A clean night, then a night where `referring_main_domains` arrives as null in every row.
            try await Self.cleanThenDrifted(
                harness, file, endpoint: Self.endpoint,
                SchemaDriftFault(rowField: "target", nullify: ["referring_main_domains"]))
            let rows = try await harness.query(
                """
                SELECT count(*), count(referring_main_domains), count(referring_domains) FROM dataforseo_bulk_referring_domains
                WHERE snapshot_date = '2026-11-21'
                """)
            #expect(rows.first == ["30", "0", "30"])
            let drift = try await harness.query("SELECT field, kind, detail FROM seopipe_schema_drift")
            #expect(
                drift == [
                    [
                        "referring_main_domains", "missing",
                        "empty in 30 of 30 rows; it had a value in 30 of 30 on 2026-11-20",
                    ]
                ], "\(drift)")
            // The fill of each night is kept, one row per documented field read.
            let fill = try await harness.query(
                """
                SELECT snapshot_date, rows_read, rows_filled FROM seopipe_field_fill
                WHERE field = 'referring_main_domains' ORDER BY snapshot_date
                """)
            #expect(fill.map { [$0[1], $0[2]] } == [["30", "30"], ["30", "30"], ["30", "0"]], "\(fill)")

            // Back to values: nothing new is reported (the one drift row keeps the run that saw it).
            let seenBy = try await harness.query("SELECT run_id, last_seen FROM seopipe_schema_drift")
            harness.sandbox.reset()
            harness.sandbox.setFaults([])
            let back = try await harness.seopipe(["run", file, "--date", "2026-11-22"])
            #expect(back.exitCode == 0, "\(back.stderr)")
            #expect(try await harness.query("SELECT run_id, last_seen FROM seopipe_schema_drift") == seenBy)

            // A run that fails part-way, then its resume, read part of a date: neither records nor compares a fill.
            var failing = FaultRule(endpoint: Self.endpoint, fromRequest: 2, status: 500)
            failing.count = 10
            harness.sandbox.reset()
            harness.sandbox.setFaults([failing])
            let broken = try await harness.seopipe(["run", file, "--date", "2026-11-23"])
            #expect(broken.exitCode != 0)
            harness.sandbox.setFaults([])
            let resumed = try await harness.seopipe(["run", file, "--date", "2026-11-23"])
            #expect(resumed.exitCode == 0, "\(resumed.stderr)")
            let partial = try await harness.query(
                "SELECT count(*) FROM seopipe_field_fill WHERE snapshot_date = '2026-11-23'")
            #expect(partial.first?[0] == "0", "\(partial)")
        }
    }
}
