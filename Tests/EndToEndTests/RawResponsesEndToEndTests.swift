import Foundation
import Sandbox
import Testing

/// `load: { raw_responses: true }`: each committed chunk's answer is kept, with the chunk, redacted.
@Suite("Raw responses, end to end")
struct RawResponsesEndToEndTests {
    static let date = "2026-11-20"

    static let pipeline = pipelineYAML(
        stages: """
              - id: metrics
                provider: ahrefs
                endpoint: site-explorer/batch/metrics
                targets: \(flowList(domains(150)))
                load: { raw_responses: true }
              - id: rating
                provider: ahrefs
                endpoint: site-explorer/batch/domain-rating
                targets: [ahrefs.com, moz.com]
              - id: ranks
                provider: dataforseo
                endpoint: backlinks/bulk_ranks/live
                targets: [ahrefs.com, moz.com]
                load: { raw_responses: true }
              - id: refdomains
                provider: ahrefs_v2
                endpoint: refdomains
                targets: [ahrefs.com]
                params: { mode: domain, limit: 40, max_rows: 100 }
                load: { raw_responses: true }
            """)

    @Test(
        "every committed chunk of an opted-in stage keeps its answer as JSON, replaced on re-run, without credentials",
        arguments: Backend.available)
    func keepsRawResponses(backend: Backend) async throws {
        try await withHarness(backend, today: Self.date) { harness in
            let file = try harness.write("raw.yml", Self.pipeline)
            let first = try await harness.seopipe(["run", file, "--date", Self.date])
            #expect(first.exitCode == 0, "\(first.stderr)")

            // One answer per committed chunk of the three opted-in stages (2 + 1 + 3 pages), none for `rating`.
            let perStage = try await harness.query(
                """
                SELECT stage_id, count(*), min(provider), min(endpoint), min(http_status)
                FROM seopipe_raw_responses GROUP BY stage_id ORDER BY stage_id
                """)
            #expect(
                perStage == [
                    ["metrics", "2", "ahrefs", "site-explorer/batch/metrics", "200"],
                    ["ranks", "1", "dataforseo", "backlinks/bulk_ranks/live", "200"],
                    ["refdomains", "3", "ahrefs_v2", "refdomains", "200"],
                ])
            let unmatched = try await harness.query(
                """
                SELECT count(*) FROM seopipe_raw_responses r LEFT JOIN seopipe_chunks c
                  ON c.pipeline = r.pipeline AND c.snapshot_date = r.snapshot_date AND c.stage_id = r.stage_id
                 AND c.request_hash = r.request_hash AND c.chunk_index = r.chunk_index
                WHERE c.request_hash IS NULL
                """)
            #expect(unmatched == [["0"]], "each answer belongs to a committed chunk")

            // The bodies are the provider's JSON: the metrics the fact table holds are in them, value for value.
            var fromBodies: [String: Double] = [:]
            for row in try await harness.query("SELECT body FROM seopipe_raw_responses WHERE stage_id = 'metrics'") {
                let body = try #require(row[0])
                let object = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
                for item in try #require(object["results"] as? [[String: Any]]) {
                    let metrics = try #require(item["metrics"] as? [String: Any])
                    fromBodies[try #require(item["target"] as? String)] =
                        (metrics["domain_rating"] as? NSNumber)?.doubleValue
                }
            }
            #expect(fromBodies.count == 150)
            let loaded = try await harness.query("SELECT target, domain_rating FROM ahrefs_domain_metrics")
            #expect(loaded.count == 150)
            for row in loaded {
                #expect(fromBodies[row[0] ?? ""] == Double(row[1] ?? ""), "\(row)")
            }
            if backend == .postgres {
                #expect(
                    try await harness.query("SELECT DISTINCT pg_typeof(body)::text FROM seopipe_raw_responses")
                        == [["jsonb"]])
            }

            // Credentials the run used appear nowhere in the warehouse (Ahrefs v2 sends its token in the URL).
            let everything = try await harness.everyValue()
            for (name, value) in harness.sandbox.environment where !name.hasSuffix("BASE_URL") {
                #expect(!everything.contains(value), "\(name)")
            }

            // A refresh buys the date again and replaces its answers; it never adds a second copy.
            let refresh = try await harness.seopipe(["run", file, "--date", Self.date, "--refresh", "--json"])
            #expect(refresh.exitCode == 0, "\(refresh.stderr)")
            let runID = try #require(
                (try JSONSerialization.jsonObject(with: Data(refresh.stdout.utf8)) as? [String: Any])?["run_id"]
                    as? String)
            #expect(
                try await harness.query("SELECT count(*), min(run_id), max(run_id) FROM seopipe_raw_responses")
                    == [["6", runID, runID]])
        }
    }
}
