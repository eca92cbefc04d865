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
        var entries: [Scheduler.Entry] = []
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
        // Every warehouse migrated and every schedule's state read before the clock starts: a warehouse that cannot
        // be reached stops the daemon now, with its error, instead of at the first slot.
        do {
            entries = try await Scheduler.readState(of: entries, engine: .builtin)
        } catch {
            throw fail(error)
        }
        guard !entries.isEmpty else {
            printError(
                "error: no pipeline file in \(paths.joined(separator: " ")) has a `schedule:`; "
                    + "add e.g. schedule: \"15 3 * * *\" (03:15 daily)")
            throw Exit.usage
        }
        var clock = WallClock()
        if let clockStart {
            guard let start = Timestamp.parse(clockStart), clockSpeed > 0 else {
                printError("error: --clock-start takes an ISO-8601 time and --clock-speed a positive number")
                throw Exit.usage
            }
            clock = WallClock(origin: start, speed: clockSpeed)
        }
        if let metricsDir {
            try FileManager.default.createDirectory(atPath: metricsDir, withIntermediateDirectories: true)
        }
        let scheduler = Scheduler(
            entries: entries, engine: .builtin, clock: clock, startedAt: clock.now(), metricsDirectory: metricsDir,
            logger: logger)
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [.init(service: SchedulerService(scheduler: scheduler))],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
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

/// The scheduler as a service of swift-service-lifecycle: SIGTERM or SIGINT shuts it down gracefully.
struct SchedulerService: Service {
    let scheduler: Scheduler

    func run() async throws {
        let shutdown = StopRequest()
        await withGracefulShutdownHandler {
            await scheduler.run(until: shutdown)
        } onGracefulShutdown: {
            shutdown.request("SIGTERM")
        }
    }
}
