import Foundation
import Sandbox
import SeopipeCore
import Subprocess
import SystemPackage
import Testing

/// Running it every night as users do: crontab lines run by /bin/sh, the daemon, backfills, the ledger, metrics
/// for alerting and logs for shippers.
@Suite("Nightly operations, end to end")
struct NightlyOpsEndToEndTests {
    /// A date-taking Ahrefs stage (history) and a DataForSEO stage (today only).
    static let stages = """
          - id: rating
            provider: ahrefs
            endpoint: site-explorer/batch/domain-rating
            targets: [ahrefs.com, moz.com, semrush.com]
          - id: spam
            provider: dataforseo
            endpoint: backlinks/bulk_spam_score/live
            targets: [ahrefs.com, moz.com]

        """

    static func pipeline(_ name: String, schedule: String?, budget: String? = nil, stages: String = stages) -> String {
        let yaml = pipelineYAML(name: name, stages: stages, budget: budget)
        guard let schedule else { return yaml }
        return yaml.replacingOccurrences(of: "name: \(name)\n", with: "name: \(name)\nschedule: \"\(schedule)\"\n")
    }

    // MARK: crontab

    @Test(
        "crontab lines parse back into each file's schedule and run under /bin/sh quietly, lock-safe",
        arguments: Backend.available)
    func crontab(backend: Backend) async throws {
        try await withHarness(backend) { harness in
            let nightly = try harness.write("nightly.yml", Self.pipeline("nightly", schedule: "15 3 * * *"))
            let weekly = try harness.write("weekly.yml", Self.pipeline("weekly", schedule: "@weekly"))
            let adhoc = try harness.write("adhoc.yml", Self.pipeline("adhoc", schedule: nil))
            // Cron does not read the user's profile: tokens and the warehouse come from the env file.
            // Both spellings users write: `export NAME=value` and plain `NAME=value`.
            var exports = harness.sandbox.environment.sorted { $0.key < $1.key }.enumerated().map { index, item in
                (index.isMultiple(of: 2) ? "export " : "") + "\(item.key)='\(item.value)'"
            }
            if backend == .postgres { exports.append("SEOPIPE_WAREHOUSE='\(harness.warehouse)'") }
            let envFile = try harness.write("seopipe.env", exports.joined(separator: "\n") + "\n")
            let output = try await harness.seopipe(
                ["crontab", nightly, weekly, adhoc, "--env-file", envFile, "--metrics-dir", "metrics"],
                withSandbox: false)
            #expect(output.exitCode == 0, "\(output.stderr)")

            // Without the env file the job would find no token at 3 a.m., even though this shell has one.
            let bare = try await harness.seopipe(["crontab", nightly])
            #expect(bare.exitCode == 2)
            #expect(bare.stderr.contains("environment variable AHREFS_API_TOKEN is not set"), "\(bare.stderr)")
            #expect(bare.stderr.contains("pass it with --env-file"))
            #expect(bare.stdout.isEmpty)

            var jobs: [String: (schedule: String, command: String)] = [:]
            for line in output.stdout.split(separator: "\n").map(String.init) {
                if line.hasPrefix("#") || line.hasPrefix("SHELL=") || line.isEmpty { continue }
                let fieldCount = line.hasPrefix("@") ? 1 : 5
                let fields = line.split(separator: " ", maxSplits: fieldCount, omittingEmptySubsequences: true)
                let schedule = fields.prefix(fieldCount).joined(separator: " ")
                let command = String(fields[fieldCount])
                let name = try #require(["nightly", "weekly"].first { command.contains("/\($0).yml") })
                jobs[name] = (schedule, command)
            }
            #expect(jobs.keys.sorted() == ["nightly", "weekly"])
            #expect(output.stdout.contains("adhoc") && output.stdout.contains("no `schedule:`"))
            // Back into the same schedules: the same expression, and the same next slots.
            let after = try Date("2026-11-20T12:00:00Z", strategy: .iso8601)
            let utc = TimeZone(identifier: "UTC")!
            for (name, expected) in ["nightly": "15 3 * * *", "weekly": "@weekly"] {
                let job = try #require(jobs[name])
                #expect(job.schedule == expected)
                #expect(
                    try CronSchedule(job.schedule).next(after: after, in: utc)
                        == (try CronSchedule(expected)).next(after: after, in: utc))
                let binary = try Harness.binary().standardizedFileURL.path
                #expect(
                    job.command.contains(" && \(binary) run \(harness.directory.path)/\(name).yml --quiet --log-file "))
                #expect(
                    job.command.hasPrefix("cd \(harness.directory.path) && set -a && . \(envFile) && set +a && "),
                    "\(job.command)")
            }

            // The line as cron runs it: /bin/sh, no sandbox variables in the environment, from another directory.
            let command = try #require(jobs["nightly"]?.command)
            let clean = ProcessInfo.processInfo.environment.filter {
                !["AHREFS", "DATAFORSEO", "ANALYTICS", "SEOPIPE_WAREHOUSE"].contains(where: $0.key.hasPrefix)
            }
            harness.sandbox.holdResponses()
            let first = try await Harness.launch(
                ["-c", command], environment: clean, directory: harness.directory,
                executable: URL(fileURLWithPath: "/bin/sh"))
            try await harness.waitForArrivals(1)
            // Lock-safe: the next night's job finds this one still going and does nothing.
            let second = try await harness.tool("sh", ["-c", command], environment: [:])
            #expect(second.exitCode == 4)
            #expect(second.stderr.contains("another run of pipeline nightly holds the lock"), "cron mails why")
            harness.sandbox.releaseResponses()
            let ran = try await first.finished.value
            #expect(ran.exitCode == 0, "\(ran.stderr)")
            #expect(ran.stdout.isEmpty && ran.stderr.isEmpty, "--quiet prints nothing on success: \(ran.stderr)")
            let logs = harness.directory.appendingPathComponent("logs")
            let log = try String(contentsOf: logs.appendingPathComponent("nightly.log"), encoding: .utf8)
            #expect(log.contains("run finished"))
            #expect(
                log.contains("another run of pipeline nightly holds the lock"),
                "the refused second job says why in the log")
            #expect(
                try await harness.query("SELECT status FROM seopipe_runs WHERE pipeline = 'nightly'") == [["succeeded"]]
            )
            let metrics = try String(
                contentsOf: harness.directory.appendingPathComponent("metrics/seopipe_nightly.prom"), encoding: .utf8)
            try await PrometheusText.check(metrics)
        }
    }

    // MARK: daemon

    @Test(
        "the daemon runs each pipeline once per slot, stops cleanly on SIGTERM, and runs a missed slot once",
        arguments: Backend.available)
    func daemon(backend: Backend) async throws {
        try await withHarness(backend) { harness in
            let folder = harness.directory.appendingPathComponent("pipelines")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let rating = """
                  - id: rating
                    provider: ahrefs
                    endpoint: site-explorer/batch/domain-rating
                    targets: [ahrefs.com, moz.com]

                """
            for name in ["alpha", "beta"] {
                try Self.pipeline(name, schedule: "0 3 * * *", stages: rating)
                    .write(to: folder.appendingPathComponent("\(name).yml"), atomically: true, encoding: .utf8)
            }
            // The providers in a process of their own (`seopipe sandbox`), as a user would run them: the daemon's
            // runs must each finish within a simulated day, so they do not wait for the test process's threads.
            let sandbox = try await SandboxProcess.start(in: harness.directory)
            defer { sandbox.stop() }
            // A fast clock: one simulated day every 10 seconds, starting 4 hours (1.7 s) before the first slot.
            let daemon = try await harness.launch(
                [
                    "daemon", folder.path, "--clock-start", "2026-11-19T23:00:00Z", "--clock-speed", "8640",
                    "--metrics-dir", "metrics",
                ], environment: sandbox.environment)
            let deadline = ContinuousClock.now + .seconds(90)
            func succeeded() async -> Int {
                let rows = try? await harness.query("SELECT count(*) FROM seopipe_runs WHERE status = 'succeeded'")
                return Int((rows?.first?.first ?? nil) ?? "") ?? 0
            }
            while await succeeded() < 6, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(200))
            }
            daemon.signal(SIGTERM)
            let stopped = try await daemon.finished.value
            #expect(stopped.exitCode == 0, "\(stopped.stderr.suffix(2000))")
            #expect(stopped.stderr.contains("daemon stopped"))
            for name in ["alpha", "beta"] {
                let runs = try await harness.query(
                    """
                    SELECT snapshot_date, status, started_at, finished_at FROM seopipe_runs
                    WHERE pipeline = '\(name)' ORDER BY started_at, snapshot_date
                    """)
                let finished = runs.filter { $0[1] == "succeeded" }.map { $0[0] ?? "" }
                // Exactly once per slot: the first three slots, each once, in order (a run stopped by SIGTERM
                // mid-way may follow, recorded as interrupted).
                #expect(Array(finished.prefix(3)) == ["2026-11-20", "2026-11-21", "2026-11-22"], "\(name): \(runs)")
                #expect(Set(finished).count == finished.count, "\(name): a slot ran twice: \(runs)")
                #expect(runs.allSatisfy { ["succeeded", "interrupted"].contains($0[1]) }, "\(runs)")
                // One run of a pipeline at a time: in the daemon's log each start is followed by its end before
                // the next start (the ledger's timestamps are whole seconds; the log's order is exact).
                let events = stopped.stderr.split(separator: "\n").filter { $0.contains("pipeline=\(name) ") }
                    .compactMap { line -> String? in
                        if line.contains("running for the slot") { return "start" }
                        if line.hasSuffix(" succeeded") || line.hasSuffix(" interrupted")
                            || line.contains("did not start")
                        {
                            return line.contains(" run ") || line.contains("did not start") ? "end" : nil
                        }
                        return nil
                    }
                #expect(events.count >= 6 && events.count == 2 * (events.count / 2), "\(name): \(events)")
                #expect(
                    zip(events, events.indices).allSatisfy { $0 == ($1.isMultiple(of: 2) ? "start" : "end") },
                    "\(name) runs overlap: \(events)")
                #expect(
                    FileManager.default.fileExists(
                        atPath: harness.directory.appendingPathComponent("metrics/seopipe_\(name).prom").path))
            }
            let slots = try await harness.query("SELECT pipeline, last_slot FROM seopipe_schedule ORDER BY pipeline")
            #expect(slots.count == 2)
            let before = try await harness.count("seopipe_runs")
            let earlierRuns = Set(try await harness.query("SELECT run_id FROM seopipe_runs").map { $0[0] ?? "" })

            // Down for days: the clock restarts 3.5 days after the last slot at real speed. The latest missed slot
            // runs once, not once per missed day, and nothing else until the next slot (15 hours away).
            let lastSlot = try #require(slots.first?[1]).prefix(10)
            let restart = SnapshotDate(String(lastSlot))!.adding(days: 3).description + "T12:00:00Z"
            let again = try await harness.launch(
                ["daemon", folder.path, "--clock-start", restart], environment: sandbox.environment)
            let expected = String(restart.prefix(10))
            let until = ContinuousClock.now + .seconds(60)
            while try await harness.count("seopipe_runs") < before + 2, ContinuousClock.now < until {
                try await Task.sleep(for: .milliseconds(200))
            }
            try await Task.sleep(for: .seconds(2))
            again.signal(SIGTERM)
            let end = try await again.finished.value
            #expect(end.exitCode == 0, "\(end.stderr.suffix(2000))")
            // The runs of the second daemon only (the first one's SIGTERM may have interrupted a run of its own).
            let caughtUp = try await harness.query(
                "SELECT run_id, pipeline, snapshot_date, status FROM seopipe_runs ORDER BY pipeline, started_at"
            ).filter { !earlierRuns.contains($0[0] ?? "") }.map { Array($0.dropFirst()) }
            #expect(caughtUp == [["alpha", expected, "succeeded"], ["beta", expected, "succeeded"]])
            #expect(end.stderr.contains("were missed; running once for the latest"))
        }
    }

    @Test("a daemon stopped during its very first run resumes that slot when it starts again")
    func daemonFirstRunInterrupted() async throws {
        try await withHarness { harness in
            let folder = harness.directory.appendingPathComponent("pipelines")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let rating = """
                  - id: rating
                    provider: ahrefs
                    endpoint: site-explorer/batch/domain-rating
                    targets: [ahrefs.com, moz.com]

                """
            try Self.pipeline("first", schedule: "0 3 * * *", stages: rating)
                .write(to: folder.appendingPathComponent("first.yml"), atomically: true, encoding: .utf8)
            // Real speed, two seconds before the first slot; its request is held until the daemon is told to stop.
            harness.sandbox.holdResponses()
            let daemon = try await harness.launch(["daemon", folder.path, "--clock-start", "2026-11-20T02:59:58Z"])
            try await harness.waitForArrivals(1)
            daemon.signal(SIGTERM)
            try await Task.sleep(for: .milliseconds(300))
            harness.sandbox.releaseResponses()
            let stopped = try await daemon.finished.value
            #expect(stopped.exitCode == 0, "\(stopped.stderr.suffix(1500))")
            #expect(
                try await harness.query("SELECT snapshot_date, status FROM seopipe_runs")
                    == [["2026-11-20", "interrupted"]])

            // Started again later that day: the interrupted slot runs once more (its chunk already committed).
            let again = try await harness.launch(["daemon", folder.path, "--clock-start", "2026-11-20T12:00:00Z"])
            let deadline = ContinuousClock.now + .seconds(60)
            while try await harness.count("seopipe_runs") < 2, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(200))
            }
            try await Task.sleep(for: .seconds(1))
            again.signal(SIGTERM)
            let end = try await again.finished.value
            #expect(end.exitCode == 0, "\(end.stderr.suffix(1500))")
            #expect(
                try await harness.query(
                    "SELECT snapshot_date, status, requests FROM seopipe_runs ORDER BY started_at, status"
                ) == [["2026-11-20", "interrupted", "1"], ["2026-11-20", "succeeded", "0"]])
            #expect(harness.sandbox.usage().totalChargedRequests == 1)
        }
    }

    // MARK: backfill, runs, metrics, logs

    @Test(
        "a backfill of 3 dates yields 3 snapshots and 3 runs, leaves out what cannot return history, and resumes free",
        arguments: Backend.available)
    func backfill(backend: Backend) async throws {
        try await withHarness(backend) { harness in
            let file = try harness.write("p.yml", Self.pipeline("history", schedule: nil))
            let plan = try await harness.seopipe(["plan", file, "--from", "2026-10-01", "--to", "2026-10-03", "--json"])
            #expect(plan.exitCode == 0, "\(plan.stderr)")
            let planned = try #require(
                try JSONSerialization.jsonObject(with: Data(plan.stdout.utf8)) as? [String: Any])
            #expect(planned["dates"] as? Int == 3)
            #expect(planned["past_dates"] as? Int == 3)
            #expect(planned["stages_per_past_date"] as? [String] == ["rating"])
            let omitted = try #require(planned["omitted_from_past_dates"] as? [[String: String]])
            #expect(omitted.map { $0["stage"] } == ["spam"])
            #expect(omitted.first?["reason"]?.contains("takes no date") == true)
            #expect(planned["estimated_requests"] as? Int == 3)

            let run = try await harness.seopipe([
                "run", file, "--from", "2026-10-01", "--to", "2026-10-03", "--metrics-file", "history.prom",
            ])
            #expect(run.exitCode == 0, "\(run.stderr)")
            #expect(run.stdout.contains("left out of past dates"))
            #expect(run.stdout.contains("spam: dataforseo backlinks/bulk_spam_score/live takes no date"))
            let snapshots = try await harness.query(
                "SELECT snapshot_date, count(*) FROM ahrefs_domain_rating GROUP BY snapshot_date ORDER BY 1")
            #expect(snapshots == [["2026-10-01", "3"], ["2026-10-02", "3"], ["2026-10-03", "3"]])
            #expect(try await harness.count("dataforseo_bulk_spam_score") == 0, "no today's numbers under old dates")
            let ledger = try await harness.query(
                "SELECT snapshot_date, status FROM seopipe_runs WHERE pipeline = 'history' ORDER BY snapshot_date")
            #expect(
                ledger == [["2026-10-01", "succeeded"], ["2026-10-02", "succeeded"], ["2026-10-03", "succeeded"]])
            #expect(harness.sandbox.usage().totalChargedRequests == 3)

            // Resumable: the same command again buys nothing.
            let again = try await harness.seopipe(["run", file, "--from", "2026-10-01", "--to", "2026-10-03"])
            #expect(again.exitCode == 0, "\(again.stderr)")
            #expect(harness.sandbox.usage().totalChargedRequests == 3)
            #expect(try await harness.count("seopipe_runs") == 6)

            // The ledger, filtered, as JSON: when, how long, rows, requests, units.
            let listed = try await harness.seopipe([
                "runs", "--pipeline", "history", "--status", "succeeded", "--since", "1h", "--limit", "4", "--json",
            ])
            #expect(listed.exitCode == 0, "\(listed.stderr)")
            let runs = try #require(
                try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
            #expect(runs.count == 4)
            #expect(runs.allSatisfy { ($0["duration_seconds"] as? Double).map { $0 >= 0 } == true })
            let all = try await harness.seopipe(["runs", "--pipeline", "history", "--limit", "100", "--json"])
            let every = try #require(try JSONSerialization.jsonObject(with: Data(all.stdout.utf8)) as? [[String: Any]])
            #expect(every.count == 6)
            #expect(every.reduce(0) { $0 + ($1["requests"] as? Int ?? 0) } == 3, "the re-runs bought nothing")
            #expect(
                every.reduce(0.0) { $0 + ($1["units"] as? Double ?? 0) } == Double(harness.sandbox.usage().totalUnits))
            let none = try await harness.seopipe(["runs", "--status", "failed"])
            #expect(none.stdout.contains("no runs match"))
            let since = try await harness.seopipe(["runs", "--since", "2999-01-01"])
            #expect(since.stdout.contains("no runs match"))
            let bad = try await harness.seopipe(["runs", "--since", "yesterday-ish"])
            #expect(bad.exitCode == 2 && bad.stderr.contains("--since yesterday-ish is not a time"))

            // One run in detail: stages, chunks, errors.
            let first = try #require(
                try await harness.query(
                    "SELECT run_id FROM seopipe_runs WHERE snapshot_date = '2026-10-01' ORDER BY started_at LIMIT 1"
                ).first?.first ?? nil)
            let shown = try await harness.seopipe(["runs", "show", String(first.prefix(22)), "--json"])
            #expect(shown.exitCode == 0, "\(shown.stderr)")
            let detail = try #require(try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: Any])
            #expect((detail["run"] as? [String: Any])?["run_id"] as? String == first)
            #expect((detail["stages"] as? [[String: Any]])?.map { $0["stage_id"] as? String } == ["rating"])
            let chunks = try #require(detail["chunks"] as? [[String: Any]])
            #expect(chunks.count == 1 && chunks.first?["rows"] as? Int == 3)
            let text = try await harness.seopipe(["runs", "show", first])
            #expect(
                text.stdout.contains("site-explorer/batch/domain-rating") && text.stdout.contains("target errors: none")
            )
            let missing = try await harness.seopipe(["runs", "show", "19990101"])
            #expect(missing.exitCode == 2 && missing.stderr.contains("no run 19990101"))

            // The metrics of the last date's run.
            let metrics = try String(
                contentsOf: harness.directory.appendingPathComponent("history.prom"), encoding: .utf8)
            let samples = try await PrometheusText.check(metrics)
            #expect(samples["seopipe_last_run_status{pipeline=\"history\",status=\"succeeded\"}"] == 1)
            #expect(samples["seopipe_last_run_status{pipeline=\"history\",status=\"failed\"}"] == 0)
            #expect(samples["seopipe_last_run_rows{pipeline=\"history\"}"] == 3)
            #expect(samples["seopipe_last_run_snapshot_date_timestamp_seconds{pipeline=\"history\"}"] == 1_790_985_600)
            #expect(
                samples["seopipe_last_run_provider_units{pipeline=\"history\",provider=\"ahrefs\",kind=\"ahrefs-v3\"}"]
                    == Double(harness.sandbox.usage().totalUnits / 3))
            #expect(samples.keys.contains { $0.hasPrefix("seopipe_last_success_timestamp_seconds{") })
            #expect(
                samples.keys.contains {
                    $0.hasPrefix("seopipe_last_run_stage_retries{pipeline=\"history\",stage=\"rating\"")
                })
        }
    }

    @Test(
        "a backfill respects the per-day budget: it stops spending when today's money is gone",
        arguments: Backend.available)
    func backfillBudget(backend: Backend) async throws {
        try await withHarness(backend) { harness in
            // 50 units a date; 100 a day.
            let file = try harness.write(
                "p.yml", Self.pipeline("capped", schedule: nil, budget: "max_units_per_day: 100"))
            let run = try await harness.seopipe(["run", file, "--from", "2026-10-01", "--to", "2026-10-03"])
            #expect(run.exitCode == 3, "\(run.stdout)\n\(run.stderr)")
            let ledger = try await harness.query(
                "SELECT snapshot_date, status FROM seopipe_runs WHERE pipeline = 'capped' ORDER BY snapshot_date")
            #expect(ledger == [["2026-10-01", "succeeded"], ["2026-10-02", "succeeded"], ["2026-10-03", "partial"]])
            #expect(harness.sandbox.usage().totalUnits == 100)
        }
    }

    @Test("an answer cut short is logged as not valid JSON, retried, and the run succeeds")
    func truncated() async throws {
        try await withHarness { harness in
            let file = try harness.write("p.yml", Self.pipeline("cut", schedule: nil))
            harness.sandbox.setFaults([
                FaultRule(endpoint: "site-explorer/batch/domain-rating", count: 1, truncateBody: true)
            ])
            let run = try await harness.seopipe(["run", file])
            #expect(run.exitCode == 0, "\(run.stderr)")
            #expect(run.stderr.contains("the answer is not valid JSON ("), "\(run.stderr)")
            #expect(run.stderr.contains("cut short"))
        }
    }

    @Test("--log-format json writes one JSON object per line; a terminal gets a progress bar")
    func logs() async throws {
        try await withHarness { harness in
            let file = try harness.write("p.yml", Self.pipeline("logged", schedule: nil))
            let run = try await harness.seopipe(["run", file, "--log-format", "json"])
            #expect(run.exitCode == 0, "\(run.stderr)")
            let lines = run.stderr.split(separator: "\n")
            #expect(lines.count >= 3)
            var messages: [String] = []
            for line in lines {
                let object = try #require(
                    try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                    "not JSON: \(line)")
                #expect(
                    object["timestamp"] is String && object["level"] is String
                        && object["label"] as? String == "seopipe")
                messages.append(object["message"] as? String ?? "")
                if object["message"] as? String == "run finished" {
                    #expect(object["status"] as? String == "succeeded")
                    #expect(object["pipeline"] as? String == "logged")
                    #expect((object["run_id"] as? String)?.isEmpty == false)
                }
            }
            #expect(messages.contains("run started") && messages.contains("run finished"))

            // Messages outside the log (a refused run, a failure summary) are JSON lines too.
            harness.sandbox.setFaults([FaultRule(status: 401, body: #"{"error": "invalid token"}"#)])
            let failed = try await harness.seopipe(["run", file, "--log-format", "json", "--refresh", "--quiet"])
            #expect(failed.exitCode != 0)
            #expect(!failed.stderr.isEmpty)
            for line in failed.stderr.split(separator: "\n") {
                let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
                #expect(object?["message"] is String, "not a JSON log line: \(line)")
            }
            #expect(failed.stderr.contains("Run it again to resume"))
            #expect(failed.stderr.contains(#""level":"error""#), "a failure summary is an error for alerting")
            harness.sandbox.setFaults([])

            // A terminal (script(1) gives it one): the bar, redrawn in place, ends at every chunk done.
            let binary = try Harness.binary().path
            let tty = try await harness.tool(
                "script", ["-qec", "\(binary) run \(file) --refresh", "/dev/null"],
                environment: harness.sandbox.environment)
            #expect(tty.exitCode == 0, "\(tty.stdout)")
            #expect(tty.stdout.contains("\r\u{1B}[K"), "the bar redraws its line")
            #expect(tty.stdout.contains("2/2 chunks"), "\(tty.stdout.suffix(800))")
            let plain = try await harness.seopipe(["run", file])
            #expect(!plain.stderr.contains("chunks ·"), "no bar without a terminal")
        }
    }
}

