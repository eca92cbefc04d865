import Foundation
import Logging

/// The clock schedules are read against: the wall clock in `seopipe daemon`, a virtual one in tests.
public protocol ScheduleClock: Sendable {
    func now() -> Date
    /// Returns once `date` has come on this clock; throws when the task is cancelled first.
    func sleep(until date: Date) async throws
}

/// The wall clock, or (rehearsals: `daemon --clock-start --clock-speed`) one that starts at a given time and runs
/// faster.
public struct WallClock: ScheduleClock {
    /// nil: the wall clock itself, so a clock set by NTP after boot is followed.
    private let simulated: (origin: Date, speed: Double)?
    private let realStart = ContinuousClock.now

    public init(origin: Date? = nil, speed: Double = 1) {
        simulated = origin.map { ($0, speed) }
    }

    public func now() -> Date {
        guard let simulated else { return Date() }
        return simulated.origin.addingTimeInterval((ContinuousClock.now - realStart).seconds * simulated.speed)
    }

    /// Sleeps in steps of at most a minute, so a change of the wall clock is noticed.
    public func sleep(until date: Date) async throws {
        let speed = simulated?.speed ?? 1
        while true {
            let left = date.timeIntervalSince(now()) / speed
            if left <= 0 { return }
            try await Task.sleep(for: .milliseconds(Int64(min(left, 60) * 1000) + 1))
        }
    }
}

/// Runs each pipeline at its schedule's slots (read in UTC, like the snapshot dates) until shut down: one run per
/// pipeline at a time, a slot missed while down (or while a run went on) runs once, and the last slot run is kept in
/// the pipeline's warehouse (`seopipe_schedule`) so a restart knows where it stands.
public struct Scheduler: Sendable {
    public struct Entry: Sendable {
        public var file: String
        public var pipeline: Pipeline
        public var schedule: CronSchedule
        public var warehouse: WarehouseLocation
        /// The last slot run, from `seopipe_schedule` (nil: never scheduled on this warehouse).
        public var lastSlot: Date?

        public init(
            file: String, pipeline: Pipeline, schedule: CronSchedule, warehouse: WarehouseLocation,
            lastSlot: Date? = nil
        ) {
            self.file = file
            self.pipeline = pipeline
            self.schedule = schedule
            self.warehouse = warehouse
            self.lastSlot = lastSlot
        }
    }

    public var entries: [Entry]
    public var engine: Engine
    public var clock: any ScheduleClock
    /// When the daemon started: on a first start, slots after it are due (however long start-up took).
    public var startedAt: Date
    /// Folder for one Prometheus textfile per pipeline (`seopipe_NAME.prom`), written after each run.
    public var metricsDirectory: String?
    public var logger: Logger

    public init(
        entries: [Entry], engine: Engine, clock: any ScheduleClock, startedAt: Date, metricsDirectory: String? = nil,
        logger: Logger
    ) {
        self.entries = entries
        self.engine = engine
        self.clock = clock
        self.startedAt = startedAt
        self.metricsDirectory = metricsDirectory
        self.logger = logger
    }

    /// Migrates every entry's warehouse and reads where its schedule stands, so that an unreachable warehouse stops
    /// the daemon at start, with its error, instead of at the first slot.
    public static func readState(of entries: [Entry], engine: Engine) async throws(EngineError) -> [Entry] {
        var entries = entries
        for index in entries.indices {
            let store = try await engine.migratedWarehouse(entries[index].warehouse)
            do {
                entries[index].lastSlot = try await store.lastScheduledSlot(pipeline: entries[index].pipeline.name)
            } catch {
                await store.close()
                throw .scheduleState(warehouse: entries[index].warehouse, reason: "\(error)")
            }
            await store.close()
        }
        return entries
    }

    /// Runs the schedules until `shutdown` is requested: then no new run starts, and a running one stops after its
    /// requests in flight (recorded as interrupted; its slot is not marked done, so the next start resumes it).
    public func run(until shutdown: StopRequest) async {
        await withTaskGroup(of: Void.self) { group in
            for entry in entries { group.addTask { await loop(entry, shutdown: shutdown) } }
        }
    }

    /// One pipeline: wait for a slot, run it, repeat; a slot missed while down (or while running) runs once.
    private func loop(_ entry: Entry, shutdown: StopRequest) async {
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
        while shutdown.requested == nil, !Task.isCancelled {
            let now = clock.now()
            if let due = entry.schedule.previous(atOrBefore: now, in: .utc), let previous = last, due > previous {
                if let missed = entry.schedule.next(after: previous, in: .utc), missed < due {
                    logger.notice(
                        "slots since \(previous.formatted(.iso8601)) were missed; running once for the latest")
                }
                await runSlot(due, entry: entry, shutdown: shutdown, logger: logger)
                last = due
                continue
            }
            guard let next = entry.schedule.next(after: now, in: .utc) else {
                logger.error("schedule \(entry.schedule) has no slot in the next five years; not scheduling it")
                return
            }
            logger.info("next run at \(next.formatted(.iso8601))")
            guard await sleep(until: next, shutdown: shutdown) else { return }
        }
    }

    /// Sleeps until `date` on the clock; false when the shutdown (or the task's cancellation) came first.
    private func sleep(until date: Date, shutdown: StopRequest) async -> Bool {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await clock.sleep(until: date) }
            group.addTask { await shutdown.wait() }
            await group.next()
            group.cancelAll()
        }
        return shutdown.requested == nil && !Task.isCancelled
    }

    /// Records in the pipeline's warehouse that `slot` is done (or, with no run, where a first start begins).
    private func remember(_ slot: Date, runID: String?, entry: Entry) async throws {
        let store = try await engine.migratedWarehouse(entry.warehouse)
        do {
            try await store.recordScheduledSlot(
                pipeline: entry.pipeline.name, schedule: entry.schedule.text, slot: slot,
                runID: runID)
        } catch {
            await store.close()
            throw error
        }
        await store.close()
    }

    private func runSlot(_ slot: Date, entry: Entry, shutdown: StopRequest, logger: Logger) async {
        let snapshot = entry.pipeline.snapshot.resolve(now: slot)
        let slotText = slot.formatted(.iso8601)
        logger.notice("running for the slot \(slotText)", metadata: ["snapshot_date": "\(snapshot)"])
        do {
            let result = try await engine.run(
                .init(entry.pipeline, snapshot: snapshot, warehouse: entry.warehouse, stop: shutdown), logger: logger)
            if let metricsDirectory {
                let path = (metricsDirectory as NSString).appendingPathComponent("seopipe_\(entry.pipeline.name).prom")
                await engine.writeMetrics(
                    result, pipeline: entry.pipeline, warehouse: entry.warehouse, to: MetricsFile(path: path),
                    logger: logger)
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
    /// Coordinated Universal Time, the zone of snapshot dates and schedule slots.
    public static let utc = TimeZone(secondsFromGMT: 0) ?? .current
}
