import Foundation

/// The `data` of `/stats/overview`: totals over a date range.
///
/// `Codable` with camelCase properties, so a test decodes the wire object with
/// `keyDecodingStrategy = .convertFromSnakeCase` and compares it with `==`.
public struct AnalyticsOverview: Sendable, Codable, Equatable {
    /// The resolved range, both ends included.
    public struct DateRange: Sendable, Codable, Equatable {
        public var start: String
        public var end: String

        public init(start: String, end: String) {
            self.start = start
            self.end = end
        }
    }

    public var dateRange: DateRange
    public var entrances: Int
    public var pageViews: Int
    public var engagedEntrances: Int
    /// Percent of entrances that were not engaged, one decimal.
    public var bounceRate: Double
    public var conversions: Int
    /// Two decimals.
    public var revenue: Double
    public var microconversions: Int

    public init(
        dateRange: DateRange,
        entrances: Int = 0,
        pageViews: Int = 0,
        engagedEntrances: Int = 0,
        bounceRate: Double = 0,
        conversions: Int = 0,
        revenue: Double = 0,
        microconversions: Int = 0
    ) {
        self.dateRange = dateRange
        self.entrances = entrances
        self.pageViews = pageViews
        self.engagedEntrances = engagedEntrances
        self.bounceRate = bounceRate
        self.conversions = conversions
        self.revenue = revenue
        self.microconversions = microconversions
    }
}

/// One row of a list endpoint (`/stats/pages`, `/stats/sources`...): the dimension value and its metrics.
///
/// On the wire `key` is named after the dimension (`page_path`, `utm_source`, `utm_medium`, `utm_campaign`,
/// `country`, `device_type`, `channel`, `conversion_type`). `/stats/conversions` rows carry only `key`,
/// `conversions` and `revenue` (on the wire as published: `count`, `revenue`, `avg_value`); their other fields are
/// 0 here and absent on the wire. `microconversions` is `/stats/channels`' only (0 for the others).
public struct AnalyticsRow: Sendable, Equatable {
    public var key: String
    public var entrances: Int
    public var engagedEntrances: Int
    public var pageViews: Int
    public var conversions: Int
    /// Two decimals.
    public var revenue: Double
    /// Percent of entrances that were not engaged, one decimal.
    public var bounceRate: Double
    public var microconversions: Int

    public init(
        key: String,
        entrances: Int = 0,
        engagedEntrances: Int = 0,
        pageViews: Int = 0,
        conversions: Int = 0,
        revenue: Double = 0,
        bounceRate: Double = 0,
        microconversions: Int = 0
    ) {
        self.key = key
        self.entrances = entrances
        self.engagedEntrances = engagedEntrances
        self.pageViews = pageViews
        self.conversions = conversions
        self.revenue = revenue
        self.bounceRate = bounceRate
        self.microconversions = microconversions
    }
}

/// The simulated web-analytics data of the Batch API (Sealmetrics): pure functions of
/// (account, start, end), so tests can compute what the sandbox serves.
///
/// An account has a stable size and stable rates (pages per entrance, engagement, conversion, order
/// value) from a hash of its id exactly as sent; totals are the daily size times the number of days in
/// the range, within ±10 % for the range, and the rates move a few percent between ranges. Breakdowns
/// split the overview: the entrances of all rows of pages, sources, mediums, countries, devices and
/// channels sum to the overview's entrances (campaigns cover only the campaign-tagged part), and the
/// conversions and revenue of all `/stats/conversions` rows sum to the overview's. Rows with nothing to
/// report (0 entrances; 0 conversions for conversion types) are left out.
public enum AnalyticsData {
    /// Totals for `account` from `start` through `end` (`YYYY-MM-DD`, both included). A range that is
    /// not two real dates in order gives zeros.
    public static func overview(account: String, start: String, end: String) -> AnalyticsOverview {
        let range = AnalyticsOverview.DateRange(start: start, end: end)
        guard let rates = Rates(account: account, start: start, end: end) else {
            return AnalyticsOverview(dateRange: range)
        }
        return AnalyticsOverview(
            dateRange: range,
            entrances: rates.entrances,
            pageViews: rates.pageViews(rates.entrances),
            engagedEntrances: rates.engaged(rates.entrances),
            bounceRate: Self.bounceRate(entrances: rates.entrances, engaged: rates.engaged(rates.entrances)),
            conversions: rates.conversions(rates.entrances),
            revenue: Double(rates.revenueCents(conversions: rates.conversions(rates.entrances))) / 100,
            microconversions: Int((Double(rates.entrances) * rates.microconversionRate).rounded())
        )
    }

