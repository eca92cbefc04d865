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
            failed run is healed by running it again; --refresh buys them again and replaces their rows. \
            A stage with `refresh: { every: 7d }` buys only the targets due on the date (bought longer ago, or \
            never); --refresh buys all of them.
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

    @Flag(
        help:
            "Re-fetch chunks already committed for this date (they are paid for again), and every target of a stage with a refresh policy."
    )
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
        let stop = StopRequest()
        let signals = StopSignals(stop: stop, logger: logger)
        defer { signals.restore() }
        if let from = from.flatMap(SnapshotDate.init) {
            let last = to.flatMap(SnapshotDate.init) ?? pipeline.snapshot.resolve()
            guard from <= last else {
                printError("error: --from \(from) is after \(last), the date a run would load now; give --to as well")
                throw Exit.usage
            }
            let plan = Engine.BackfillPlan(pipeline, from: from, to: last, registry: Engine.builtin.registry)
            try await backfill(plan, location: location, stop: stop, logger: logger)
            return
        }
        let snapshot = date.flatMap(SnapshotDate.init) ?? pipeline.snapshot.resolve()
        if Backfill.isPast(snapshot, for: pipeline) {
            for omission in Backfill.omissions(pipeline, registry: Engine.builtin.registry) {
                let text =
                    "stage \(omission.stage) loads today's numbers under the past date \(snapshot): "
                    + "\(omission.reason); `run --from \(snapshot) --to \(snapshot)` leaves it out"
                logger.warning("\(text)")
            }
        }
        let result = try await Engine.builtin.run(
            .init(pipeline, snapshot: snapshot, warehouse: location, refresh: refresh, stop: stop),
            bar: logging.progressBar(pipeline: pipeline.name, json: json), logger: logger)
        if let metricsFile {
            await Engine.builtin.writeMetrics(
                result, pipeline: pipeline, warehouse: location, to: MetricsFile(path: metricsFile), logger: logger)
        }
        RunReport.show(result, warehouse: location, json: json, quiet: logging.quiet)
        if result.status != .succeeded { throw ExitCode(result.exitCode) }
    }

    /// One run per date, oldest first; stops at a failed or interrupted date.
    private func backfill(
        _ plan: Engine.BackfillPlan, location: WarehouseLocation, stop: StopRequest, logger: Logger
    ) async throws {
        let pipeline = plan.pipeline
        guard let first = plan.dates.first, let last = plan.dates.last else { return }
        let say: @Sendable (String) -> Void = { [json, quiet = logging.quiet] text in
            if !json && !quiet { print(text) }
        }
        say("backfill of \(pipeline.name): \(plan.dates.count) date(s), \(first) to \(last)")
        if !plan.pastDates.isEmpty, !plan.omissions.isEmpty {
            say("left out of past dates (these endpoints cannot return history):")
            for omission in plan.omissions { say("  \(omission.stage): \(omission.reason)") }
        }
        for line in RangeFetchText.lines(plan) { say(line) }
        if plan.loadsNothing {
            printError(
                "error: no stage of \(pipeline.name) can load a past date ("
                    + plan.omissions.map { "\($0.stage): \($0.reason)" }.joined(separator: "; ")
                    + "); nothing to backfill")
            throw Exit.usage
        }
        let observer = BackfillPrinter(
            pipeline: pipeline, warehouse: location, metricsFile: metricsFile.map(MetricsFile.init), logging: logging,
            json: json, logger: logger, rangeLoadedIn: plan.rangeFetches.isEmpty ? nil : plan.dates.first, say: say)
        let outcome: Engine.BackfillOutcome
        do {
            outcome = try await Engine.builtin.backfill(
                plan, warehouse: location, refresh: refresh, stop: stop, observer: observer, logger: logger)
        } catch {
            observer.finishProgress()
            throw fail(error)
        }
        let results = outcome.results
        if let stoppedAt = outcome.stoppedAt, !json, let result = results.last {
            RunReport.show(result, warehouse: location, json: false, quiet: logging.quiet)
            printError(
                "seopipe: backfill of \(pipeline.name) stopped at \(stoppedAt) (\(result.status.rawValue)) after "
                    + "\(results.count - 1) run(s); \(plan.dates.count) date(s) in all. Run the same command again to "
                    + "resume: completed chunks are not bought again.")
        }
        if json {
            printJSON(
                BackfillReport(
                    pipeline: pipeline.name, from: first.description, to: last.description,
                    omittedFromPastDates: plan.pastDates.isEmpty ? [] : plan.omissions, runs: results))
        } else {
            let rows = results.reduce(0) { $0 + $1.meta.rows }
            let units = results.reduce(0) { $0 + $1.meta.units }
            let cost = results.reduce(0) { $0 + $1.meta.costUSD }
            say(
                "total: \(results.count) run(s), \(rows) rows, \(formatNumber(units)) units, "
                    + "$\(String(format: "%.4f", cost))")
        }
        if let worst = outcome.worst { throw ExitCode(worst.exitCode) }
    }
}

