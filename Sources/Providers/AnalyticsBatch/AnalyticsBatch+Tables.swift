import SeopipeCore

extension AnalyticsBatchProvider {
    static let keyColumns = ["account_id", "period_start", "period_end", "snapshot_date"]
    static let stampColumns = ["period", "fetched_at", "run_id"]
    static let overviewMetrics = [
        "entrances", "page_views", "engaged_entrances", "bounce_rate", "conversions", "revenue", "microconversions",
    ]
    static let listMetrics = ["entrances", "engaged_entrances", "page_views", "conversions", "revenue", "bounce_rate"]
    /// Fields the published list rows carry that seopipe does not store: `/stats/countries`' name, `/stats/channels`'
    /// microconversions, `/stats/conversions`' `count` (stored as conversions) and average, the share of a device or
    /// system, the content group of a page.
    static let unstoredListFields: Set<String> = [
        "country_name", "microconversions", "count", "avg_value", "percentage", "content_grouping",
    ]
    /// The overview's members beside its metrics: its dates and the published `traffic` and `conversions` groups.
    static let unstoredOverviewFields: Set<String> = ["date_range", "traffic", "conversions"]

    public var dictionary: DataDictionary.Section {
        let lists = Query.allCases.compactMap { query in
            query.dimension.map { dimension in
                DataDictionary.Entry.table(
                    query.table,
                    "Web-analytics \(query.endpoint): own site numbers per \(query.meaning), account, period and snapshot date (every row, page by page; at most max_rows when the stage sets it).",
                    columns: [dimension: "The \(query.meaning)."])
            }
        }
        return DataDictionary.Section(
            heading: "Web-analytics tables",
            entries: [
                .table(
                    Query.overview.table,
                    "Web-analytics /stats/overview: own site totals per account, period and snapshot date.",
                    columns: [
                        "site_domain":
                            "The site's domain, from the stage's `site_domain` param (empty when not set): joins own traffic with backlink metrics."
                    ])
            ] + lists,
            vocabulary: [
                "account_id": "The site's identifier in the web-analytics product.",
                "period_start": "First day of the reporting period, inclusive.",
                "period_end": "Last day of the reporting period, inclusive.",
                "period":
                    "The period as written in the pipeline (yesterday, 7d, mtd, ... or a fixed range); period_start and period_end are the dates it meant on the snapshot date.",
                "entrances": "Visits that entered the site from outside.",
                "engaged_entrances": "Entrances that engaged with the site (did not bounce).",
                "page_views": "Pages viewed.",
                "bounce_rate": "Share of entrances that left without engaging, in percent.",
                "conversions": "Conversions recorded.",
                "revenue": "Revenue attributed, in the account's currency.",
                "microconversions": "Micro-conversions (small goals) recorded.",
            ])
    }
}

extension AnalyticsBatchProvider.Query {
    /// The table the query loads (migrations/*/0005_analytics.sql): the overview's totals, or a list's rows keyed
    /// by its dimension too.
    public var table: TableSpec {
        typealias Provider = AnalyticsBatchProvider
        let name = "analytics_\(rawValue)_daily"
        guard let dimension else {
            return TableSpec(
                name, columns: Provider.keyColumns + Provider.stampColumns + Provider.overviewMetrics + ["site_domain"],
                key: Provider.keyColumns)
        }
        return TableSpec(
            name, columns: Provider.keyColumns + [dimension] + Provider.stampColumns + Provider.listMetrics,
            key: Provider.keyColumns + [dimension])
    }

    /// What the query's rows are per, in the dictionary's words.
    var meaning: String {
        switch self {
        case .overview: "site"
        case .pages: "landing page path"
        case .sources: "traffic source (utm_source)"
        case .mediums: "medium (utm_medium)"
        case .campaigns: "campaign (utm_campaign)"
        case .countries: "visitor country"
        case .devices: "device type"
        case .channels: "marketing channel"
        case .conversions: "conversion type"
        }
    }
}