/// `seopipe sandbox --port 0` in its own process, and the environment lines it prints.
struct SandboxProcess {
    let pid: Int32
    let environment: [String: String]

    static func start(in directory: URL) async throws -> SandboxProcess {
        let binary = FilePath(try Harness.binary().path)
        // What the sandbox has printed so far, after each piece of output; finished when it exits.
        let (printed, printing) = AsyncStream.makeStream(of: (pid: Int32, text: String).self)
        Task {
            defer { printing.finish() }
            _ = try await Subprocess.run(
                .path(binary), arguments: ["sandbox", "--port", "0"], workingDirectory: FilePath(directory.path),
                input: .none, output: .sequence, error: .discarded
            ) { execution in
                let pid = execution.processIdentifier.value
                var text = ""
                printing.yield((pid, text))
                // Read to the end, so the sandbox never blocks on a full pipe.
                for try await piece in execution.standardOutput {
                    text += piece.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
                    printing.yield((pid, text))
                }
            }
        }
        let watchdog = Task {
            try await Task.sleep(for: .seconds(60))
            printing.finish()
        }
        defer { watchdog.cancel() }
        var pid: Int32?
        var text = ""
        for await (processID, said) in printed {
            (pid, text) = (processID, said)
            if said.contains("# sandbox listening") { break }
        }
        var environment: [String: String] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("export ") {
            let pair = line.dropFirst(7)
            guard let equals = pair.firstIndex(of: "=") else { continue }
            environment[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
        }
        guard let pid, environment["AHREFS_BASE_URL"] != nil else {
            if let pid { kill(pid, SIGTERM) }
            throw HarnessError("seopipe sandbox did not print its environment: \(text)")
        }
        return SandboxProcess(pid: pid, environment: environment)
    }

    /// Asks the sandbox to stop (SIGTERM); it exits on its own.
    func stop() {
        kill(pid, SIGTERM)
    }
}

/// The Prometheus text exposition format (0.0.4), checked strictly: `# HELP` and `# TYPE` once per family before
/// its samples, names and label names of the allowed characters, label values quoted with `\\`, `\"` and `\n`
/// escapes only, a float value, no series twice. With `SEOPIPE_PROMTOOL`, promtool checks it too.
enum PrometheusText {
    struct Invalid: Error, CustomStringConvertible {
        var description: String
    }

