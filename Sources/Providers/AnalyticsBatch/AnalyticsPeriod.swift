import Foundation
import SeopipeCore

/// Report periods of the analytics API, resolved against the snapshot date to explicit dates, so a
/// backfill of an old date asks for that date's numbers, not today's.
public enum AnalyticsPeriod {
    /// The period names DESIGN.md section 8 lists, plus `YYYY-MM-DD..YYYY-MM-DD` for a fixed range.
    public static let names = [
        "today", "yesterday", "7d", "30d", "90d", "12m", "this_week", "last_week", "this_month", "last_month",
        "this_quarter", "last_quarter", "this_year", "last_year", "wtd", "mtd", "qtd", "ytd",
    ]

    /// `(start, end)` inclusive for `period` on snapshot date `day`; nil for an unknown name.
    ///
    /// `Nd` and `12m` are the complete days before the snapshot date; `wtd`/`mtd`/`qtd`/`ytd` run from the
    /// start of the week (Monday), month, quarter or year through the snapshot date; `this_*` is that whole
    /// period and `last_*` the one before it.
    public static func resolve(_ period: String, on day: SnapshotDate) -> (start: SnapshotDate, end: SnapshotDate)? {
        let n = day.dayNumber
        func days(_ count: Int) -> (SnapshotDate, SnapshotDate) {
            (SnapshotDate(dayNumber: n - count), SnapshotDate(dayNumber: n - 1))
        }
        let weekStart = n - ((n + 3) % 7 + 7) % 7  // 1970-01-01 was a Thursday; Monday starts the week
        let monthStart = SnapshotDate(year: day.year, month: day.month, day: 1)
        let quarterMonth = (day.month - 1) / 3 * 3 + 1
        let quarterStart = SnapshotDate(year: day.year, month: quarterMonth, day: 1)
        let yearStart = SnapshotDate(year: day.year, month: 1, day: 1)
        func monthEnd(_ start: SnapshotDate, months: Int) -> SnapshotDate {
            let total = start.year * 12 + (start.month - 1) + months
            return SnapshotDate(dayNumber: SnapshotDate(year: total / 12, month: total % 12 + 1, day: 1).dayNumber - 1)
        }
        func monthsBack(_ start: SnapshotDate, _ months: Int) -> SnapshotDate {
            let total = start.year * 12 + (start.month - 1) - months
            return SnapshotDate(year: total / 12, month: total % 12 + 1, day: 1)
        }
        switch period {
        case "today": return (day, day)
        case "yesterday": return days(1)
        case "7d": return days(7)
        case "30d": return days(30)
        case "90d": return days(90)
        case "12m": return days(365)
        case "wtd": return (SnapshotDate(dayNumber: weekStart), day)
        case "this_week": return (SnapshotDate(dayNumber: weekStart), SnapshotDate(dayNumber: weekStart + 6))
        case "last_week": return (SnapshotDate(dayNumber: weekStart - 7), SnapshotDate(dayNumber: weekStart - 1))
        case "mtd": return (monthStart, day)
        case "this_month": return (monthStart, monthEnd(monthStart, months: 1))
        case "last_month":
            let start = monthsBack(monthStart, 1)
            return (start, monthEnd(start, months: 1))
        case "qtd": return (quarterStart, day)
        case "this_quarter": return (quarterStart, monthEnd(quarterStart, months: 3))
        case "last_quarter":
            let start = monthsBack(quarterStart, 3)
            return (start, monthEnd(start, months: 3))
        case "ytd": return (yearStart, day)
        case "this_year": return (yearStart, SnapshotDate(year: day.year, month: 12, day: 31))
        case "last_year":
            return (
                SnapshotDate(year: day.year - 1, month: 1, day: 1), SnapshotDate(year: day.year - 1, month: 12, day: 31)
            )
        default:
            let parts = period.components(separatedBy: "..")
            guard parts.count == 2, let start = SnapshotDate(parts[0]), let end = SnapshotDate(parts[1]), start <= end
            else { return nil }
            return (start, end)
        }
    }
}
