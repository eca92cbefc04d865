import SeopipeCore

extension AhrefsV3Provider {
    /// The tables its endpoints load, keys first, every documented field typed (migrations/*/0002_ahrefs_v3.sql).
    enum Tables {
        static let stamp = ["snapshot_date", "fetched_at", "run_id"]

        static let domainMetrics = TableSpec(
            "ahrefs_domain_metrics",
            columns: ["target", "target_original"] + stamp + ["org_keywords", "org_traffic", "domain_rating"],
            key: ["target", "snapshot_date"])
        static let backlinksStats = TableSpec(
            "ahrefs_backlinks_stats", columns: ["target", "target_original"] + stamp + ["live", "live_refdomains"],
            key: ["target", "snapshot_date"])
        static let domainRating = TableSpec(
            "ahrefs_domain_rating", columns: ["target", "target_original"] + stamp + ["domain_rating", "ahrefs_rank"],
            key: ["target", "snapshot_date"])
        static let keywordOverview = TableSpec(
            "ahrefs_keyword_overview",
            columns: ["keyword", "keyword_original", "country"] + stamp
                + ["volume", "keyword_difficulty", "cpc", "traffic_potential"],
            key: ["keyword", "country", "snapshot_date"])
        static let urlMetrics = TableSpec(
            "ahrefs_url_metrics",
            columns: ["url", "url_original"] + stamp
                + ["url_rating", "backlinks", "referring_domains", "keywords", "traffic"],
            key: ["url", "snapshot_date"])
    }

    public var dictionary: DataDictionary.Section {
        DataDictionary.Section(
            heading: "Ahrefs API v3 tables",
            entries: [
                .table(
                    Tables.domainMetrics,
                    "Ahrefs site-explorer/batch/metrics: organic search numbers and Domain Rating per domain and date.",
                    columns: [
                        "org_keywords": "Keywords the domain ranks for in organic search.",
                        "org_traffic": "Estimated monthly organic search visits.",
                    ]),
                .table(
                    Tables.backlinksStats,
                    "Ahrefs site-explorer/batch/backlinks-stats: live backlinks and referring domains per domain and date.",
                    columns: [
                        "live": "Live backlinks (links found on the last crawl).",
                        "live_refdomains": "Live referring domains.",
                    ]),
                .table(
                    Tables.domainRating,
                    "Ahrefs site-explorer/batch/domain-rating: Domain Rating and Ahrefs Rank per domain and date."),
                .table(
                    Tables.keywordOverview,
                    "Ahrefs keywords-explorer/batch/overview: search volume, difficulty and CPC per keyword, country and date. This endpoint has no date parameter: it always returns current numbers.",
                    columns: [
                        "keyword": "The keyword, trimmed and lower-cased.",
                        "keyword_original": "The keyword as written in the pipeline file.",
                        "country": "Two-letter country code of the search market.",
                        "volume": "Average monthly searches.",
                        "keyword_difficulty": "How hard it is to rank in the top 10, 0-100.",
                        "cpc": "Average cost per click in paid search, US dollars.",
                        "traffic_potential": "Organic visits the top page for the keyword gets from all its keywords.",
                    ]),
                .table(
                    Tables.urlMetrics,
                    "Ahrefs site-explorer/batch/url-metrics: strength, backlinks and organic search numbers per page and date.",
                    columns: [
                        "url_rating": "Ahrefs URL Rating of the page, 0-100.",
                        "backlinks": "Backlinks to the page.",
                        "referring_domains": "Domains linking to the page.",
                        "keywords": "Organic keywords the page ranks for.",
                        "traffic": "Estimated monthly organic search visits to the page.",
                    ]),
            ],
            vocabulary: [
                "domain_rating":
                    "Ahrefs Domain Rating, 0-100: strength of the backlink profile (higher is stronger).",
                "ahrefs_rank": "Ahrefs Rank: global position by backlink profile (1 is the strongest).",
            ])
    }
}

extension AhrefsV3Provider.Endpoint {
    /// The table the endpoint loads.
    var table: TableSpec {
        typealias Tables = AhrefsV3Provider.Tables
        return switch self {
        case .metrics: Tables.domainMetrics
        case .backlinksStats: Tables.backlinksStats
        case .domainRating: Tables.domainRating
        case .keywordsOverview: Tables.keywordOverview
        case .urlMetrics: Tables.urlMetrics
        }
    }
}