    /// The samples by `name{labels}` as written.
    @discardableResult
    static func check(_ text: String) async throws -> [String: Double] {
        guard text.hasSuffix("\n") else { throw Invalid(description: "the file does not end with a newline") }
        let name = #/[a-zA-Z_:][a-zA-Z0-9_:]*/#
        let help = #/# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)/#
        let type = #/# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)/#
        let sample = #/([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? ([^ ]+)/#
        let label = #/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"/#
        var helped: Set<String> = []
        var typed: Set<String> = []
        var seenSamples: Set<String> = []
        var samples: [String: Double] = [:]
        var finished: Set<String> = []
        var current: String?
        for (number, line) in text.dropLast().split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let place = "line \(number + 1): \(line)"
            if line.hasPrefix("#") {
                if let match = try help.wholeMatch(in: line) {
                    let family = String(match.1)
                    guard helped.insert(family).inserted, !finished.contains(family) else {
                        throw Invalid(description: "\(place): HELP twice or after the family's samples")
                    }
                    current = family
                } else if let match = try type.wholeMatch(in: line) {
                    let family = String(match.1)
                    guard typed.insert(family).inserted, !seenSamples.contains(family) else {
                        throw Invalid(description: "\(place): TYPE twice or after samples")
                    }
                    current = family
                } else if line.hasPrefix("# HELP") || line.hasPrefix("# TYPE") {
                    throw Invalid(description: "\(place): malformed HELP/TYPE")
                }
                continue
            }
            guard let match = try sample.wholeMatch(in: line) else {
                throw Invalid(description: "\(place): not `name{labels} value`")
            }
            let family = String(match.1)
            guard (try name.wholeMatch(in: family)) != nil, typed.contains(family), helped.contains(family) else {
                throw Invalid(description: "\(place): sample before its HELP and TYPE")
            }
            if let previous = current, previous != family { finished.insert(previous) }
            guard !finished.contains(family) else { throw Invalid(description: "\(place): family split in two") }
            current = family
            seenSamples.insert(family)
            if let labels = match.2 {
                let inner = labels.dropFirst().dropLast()
                var rest = Substring(inner)
                var names: Set<String> = []
                while !rest.isEmpty {
                    guard let pair = try label.prefixMatch(in: rest) else {
                        throw Invalid(description: "\(place): bad label at `\(rest)`")
                    }
                    guard names.insert(String(pair.1)).inserted else {
                        throw Invalid(description: "\(place): label twice")
                    }
                    rest = rest[pair.range.upperBound...]
                    if rest.hasPrefix(",") {
                        rest = rest.dropFirst()
                    } else if !rest.isEmpty {
                        throw Invalid(description: "\(place): labels not separated by commas")
                    }
                }
            }
            let valueText = String(match.3)
            guard
                let value = Double(valueText) ?? ["+Inf": Double.infinity, "-Inf": -Double.infinity][valueText]
                    ?? (valueText == "NaN" ? Double.nan : nil)
            else { throw Invalid(description: "\(place): `\(valueText)` is not a float") }
            let series = family + (match.2.map(String.init) ?? "")
            guard samples.updateValue(value, forKey: series) == nil else {
                throw Invalid(description: "\(place): series twice")
            }
        }
        if let promtool = ProcessInfo.processInfo.environment["SEOPIPE_PROMTOOL"], !promtool.isEmpty {
            let result = try await Subprocess.run(
                .path(FilePath(promtool)), arguments: ["check", "metrics"], input: .string(text),
                output: .string(limit: 1 << 20), error: .combinedWithOutput)
            guard result.terminationStatus.isSuccess else {
                throw Invalid(description: "promtool check metrics: \(result.standardOutput)")
            }
        }
        return samples
    }
}
