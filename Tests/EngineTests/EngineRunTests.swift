import Foundation
import Sandbox
import SeopipeCore
import Testing
import WarehouseSQLite

/// The run flow in-process: the engine over the real transport to the sandbox and a real SQLite file, without
/// spawning the binary, so retry, resume, budgets, stop and the lock are each checked in well under a second.
@Suite("Engine runs", .serialized)
struct EngineRunTests {
    static let day = SnapshotDate("2026-11-20")!

    @Test("a 500 is retried, and the chunk is loaded and paid for once")
    func retriesAServerError() async throws {
        try await withEngine { fixture in
            fixture.sandbox.setFaults([
                FaultRule(endpoint: "site-explorer/batch/metrics", fromRequest: 1, count: 1, status: 500)
            ])
            let pipeline = try fixture.pipeline(metricsPipeline(targets: domains(2)))
            let result = try await fixture.run(pipeline)

            #expect(result.status == .succeeded)
            let stage = try #require(result.results["metrics"])
            #expect(stage.requests == 2)
            #expect(stage.retries == 1)
            #expect(stage.rows == 2)
            #expect(fixture.sandbox.usage().totalRequests == 2)
            #expect(fixture.sandbox.usage().totalChargedRequests == 1)
            #expect(try await fixture.count("ahrefs_domain_metrics") == 2)
        }
    }

    @Test("a failed run is resumed without buying its committed chunks again")
    func resumesWithoutRebuying() async throws {
        try await withEngine { fixture in
            let pipeline = try fixture.pipeline(metricsPipeline(targets: domains(6)))
            // The second request is refused for good (401): chunk 1 commits, the stage stops at chunk 2.
            fixture.sandbox.setFaults([
                FaultRule(endpoint: "site-explorer/batch/metrics", fromRequest: 2, count: 1, status: 401)
            ])
            let failed = try await fixture.run(pipeline)
            #expect(failed.status == .failed)
            #expect(failed.results["metrics"]?.error?.contains("HTTP 401") == true)
            #expect(try await fixture.count("ahrefs_domain_metrics") == 2)

            fixture.sandbox.setFaults([])
            let resumed = try await fixture.run(pipeline)
            #expect(resumed.status == .succeeded)
            let stage = try #require(resumed.results["metrics"])
            #expect(stage.chunksSkipped == 1)
            #expect(stage.requests == 2)
            #expect(fixture.sandbox.usage().totalChargedRequests == 3)
            #expect(try await fixture.count("ahrefs_domain_metrics") == 6)

            let runs = try await fixture.withWarehouse { try await $0.runs(RunFilter(pipeline: "engine")) }
            #expect(runs.count == 2)
            #expect(runs.first { $0.runID == failed.runID }?.status == .finished(.failed))
            #expect(runs.first { $0.runID == resumed.runID }?.status == .finished(.succeeded))
        }
    }

    @Test("the budget stops the stage before the request that would cross it, and nothing more is bought")
    func budgetStopsTheStage() async throws {
        try await withEngine { fixture in
            // Each request is estimated at 50 units (Ahrefs v3's minimum charge): at most two fit under 120.
            let pipeline = try fixture.pipeline(
                metricsPipeline(targets: domains(20), budget: "max_units: 120"))
            let result = try await fixture.run(pipeline)

            #expect(result.status == .partial)
            let stage = try #require(result.results["metrics"])
            #expect(stage.status == .partial)
            #expect(stage.error?.contains("budget of provider `ahrefs` reached") == true)
            #expect(stage.requests == 2)
            #expect(fixture.sandbox.usage().totalRequests == stage.requests)
            #expect(Double(fixture.sandbox.usage().totalUnits) <= 120)
        }
    }

    @Test("a stop request lets the request in flight commit, sends nothing more, and the next run resumes")
    func gracefulStop() async throws {
        try await withEngine { fixture in
            let pipeline = try fixture.pipeline(metricsPipeline(targets: domains(8)))
            let stop = StopRequest()
            let interrupted = try await fixture.engine.run(
                .init(
                    pipeline, snapshot: Self.day, warehouse: fixture.warehouse, stop: stop,
                    progress: { event in
                        if case .chunkDone(_, _, _, _, _, resumed: false) = event { stop.request("SIGTERM") }
                    }),
                logger: fixture.logger)

            #expect(interrupted.status == .interrupted)
            #expect(interrupted.stopReason == "SIGTERM")
            #expect(interrupted.exitCode == 143)
            #expect(interrupted.results["metrics"]?.requests == 1)
            #expect(fixture.sandbox.usage().totalRequests == 1)
            #expect(try await fixture.count("ahrefs_domain_metrics") == 2)
            let recorded = try await fixture.withWarehouse { try await $0.runs(RunFilter(pipeline: "engine")) }
            #expect(recorded.first?.status == .finished(.interrupted))

            let resumed = try await fixture.run(pipeline)
            #expect(resumed.status == .succeeded)
            #expect(resumed.results["metrics"]?.chunksSkipped == 1)
            #expect(resumed.results["metrics"]?.requests == 3)
            #expect(fixture.sandbox.usage().totalChargedRequests == 4)
            #expect(try await fixture.count("ahrefs_domain_metrics") == 8)
        }
    }

