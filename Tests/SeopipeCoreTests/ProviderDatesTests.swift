import Testing

@testable import SeopipeCore

@Suite("Provider timestamps to UTC")
struct ProviderDatesTests {
    @Test(
        "converts DataForSEO's yyyy-mm-dd hh:mm:ss +hh:mm to ISO-8601 UTC",
        arguments: [
            ("2024-03-31 07:06:04 +00:00", "2024-03-31T07:06:04Z"),
            ("2019-11-15 12:57:46 +00:00", "2019-11-15T12:57:46Z"),
            ("2017-01-24 13:20:59 +02:00", "2017-01-24T11:20:59Z"),
            ("2024-01-01 01:30:00 +02:00", "2023-12-31T23:30:00Z"),
            ("2024-02-28 23:30:00 -01:00", "2024-02-29T00:30:00Z"),
            ("2023-02-28 23:30:00 -01:00", "2023-03-01T00:30:00Z"),
            ("2024-12-31 23:59:59 -00:30", "2025-01-01T00:29:59Z"),
            ("2024-03-31 07:06:04", "2024-03-31T07:06:04Z"),
            ("2024-06-30 23:59:60 +00:00", "2024-06-30T23:59:60Z"),
            ("2024-02-29 00:00:00 +00:00", "2024-02-29T00:00:00Z"),
            (" 2024-03-31 07:06:04 +00:00", "2024-03-31T07:06:04Z"),
        ])
    func converts(_ input: String, _ expected: String) {
        #expect(ProviderDates.utcTimestamp(input) == expected)
    }

    @Test(
        "reads DataForSEO's own +00:00 form on the byte path, as the general parser does",
        arguments: [
            "2024-03-31 07:06:04 +00:00", "2012-05-19 21:38:29 +00:00", "2024-06-30 23:59:60 +00:00",
            "2024-02-29 00:00:00 +00:00", "1999-12-31 23:59:59 +00:00",
        ])
    func fastPath(_ input: String) throws {
        let fast = try #require(ProviderDates.utcFastPath(input))
        #expect(fast == ProviderDates.utcTimestamp(" " + input))
    }

    @Test(
        "leaves other offsets and malformed text to the general parser",
        arguments: [
            "2017-01-24 13:20:59 +02:00", "2024-03-31 07:06:04", "2024-02-30 00:00:00 +00:00",
            "2024-03-31 24:00:00 +00:00", "2024-03-31 07:06:0x +00:00", " 2024-03-31 07:06:04 +00:00",
        ])
    func notFastPath(_ input: String) {
        #expect(ProviderDates.utcFastPath(input) == nil)
    }

    @Test(
        "refuses what is not that format",
        arguments: [
            "", "2024-03-31", "2024-03-31T07:06:04Z", "2024-13-01 00:00:00 +00:00", "2024-02-30 00:00:00 +00:00",
            "2024-03-31 24:00:00 +00:00", "2024-03-31 07:60:00 +00:00", "2024-03-31 07:06 +00:00",
            "2024-03-31 07:06:04 +0000", "2024-03-31 07:06:04 UTC", "2024-03-31 7:06:04 +00:00",
            "2024-03-31 07:06:04 +00:00 extra", "2023-02-29 00:00:00 +00:00", "2024-03-31 07:06:04 +00:0 ",
            "2024-03-31 07:06:04 +00;00", "2024-03-31 07:06:0x +00:00", "2024-03-31\u{A0}07:06:04 +00:00",
        ])
    func refuses(_ input: String) {
        #expect(ProviderDates.utcTimestamp(input) == nil)
    }

    @Test(
        "counts days across centuries both ways", arguments: ["1970-01-01", "2000-02-29", "2100-03-01", "1969-12-31"])
    func dayNumbers(_ text: String) throws {
        let date = try #require(SnapshotDate(text))
        #expect(SnapshotDate(dayNumber: date.dayNumber) == date)
    }

    @Test("puts 1970-01-01 at day zero")
    func epoch() throws {
        #expect(try #require(SnapshotDate("1970-01-01")).dayNumber == 0)
        #expect(try #require(SnapshotDate("1970-01-02")).dayNumber == 1)
        #expect(try #require(SnapshotDate("1969-12-31")).dayNumber == -1)
    }
}