    /// The rows of a list endpoint (`"/stats/pages"`, `"/stats/sources"`, `"/stats/mediums"`,
    /// `"/stats/campaigns"`, `"/stats/countries"`, `"/stats/devices"`, `"/stats/channels"`,
    /// `"/stats/conversions"`): at most `pageSize`, by entrances descending (conversions descending for
    /// `/stats/conversions`), then key ascending. Empty for any other endpoint.
    public static func rows(endpoint: String, account: String, start: String, end: String, pageSize: Int)
        -> [AnalyticsRow]
    {
        Array(rows(endpoint: endpoint, account: account, start: start, end: end).prefix(max(0, pageSize)))
    }

    /// Every row of a list endpoint, in the order of ``rows(endpoint:account:start:end:pageSize:)``: what its pages
    /// hold one after the other. Some accounts have more than 100 pages (up to about 200).
    public static func rows(endpoint: String, account: String, start: String, end: String) -> [AnalyticsRow] {
        guard let dimension = AnalyticsDimension(endpoint: endpoint),
            let rates = Rates(account: account, start: start, end: end)
        else { return [] }
        let candidates = dimension.candidates(account: account)
        let weights = candidates.map { key, base in
            base * (0.75 + 0.5 * SimulatedValues.unit("analytics.share", dimension.rawValue, account, key, start, end))
        }

        var rows: [AnalyticsRow]
        if dimension == .conversions {
            let total = rates.conversions(rates.entrances)
            let counts = Self.apportion(total, weights: weights)
            let values = candidates.map { key, _ in AnalyticsDimension.conversionValue(key) }
            let revenue = Self.apportion(
                rates.revenueCents(conversions: total),
                weights: zip(counts, values).map { Double($0) * $1 }
            )
            rows = candidates.indices.map { index in
                AnalyticsRow(
                    key: candidates[index].key, conversions: counts[index], revenue: Double(revenue[index]) / 100)
            }
            rows = rows.filter { $0.conversions > 0 }
            rows.sort { $0.conversions != $1.conversions ? $0.conversions > $1.conversions : $0.key < $1.key }
        } else {
            var total = rates.entrances
            if dimension == .campaigns {
                total = Int(
                    (Double(total) * (0.08 + 0.3 * SimulatedValues.unit("analytics.tagged", account))).rounded())
            }
            let entrances = Self.apportion(total, weights: weights)
            rows = candidates.indices.map { index in
                let key = candidates[index].key
                let factor = { (kind: String, low: Double, span: Double) in
                    low + span * SimulatedValues.unit("analytics.row." + kind, dimension.rawValue, account, key)
                }
                let count = entrances[index]
                let engaged = min(count, Int((Double(rates.engaged(count)) * factor("engaged", 0.8, 0.4)).rounded()))
                let conversions = Int((Double(rates.conversions(count)) * factor("conversions", 0.5, 1)).rounded())
                let revenue = Int(
                    (Double(rates.revenueCents(conversions: conversions)) * factor("value", 0.8, 0.4)).rounded())
                return AnalyticsRow(
                    key: key,
                    entrances: count,
                    engagedEntrances: engaged,
                    pageViews: max(count, Int((Double(rates.pageViews(count)) * factor("views", 0.85, 0.3)).rounded())),
                    conversions: conversions,
                    revenue: Double(revenue) / 100,
                    bounceRate: Self.bounceRate(entrances: count, engaged: engaged),
                    microconversions: dimension == .channels
                        ? Int(
                            (Double(count) * rates.microconversionRate * factor("microconversions", 0.7, 0.6))
                                .rounded()) : 0
                )
            }
            rows = rows.filter { $0.entrances > 0 }
            rows.sort { $0.entrances != $1.entrances ? $0.entrances > $1.entrances : $0.key < $1.key }
        }
        return rows
    }

