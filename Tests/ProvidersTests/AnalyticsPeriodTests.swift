import Testing

@testable import Providers
@testable import SeopipeCore

@Suite("Analytics periods resolved against the snapshot date")
struct AnalyticsPeriodTests {
    /// 2026-11-20 is a Friday.
    static let day = SnapshotDate("2026-11-20")!

    @Test(
        "every named period has the documented dates",
        arguments: [
            ("today", "2026-11-20", "2026-11-20"),
            ("yesterday", "2026-11-19", "2026-11-19"),
            ("7d", "2026-11-13", "2026-11-19"),
            ("30d", "2026-10-21", "2026-11-19"),
            ("90d", "2026-08-22", "2026-11-19"),
            ("12m", "2025-11-20", "2026-11-19"),
            ("wtd", "2026-11-16", "2026-11-20"),
            ("this_week", "2026-11-16", "2026-11-22"),
            ("last_week", "2026-11-09", "2026-11-15"),
            ("mtd", "2026-11-01", "2026-11-20"),
            ("this_month", "2026-11-01", "2026-11-30"),
            ("last_month", "2026-10-01", "2026-10-31"),
            ("qtd", "2026-10-01", "2026-11-20"),
            ("this_quarter", "2026-10-01", "2026-12-31"),
            ("last_quarter", "2026-07-01", "2026-09-30"),
            ("ytd", "2026-01-01", "2026-11-20"),
            ("this_year", "2026-01-01", "2026-12-31"),
            ("last_year", "2025-01-01", "2025-12-31"),
            ("2026-10-01..2026-10-31", "2026-10-01", "2026-10-31"),
        ])
    func named(_ period: String, _ start: String, _ end: String) throws {
        let range = try #require(AnalyticsPeriod.resolve(period, on: Self.day))
        #expect(range.start.description == start)
        #expect(range.end.description == end)
    }

    @Test(
        "crosses year and leap-day boundaries",
        arguments: [
            ("2026-01-01", "last_month", "2025-12-01", "2025-12-31"),
            ("2026-01-01", "last_quarter", "2025-10-01", "2025-12-31"),
            ("2024-03-01", "yesterday", "2024-02-29", "2024-02-29"),
            ("2024-03-10", "last_month", "2024-02-01", "2024-02-29"),
            ("2026-11-16", "wtd", "2026-11-16", "2026-11-16"),
            ("2026-11-22", "this_week", "2026-11-16", "2026-11-22"),
        ])
    func boundaries(_ day: String, _ period: String, _ start: String, _ end: String) throws {
        let range = try #require(AnalyticsPeriod.resolve(period, on: SnapshotDate(day)!))
        #expect(range.start.description == start)
        #expect(range.end.description == end)
    }

    @Test("refuses unknown names and reversed ranges", arguments: ["last_decade", "", "2026-10-31..2026-10-01", "7"])
    func refuses(_ period: String) {
        #expect(AnalyticsPeriod.resolve(period, on: Self.day) == nil)
    }
}