/// Prints a backfill as it goes: a progress bar per run, a line per date, the metrics file after each run.
private final class BackfillPrinter: BackfillObserver, @unchecked Sendable {
    let pipeline: Pipeline
    let warehouse: WarehouseLocation
    let metricsFile: MetricsFile?
    let logging: LoggingOptions
    let json: Bool
    let logger: Logger
    let say: @Sendable (String) -> Void
    /// Set when range stages load every date in the first date's run: a later date with nothing else to run is
    /// loaded already, not skipped.
    let rangeLoadedIn: SnapshotDate?
    /// The current run's bar; runs of a backfill never overlap.
    private let bar = NSLock()
    private var current: ProgressBar?

    init(
        pipeline: Pipeline, warehouse: WarehouseLocation, metricsFile: MetricsFile?, logging: LoggingOptions,
        json: Bool, logger: Logger, rangeLoadedIn: SnapshotDate?, say: @escaping @Sendable (String) -> Void
    ) {
        self.rangeLoadedIn = rangeLoadedIn
        self.pipeline = pipeline
        self.warehouse = warehouse
        self.metricsFile = metricsFile
        self.logging = logging
        self.json = json
        self.logger = logger
        self.say = say
    }

    func skipped(_ date: SnapshotDate) {
        if let first = rangeLoadedIn {
            say("\(date): nothing else to fetch; loaded by the range requests of the run of \(first)")
        } else {
            say("\(date): skipped, no stage can load a past date")
        }
    }

    func willRun(_ date: SnapshotDate) -> (@Sendable (ProgressEvent) -> Void)? {
        let progress = logging.progressBar(pipeline: "\(pipeline.name) \(date)", json: json)
        bar.withLock { current = progress }
        guard let progress else { return nil }
        return { progress.handle($0) }
    }

    func finishProgress() {
        bar.withLock {
            current?.finish()
            current = nil
        }
    }

    func didRun(_ date: SnapshotDate, result: RunResult) async {
        finishProgress()
        if let metricsFile {
            await Engine.builtin.writeMetrics(
                result, pipeline: pipeline, warehouse: warehouse, to: metricsFile, logger: logger)
        }
        let meta = result.meta
        say(
            "\(date): \(result.status.rawValue), \(meta.rows) rows, \(meta.requests) requests, "
                + "\(formatNumber(meta.units)) units, $\(String(format: "%.4f", meta.costUSD)) (run \(result.runID))")
        if result.status == .partial, logging.quiet {
            RunReport.show(result, warehouse: warehouse, json: false, quiet: true)
        }
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

/// How `run`, a backfill and `demo` print a run's result.
enum RunReport {
    static func show(_ result: RunResult, warehouse: WarehouseLocation, json: Bool, quiet: Bool) {
        if json {
            printJSON(result)
            return
        }
        let meta = result.meta
        let ordered = result.stageOrder.compactMap { id in result.results[id].map { (key: id, value: $0) } }
        let failedStages = ordered.compactMap { stage in stage.value.error.map { (stage: stage.key, error: $0) } }
        if quiet {
            guard result.status != .succeeded else { return }
            var text =
                "seopipe: run \(result.runID) of \(result.pipeline) for \(result.snapshotDate) \(result.status.rawValue): "
            text += "\(meta.rows) rows loaded, \(meta.failed) stage(s) failed, \(meta.skipped) skipped, "
            text += "\(meta.targetErrors) target error(s). "
            text += failedStages.map { "\($0.stage): \($0.error)" }.joined(separator: "; ")
            text += " Run it again to resume; see `seopipe runs --warehouse \(warehouse)`."
            printError(text)
            return
        }
        print("run \(result.runID) of \(result.pipeline) for \(result.snapshotDate): \(result.status.rawValue)")
        var rows = [["stage", "status", "rows", "requests", "resumed", "fresh", "units", "target errors", "ms"]]
        for (id, stage) in ordered {
            rows.append([
                id, stage.status.rawValue, "\(stage.rows)", "\(stage.requests)", "\(stage.chunksSkipped)",
                "\(stage.targetsFresh)", formatNumber(stage.units), "\(stage.targetErrors)",
                stage.timingMS.map(String.init) ?? "",
            ])
        }
        printTable(rows)
        print(
            "total: \(meta.rows) rows, \(meta.requests) requests, \(formatNumber(meta.units)) units, "
                + "$\(String(format: "%.4f", meta.costUSD)), \(meta.totalTimingMS) ms")
        for (stage, error) in failedStages { print("\(stage): \(error)") }
        let drift = ordered.reduce(0) { $0 + $1.value.schemaDrift }
        if drift > 0 {
            print("warning: \(drift) field(s) differed from the providers' documented answers; see `seopipe drift`")
        }
        let fresh = ordered.reduce(0) { $0 + $1.value.targetsFresh }
        if fresh > 0 {
            print(
                "\(fresh) target(s) not bought: fetched recently enough for their stage's refresh policy (--refresh buys them)"
            )
        }
        if meta.targetErrors > 0 {
            print("\(meta.targetErrors) target(s) failed; see the table seopipe_target_errors")
        }
    }
}
