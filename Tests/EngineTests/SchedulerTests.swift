import Foundation
import SeopipeCore
import Synchronization
import Testing

/// The daemon's scheduler on a virtual clock: days of slots in milliseconds, with real runs against the sandbox.
@Suite("Scheduler on a virtual clock")
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
