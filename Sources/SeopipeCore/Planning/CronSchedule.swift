import Foundation

/// A cron expression of five fields, as crontab(5) reads it: minute, hour, day of month, month, day of week.
///
/// Fields take `*`, numbers, ranges `a-b`, steps `*/n` and `a-b/n`, lists `a,b,c`, and names for months
/// (`jan`-`dec`) and days (`sun`-`sat`; 0 and 7 are Sunday). `@hourly`, `@daily` (`@midnight`), `@weekly`,
/// `@monthly` and `@yearly` (`@annually`) stand for their five fields. As in cron, when both day of month and
/// day of week are restricted, a day matching either one matches.
public struct CronSchedule: Sendable, Hashable, CustomStringConvertible {
    /// The expression as written (trimmed).
    public let text: String
    let minutes: Set<Int>
    let hours: Set<Int>
    let daysOfMonth: Set<Int>
    let months: Set<Int>
    let daysOfWeek: Set<Int>
    let dayOfMonthRestricted: Bool
    let dayOfWeekRestricted: Bool

    public struct ParseError: Error, Sendable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    static let macros = [
        "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
        "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
    ]
    static let monthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    static let dayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]

    public init(_ expression: String) throws(ParseError) {
        text = expression.trimmingCharacters(in: .whitespaces)
        let expanded = Self.macros[text.lowercased()] ?? text
        if text.hasPrefix("@"), Self.macros[text.lowercased()] == nil {
            throw ParseError(
                message: "`\(text)` is not a cron macro; write one of @hourly, @daily, @weekly, "
                    + "@monthly, @yearly or five fields")
        }
        let fields = expanded.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard fields.count == 5 else {
            throw ParseError(
                message: "a cron expression has five fields (minute hour day-of-month month "
                    + "day-of-week), `\(text)` has \(fields.count)")
        }
        minutes = try Self.field(fields[0], name: "minute", range: 0...59, names: [])
        hours = try Self.field(fields[1], name: "hour", range: 0...23, names: [])
        daysOfMonth = try Self.field(fields[2], name: "day of month", range: 1...31, names: [])
        months = try Self.field(fields[3], name: "month", range: 1...12, names: Self.monthNames, firstName: 1)
        // 7 is Sunday too.
        daysOfWeek = Set(
            try Self.field(fields[4], name: "day of week", range: 0...7, names: Self.dayNames).map { $0 % 7 })
        dayOfMonthRestricted = !fields[2].hasPrefix("*")
        dayOfWeekRestricted = !fields[4].hasPrefix("*")
    }

    public var description: String { text }

    static func field(
        _ text: String, name: String, range: ClosedRange<Int>, names: [String], firstName: Int = 0
    ) throws(ParseError) -> Set<Int> {
        func number(_ part: Substring) throws(ParseError) -> Int {
            if let value = Int(part), range.contains(value) { return value }
            if let index = names.firstIndex(of: part.lowercased()) { return index + firstName }
            throw ParseError(
                message: "`\(part)` is not a valid \(name) (\(range.lowerBound)-\(range.upperBound)"
                    + (names.isEmpty ? "" : " or \(names.first!)-\(names.last!)") + ")")
        }
        var values: Set<Int> = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let pieces = item.split(separator: "/", omittingEmptySubsequences: false)
            guard (1...2).contains(pieces.count), !pieces[0].isEmpty else {
                throw ParseError(message: "`\(item)` is not a valid \(name) field item")
            }
            var step = 1
            if pieces.count == 2 {
                guard let value = Int(pieces[1]), value > 0 else {
                    throw ParseError(message: "`\(pieces[1])` is not a step; after / write a positive number")
                }
                step = value
            }
            let lower: Int
            let upper: Int
            if pieces[0] == "*" {
                (lower, upper) = (range.lowerBound, range.upperBound)
            } else if let dash = pieces[0].firstIndex(of: "-") {
                lower = try number(pieces[0][..<dash])
                upper = try number(pieces[0][pieces[0].index(after: dash)...])
                guard lower <= upper else {
                    throw ParseError(
                        message: "the \(name) range `\(pieces[0])` runs backwards; write the smaller first")
                }
            } else {
                lower = try number(pieces[0])
                upper = pieces.count == 2 ? range.upperBound : lower
            }
            values.formUnion(stride(from: lower, through: upper, by: step))
        }
        return values
    }

    /// Whether the minute that `date` falls in is a slot of the schedule, in `timeZone`.
    public func matches(_ date: Date, in timeZone: TimeZone = .current) -> Bool {
        let parts = Self.calendar(timeZone).dateComponents([.minute, .hour, .day, .month, .weekday], from: date)
        return minutes.contains(parts.minute!) && hours.contains(parts.hour!) && months.contains(parts.month!)
            && dayMatches(day: parts.day!, weekday: parts.weekday! - 1)
    }

    func dayMatches(day: Int, weekday: Int) -> Bool {
        let byMonth = daysOfMonth.contains(day)
        let byWeek = daysOfWeek.contains(weekday)
        if dayOfMonthRestricted && dayOfWeekRestricted { return byMonth || byWeek }
        return byMonth && byWeek
    }

    /// The first slot strictly after `date` (whole minutes), or nil when none comes within five years
    /// (`0 0 30 2 *`, February 30th).
    public func next(after date: Date, in timeZone: TimeZone = .current) -> Date? {
        let calendar = Self.calendar(timeZone)
        var candidate = calendar.dateInterval(of: .minute, for: date)!.end
        let limit = date.addingTimeInterval(5 * 366 * 86_400)
        while candidate < limit {
            let parts = calendar.dateComponents([.minute, .hour, .day, .month, .weekday], from: candidate)
            if !months.contains(parts.month!) {
                candidate = calendar.dateInterval(of: .month, for: candidate)!.end
            } else if !dayMatches(day: parts.day!, weekday: parts.weekday! - 1) {
                candidate = calendar.dateInterval(of: .day, for: candidate)!.end
            } else if !hours.contains(parts.hour!) {
                candidate = calendar.dateInterval(of: .hour, for: candidate)!.end
            } else if !minutes.contains(parts.minute!) {
                candidate = candidate.addingTimeInterval(60)
            } else {
                return candidate
            }
        }
        return nil
    }

    /// The latest slot at or before `date`, or nil when none was within five years.
    public func previous(atOrBefore date: Date, in timeZone: TimeZone = .current) -> Date? {
        let calendar = Self.calendar(timeZone)
        var candidate = calendar.dateInterval(of: .minute, for: date)!.start
        let limit = date.addingTimeInterval(-5 * 366 * 86_400)
        while candidate > limit {
            let parts = calendar.dateComponents([.minute, .hour, .day, .month, .weekday], from: candidate)
            if !months.contains(parts.month!) {
                candidate = calendar.dateInterval(of: .month, for: candidate)!.start.addingTimeInterval(-60)
            } else if !dayMatches(day: parts.day!, weekday: parts.weekday! - 1) {
                candidate = calendar.dateInterval(of: .day, for: candidate)!.start.addingTimeInterval(-60)
            } else if !hours.contains(parts.hour!) {
                candidate = calendar.dateInterval(of: .hour, for: candidate)!.start.addingTimeInterval(-60)
            } else if !minutes.contains(parts.minute!) {
                candidate = candidate.addingTimeInterval(-60)
            } else {
                return candidate
            }
        }
        return nil
    }

    static func calendar(_ timeZone: TimeZone) -> Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar
    }
}
