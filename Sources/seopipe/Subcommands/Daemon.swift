import ArgumentParser
import Foundation
import Logging
import SeopipeCore
import ServiceLifecycle

struct Daemon: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run pipelines on their `schedule:` in one long-lived process, for hosts without cron.",
        discussion: """
            Give pipeline files or folders (every .yml and .yaml file in them). Each pipeline with a `schedule:` \
            runs at its slots (cron syntax, read in UTC like the snapshot dates, so no slot is skipped or doubled \
            by a daylight-saving change), stamped with the slot's date; one run per \
            pipeline at a time: a slot that comes while the pipeline still runs is not started twice. The last slot \
            each pipeline ran for is kept in its warehouse (seopipe_schedule): after downtime, a missed slot runs \
            once on start, not once per missed slot; on the very first start nothing is missed. SIGTERM or SIGINT \
            stops it gracefully: no new run starts, a running one stops after its requests in flight and commits \
            (recorded as interrupted; the daemon resumes that slot when it starts again), then it exits 0. \
            Run it under a supervisor (systemd, a container) that restarts it.
            """)

    @Argument(help: "Pipeline files, or folders of them.")
    var paths: [String]

    @Option(
        help: ArgumentHelp(
            "Warehouse URL for every pipeline: sqlite:PATH or postgres://USER@HOST:PORT/DB[?schema=NAME].",
            discussion: "Default per pipeline: $SEOPIPE_WAREHOUSE, else $DATABASE_URL, else the file's `warehouse:`."))
    var warehouse: String?

    @Option(help: "Folder for Prometheus textfiles, one per pipeline (seopipe_NAME.prom), written after each run.")
    var metricsDir: String?

    /// Tests and rehearsals: the daemon's clock starts at this time and runs `--clock-speed` times faster.
    @Option(help: .hidden)
    var clockStart: String?

    @Option(help: .hidden)
    var clockSpeed: Double = 1

    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        logging.bootstrap()
        var logger = Logger(label: "seopipe")
        logger[metadataKey: "component"] = "daemon"
        var entries: [SchedulerService.Entry] = []
        for file in try Self.pipelineFiles(paths) {
            let pipeline = try loadPipeline(file)
            guard let text = pipeline.schedule, let schedule = try? CronSchedule(text) else {
                logger.notice("\(file): no `schedule:`, not scheduled")
                continue
            }
            if let other = entries.first(where: { $0.pipeline.name == pipeline.name }) {
                printError(
                    "error: \(file) and \(other.file) both name their pipeline `\(pipeline.name)`; names identify "
                        + "runs and schedules, so give each file its own `name:`")
                throw Exit.usage
            }
            let location = try resolveWarehouse(warehouse, pipeline: pipeline)
            entries.append(.init(file: file, pipeline: pipeline, schedule: schedule, warehouse: location))
        }
        // Migrate every warehouse and read where each schedule stands before the clock starts: a warehouse that
        // cannot be reached stops the daemon now, with its error, instead of at the first slot.
        for index in entries.indices {
            let store = try await migrated(entries[index].warehouse)
            do {
                entries[index].lastSlot = try await store.lastScheduledSlot(pipeline: entries[index].pipeline.name)
            } catch {
                await store.close()
                printError("error: cannot read the schedule state from \(entries[index].warehouse): \(error)")
                throw Exit.failed
            }
            await store.close()
        }
        guard !entries.isEmpty else {
            printError(
                "error: no pipeline file in \(paths.joined(separator: " ")) has a `schedule:`; "
                    + "add e.g. schedule: \"15 3 * * *\" (03:15 daily)")
            throw Exit.usage
        }
        var clock = DaemonClock()
        if let clockStart {
            guard let start = RunsText.parseTimestamp(clockStart), clockSpeed > 0 else {
                printError("error: --clock-start takes an ISO-8601 time and --clock-speed a positive number")
                throw Exit.usage
            }
            clock = DaemonClock(origin: start, speed: clockSpeed)
        }
        if let metricsDir {
            try FileManager.default.createDirectory(atPath: metricsDir, withIntermediateDirectories: true)
        }
        let service = SchedulerService(
            entries: entries, clock: clock, startedAt: clock.now(), metricsDir: metricsDir, logger: logger)
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [.init(service: service)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        logger.notice(
            "daemon started",
            metadata: [
                "pipelines": "\(entries.map { "\($0.pipeline.name) (\($0.schedule))" }.joined(separator: ", "))"
            ])
        try await group.run()
        logger.notice("daemon stopped")
    }

    /// Files as given, and every .yml/.yaml file of the folders given, sorted.
    static func pipelineFiles(_ paths: [String]) throws -> [String] {
        var files: [String] = []
        for path in paths {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
                printError("error: \(path): no such file or folder")
                throw Exit.usage
            }
            if isFolder.boolValue {
                let names = try FileManager.default.contentsOfDirectory(atPath: path)
                    .filter { $0.hasSuffix(".yml") || $0.hasSuffix(".yaml") }.sorted()
                files += names.map { (path as NSString).appendingPathComponent($0) }
            } else {
                files.append(path)
            }
        }
        return files
    }
}

