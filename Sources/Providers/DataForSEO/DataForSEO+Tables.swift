import SeopipeCore

extension DataForSEOProvider {
    /// The tables its endpoints load, target and stamp columns first (migrations/*/0003_dataforseo.sql).
    enum Tables {
        static let stamp = ["snapshot_date", "fetched_at", "run_id"]

        static let pageSummary = TableSpec(
            "dataforseo_page_summary",
            columns: ["url", "url_original"] + stamp + [
                "rank", "main_domain_rank", "backlinks", "first_seen", "lost_date", "backlinks_spam_score",
                "broken_backlinks", "broken_pages", "referring_domains", "referring_domains_nofollow",
                "referring_main_domains", "referring_main_domains_nofollow", "referring_ips", "referring_subnets",
                "referring_pages", "referring_pages_nofollow", "rank_scale",
            ],
            key: ["url", "snapshot_date"])
        /// The count maps of a page summary, one row per key; a page's rows are replaced as a whole.
        static let pageSummaryBreakdown = TableSpec(
            "dataforseo_page_summary_breakdown",
            columns: ["url", "snapshot_date", "dimension", "key", "count", "fetched_at", "run_id"],
            key: ["url", "snapshot_date", "dimension", "key"])
        static let bulkRanks = bulk("dataforseo_bulk_ranks", ["rank", "rank_scale"])
        static let bulkBacklinks = bulk("dataforseo_bulk_backlinks", ["backlinks"])
        static let bulkReferringDomains = bulk(
            "dataforseo_bulk_referring_domains",
            [
                "referring_domains", "referring_main_domains", "referring_domains_nofollow",
                "referring_main_domains_nofollow",
            ])
        static let bulkSpamScore = bulk("dataforseo_bulk_spam_score", ["spam_score"])
        static let bulkNewLostBacklinks = bulk(
            "dataforseo_bulk_new_lost_backlinks", ["date_from", "new_backlinks", "lost_backlinks"])
        static let bulkNewLostReferringDomains = bulk(
            "dataforseo_bulk_new_lost_referring_domains",
            [
                "date_from", "new_referring_domains", "lost_referring_domains", "new_referring_main_domains",
                "lost_referring_main_domains",
            ])

        /// A sibling bulk endpoint's table: the target, the stamp, then its value columns.
        static func bulk(_ name: String, _ values: [String]) -> TableSpec {
            TableSpec(name, columns: ["target", "target_original"] + stamp + values, key: ["target", "snapshot_date"])
        }
    }

    public var dictionary: DataDictionary.Section {
        DataDictionary.Section(
            heading: "DataForSEO tables",
            entries: [
                .table(
                    Tables.pageSummary,
                    "DataForSEO backlinks/bulk_pages_summary/live: backlink profile per page or domain and date (current index: no history for past dates).",
                    columns: [
                        "url": "A page URL, or a domain/subdomain without scheme and www.",
                        "rank": "DataForSEO rank of the page or domain, 0-1000.",
                        "main_domain_rank": "DataForSEO rank of its main domain, 0-1000.",
                        "lost_date": "When the last backlink was lost (UTC).",
                        "broken_backlinks": "Backlinks pointing at pages that answer 4xx or 5xx.",
                        "broken_pages": "Pages of the target that answer 4xx or 5xx and have backlinks.",
                        "referring_domains_nofollow": "Referring domains whose every link is nofollow.",
                        "referring_main_domains": "Distinct main (registered) domains linking.",
                        "referring_main_domains_nofollow": "Main domains whose every link is nofollow.",
                        "referring_ips": "Distinct IP addresses linking.",
                        "referring_subnets": "Distinct subnets linking.",
                        "referring_pages": "Pages linking.",
                        "referring_pages_nofollow": "Pages whose every link is nofollow.",
                        "rank_scale":
                            "The scale of rank and main_domain_rank: one_thousand (0-1000, the API's default) or one_hundred (0-100).",
                    ]),
                .table(
                    Tables.pageSummaryBreakdown,
                    "The count maps of dataforseo_page_summary in long form: one row per page, date, dimension and key.",
                    columns: [
                        "url": "The page or domain (dataforseo_page_summary.url).",
                        "dimension":
                            "Which breakdown: referring_links_tld, _types, _attributes, _platform_types, _semantic_locations or _countries.",
                        "key":
                            "The bucket, e.g. com, anchor, nofollow, cms, article, US (empty as the API returns it).",
                        "count": "Referring links in the bucket.",
                    ]),
                .table(
                    Tables.bulkRanks, "DataForSEO backlinks/bulk_ranks/live: rank per target and date.",
                    columns: [
                        "rank": "DataForSEO rank of the target on rank_scale.",
                        "rank_scale": "one_thousand (0-1000) or one_hundred (0-100).",
                    ]),
                .table(
                    Tables.bulkBacklinks, "DataForSEO backlinks/bulk_backlinks/live: backlinks per target and date."),
                .table(
                    Tables.bulkReferringDomains,
                    "DataForSEO backlinks/bulk_referring_domains/live: referring domains per target and date.",
                    columns: [
                        "referring_main_domains": "Distinct main (registered) domains linking.",
                        "referring_domains_nofollow": "Referring domains whose every link is nofollow.",
                        "referring_main_domains_nofollow": "Main domains whose every link is nofollow.",
                    ]),
                .table(
                    Tables.bulkSpamScore, "DataForSEO backlinks/bulk_spam_score/live: spam score per target and date."),
                .table(
                    Tables.bulkNewLostBacklinks,
                    "DataForSEO backlinks/bulk_new_lost_backlinks/live: backlinks won and lost per target since a date.",
                    columns: [
                        "date_from": "Counted since this date (empty: the API's default, a month back).",
                        "new_backlinks": "Backlinks found since date_from.",
                        "lost_backlinks": "Backlinks lost since date_from.",
                    ]),
                .table(
                    Tables.bulkNewLostReferringDomains,
                    "DataForSEO backlinks/bulk_new_lost_referring_domains/live: referring domains won and lost per target since a date.",
                    columns: [
                        "date_from": "Counted since this date (empty: the API's default, a month back).",
                        "new_referring_domains": "Referring domains that first linked since date_from.",
                        "lost_referring_domains": "Referring domains lost since date_from.",
                        "new_referring_main_domains": "Main domains that first linked since date_from.",
                        "lost_referring_main_domains": "Main domains lost since date_from.",
                    ]),
            ],
            vocabulary: [
                "dataforseo_rank":
                    "DataForSEO rank, 0-1000: its PageRank-like strength score (higher is stronger).",
                "spam_score": "DataForSEO spam score of the target, 0-100 (higher is spammier).",
                "backlinks_spam_score": "Average DataForSEO spam score of the backlinks, 0-100.",
            ])
    }
}

extension DataForSEOProvider.Endpoint {
    /// The table the endpoint loads.
    var table: TableSpec {
        typealias Tables = DataForSEOProvider.Tables
        return switch self {
        case .pagesSummary: Tables.pageSummary
        case .ranks: Tables.bulkRanks
        case .backlinks: Tables.bulkBacklinks
        case .referringDomains: Tables.bulkReferringDomains
        case .spamScore: Tables.bulkSpamScore
        case .newLostBacklinks: Tables.bulkNewLostBacklinks
        case .newLostReferringDomains: Tables.bulkNewLostReferringDomains
        }
    }
}
