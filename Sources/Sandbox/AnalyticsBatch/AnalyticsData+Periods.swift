import Foundation

extension AnalyticsData {
    /// The `period` keywords the API takes, in documentation order.
    public static let periods = [
        "today", "yesterday", "7d", "30d", "90d", "12m", "this_week", "last_week", "this_month", "last_month",
        "this_quarter", "last_quarter", "this_year", "last_year", "wtd", "mtd", "qtd", "ytd",
    ]

    /// The date range (`YYYY-MM-DD`, both ends included) a `period` keyword names on `today`; nil for an
    /// unknown keyword or a `today` that is not a real date.
    ///
    /// `today` and `yesterday` are single days; `7d`, `30d`, `90d` are that many days ending yesterday and
    /// `12m` the 365 days ending yesterday; `wtd`, `mtd`, `qtd`, `ytd` run from the start of the week
    /// (Monday), month, quarter or year through today; `this_*` is the whole current week, month, quarter
    /// or year (ending after today), `last_*` the whole previous one.
    public static func resolve(period: String, today: String) -> (start: String, end: String)? {
        guard let now = CalendarDate(today) else { return nil }
        let yesterday = now.adding(days: -1)
        let range: (CalendarDate, CalendarDate)
        switch period {
        case "today": range = (now, now)
        case "yesterday": range = (yesterday, yesterday)
        case "7d": range = (now.adding(days: -7), yesterday)
        case "30d": range = (now.adding(days: -30), yesterday)
        case "90d": range = (now.adding(days: -90), yesterday)
        case "12m": range = (now.adding(days: -365), yesterday)
        case "wtd": range = (Period.week.start(of: now), now)
        case "mtd": range = (Period.month.start(of: now), now)
        case "qtd": range = (Period.quarter.start(of: now), now)
        case "ytd": range = (Period.year.start(of: now), now)
        case "this_week": range = Period.week.whole(containing: now)
        case "this_month": range = Period.month.whole(containing: now)
        case "this_quarter": range = Period.quarter.whole(containing: now)
        case "this_year": range = Period.year.whole(containing: now)
        case "last_week": range = Period.week.whole(containing: Period.week.start(of: now).adding(days: -1))
        case "last_month": range = Period.month.whole(containing: Period.month.start(of: now).adding(days: -1))
        case "last_quarter": range = Period.quarter.whole(containing: Period.quarter.start(of: now).adding(days: -1))
        case "last_year": range = Period.year.whole(containing: Period.year.start(of: now).adding(days: -1))
        default: return nil
        }
        return (range.0.text, range.1.text)
    }

    /// Calendar periods, weeks starting on Monday.
    private enum Period {
        case week, month, quarter, year

        func start(of date: CalendarDate) -> CalendarDate {
            var start = date
            switch self {
            case .week:
                // 1970-01-01 was a Thursday, three days after a Monday.
                let sinceMonday = ((date.daysSinceEpoch + 3) % 7 + 7) % 7
                return date.adding(days: -sinceMonday)
            case .month:
                start.day = 1
            case .quarter:
                start.month = (date.month - 1) / 3 * 3 + 1
                start.day = 1
            case .year:
                start.month = 1
                start.day = 1
            }
            return start
        }

        func whole(containing date: CalendarDate) -> (CalendarDate, CalendarDate) {
            let start = self.start(of: date)
            var end = start
            switch self {
            case .week:
                end = start.adding(days: 6)
            case .month:
                end.day = CalendarDate.daysIn(month: start.month, year: start.year)
            case .quarter:
                end.month = start.month + 2
                end.day = CalendarDate.daysIn(month: end.month, year: end.year)
            case .year:
                end.month = 12
                end.day = 31
            }
            return (start, end)
        }
    }
}
