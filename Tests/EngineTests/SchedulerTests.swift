import Foundation
import SeopipeCore
import Synchronization
import Testing

/// The daemon's scheduler on a virtual clock: days of slots in milliseconds, with real runs against the sandbox.
@Suite("Scheduler on a virtual clock", .serialized)
struct SchedulerTests {
    static let daily = try! CronSchedule("0 3 * * *")

    @Test("a first start runs each slot after it once, stamped with the slot's date, and remembers the last")
    func firstStart() async throws {
        try await withEngine { fixture in
            let pipeline = try fixture.pipeline(metricsPipeline(targets: domains(2)))
            let entries = try await Scheduler.readState(
                of: [.init(file: "engine.yml", pipeline: pipeline, schedule: Self.daily, warehouse: fixture.warehouse)],
                engine: fixture.engine)
            #expect(entries.first?.lastSlot == nil)

            try await Self.runScheduler(
                entries, fixture: fixture, from: time("2026-11-10T12:00:00Z"), until: time("2026-11-13T12:00:00Z"))

            let runs = try await fixture.withWarehouse { try await $0.runs(RunFilter(pipeline: "engine")) }
            #expect(runs.map(\.snapshotDate.description).sorted() == ["2026-11-11", "2026-11-12", "2026-11-13"])
            #expect(runs.allSatisfy { $0.status == .finished(.succeeded) })
            let last = try await fixture.withWarehouse { try await $0.lastScheduledSlot(pipeline: "engine") }
            #expect(last == time("2026-11-13T03:00:00Z"))
        }
    }

    @Test("after downtime, the missed slots run once, for the latest of them")
    func missedSlotsRunOnce() async throws {
        try await withEngine { fixture in
            let pipeline = try fixture.pipeline(metricsPipeline(targets: domains(2)))
            let entry = Scheduler.Entry(
                file: "engine.yml", pipeline: pipeline, schedule: Self.daily, warehouse: fixture.warehouse)
            try await Self.runScheduler(
                Scheduler.readState(of: [entry], engine: fixture.engine), fixture: fixture,
                from: time("2026-11-10T12:00:00Z"), until: time("2026-11-11T12:00:00Z"))

            // Down from the 11th to the 15th: the slots of the 12th, 13th and 14th are missed.
            let restarted = try await Scheduler.readState(of: [entry], engine: fixture.engine)
            #expect(restarted.first?.lastSlot == time("2026-11-11T03:00:00Z"))
            try await Self.runScheduler(
                restarted, fixture: fixture, from: time("2026-11-15T12:00:00Z"), until: time("2026-11-15T13:00:00Z"))

            let runs = try await fixture.withWarehouse { try await $0.runs(RunFilter(pipeline: "engine")) }
            #expect(runs.map(\.snapshotDate.description).sorted() == ["2026-11-11", "2026-11-15"])
            #expect(fixture.sandbox.usage().totalRequests == 2)
        }
    }

    @Test("a shutdown during a run lets the request in flight commit, records the run interrupted, and leaves the slot")
    func shutdownDuringARun() async throws {
        try await withEngine { fixture in
            let pipeline = try fixture.pipeline(metricsPipeline(targets: domains(6)))
            let entries = try await Scheduler.readState(
                of: [.init(file: "engine.yml", pipeline: pipeline, schedule: Self.daily, warehouse: fixture.warehouse)],
                engine: fixture.engine)
            let shutdown = StopRequest()
            let clock = VirtualClock(
                start: time("2026-11-10T12:00:00Z"), end: time("2026-12-31T00:00:00Z"), shutdown: shutdown)
            let scheduler = Scheduler(
                entries: entries, engine: fixture.engine, clock: clock, startedAt: clock.now(),
                logger: fixture.logger)
            fixture.sandbox.holdResponses()
            let running = Task { await scheduler.run(until: shutdown) }
            // The slot of the 11th runs; its first request waits in the sandbox while the daemon is told to stop.
            let deadline = ContinuousClock.now + .seconds(60)
            while fixture.sandbox.arrivedRequests < 1, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(5))
            }
            #expect(fixture.sandbox.arrivedRequests == 1, "the slot's first request arrived before the shutdown")
            shutdown.request("SIGTERM")
            fixture.sandbox.releaseResponses()
            await running.value

            let runs = try await fixture.withWarehouse { try await $0.runs(RunFilter(pipeline: "engine")) }
            #expect(runs.map(\.status) == [.finished(.interrupted)])
            #expect(runs.first?.snapshotDate.description == "2026-11-11")
            #expect(fixture.sandbox.usage().totalRequests == 1)
            #expect(try await fixture.count("ahrefs_domain_metrics") == 2)
            // Still the starting point of the first start: the next start runs the slot of the 11th again.
            let last = try await fixture.withWarehouse { try await $0.lastScheduledSlot(pipeline: "engine") }
            #expect(last == time("2026-11-10T03:00:00Z"))
        }
    }

    @Test("a cancelled scheduler returns instead of spinning")
    func cancelled() async throws {
        try await withEngine { fixture in
            let pipeline = try fixture.pipeline(metricsPipeline(targets: domains(2)))
            let entries = try await Scheduler.readState(
                of: [.init(file: "engine.yml", pipeline: pipeline, schedule: Self.daily, warehouse: fixture.warehouse)],
                engine: fixture.engine)
            // The wall clock and a yearly slot: only the cancellation can end the run.
            var yearly = entries
            yearly[0].schedule = try CronSchedule("0 3 1 1 *")
            let scheduler = Scheduler(
                entries: yearly, engine: fixture.engine, clock: WallClock(), startedAt: Date(), logger: fixture.logger)
            let shutdown = StopRequest()
            let running = Task { await scheduler.run(until: shutdown) }
            try await Task.sleep(for: .milliseconds(100))
            running.cancel()
            let ended = Shared(false)
            Task {
                await running.value
                ended.update { $0 = true }
            }
            let deadline = ContinuousClock.now + .seconds(60)
            while !ended.get(), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
            #expect(ended.get())
            #expect(shutdown.requested == nil)
            #expect(fixture.sandbox.usage().totalRequests == 0)
        }
    }

    /// Runs the scheduler on a virtual clock from `start` until it would sleep past `end`.
    static func runScheduler(
        _ entries: [Scheduler.Entry], fixture: EngineFixture, from start: Date, until end: Date
    ) async throws {
        let shutdown = StopRequest()
        let clock = VirtualClock(start: start, end: end, shutdown: shutdown)
        let scheduler = Scheduler(
            entries: entries, engine: fixture.engine, clock: clock, startedAt: start, logger: fixture.logger)
        await scheduler.run(until: shutdown)
        #expect(shutdown.requested == "end of the test")
    }
}

/// A clock whose sleeps take no time: sleeping until a date sets the clock to it. A sleep past `end` shuts the
/// scheduler down instead.
final class VirtualClock: ScheduleClock {
    private let current: Mutex<Date>
    let end: Date
    let shutdown: StopRequest

    init(start: Date, end: Date, shutdown: StopRequest) {
        current = Mutex(start)
        self.end = end
        self.shutdown = shutdown
    }

    func now() -> Date { current.withLock { $0 } }

    func sleep(until date: Date) async throws {
        guard date <= end else {
            shutdown.request("end of the test")
            try await Task.sleep(for: .seconds(3600))
            return
        }
        current.withLock { $0 = max($0, date) }
    }
}

func time(_ text: String) -> Date {
    Timestamp.parse(text) ?? .distantPast
}