    // MARK: - Building blocks

    /// `100 × (entrances − engaged) / entrances` with one decimal; 0 without entrances.
    static func bounceRate(entrances: Int, engaged: Int) -> Double {
        guard entrances > 0 else { return 0 }
        return (1000 * Double(entrances - engaged) / Double(entrances)).rounded() / 10
    }

    /// Splits `total` into whole parts proportional to `weights` (largest remainder; ties to the earlier
    /// index), so the parts sum to `total` exactly.
    static func apportion(_ total: Int, weights: [Double]) -> [Int] {
        let sum = weights.reduce(0, +)
        guard total > 0, sum > 0 else { return weights.map { _ in 0 } }
        let exact = weights.map { Double(total) * $0 / sum }
        var parts = exact.map { Int($0.rounded(.down)) }
        let remainder = total - parts.reduce(0, +)
        let order = exact.indices.sorted { a, b in
            let fa = exact[a] - Double(parts[a])
            let fb = exact[b] - Double(parts[b])
            return fa != fb ? fa > fb : a < b
        }
        for index in order.prefix(max(0, remainder)) {
            parts[index] += 1
        }
        return parts
    }

    /// An account's volume and rates over one range.
    struct Rates {
        var entrances: Int
        var pagesPerEntrance: Double
        var engagement: Double
        var conversionRate: Double
        var orderValue: Double
        var microconversionRate: Double

        init?(account: String, start: String, end: String) {
            guard let first = CalendarDate(start), let last = CalendarDate(end), first <= last else { return nil }
            let days = Double(last.daysSinceEpoch - first.daysSinceEpoch + 1)
            let unit = { (kind: String) in SimulatedValues.unit("analytics", kind, account) }
            /// Within `1 ± amplitude`, one value per (kind, account, range).
            let drift = { (kind: String, amplitude: Double) in
                1 + amplitude * (2 * SimulatedValues.unit("analytics.range", kind, account, start, end) - 1)
            }
            // 20 to about 30 000 entrances a day, most accounts small.
            let daily = pow(10, 1.3 + 3.2 * pow(unit("size"), 1.3))
            entrances = Int((daily * days * drift("entrances", 0.1)).rounded())
            pagesPerEntrance = (1.3 + 2.2 * unit("pages_per_entrance")) * drift("pages_per_entrance", 0.05)
            engagement = min(0.95, (0.35 + 0.4 * unit("engagement")) * drift("engagement", 0.05))
            conversionRate = (0.004 + 0.035 * pow(unit("conversion_rate"), 1.5)) * drift("conversion_rate", 0.1)
            orderValue = (15 + 185 * unit("order_value")) * drift("order_value", 0.08)
            microconversionRate = (0.05 + 0.25 * unit("microconversion_rate")) * drift("microconversions", 0.1)
        }

        func pageViews(_ entrances: Int) -> Int {
            max(entrances, Int((Double(entrances) * pagesPerEntrance).rounded()))
        }

        func engaged(_ entrances: Int) -> Int {
            Int((Double(entrances) * engagement).rounded())
        }

        func conversions(_ entrances: Int) -> Int {
            Int((Double(entrances) * conversionRate).rounded())
        }

        func revenueCents(conversions: Int) -> Int {
            Int((Double(conversions) * orderValue * 100).rounded())
        }
    }
}
