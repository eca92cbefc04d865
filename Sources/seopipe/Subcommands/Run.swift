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

    @Option(
        help: ArgumentHelp(
            "Backfill from this snapshot date YYYY-MM-DD: one run per date, oldest first.",
            discussion: "Stages whose endpoint cannot answer for a past date (it takes no date: "
                + ProviderRegistry.builtin.currentOnlyNames.joined(separator: ", ")
                + ") are left out of past dates, with the stages that depend on them; `seopipe plan "
                + "--from --to` lists them. The backfill stops at a failed or interrupted date; run the same command "
                + "again to resume: completed dates cost nothing."))
    var from: String?

    @Option(help: "Backfill up to this date, inclusive (default: the file's snapshot date, usually today).")
    var to: String?

    @Option(
        help: ArgumentHelp(
            "Warehouse URL: sqlite:PATH or postgres://USER@HOST:PORT/DB[?schema=NAME&sslmode=MODE].",
            discussion: "Precedence: --warehouse, then $SEOPIPE_WAREHOUSE, then $DATABASE_URL, then the file's "
                + "`warehouse:`. A PostgreSQL password comes from the URL, else $PGPASSWORD, else ~/.pgpass."))
    var warehouse: String?

    @Flag(help: "Re-fetch chunks already committed for this date (they are paid for again).")
    var refresh = false

    @Flag(help: "Print the result as JSON: run_id, status, results per stage, meta totals (a backfill: every run).")
    var json = false

    @Option(
        help: ArgumentHelp(
            "Write a Prometheus textfile (for node_exporter's textfile collector) here after the run, atomically.",
            discussion: "Last run status, duration, rows, requests, retries, units and cost per provider and stage, "
                + "last success time. Give each pipeline its own file, e.g. /var/lib/node_exporter/textfile/seopipe_demo.prom."
        ))
    var metricsFile: String?

    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        if date != nil, from != nil || to != nil {
            throw ValidationError("--date runs one date; --from/--to a range: give one or the other")
        }
        try validateDateRange(from: from, to: to, date: date)
    }

    func run() async throws {
        logging.bootstrap()
        let pipeline = try loadPipeline(file)
        let location = try resolveWarehouse(warehouse, pipeline: pipeline)
        let logger = Logger(label: "seopipe")
        let metrics = metricsFile.map { MetricsFile(path: $0) }
        if let from = from.flatMap(SnapshotDate.init) {
            let last = to.flatMap(SnapshotDate.init) ?? pipeline.snapshot.resolve()
            guard from <= last else {
                printError("error: --from \(from) is after \(last), the date a run would load now; give --to as well")
                throw Exit.usage
            }
            try await backfill(
                pipeline, dates: Backfill.dates(from: from, to: last), location: location,
                metrics: metrics, logger: logger)
            return
        }
        let snapshot = date.flatMap(SnapshotDate.init) ?? pipeline.snapshot.resolve()
        if Backfill.isPast(snapshot, for: pipeline) {
            for omission in Backfill.omissions(pipeline, registry: .builtin) {
                let text =
                    "stage \(omission.stage) loads today's numbers under the past date \(snapshot): "
                    + "\(omission.reason); `run --from \(snapshot) --to \(snapshot)` leaves it out"
                logger.warning("\(text)")
            }
        }
        let result = try await RunFlow.execute(
            pipeline, snapshot: snapshot, warehouse: location, refresh: refresh, logger: logger,
            progress: logging.progressBar(pipeline: pipeline.name, json: json))
        await metrics?.write(result, pipeline: pipeline, warehouse: location, logger: logger)
        RunFlow.report(result, warehouse: location, json: json, quiet: logging.quiet)
        if result.status != .succeeded { throw ExitCode(RunFlow.exitCode(result)) }
    }

    /// One run per date, oldest first; stops at a failed or interrupted date.
    private func backfill(
        _ pipeline: Pipeline, dates: [SnapshotDate], location: WarehouseLocation, metrics: MetricsFile?, logger: Logger
    ) async throws {
        let omissions = Backfill.omissions(pipeline, registry: .builtin)
        let historical = Backfill.historical(pipeline, registry: .builtin)
        let pastDates = dates.filter { Backfill.isPast($0, for: pipeline) }
        let say: (String) -> Void = { text in if !json && !logging.quiet { print(text) } }
        say("backfill of \(pipeline.name): \(dates.count) date(s), \(dates.first!) to \(dates.last!)")
        if !pastDates.isEmpty, !omissions.isEmpty {
            say("left out of past dates (these endpoints cannot return history):")
            for omission in omissions { say("  \(omission.stage): \(omission.reason)") }
        }
        if historical.stages.isEmpty, pastDates.count == dates.count {
            printError(
                "error: no stage of \(pipeline.name) can load a past date ("
                    + omissions.map { "\($0.stage): \($0.reason)" }.joined(separator: "; ") + "); nothing to backfill")
            throw Exit.usage
        }
        var results: [RunResult] = []
        for date in dates {
            let part = pastDates.contains(date) ? historical : pipeline
            guard !part.stages.isEmpty else {
                say("\(date): skipped, no stage can load a past date")
                continue
            }
            let result = try await RunFlow.execute(
                part, snapshot: date, warehouse: location, refresh: refresh, logger: logger,
                progress: logging.progressBar(pipeline: "\(pipeline.name) \(date)", json: json))
            await metrics?.write(result, pipeline: pipeline, warehouse: location, logger: logger)
            results.append(result)
            let meta = result.meta
            say(
                "\(date): \(result.status.rawValue), \(meta.rows) rows, \(meta.requests) requests, "
                    + "\(formatNumber(meta.units)) units, $\(String(format: "%.4f", meta.costUSD)) (run \(result.runID))"
            )
            if result.status == .failed || result.status == .interrupted {
                if json { break }
                RunFlow.report(result, warehouse: location, json: false, quiet: logging.quiet)
                printError(
                    "seopipe: backfill of \(pipeline.name) stopped at \(date) (\(result.status.rawValue)) after "
                        + "\(results.count - 1) run(s); \(dates.count) date(s) in all. Run the same command again to resume: "
                        + "completed chunks are not bought again.")
                break
            }
            if result.status == .partial, logging.quiet {
                RunFlow.report(result, warehouse: location, json: false, quiet: true)
            }
        }
        if json {
            printJSON(
                BackfillReport(
                    pipeline: pipeline.name, from: dates.first!.description, to: dates.last!.description,
                    omittedFromPastDates: pastDates.isEmpty ? [] : omissions, runs: results))
        } else {
            let rows = results.reduce(0) { $0 + $1.meta.rows }
            let units = results.reduce(0) { $0 + $1.meta.units }
            let cost = results.reduce(0) { $0 + $1.meta.costUSD }
            say(
                "total: \(results.count) run(s), \(rows) rows, \(formatNumber(units)) units, $\(String(format: "%.4f", cost))"
            )
        }
        let worst =
            results.last { $0.status == .failed || $0.status == .interrupted }
            ?? results.first { $0.status == .partial }
        if let worst { throw ExitCode(RunFlow.exitCode(worst)) }
    }
}