    @Test("a run does not start while another run of the pipeline holds the lock on the warehouse")
    func lockHeld() async throws {
        try await withEngine { fixture in
            let pipeline = try fixture.pipeline(metricsPipeline(targets: domains(2)))
            let holder = try await fixture.engine.open(fixture.warehouse)
            let lock = try await holder.lockPipeline("engine", holder: "run A, pid 1")

            await #expect {
                try await fixture.run(pipeline)
            } throws: { error in
                guard case EngineError.locked(let name, _, let heldBy) = error else { return false }
                return name == "engine" && heldBy.hasPrefix("run A, pid 1, started ")
                    && (error as? EngineError)?.exitCode == 4
            }
            #expect(fixture.sandbox.usage().totalRequests == 0)
            let refused = try await fixture.withWarehouse { try await $0.runs(RunFilter(pipeline: "engine")) }
            #expect(refused.isEmpty)

            await lock.release()
            await holder.close()
            let result = try await fixture.run(pipeline)
            #expect(result.status == .succeeded)
        }
    }

    @Test("a stop requested before the run starts sends nothing and records no run")
    func stopBeforeStart() async throws {
        try await withEngine { fixture in
            let pipeline = try fixture.pipeline(metricsPipeline(targets: domains(2)))
            let stop = StopRequest()
            stop.request("SIGINT")
            await #expect {
                try await fixture.engine.run(
                    .init(pipeline, snapshot: Self.day, warehouse: fixture.warehouse, stop: stop),
                    logger: fixture.logger)
            } throws: { error in
                guard case EngineError.stopped(let name, let reason) = error else { return false }
                return name == "engine" && reason == "SIGINT" && (error as? EngineError)?.exitCode == 130
            }
            #expect(fixture.sandbox.usage().totalRequests == 0)
            let runs = try await fixture.withWarehouse { try await $0.runs(RunFilter(pipeline: "engine")) }
            #expect(runs.isEmpty)
        }
    }

    @Test("a provider kind this engine does not know fails its stage with a message instead of crashing")
    func unknownProviderKind() async throws {
        try await withEngine { fixture in
            let pipeline = try fixture.pipeline(metricsPipeline(targets: domains(2)))
            var engine = fixture.engine
            engine.registry = ProviderRegistry(engine.registry.ordered.filter { $0.kind != "ahrefs-v3" })
            let result = try await engine.run(
                .init(pipeline, snapshot: Self.day, warehouse: fixture.warehouse), logger: fixture.logger)

            #expect(result.status == .failed)
            let stage = try #require(result.results["metrics"])
            #expect(stage.status == .error)
            #expect(stage.error?.contains("ahrefs-v3") == true)
            #expect(fixture.sandbox.usage().totalRequests == 0)
        }
    }

    @Test("the SQLite ledger keeps times as whole-second ISO-8601 UTC text and dates as YYYY-MM-DD")
    func ledgerTextFormats() async throws {
        try await withEngine { fixture in
            let pipeline = try fixture.pipeline(metricsPipeline(targets: domains(2)))
            _ = try await fixture.run(pipeline)
            let store = try SQLiteWarehouse(path: fixture.warehouse.path)
            let rows = try await store.query("SELECT snapshot_date, status, started_at, finished_at FROM seopipe_runs")
            let chunks = try await store.query("SELECT snapshot_date, committed_at FROM seopipe_chunks")
            await store.close()
            let stamp = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z/
            let run = try #require(rows.first)
            #expect(run[0] == "2026-11-20")
            #expect(run[1] == "succeeded")
            #expect(try stamp.wholeMatch(in: run[2] ?? "") != nil)
            #expect(try stamp.wholeMatch(in: run[3] ?? "") != nil)
            let chunk = try #require(chunks.first)
            #expect(chunk[0] == "2026-11-20")
            #expect(try stamp.wholeMatch(in: chunk[1] ?? "") != nil)
        }
    }

    @Test("a backfill runs one date after another and stops at the first failed date")
    func backfillStopsAtAFailedDate() async throws {
        try await withEngine(today: "2026-11-30") { fixture in
            let pipeline = try fixture.pipeline(metricsPipeline(targets: domains(2)))
            let plan = Engine.BackfillPlan(
                pipeline, from: SnapshotDate("2026-11-01")!, to: SnapshotDate("2026-11-04")!,
                registry: fixture.engine.registry)
            // The third request (the third date) is refused for good.
            fixture.sandbox.setFaults([
                FaultRule(endpoint: "site-explorer/batch/metrics", fromRequest: 3, count: 1, status: 401)
            ])
            let observer = RecordingObserver()
            let outcome = try await fixture.engine.backfill(
                plan, warehouse: fixture.warehouse, observer: observer, logger: fixture.logger)

            #expect(outcome.results.map(\.snapshotDate) == ["2026-11-01", "2026-11-02", "2026-11-03"])
            #expect(outcome.results.map(\.status) == [.succeeded, .succeeded, .failed])
            #expect(outcome.stoppedAt == SnapshotDate("2026-11-03"))
            #expect(outcome.worst?.snapshotDate == "2026-11-03")
            #expect(observer.dates.get() == ["2026-11-01", "2026-11-02", "2026-11-03"])
            #expect(fixture.sandbox.usage().totalRequests == 3)
        }
    }
}

/// Keeps the dates a backfill reported.
final class RecordingObserver: BackfillObserver {
    let dates = Shared<[String]>([])

    func skipped(_ date: SnapshotDate) {}
    func willRun(_ date: SnapshotDate) -> (@Sendable (ProgressEvent) -> Void)? { nil }
    func didRun(_ date: SnapshotDate, result: RunResult) async {
        dates.update { $0.append(date.description) }
    }
}
