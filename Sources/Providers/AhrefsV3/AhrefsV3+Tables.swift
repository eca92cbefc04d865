import SeopipeCore

extension AhrefsV3Provider {
    /// The tables its endpoints load, keys first, every documented field typed (migrations/*/0002_ahrefs_v3.sql,
    /// 0008_ahrefs_v3_published.sql). A dated endpoint and its history endpoint load the same table; each loads
    /// only the columns its answer has (a re-load of a key updates those columns and leaves the others).
    enum Tables {
        static let key = ["target", "target_original"]
        static let stamp = ["snapshot_date", "fetched_at", "run_id"]
        static let scope = ["mode", "protocol"]

        static let domainMetrics = TableSpec(
            "ahrefs_domain_metrics",
            columns: key + stamp + ["org_keywords", "org_traffic", "domain_rating"],
            key: ["target", "snapshot_date"])
        static let siteMetrics = TableSpec(
            domainMetrics.name,
            columns: key + stamp + scope + ["country"] + AhrefsV3Provider.siteMetricsFields.map(\.name),
            key: domainMetrics.keyColumns)
        static let metricsHistory = TableSpec(
            domainMetrics.name,
            columns: key + stamp + scope + ["country"] + AhrefsV3Provider.metricsHistoryFields.map(\.name),
            key: domainMetrics.keyColumns)
        static let backlinksStats = TableSpec(
            "ahrefs_backlinks_stats", columns: key + stamp + ["live", "live_refdomains"],
            key: ["target", "snapshot_date"])
        static let backlinksStatsDated = TableSpec(
            backlinksStats.name,
            columns: key + stamp + scope + AhrefsV3Provider.backlinksStatsFields.map(\.name),
            key: backlinksStats.keyColumns)
        static let refdomainsHistory = TableSpec(
            backlinksStats.name, columns: key + stamp + scope + ["live_refdomains"], key: backlinksStats.keyColumns)
        static let domainRating = TableSpec(
            "ahrefs_domain_rating", columns: key + stamp + ["domain_rating", "ahrefs_rank"],
            key: ["target", "snapshot_date"])
        static let domainRatingHistory = TableSpec(
            domainRating.name, columns: key + stamp + ["domain_rating"], key: domainRating.keyColumns)
        static let keywordOverview = TableSpec(
            "ahrefs_keyword_overview",
            columns: ["keyword", "keyword_original", "country"] + stamp
                + ["volume", "keyword_difficulty", "cpc", "traffic_potential"],
            key: ["keyword", "country", "snapshot_date"])
        static let keywordsExplorer = TableSpec(
            keywordOverview.name,
            columns: ["keyword", "keyword_original", "country"] + stamp
                + AhrefsV3Provider.keywordFields.map { $0.name == "difficulty" ? "keyword_difficulty" : $0.name },
            key: keywordOverview.keyColumns)
        static let urlMetrics = TableSpec(
            "ahrefs_url_metrics",
            columns: ["url", "url_original"] + stamp
                + ["url_rating", "backlinks", "referring_domains", "keywords", "traffic"],
            key: ["url", "snapshot_date"])
        static let batchAnalysis = TableSpec(
            "ahrefs_batch_analysis",
            columns: key + stamp + scope + ["country"] + AhrefsV3Provider.batchAnalysisFields.map(\.name),
            key: ["target", "snapshot_date"])
    }

    /// What the published endpoints' `mode` column means (Ahrefs v2 gives the same word its own meaning).
    static let modeText =
        "Ahrefs target mode: exact (the URL), prefix (URLs under it), domain (the host only) or subdomains (the host and its subdomains)."