/// `seopipe run --from --to --json`.
struct BackfillReport: Encodable {
    var pipeline: String
    var from: String
    var to: String
    var omittedFromPastDates: [Backfill.Omission]
    var runs: [RunResult]

    enum CodingKeys: String, CodingKey {
        case pipeline, from, to, runs
        case omittedFromPastDates = "omitted_from_past_dates"
    }
}

/// The run path shared by `run` and `demo`.
enum RunFlow {
    static func execute(
        _ pipeline: Pipeline, snapshot: SnapshotDate, warehouse location: WarehouseLocation, refresh: Bool,
        logger: Logger, progress: ProgressBar? = nil, stop givenStop: StopRequest? = nil
    ) async throws -> RunResult {
        defer { progress?.finish() }
        let runID = Runner.makeRunID()
        let lock: PipelineRunLock
        do {
            lock = try await PipelineRunLock.acquire(
                location, pipeline: pipeline.name,
                holder: "run \(runID), pid \(ProcessInfo.processInfo.processIdentifier)")
        } catch let code as ExitCode where code == Exit.locked {
            // Said on stderr already; this puts it in --log-file too, where the nights are read back.
            logger.error("another run of \(pipeline.name) holds the lock; this run did not start")
            throw code
        }
        let warehouse: any Warehouse
        do {
            warehouse = try await migrated(location)
        } catch {
            await lock.release()
            throw error
        }
        let transport = AsyncHTTPTransport()
        // The daemon passes its own stop request and handles signals itself (swift-service-lifecycle).
        let stop = givenStop ?? StopRequest()
        let signals = givenStop == nil ? StopSignals(stop: stop, logger: logger) : nil
        defer { signals?.restore() }
        var options = Runner.Options(refresh: refresh, runID: runID, stop: stop)
        if let progress { options.progress = { progress.handle($0) } }
        let runner = Runner(
            registry: .builtin, warehouse: warehouse, transport: transport, logger: logger, options: options)
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
            var text =
                "seopipe: run \(result.runID) of \(result.pipeline) for \(result.snapshotDate) \(result.status.rawValue): "
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
        print(
            "total: \(meta.rows) rows, \(meta.requests) requests, \(formatNumber(meta.units)) units, "
                + "$\(String(format: "%.4f", meta.costUSD)), \(meta.totalTimingMS) ms")
        for (id, stage) in failedStages { print("\(id): \(stage.error!)") }
        if meta.targetErrors > 0 {
            print("\(meta.targetErrors) target(s) failed; see the table seopipe_target_errors")
        }
    }
}
