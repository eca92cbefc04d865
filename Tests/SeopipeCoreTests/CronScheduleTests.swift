import Foundation
import Testing

@testable import SeopipeCore

@Suite("Cron schedules")
struct CronScheduleTests {
    let utc = TimeZone(identifier: "UTC")!

    func date(_ text: String) -> Date { try! Date(text, strategy: .iso8601) }

    @Test(
        "the next slot after a time, for the common shapes",
        arguments: [
            ("15 3 * * *", "2026-11-20T03:14:59Z", "2026-11-20T03:15:00Z"),
            ("15 3 * * *", "2026-11-20T03:15:00Z", "2026-11-21T03:15:00Z"),
            ("*/20 * * * *", "2026-11-20T03:41:00Z", "2026-11-20T04:00:00Z"),
            ("0 9-17/4 * * mon-fri", "2026-11-20T13:00:00Z", "2026-11-20T17:00:00Z"),
            ("0 9-17/4 * * mon-fri", "2026-11-20T17:00:00Z", "2026-11-23T09:00:00Z"),
            ("0 0 1 */3 *", "2026-11-20T00:00:00Z", "2027-01-01T00:00:00Z"),
            ("30 2 29 2 *", "2026-03-01T00:00:00Z", "2028-02-29T02:30:00Z"),
            ("@daily", "2026-11-20T00:00:00Z", "2026-11-21T00:00:00Z"),
            ("@weekly", "2026-11-20T00:00:00Z", "2026-11-22T00:00:00Z"),
            ("@hourly", "2026-12-31T23:59:00Z", "2027-01-01T00:00:00Z"),
            ("0 12 * JAN,jul sun", "2026-11-20T00:00:00Z", "2027-01-03T12:00:00Z"),
            ("0 0 * * 7", "2026-11-20T00:00:00Z", "2026-11-22T00:00:00Z"),
        ])
    func next(expression: String, after: String, expected: String) throws {
        let schedule = try CronSchedule(expression)
        #expect(schedule.next(after: date(after), in: utc) == date(expected))
        // The slot is one, and the latest at or before it is itself.
        #expect(schedule.matches(date(expected), in: utc))
        #expect(schedule.previous(atOrBefore: date(expected).addingTimeInterval(59), in: utc) == date(expected))
    }

    @Test("day of month and day of week both restricted: either one matches, as in cron")
    func dayOfMonthOrWeek() throws {
        // The 13th of each month, and every Friday.
        let schedule = try CronSchedule("0 0 13 * fri")
        #expect(schedule.next(after: date("2026-11-10T00:00:00Z"), in: utc) == date("2026-11-13T00:00:00Z"))
        #expect(schedule.next(after: date("2026-11-13T00:00:00Z"), in: utc) == date("2026-11-20T00:00:00Z"))
        // With a star day of week, only the 13th.
        let monthly = try CronSchedule("0 0 13 * *")
        #expect(monthly.next(after: date("2026-11-13T00:00:00Z"), in: utc) == date("2026-12-13T00:00:00Z"))
    }

    @Test("the latest slot at or before a time, over a downtime of days")
    func previous() throws {
        let schedule = try CronSchedule("15 3 * * *")
        #expect(schedule.previous(atOrBefore: date("2026-11-23T12:00:00Z"), in: utc) == date("2026-11-23T03:15:00Z"))
        #expect(schedule.previous(atOrBefore: date("2026-11-23T03:14:00Z"), in: utc) == date("2026-11-22T03:15:00Z"))
        #expect(
            try CronSchedule("0 0 1 1 *").previous(atOrBefore: date("2026-11-23T00:00:00Z"), in: utc)
                == date("2026-01-01T00:00:00Z"))
    }

    @Test("a slot that never comes gives nil, not a hang")
    func never() throws {
        #expect(try CronSchedule("0 0 30 2 *").next(after: date("2026-01-01T00:00:00Z"), in: utc) == nil)
    }

    @Test(
        "refuses what cron would refuse, saying which field and why",
        arguments: [
            ("15 3 * *", "has 4"),
            ("60 3 * * *", "`60` is not a valid minute (0-59)"),
            ("0 24 * * *", "`24` is not a valid hour (0-23)"),
            ("0 0 0 * *", "`0` is not a valid day of month (1-31)"),
            ("0 0 * 13 *", "`13` is not a valid month (1-12 or jan-dec)"),
            ("0 0 * * 8", "`8` is not a valid day of week (0-7 or sun-sat)"),
            ("*/0 * * * *", "`0` is not a step"),
            ("5-1 * * * *", "runs backwards"),
            ("1,,2 * * * *", "is not a valid minute field item"),
            ("@fortnightly", "is not a cron macro"),
            ("daily", "has 1"),
        ])
    func refuses(expression: String, message: String) {
        #expect {
            _ = try CronSchedule(expression)
        } throws: { error in
            (error as? CronSchedule.ParseError)?.message.contains(message) == true
        }
    }
}

@Suite("Backfill")
struct BackfillTests {
    @Test("dates from..to inclusive, across a month and a leap day")
    func dates() {
        let dates = Backfill.dates(from: SnapshotDate("2028-02-27")!, to: SnapshotDate("2028-03-02")!)
        #expect(dates.map(\.description) == ["2028-02-27", "2028-02-28", "2028-02-29", "2028-03-01", "2028-03-02"])
        #expect(Backfill.dates(from: SnapshotDate("2026-11-20")!, to: SnapshotDate("2026-11-20")!).count == 1)
        #expect(SnapshotDate("2026-01-01")!.adding(days: -1).description == "2025-12-31")
    }

    @Test("past means before the date a run started now would stamp: today, or yesterday for `snapshot: yesterday`")
    func past() throws {
        let now = try Date("2026-11-26T10:00:00Z", strategy: .iso8601)
        var pipeline = Pipeline(
            name: "p", schedule: nil, warehouse: .sqlite(path: "/tmp/x.db"), snapshot: .today, providers: [:],
            options: RunOptions(), stages: [], file: URL(fileURLWithPath: "/tmp/p.yml"))
        #expect(Backfill.isPast(SnapshotDate("2026-11-25")!, for: pipeline, now: now))
        #expect(!Backfill.isPast(SnapshotDate("2026-11-26")!, for: pipeline, now: now))
        pipeline.snapshot = .yesterday
        #expect(!Backfill.isPast(SnapshotDate("2026-11-25")!, for: pipeline, now: now))
        #expect(Backfill.isPast(SnapshotDate("2026-11-24")!, for: pipeline, now: now))
    }
}
