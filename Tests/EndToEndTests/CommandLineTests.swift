import Foundation
import Testing
import WarehouseSQLite

/// What a user sees from `validate`, `plan`, `migrate`, `runs` and bad pipeline files.
@Suite("seopipe commands")
struct CommandLineTests {
    static let valid = pipelineYAML(
        stages: """
              - id: metrics
                provider: ahrefs
                endpoint: site-explorer/batch/metrics
                targets: [a.com, b.com, c.com]
              - id: rating
                provider: ahrefs
                endpoint: site-explorer/batch/domain-rating
                targets: [a.com]
              - id: backlinks
                depends_on: [metrics, rating]
                provider: ahrefs
                endpoint: site-explorer/batch/backlinks-stats
                targets: { from_sql: "SELECT target FROM ahrefs_domain_metrics WHERE snapshot_date = :snapshot" }
            """)

    @Test("validate --json prints valid, stage_count, execution_order and parallel_groups")
    func validateJSON() async throws {
        try await withHarness { harness in
            let file = try harness.write("p.yml", Self.valid)
            let output = try await harness.seopipe(["validate", file, "--json"])
            #expect(output.exitCode == 0, "\(output.stderr)")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
            #expect(json["valid"] as? Bool == true)
            #expect(json["stage_count"] as? Int == 3)
            #expect(json["execution_order"] as? [String] == ["metrics", "rating", "backlinks"])
            #expect(json["parallel_groups"] as? [[String]] == [["metrics", "rating"], ["backlinks"]])
            #expect(harness.sandbox.usage().totalRequests == 0, "validate sends nothing")
        }
    }

    /// Each broken file, the line:column the error must point at, and a word the message must contain.
    static let broken: [(name: String, yaml: String, location: String, says: String)] = [
        ("malformed YAML", "name: x\nproviders:\n  ahrefs: [unclosed\nstages: []\n", ":4:", "malformed YAML"),
        (
            "unknown key", Self.valid.replacingOccurrences(of: "options:", with: "optoins:"), ":29:1",
            "did you mean `options`"
        ),
        (
            "missing variable", Self.valid.replacingOccurrences(of: "${AHREFS_API_TOKEN}", with: "${NOT_SET_ANYWHERE}"),
            ":7:12", "NOT_SET_ANYWHERE"
        ),
        (
            "dependency cycle",
            Self.valid.replacingOccurrences(
                of: "targets: [a.com]\n",
                with: "targets: [a.com]\n    depends_on: [backlinks]\n"), ":35:5", "cycle"
        ),
        (
            "raw_responses not a boolean",
            Self.valid.replacingOccurrences(
                of: "targets: [a.com]\n",
                with: "targets: [a.com]\n    load: { raw_responses: maybe }\n"), ":39:28",
            "load.raw_responses must be true or false"
        ),
        (
            "bad postgres URL",
            Self.valid.replacingOccurrences(of: "sqlite:warehouse.db", with: "postgres://u@h:99999/db"),
            ":2:12", "not a valid PostgreSQL URL"
        ),
    ]

    @Test("a broken pipeline file exits 2 with file:line:column and what to write instead", arguments: broken.indices)
    func brokenFiles(index: Int) async throws {
        let (name, yaml, location, says) = Self.broken[index]
        try await withHarness { harness in
            let file = try harness.write("broken.yml", yaml)
            for command in [["validate", file], ["run", file], ["plan", file]] {
                let output = try await harness.seopipe(command)
                #expect(output.exitCode == 2, "\(name): \(command[0]) exit \(output.exitCode)")
                #expect(output.stderr.contains("broken.yml\(location)"), "\(name): \(output.stderr)")
                #expect(output.stderr.contains(says), "\(name): \(output.stderr)")
            }
            #expect(harness.sandbox.usage().totalRequests == 0)
            #expect(!FileManager.default.fileExists(atPath: harness.databasePath), "nothing was run")
        }
    }

