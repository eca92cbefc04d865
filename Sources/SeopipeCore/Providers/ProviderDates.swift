/// Provider date and time formats, normalized to the warehouse's UTC text form.
public enum ProviderDates {
    /// `yyyy-mm-dd hh:mm:ss +hh:mm` (DataForSEO; also `yyyy-mm-dd hh:mm:ss`, taken as UTC) to
    /// ISO-8601 UTC `yyyy-mm-ddThh:mm:ssZ`; nil for anything else.
    public static func utcTimestamp(_ text: String) -> String? {
        // DataForSEO's own form, `yyyy-mm-dd hh:mm:ss +00:00`, on its bytes: a 100k-page run has 200k of them.
        if let fast = utcFastPath(text) { return fast }
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2 || parts.count == 3, let date = SnapshotDate(String(parts[0])) else { return nil }
        let clock = parts[1].split(separator: ":", omittingEmptySubsequences: false)
        guard clock.count == 3, let hour = digits(clock[0], 2), let minute = digits(clock[1], 2),
            let second = digits(clock[2], 2), hour < 24, minute < 60, second < 61
        else { return nil }
        var offsetMinutes = 0
        if parts.count == 3 {
            let zone = parts[2]
            guard zone.count == 6, let sign = zone.first, sign == "+" || sign == "-",
                zone[zone.index(zone.startIndex, offsetBy: 3)] == ":",
                let hours = digits(zone.dropFirst().prefix(2), 2), let minutes = digits(zone.suffix(2), 2),
                hours <= 14, minutes < 60
            else { return nil }
            offsetMinutes = (hours * 60 + minutes) * (sign == "-" ? -1 : 1)
        }
        // Local time minus the offset is UTC; carry across midnight through a day count.
        var total = (date.dayNumber * 1440 + hour * 60 + minute) - offsetMinutes
        let day = total >= 0 ? total / 1440 : (total - 1439) / 1440
        total -= day * 1440
        let utcDate = SnapshotDate(dayNumber: day)
        return "\(utcDate)T\(pad(total / 60)):\(pad(total % 60)):\(pad(second))Z"
    }

    private static let fastTemplate = Array("0000-00-00 00:00:00 +00:00".utf8)

    /// `yyyy-mm-dd hh:mm:ss +00:00` with a valid date and clock, rewritten as `yyyy-mm-ddThh:mm:ssZ`; nil for any
    /// other text, which the general parser reads.
    static func utcFastPath(_ text: String) -> String? {
        guard text.utf8.count == fastTemplate.count else { return nil }
        return text.utf8.withContiguousStorageIfAvailable(utcFastPath) ?? nil
    }

    private static func utcFastPath(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        for (position, expected) in fastTemplate.enumerated() {
            let byte = bytes[position]
            if expected == UInt8(ascii: "0") && position < 19 {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
            } else if byte != expected {
                return nil
            }
        }
        func number(_ position: Int) -> Int { Int(bytes[position] &- 48) * 10 + Int(bytes[position + 1] &- 48) }
        guard number(11) < 24, number(14) < 60, number(17) < 61,
            SnapshotDate(String(decoding: UnsafeBufferPointer(rebasing: bytes[0..<10]), as: UTF8.self)) != nil
        else { return nil }
        var utc = Array(bytes[0..<19])
        utc[10] = UInt8(ascii: "T")
        utc.append(UInt8(ascii: "Z"))
        return String(decoding: utc, as: UTF8.self)
    }

    private static func digits<S: StringProtocol>(_ text: S, _ count: Int) -> Int? {
        guard text.count == count, text.utf8.allSatisfy({ (48...57).contains($0) }) else { return nil }
        return Int(text)
    }

    private static func pad(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}

extension SnapshotDate {
    /// Days since 1970-01-01 (proleptic Gregorian).
    public var dayNumber: Int {
        // Howard Hinnant's days_from_civil.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    public init(dayNumber: Int) {
        let z = dayNumber + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        self.init(year: year, month: month, day: day)
    }
}