/// The daemon's clock: the real one, or (tests, rehearsals) one that starts at a given time and runs faster.
struct DaemonClock: Sendable {
    /// nil: the wall clock itself, so a clock set by NTP after boot is followed.
    var simulated: (origin: Date, speed: Double)?
    let realStart = ContinuousClock.now

    init(origin: Date? = nil, speed: Double = 1) {
        simulated = origin.map { ($0, speed) }
    }

    var speed: Double { simulated?.speed ?? 1 }

    func now() -> Date {
        guard let simulated else { return Date() }
        return simulated.origin.addingTimeInterval((ContinuousClock.now - realStart).seconds * simulated.speed)
    }

    /// Sleeps until `date` on this clock, in steps of at most a minute so a wall-clock change is noticed.
    func sleep(until date: Date) async throws {
        while true {
            let left = date.timeIntervalSince(now()) / speed
            if left <= 0 { return }
            try await Task.sleep(for: .milliseconds(Int64(min(left, 60) * 1000) + 1))
        }
    }
}

/// Runs each pipeline at its schedule's slots until graceful shutdown.
struct SchedulerService: Service {
    struct Entry: Sendable {
        var file: String
        var pipeline: Pipeline
        var schedule: CronSchedule
        var warehouse: WarehouseLocation
        /// The last slot run, from `seopipe_schedule` (nil: the daemon never ran this pipeline).
        var lastSlot: Date?
    }

    let entries: [Entry]
    let clock: DaemonClock
    /// When the daemon started: on a first start, slots after it are due (however long start-up took).
    let startedAt: Date
    let metricsDir: String?
    let logger: Logger

    func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            for entry in entries { group.addTask { await loop(entry) } }
        }
    }

    /// One pipeline: wait for a slot, run it, repeat; a slot missed while down (or while running) runs once.
    private func loop(_ entry: Entry) async {
        var logger = logger
        logger[metadataKey: "pipeline"] = "\(entry.pipeline.name)"
        var last = entry.lastSlot
        if last == nil {
            // First start: nothing was missed yet; the first slot to run is the next one. Remembered at once, so
            // that if that first run is interrupted, the next start resumes it like any other slot.
            let start = entry.schedule.previous(atOrBefore: startedAt, in: .utc) ?? startedAt
            last = start
            do {
                try await remember(start, runID: nil, entry: entry)
            } catch {
                logger.error("cannot record the schedule state in \(entry.warehouse): \(error)")
            }
        }
        while !Task.isShuttingDownGracefully {
            let now = clock.now()
            if let due = entry.schedule.previous(atOrBefore: now, in: .utc), let previous = last, due > previous {
                if let missed = entry.schedule.next(after: previous, in: .utc), missed < due {
                    logger.notice(
                        "slots since \(previous.formatted(.iso8601)) were missed; running once for the latest")
                }
                await runSlot(due, entry: entry, logger: logger)
                last = due
                continue
            }
            guard let next = entry.schedule.next(after: now, in: .utc) else {
                logger.error("schedule \(entry.schedule) has no slot in the next five years; not scheduling it")
                return
            }
            logger.info("next run at \(next.formatted(.iso8601))")
            do {
                try await cancelWhenGracefulShutdown { try await clock.sleep(until: next) }
            } catch {
                return
            }
        }
    }

    /// Records in the pipeline's warehouse that `slot` is done (or, with no run, where a first start begins).
    private func remember(_ slot: Date, runID: String?, entry: Entry) async throws {
        let store = try await migrated(entry.warehouse)
        do {
            try await store.recordScheduledSlot(
                pipeline: entry.pipeline.name, schedule: entry.schedule.text, slot: slot, runID: runID)
        } catch {
            await store.close()
            throw error
        }
        await store.close()
    }

    private func runSlot(_ slot: Date, entry: Entry, logger: Logger) async {
        let snapshot = entry.pipeline.snapshot.resolve(now: slot)
        let slotText = slot.formatted(.iso8601)
        logger.notice("running for the slot \(slotText)", metadata: ["snapshot_date": "\(snapshot)"])
        let stop = StopRequest()
        do {
            let result = try await withGracefulShutdownHandler {
                try await RunFlow.execute(
                    entry.pipeline, snapshot: snapshot, warehouse: entry.warehouse, refresh: false, logger: logger,
                    stop: stop)
            } onGracefulShutdown: {
                stop.request("SIGTERM")
            }
            if let metricsDir {
                let path = (metricsDir as NSString).appendingPathComponent("seopipe_\(entry.pipeline.name).prom")
                await MetricsFile(path: path).write(
                    result, pipeline: entry.pipeline, warehouse: entry.warehouse, logger: logger)
            }
            // An interrupted run is not the slot done: the next start resumes it.
            if result.status != .interrupted { try await remember(slot, runID: result.runID, entry: entry) }
            let level: Logger.Level = result.status == .succeeded ? .notice : .error
            logger.log(
                level: level, "run \(result.runID) \(result.status.rawValue)",
                metadata: [
                    "rows": "\(result.meta.rows)", "requests": "\(result.meta.requests)",
                    "units": "\(result.meta.units)",
                ])
        } catch {
            logger.error("the run for the slot \(slotText) did not start or failed: \(error)")
        }
    }
}

extension TimeZone {
    static let utc = TimeZone(identifier: "UTC")!
}