    @Test("plan shows targets, chunks, requests and estimated units per stage without sending anything")
    func plan() async throws {
        try await withHarness { harness in
            let file = try harness.write(
                "p.yml",
                pipelineYAML(
                    stages: """
                          - id: metrics
                            provider: ahrefs
                            endpoint: site-explorer/batch/metrics
                            targets: \(flowList(domains(250) + ["A.com", "a.com", "bad domain"]))
                        """, budget: "max_units: 1000"))
            let output = try await harness.seopipe(["plan", file, "--json"])
            #expect(output.exitCode == 0, "\(output.stderr)")
            let plans = try #require(
                try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [[String: Any]])
            #expect(plans.first?["targets"] as? Int == 251, "A.com and a.com are one target")
            #expect(plans.first?["refused_targets"] as? Int == 1)
            #expect(plans.first?["chunks"] as? Int == 3)
            #expect(
                plans.first?["estimated_units"] as? Double == Double(500 + 500 + 255),
                "5 units a target, at least 50 a request")
            let text = try await harness.seopipe(["plan", file])
            #expect(text.stdout.contains("OVER the budget"), "\(text.stdout)")
            #expect(harness.sandbox.usage().totalRequests == 0)
        }
    }

    @Test("migrate creates the schema once, and runs lists the ledger")
    func migrateAndRuns() async throws {
        try await withHarness { harness in
            let first = try await harness.seopipe(["migrate", "--warehouse", "sqlite:w.db"])
            #expect(first.exitCode == 0, "\(first.stderr)")
            #expect(first.stdout.contains("0001_ledger: applied"))
            let second = try await harness.seopipe(["migrate", "--warehouse", "sqlite:w.db"])
            #expect(second.stdout.contains("0002_ahrefs_v3: already applied"))
            #expect(
                try await harness.count("seopipe_schema_migrations", in: "sqlite:w.db") == SQLiteMigrations.all.count)

            let file = try harness.write("p.yml", Self.valid)
            #expect(try await harness.seopipe(["run", file, "--warehouse", "sqlite:w.db", "--quiet"]).stdout.isEmpty)
            let runs = try await harness.seopipe(["runs", "--warehouse", "sqlite:w.db"])
            #expect(runs.stdout.contains("e2e"))
            #expect(runs.stdout.contains("succeeded"))
        }
    }

    @Test(
        "a second run of the same pipeline while one is in progress exits 4 and names the holder's run",
        arguments: Backend.available)
    func runLock(backend: Backend) async throws {
        try await withHarness(backend) { harness in
            let file = try harness.write(
                "p.yml",
                pipelineYAML(
                    stages: """
                          - id: metrics
                            provider: ahrefs
                            endpoint: site-explorer/batch/metrics
                            targets: [a.com]
                        """))
            // The first run waits on its answer until the second has been turned away.
            harness.sandbox.holdResponses()
            async let first = harness.seopipe(["run", file, "--date", "2026-11-20", "--json"])
            // A run takes its lock before it sends anything: once its request has arrived, the lock is held.
            try await harness.waitForArrivals(1)
            let second = try await harness.seopipe(["run", file, "--date", "2026-11-20"])
            #expect(second.exitCode == 4, "\(second.stderr)")
            #expect(second.stderr.contains("another run of pipeline e2e holds the lock"), "\(second.stderr)")
            #expect(second.stderr.components(separatedBy: "holds the lock").count == 2, "said once: \(second.stderr)")
            // Under cron (--quiet) it is said once too, and still said.
            let quiet = try await harness.seopipe(["run", file, "--date", "2026-11-20", "--quiet"])
            #expect(quiet.exitCode == 4)
            #expect(quiet.stderr.components(separatedBy: "holds the lock").count == 2, "said once: \(quiet.stderr)")
            harness.sandbox.releaseResponses()
            let firstOutput = try await first
            #expect(firstOutput.exitCode == 0, "\(firstOutput.stderr)")
            let runID = try #require(
                (try JSONSerialization.jsonObject(with: Data(firstOutput.stdout.utf8)) as? [String: Any])?["run_id"]
                    as? String)
            #expect(second.stderr.contains("run \(runID), pid "), "\(second.stderr)")
            #expect(harness.sandbox.usage().totalRequests == 1, "the second run sent nothing")
            // Once the first run is over, the lock is free again.
            #expect(try await harness.seopipe(["run", file, "--date", "2026-11-20"]).exitCode == 0)
        }
    }

    @Test("every subcommand has help that says what it does")
    func help() async throws {
        try await withHarness { harness in
            for command in [
                "validate", "plan", "run", "migrate", "runs", "crontab", "daemon", "schema", "sandbox", "demo",
                "init",
            ] {
                let output = try await harness.seopipe([command, "--help"])
                #expect(output.exitCode == 0)
                #expect(output.stdout.contains("USAGE: seopipe \(command)"), "\(command): \(output.stdout)")
            }
            // The hidden test clock stays out of the daemon's help.
            #expect(try await !harness.seopipe(["daemon", "--help"]).stdout.contains("clock"))
        }
    }

    @Test(
        "usage errors exit 2 with the reason, as DESIGN.md section 7 says",
        arguments: [
            (["run", "x.yml", "--date", "2026-11-20", "--from", "2026-11-01"], "give one or the other"),
            (["run", "x.yml", "--to", "2026-11-20"], "--to needs --from"),
            (["run", "x.yml", "--from", "2026-11-31"], "--from 2026-11-31 is not a date"),
            (["run", "x.yml", "--from", "2026-11-20", "--to", "2026-11-01"], "is before --from"),
            (["runs", "--status", "exploded"], "--status exploded is not a run status"),
            (["run", "x.yml", "--no-such-flag"], "Unknown option '--no-such-flag'"),
        ])
    func usageErrors(arguments: [String], message: String) async throws {
        try await withHarness { harness in
            let output = try await harness.seopipe(arguments)
            #expect(output.exitCode == 2, "\(output.stderr)")
            #expect(output.stderr.contains(message), "\(output.stderr)")
            // With --log-format json, the same reason as one JSON object on one line, for log shippers.
            let json = try await harness.seopipe(arguments + ["--log-format", "json"])
            #expect(json.exitCode == 2, "\(json.stderr)")
            let lines = json.stderr.split(separator: "\n")
            #expect(lines.count == 1, "\(json.stderr)")
            let object = try #require(
                try JSONSerialization.jsonObject(with: Data((lines.first ?? "").utf8)) as? [String: Any])
            #expect(object["level"] as? String == "error")
            #expect((object["message"] as? String)?.contains(message) == true, "\(json.stderr)")
        }
    }
}

/// The corpus of broken pipeline files in Tests/EndToEndTests/Corpus/malformed: exact messages, exit 2.
@Suite("Malformed pipeline corpus")
struct MalformedCorpusTests {
    static let folder = Harness.repositoryRoot.appendingPathComponent("Tests/EndToEndTests/Corpus/malformed")

    static var files: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".yml") }
            .sorted()
    }

    @Test("the corpus is there")
    func corpusExists() {
        #expect(Self.files.count >= 14)
    }

    @Test(
        "each broken file gets exactly its expected errors (file:line:column, message, hint) and exit 2",
        arguments: files)
    func exactMessages(file: String) async throws {
        try await withHarness { harness in
            let path = Self.folder.appendingPathComponent(file).path
            let expected = try String(
                contentsOf: Self.folder.appendingPathComponent(
                    file.replacingOccurrences(of: ".yml", with: ".expected")),
                encoding: .utf8)
            let output = try await harness.seopipe(["validate", path], environment: ["AHREFS_API_TOKEN": "x"])
            #expect(output.exitCode == 2)
            #expect(output.stderr.replacingOccurrences(of: Self.folder.path + "/", with: "") == expected)
            #expect(output.stdout.isEmpty)
        }
    }
}
