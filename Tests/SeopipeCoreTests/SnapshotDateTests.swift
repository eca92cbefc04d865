import Foundation
import SeopipeCore
import Testing

@Suite("Snapshot dates")
struct SnapshotDateTests {
    @Test(
        "parses YYYY-MM-DD into its parts and writes it back unchanged",
        arguments: [
            ("2026-02-18", 2026, 2, 18), ("1999-12-31", 1999, 12, 31), ("2026-01-01", 2026, 1, 1),
            ("2026-04-30", 2026, 4, 30),
        ])
    func valid(text: String, year: Int, month: Int, day: Int) throws {
        let date = try #require(SnapshotDate(text))
        #expect(date.year == year)
        #expect(date.month == month)
        #expect(date.day == day)
        #expect(date.description == text)
    }

    @Test(
        "accepts February 29 in leap years only",
        arguments: [
            ("2024-02-29", true), ("2023-02-29", false), ("2000-02-29", true), ("1900-02-29", false),
            ("2100-02-29", false), ("2400-02-29", true), ("2023-02-28", true), ("2024-02-30", false),
        ])
    func leapYears(text: String, valid: Bool) {
        #expect((SnapshotDate(text) != nil) == valid)
    }

    @Test(
        "refuses other formats and impossible dates",
        arguments: [
            "", "today", "2026-2-18", "2026-02-8", "26-02-18", "2026/02/18", "20260218", "2026-13-01", "2026-00-10",
            "2026-01-00", "2026-01-32", "2026-04-31", "2026-06-31", "2026-09-31", "2026-11-31", "2026-02-18T00:00:00Z",
            "2026-02-18 ", "2026-02", "2026-02-18-01", "abcd-ef-gh",
        ])
    func invalid(text: String) {
        #expect(SnapshotDate(text) == nil)
    }

    @Test("refuses signed numbers in a date")
    func signs() {
        // Int("+1") parses, so each part of the right width but with a sign would slip through.
        #expect(SnapshotDate("2026-+2-18") == nil)
        #expect(SnapshotDate("2026-02-+1") == nil)
        #expect(SnapshotDate("+026-02-18") == nil)
    }

    @Test("orders dates chronologically across day, month and year boundaries")
    func ordering() throws {
        let texts = ["2026-01-10", "2025-12-31", "2026-01-09", "2026-02-01", "2024-02-29"]
        let dates = try texts.map { try #require(SnapshotDate($0)) }
        #expect(
            dates.sorted().map(\.description) == ["2024-02-29", "2025-12-31", "2026-01-09", "2026-01-10", "2026-02-01"])
        #expect(try #require(SnapshotDate("2026-01-09")) < #require(SnapshotDate("2026-01-10")))
        #expect(!(try #require(SnapshotDate("2026-01-10")) < #require(SnapshotDate("2026-01-10"))))
        #expect(try #require(SnapshotDate("2026-03-01")) > #require(SnapshotDate("2026-02-28")))
    }

    @Test("takes the calendar day in UTC from an instant")
    func fromInstant() {
        #expect(SnapshotDate(Date(timeIntervalSince1970: 0)).description == "1970-01-01")
        #expect(SnapshotDate(Date(timeIntervalSince1970: 86_399)).description == "1970-01-01")
        #expect(SnapshotDate(Date(timeIntervalSince1970: 86_400)).description == "1970-01-02")
        // 2024-02-29T23:30:00Z
        #expect(SnapshotDate(Date(timeIntervalSince1970: 1_709_249_400)).description == "2024-02-29")
    }

    @Test("resolves today, yesterday and a fixed date against a given now")
    func resolve() throws {
        let now = Date(timeIntervalSince1970: 1_709_251_200)  // 2024-03-01T00:00:00Z
        #expect(SnapshotSpec.today.resolve(now: now).description == "2024-03-01")
        #expect(SnapshotSpec.yesterday.resolve(now: now).description == "2024-02-29")
        let fixed = try #require(SnapshotDate("2020-05-17"))
        #expect(SnapshotSpec.fixed(fixed).resolve(now: now) == fixed)
    }

    @Test("encodes as a YYYY-MM-DD string and refuses other strings when decoding")
    func codable() throws {
        let date = try #require(SnapshotDate("2026-02-18"))
        let data = try JSONEncoder().encode([date])
        #expect(String(decoding: data, as: UTF8.self) == #"["2026-02-18"]"#)
        #expect(try JSONDecoder().decode([SnapshotDate].self, from: data) == [date])
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([SnapshotDate].self, from: Data(#"["2026-02-30"]"#.utf8))
        }
    }
}