    public var dictionary: DataDictionary.Section {
        DataDictionary.Section(
            heading: "Ahrefs API v3 tables",
            entries: [
                .table(
                    Tables.batchAnalysis,
                    "Ahrefs batch-analysis/batch-analysis: strength, link and search numbers of up to 100 domains or URLs a request, per target and date. The endpoint takes no date: it always answers with current numbers. Columns the stage did not `select` stay empty.",
                    columns: [
                        "target":
                            "The domain or URL as sent (domains lower-case; URLs with scheme and host lower-case).",
                        "mode": Self.modeText,
                        "url_rating": "Ahrefs URL Rating of the target URL, 0-100.",
                        "backlinks": "Backlinks to the target.",
                        "backlinks_dofollow": "Backlinks without a nofollow attribute.",
                        "backlinks_nofollow": "Backlinks with a nofollow attribute.",
                        "backlinks_internal": "Links to the target from its own site.",
                        "backlinks_redirect": "Backlinks that reach the target through a redirect.",
                        "refdomains": "Domains with at least one backlink to the target.",
                        "refdomains_dofollow": "Referring domains with at least one dofollow backlink.",
                        "refdomains_nofollow": "Referring domains whose backlinks are all nofollow.",
                        "refips": "IP addresses of the referring domains.",
                        "refips_subnets": "C-class subnets of the referring IP addresses.",
                        "linked_domains": "Domains the target links to.",
                        "linked_domains_dofollow": "Domains the target links to with dofollow links.",
                        "outgoing_links": "Links from the target to other sites.",
                        "outgoing_links_dofollow": "Dofollow links from the target to other sites.",
                        "org_keywords_4_10": "Organic keywords the target ranks 4-10 for.",
                        "org_keywords_11_20": "Organic keywords the target ranks 11-20 for.",
                        "org_keywords_21_50": "Organic keywords the target ranks 21-50 for.",
                        "org_keywords_51_plus": "Organic keywords the target ranks 51 or lower for.",
                        "org_traffic_top_by_country":
                            "The country sending most organic traffic, as JSON [[country, visits]].",
                        "paid_ads": "Paid search ads of the target.",
                        "ip": "IP address of the target's host.",
                    ]),
                .table(
                    Tables.siteMetrics,
                    "Ahrefs site-explorer/metrics (one target a request, any past date) and site-explorer/metrics-history (a range of dates a request): organic and paid search numbers per target and date. Rows from the reference's site-explorer/batch/metrics fill org_keywords, org_traffic and domain_rating; rows from metrics-history fill the traffic and cost columns only.",
                    columns: [
                        "target": "The domain or URL as sent.",
                        "mode": Self.modeText,
                        "domain_rating":
                            "Ahrefs Domain Rating, 0-100 (reference batch endpoint only; the published endpoints load it into ahrefs_domain_rating).",
                    ]),
                .table(
                    Tables.backlinksStatsDated,
                    "Ahrefs site-explorer/backlinks-stats (one target a request, any past date) and site-explorer/refdomains-history (live referring domains for a range of dates a request): backlinks and referring domains per target and date. The reference's site-explorer/batch/backlinks-stats fills live and live_refdomains.",
                    columns: [
                        "target": "The domain or URL as sent.",
                        "mode": Self.modeText,
                        "live": "Live backlinks (links found on the last crawl).",
                        "all_time": "Backlinks ever found, live or lost.",
                        "live_refdomains": "Live referring domains.",
                        "all_time_refdomains": "Referring domains ever found, live or lost.",
                    ]),
                .table(
                    Tables.domainRating,
                    "Ahrefs site-explorer/domain-rating (one domain a request, any past date) and site-explorer/domain-rating-history (a range of dates a request; no Ahrefs Rank): Domain Rating and Ahrefs Rank per domain and date. Also the reference's site-explorer/batch/domain-rating."
                ),
                .table(
                    Tables.keywordsExplorer,
                    "Ahrefs keywords-explorer/overview (published; up to 1000 keywords a request) and the reference's keywords-explorer/batch/overview: search volume, difficulty, CPC and more per keyword, country and date. The endpoints take no date: they always return current numbers. Columns the stage did not `select` stay empty.",
                    columns: [
                        "keyword": "The keyword, trimmed and lower-cased.",
                        "keyword_original": "The keyword as written in the pipeline file.",
                        "country": "Two-letter country code of the search market.",
                        "volume": "Average monthly searches.",
                        "keyword_difficulty": "How hard it is to rank in the top 10, 0-100 (Ahrefs' `difficulty`).",
                        "cpc": "Average cost per click in paid search, US dollars (Ahrefs answers in cents).",
                        "traffic_potential": "Organic visits the top page for the keyword gets from all its keywords.",
                        "global_volume": "Average monthly searches in all countries.",
                        "volume_monthly": "Searches in the latest month.",
                        "parent_topic": "The broader keyword whose top page also ranks for this one.",
                        "parent_volume": "Average monthly searches of the parent topic.",
                        "intents":
                            "Search intents as JSON: informational, navigational, commercial, transactional, branded, local (true/false).",
                        "clicks": "Average monthly clicks on search results.",
                        "cps": "Clicks per search.",
                        "serp_features": "Search result features shown for the keyword, as a JSON list.",
                        "serp_last_update": "When Ahrefs last checked the search results (ISO 8601).",
                        "first_seen": "When Ahrefs first saw the keyword (ISO 8601).",
                        "volume_desktop_pct": "Share of searches from desktop, percent.",
                        "volume_mobile_pct": "Share of searches from mobile, percent.",
                        "searches_pct_clicks_organic_only":
                            "Share of searches with clicks on organic results only, percent.",
                        "searches_pct_clicks_paid_only": "Share of searches with clicks on ads only, percent.",
                        "searches_pct_clicks_organic_and_paid": "Share of searches with clicks on both, percent.",
                    ]),
                .table(
                    Tables.urlMetrics,
                    "Ahrefs site-explorer/batch/url-metrics (reference document only; the published API answers URLs through batch-analysis with mode exact): strength, backlinks and organic search numbers per page and date.",
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
                "country": "Two-letter country code of the search market the numbers are for; empty for all countries.",
                "protocol": "Which schemes Ahrefs counted for the target: both, http or https.",
                "org_keywords": "Keywords the target ranks for in organic search.",
                "org_keywords_1_3": "Organic keywords the target ranks 1-3 for.",
                "org_traffic": "Estimated monthly organic search visits.",
                "org_cost":
                    "Estimated monthly value of the organic traffic, USD cents (what the same clicks would cost as ads).",
                "paid_keywords": "Keywords the target buys paid search ads for.",
                "paid_pages": "Pages of the target that paid search ads lead to.",
                "paid_traffic": "Estimated monthly visits from paid search.",
                "paid_cost": "Estimated monthly paid search spend, USD cents.",
            ])
    }
}

extension AhrefsV3Provider.Endpoint {
    /// The columns of the table the endpoint loads that its answers fill.
    var table: TableSpec {
        typealias Tables = AhrefsV3Provider.Tables
        return switch self {
        case .batchAnalysis: Tables.batchAnalysis
        case .domainRating, .batchDomainRating: Tables.domainRating
        case .domainRatingHistory: Tables.domainRatingHistory
        case .siteMetrics: Tables.siteMetrics
        case .metricsHistory: Tables.metricsHistory
        case .backlinksStats: Tables.backlinksStatsDated
        case .refdomainsHistory: Tables.refdomainsHistory
        case .keywordsOverview: Tables.keywordsExplorer
        case .batchMetrics: Tables.domainMetrics
        case .batchBacklinksStats: Tables.backlinksStats
        case .batchKeywordsOverview: Tables.keywordOverview
        case .batchURLMetrics: Tables.urlMetrics
        }
    }
}
