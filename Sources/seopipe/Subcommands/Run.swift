import ArgumentParser
import Foundation
import Logging
import Providers
import SeopipeCore
import SeopipeHTTP

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a pipeline: extract from the providers, load the warehouse, record the run.",
        discussion: """
            Rows are stamped with the snapshot date (--date, else the file's `snapshot:`, else today in UTC). \
            Chunks an earlier run of the same pipeline and date committed are not requested again, so a \
            failed run is healed by running it again; --refresh buys them again and replaces their rows.
            Exit codes: 0 success, 1 failed, 2 invalid pipeline, 3 partial (some targets or stages failed), \
            4 another run of the same pipeline on the same warehouse is in progress, 143 (SIGTERM) or 130 (SIGINT) \
            stopped early: requests in flight finish and commit, no new one starts, the run is recorded as \
            interrupted, and the next run resumes (a second signal stops at once). A run that died without a word \
            (kill -9, reboot) is recorded as interrupted by the next run.
            The warehouse is --warehouse, else $SEOPIPE_WAREHOUSE, else $DATABASE_URL, else the file's \
            `warehouse:` (sqlite:PATH or postgres://USER@HOST:PORT/DB?schema=NAME&sslmode=disable|prefer|require; \
            the password from the URL, $PGPASSWORD or ~/.pgpass).
            """)

    @Argument(help: "The pipeline file (YAML).")
    var file: String

    @Option(help: "Snapshot date YYYY-MM-DD (default: the file's `snapshot:`).")
    var date: String?

    @Option(help: ArgumentHelp(
        "Warehouse URL: sqlite:PATH or postgres://USER@HOST:PORT/DB[?schema=NAME&sslmode=MODE].",
        discussion: "Precedence: --warehouse, then $SEOPIPE_WAREHOUSE, then $DATABASE_URL, then the file's "
            + "`warehouse:`. A PostgreSQL password comes from the URL, else $PGPASSWORD, else ~/.pgpass."))
    var warehouse: String?

    @Flag(help: "Re-fetch chunks already committed for this date (they are paid for again).")
    var refresh = false

    @Flag(help: "Print the result as JSON: run_id, status, results per stage, meta totals.")
    var json = false

    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        logging.bootstrap()
        let pipeline = try loadPipeline(file)
        var snapshot = pipeline.snapshot.resolve()
        if let date {
            guard let parsed = SnapshotDate(date) else {
                printError("error: --date \(date) is not a date; write YYYY-MM-DD, e.g. --date 2026-11-24")
                throw Exit.usage
            }
            snapshot = parsed
        }
        let location = try resolveWarehouse(warehouse, pipeline: pipeline)
        let result = try await RunFlow.execute(
            pipeline, snapshot: snapshot, warehouse: location, refresh: refresh, logger: Logger(label: "seopipe"))
        RunFlow.report(result, warehouse: location, json: json, quiet: logging.quiet)
        if result.status != .succeeded { throw ExitCode(RunFlow.exitCode(result)) }
    }
}

/// The run path shared by `run` and `demo`.
enum RunFlow {
    static func execute(
        _ pipeline: Pipeline, snapshot: SnapshotDate, warehouse location: WarehouseLocation, refresh: Bool,
        logger: Logger
    ) async throws -> RunResult {
        let runID = Runner.makeRunID()
        let lock = try await PipelineRunLock.acquire(
            location, pipeline: pipeline.name,
            holder: "run \(runID), pid \(ProcessInfo.processInfo.processIdentifier)")
        let warehouse: any Warehouse
        do {
            warehouse = try await migrated(location)
        } catch {
            await lock.release()
            throw error
        }
        let transport = AsyncHTTPTransport()
        let stop = StopRequest()
        let signals = StopSignals(stop: stop, logger: logger)
        defer { signals.restore() }
        let runner = Runner(
            registry: .builtin, warehouse: warehouse, transport: transport, logger: logger,
            options: Runner.Options(refresh: refresh, runID: runID, stop: stop))
        do {
            let result = try await runner.run(pipeline, snapshotDate: snapshot)
            await transport.shutdown()
            await warehouse.close()
            await lock.release()
            return result
        } catch {
            await transport.shutdown()
            await warehouse.close()
            await lock.release()
            printError("error: run of \(pipeline.name) failed: \(error)")
            throw Exit.failed
        }
    }

    /// DESIGN.md section 7; an interrupted run exits as shells expect of a signal: 128 + its number.
    static func exitCode(_ result: RunResult) -> Int32 {
        guard result.status == .interrupted else { return result.status.exitCode }
        return StopSignals.exitCode(forReason: result.stopReason) ?? result.status.exitCode
    }

    static func report(_ result: RunResult, warehouse: WarehouseLocation, json: Bool, quiet: Bool) {
        if json {
            printJSON(result)
            return
        }
        let meta = result.meta
        let ordered = result.stageOrder.compactMap { id in result.results[id].map { (key: id, value: $0) } }
        let failedStages = ordered.filter { $0.value.error != nil }
        if quiet {
            guard result.status != .succeeded else { return }
            var text = "seopipe: run \(result.runID) of \(result.pipeline) for \(result.snapshotDate) \(result.status.rawValue): "
            text += "\(meta.rows) rows loaded, \(meta.failed) stage(s) failed, \(meta.skipped) skipped, "
            text += "\(meta.targetErrors) target error(s). "
            text += failedStages.map { "\($0.key): \($0.value.error!)" }.joined(separator: "; ")
            text += " Run it again to resume; see `seopipe runs --warehouse \(warehouse)`."
            printError(text)
            return
        }
        print("run \(result.runID) of \(result.pipeline) for \(result.snapshotDate): \(result.status.rawValue)")
        var rows = [["stage", "status", "rows", "requests", "resumed", "units", "target errors", "ms"]]
        for (id, stage) in ordered {
            rows.append([
                id, stage.status.rawValue, "\(stage.rows)", "\(stage.requests)", "\(stage.chunksSkipped)",
                formatNumber(stage.units), "\(stage.targetErrors)", stage.timingMS.map(String.init) ?? "",
            ])
        }
        printTable(rows)
        print("total: \(meta.rows) rows, \(meta.requests) requests, \(formatNumber(meta.units)) units, "
            + "$\(String(format: "%.4f", meta.costUSD)), \(meta.totalTimingMS) ms")
        for (id, stage) in failedStages { print("\(id): \(stage.error!)") }
        if meta.targetErrors > 0 {
            print("\(meta.targetErrors) target(s) failed; see the table seopipe_target_errors")
        }
    }
}
