import SeopipeCore

/// The views for BI: one vocabulary across providers (migrations/*/0007_bi_views.sql). They join several providers'
/// tables, so they belong to the providers together rather than to one of them.
enum BIViews {
    /// The columns of page_backlinks_daily and page_backlinks_asof.
    static let pageColumns = [
        "url": "The page URL.",
        "url_rating": "Ahrefs URL Rating of the page, 0-100.",
        "dataforseo_rank": "DataForSEO rank of the page, 0-1000.",
        "backlinks": "Backlinks to the page.",
        "referring_domains": "Domains linking to the page.",
        "organic_traffic": "Estimated monthly organic search visits to the page (Ahrefs only).",
        "organic_keywords": "Organic keywords the page ranks for (Ahrefs only).",
    ]

    /// The columns of keyword_metrics_daily and keyword_metrics_asof.
    static let keywordColumns = [
        "keyword": "The keyword, trimmed and lower-cased.",
        "country": "Two-letter country code of the search market.",
        "search_volume": "Average monthly searches.",
        "keyword_difficulty": "How hard it is to rank in the top 10, 0-100.",
        "cpc_usd": "Average cost per click in paid search, US dollars.",
        "traffic_potential": "Organic visits the top page for the keyword gets from all its keywords.",
    ]

    static let dictionary = DataDictionary.Section(
        heading: "Views for BI (one vocabulary across providers)",
        entries: [
            .view(
                "domain_metrics_daily",
                "One row per provider, domain and snapshot date: the domain's strength, backlinks, referring domains and organic search numbers in one vocabulary. A provider that does not report a metric leaves it empty.",
                columns: [
                    "domain": "The domain the numbers are about (lower-case host).",
                    "backlinks": "Backlinks to the domain (Ahrefs: live backlinks; DataForSEO: backlinks).",
                    "referring_domains":
                        "Referring domains of the domain (Ahrefs v3: live; Ahrefs v2: all known; DataForSEO: all known).",
                    "organic_traffic": "Estimated monthly organic search visits (Ahrefs only).",
                    "organic_keywords": "Organic keywords the domain ranks for (Ahrefs only).",
                ]),
            .view(
                "latest_domain_metrics",
                "domain_metrics_daily at each provider's newest snapshot of each domain: the current picture for a dashboard tile.",
                columns: ["snapshot_date": "The newest date this provider has numbers for this domain."]),
            .view(
                "domain_metrics_changes",
                "domain_metrics_daily with day-over-day (_dod: minus the day before) and week-over-week (_wow: minus 7 days before) changes. A change is empty when the earlier date was not loaded.",
                columns: [
                    "domain_rating_dod": "Domain Rating minus the day before's.",
                    "domain_rating_wow": "Domain Rating minus 7 days before's.",
                    "backlinks_dod": "Backlinks minus the day before's.",
                    "backlinks_wow": "Backlinks minus 7 days before's.",
                    "referring_domains_dod": "Referring domains minus the day before's.",
                    "referring_domains_wow": "Referring domains minus 7 days before's.",
                    "organic_traffic_dod": "Organic traffic minus the day before's.",
                    "organic_traffic_wow": "Organic traffic minus 7 days before's.",
                    "organic_keywords_dod": "Organic keywords minus the day before's.",
                    "organic_keywords_wow": "Organic keywords minus 7 days before's.",
                ]),
            .view(
                "referring_domains_daily",
                "One row per domain, referring domain and snapshot date: who links to the domain, how strongly.",
                columns: [
                    "domain": "The domain (or URL without scheme) whose referring domains these are.",
                    "refdomain": "A domain with at least one link to it.",
                    "domain_rating": "Domain Rating of the referring domain, 0-100.",
                    "backlinks": "Backlinks from the referring domain to the domain.",
                    "refpages": "Pages on the referring domain that link to the domain.",
                    "last_visited": "When the crawler last visited those backlinks (UTC).",
                ]),
            .view(
                "page_backlinks_daily",
                "One row per provider, page URL and snapshot date: the page's strength, backlinks and organic search numbers.",
                columns: pageColumns),
            .view(
                "keyword_metrics_daily",
                "One row per provider, keyword, country and snapshot date: demand and difficulty of a keyword.",
                columns: keywordColumns),
            .view(
                "site_traffic_daily",
                "Own site traffic per account and day, from the analytics overview of single-day periods (e.g. `yesterday`); when a day was loaded by several runs, the newest snapshot wins.",
                columns: [
                    "day": "The day the traffic happened.",
                    "site_domain":
                        "The site's domain, from the analytics stage's `site_domain` param (empty when not set).",
                    "snapshot_date": "The snapshot that loaded this day's numbers.",
                ]),
            .view(
                "site_traffic_with_backlinks",
                "Own traffic next to the site's backlink metrics for the same domain and date: does link growth show in visits? Needs `site_domain` on the analytics stage; metrics are those of the snapshot taken that day.",
                columns: [
                    "day": "The day the traffic happened (and the snapshot date of the backlink metrics).",
                    "domain": "The site's domain.",
                    "ahrefs_backlinks": "Ahrefs live backlinks of the domain that day.",
                    "ahrefs_referring_domains": "Ahrefs live referring domains of the domain that day.",
                    "ahrefs_organic_traffic": "Ahrefs estimate of monthly organic visits that day.",
                    "dataforseo_backlinks": "DataForSEO backlinks of the domain that day.",
                    "dataforseo_referring_domains": "DataForSEO referring domains of the domain that day.",
                ]),
            .view(
                "domain_metrics_asof",
                "domain_metrics_daily as known on every snapshot date: for each date, each domain's latest numbers bought on or before it. A stage with a `refresh:` policy buys a target only every few days; a dashboard reading this view keeps a value on the nights between.",
                columns: [
                    "domain": "The domain the numbers are about (lower-case host).",
                    "backlinks": "Backlinks to the domain (Ahrefs: live backlinks; DataForSEO: backlinks).",
                    "referring_domains": "Referring domains of the domain.",
                    "organic_traffic": "Estimated monthly organic search visits (Ahrefs only).",
                    "organic_keywords": "Organic keywords the domain ranks for (Ahrefs only).",
                ]),
            .view(
                "page_backlinks_asof",
                "page_backlinks_daily as known on every snapshot date: each page's latest numbers bought on or before it.",
                columns: pageColumns),
            .view(
                "keyword_metrics_asof",
                "keyword_metrics_daily as known on every snapshot date: each keyword's latest numbers bought on or before it.",
                columns: keywordColumns),
        ],
        vocabulary: [
            "provider": "Which data provider the numbers come from: ahrefs (API v3), ahrefs-v2 or dataforseo.",
            "as_of_date":
                "The date the row answers for: every snapshot date a run was made for (seopipe_snapshot_dates).",
            "fetched_date":
                "The snapshot date these numbers were bought for: as_of_date itself, or the latest purchase before it.",
            "carried_forward":
                "1 when the numbers were bought on an earlier date (fetched_date before as_of_date) and carried forward, else 0.",
        ])
}
