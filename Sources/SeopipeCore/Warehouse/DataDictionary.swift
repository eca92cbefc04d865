/// What every table, view and column of the warehouse means, in words a BI user understands.
///
/// On every migrate seopipe writes it into `seopipe_tables` and `seopipe_columns` (with the types the warehouse
/// declares), and PostgreSQL also gets it as `COMMENT ON`, so BI tools show it next to the columns.
/// `seopipe schema --markdown` prints it; docs/warehouse.md is that output. A test fails when a table, view or
/// column has no description here, or a description names something the warehouse does not have.
public enum DataDictionary {
    public enum Kind: String, Sendable { case table, view }

    public struct Entry: Sendable {
        public var name: String
        public var kind: Kind
        /// BI section it is listed under in the docs.
        public var group: Group
        public var description: String
        /// Column descriptions that differ from ``DataDictionary/common``.
        public var columns: [String: String]
    }

    public enum Group: String, Sendable, CaseIterable {
        case views = "Views for BI (one vocabulary across providers)"
        case ahrefs = "Ahrefs API v3 tables"
        case ahrefsV2 = "Ahrefs API v2 tables"
        case dataForSEO = "DataForSEO tables"
        case analytics = "Web-analytics tables"
        case bookkeeping = "Bookkeeping (runs, chunks, errors, this dictionary)"
    }

    /// The description of `column` in `table`: the table's own, else the common one.
    public static func describe(column: String, in table: String) -> String? {
        entry(table)?.columns[column] ?? common[column]
    }

    public static func entry(_ table: String) -> Entry? { byName[table] }

    private static let byName = Dictionary(uniqueKeysWithValues: entries.map { ($0.name, $0) })

    /// Columns that mean the same wherever they appear.
    public static let common: [String: String] = [
        "snapshot_date":
            "The date the numbers are for (the run's snapshot date, UTC). One row per date: a re-run of a date replaces its rows, a new date adds history.",
        "fetched_at": "When seopipe received the provider's answer (UTC).",
        "run_id": "The seopipe run that loaded the row (seopipe_runs.run_id).",
        "target": "The domain (or URL) asked about, normalized: lower-case host, no scheme.",
        "target_original": "The target as written in the pipeline file.",
        "url": "The page URL asked about, scheme and host lower-cased, path kept.",
        "url_original": "The URL as written in the pipeline file.",
        "domain": "The domain: lower-case host without scheme or path.",
        "provider": "Which data provider the numbers come from: ahrefs (API v3), ahrefs-v2 or dataforseo.",
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
        "domain_rating": "Ahrefs Domain Rating, 0-100: strength of the backlink profile (higher is stronger).",
        "ahrefs_rank": "Ahrefs Rank: global position by backlink profile (1 is the strongest).",
        "dataforseo_rank": "DataForSEO rank, 0-1000: its PageRank-like strength score (higher is stronger).",
        "backlinks": "Backlinks (links from other pages) pointing at the target.",
        "referring_domains": "Distinct domains with at least one backlink to the target.",
        "organic_traffic": "Estimated monthly visits from organic search.",
        "organic_keywords": "Keywords the target ranks for in organic search.",
        "spam_score": "DataForSEO spam score of the target, 0-100 (higher is spammier).",
        "backlinks_spam_score": "Average DataForSEO spam score of the backlinks, 0-100.",
        "pipeline": "The pipeline's name (the file's `name:`).",
        "stage_id": "The stage's id in the pipeline file.",
        "request_hash": "Hash of the provider request without credentials: the chunk's identity for resume.",
        "status": "Outcome.",
        "error": "Error message, if any (never contains credentials).",
        "rows": "Fact rows loaded.",
        "requests": "HTTP requests sent to the provider (retries included).",
        "units": "Provider units charged (Ahrefs API units, analytics requests).",
        "cost_usd": "US dollars charged (DataForSEO).",
        "started_at": "Start time (UTC).",
        "finished_at": "End time (UTC); empty while running.",
        "targets": "Targets (domains, URLs, keywords, accounts) asked about.",
        "first_seen": "When the provider's crawler first found the backlinks (UTC).",
        "mode": "Ahrefs v2 target scope: exact (the URL), domain (the whole domain), subdomains or prefix.",
    ]

    public static let entries: [Entry] =
        views + ahrefsTables + ahrefsV2Tables + dataForSEOTables + analyticsTables
        + bookkeeping

    static let views: [Entry] = [
        Entry(
            name: "domain_metrics_daily", kind: .view, group: .views,
            description:
                "One row per provider, domain and snapshot date: the domain's strength, backlinks, referring domains and organic search numbers in one vocabulary. A provider that does not report a metric leaves it empty.",
            columns: [
                "domain": "The domain the numbers are about (lower-case host).",
                "backlinks": "Backlinks to the domain (Ahrefs: live backlinks; DataForSEO: backlinks).",
                "referring_domains":
                    "Referring domains of the domain (Ahrefs v3: live; Ahrefs v2: all known; DataForSEO: all known).",
                "organic_traffic": "Estimated monthly organic search visits (Ahrefs only).",
                "organic_keywords": "Organic keywords the domain ranks for (Ahrefs only).",
            ]),
        Entry(
            name: "latest_domain_metrics", kind: .view, group: .views,
            description:
                "domain_metrics_daily at each provider's newest snapshot of each domain: the current picture for a dashboard tile.",
            columns: ["snapshot_date": "The newest date this provider has numbers for this domain."]),
        Entry(
            name: "domain_metrics_changes", kind: .view, group: .views,
            description:
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
        Entry(
            name: "referring_domains_daily", kind: .view, group: .views,
            description:
                "One row per domain, referring domain and snapshot date: who links to the domain, how strongly.",
            columns: [
                "domain": "The domain (or URL without scheme) whose referring domains these are.",
                "refdomain": "A domain with at least one link to it.",
                "domain_rating": "Domain Rating of the referring domain, 0-100.",
                "backlinks": "Backlinks from the referring domain to the domain.",
                "refpages": "Pages on the referring domain that link to the domain.",
                "last_visited": "When the crawler last visited those backlinks (UTC).",
            ]),
        Entry(
            name: "page_backlinks_daily", kind: .view, group: .views,
            description:
                "One row per provider, page URL and snapshot date: the page's strength, backlinks and organic search numbers.",
            columns: [
                "url": "The page URL.",
                "url_rating": "Ahrefs URL Rating of the page, 0-100.",
                "dataforseo_rank": "DataForSEO rank of the page, 0-1000.",
                "backlinks": "Backlinks to the page.",
                "referring_domains": "Domains linking to the page.",
                "organic_traffic": "Estimated monthly organic search visits to the page (Ahrefs only).",
                "organic_keywords": "Organic keywords the page ranks for (Ahrefs only).",
            ]),
        Entry(
            name: "keyword_metrics_daily", kind: .view, group: .views,
            description:
                "One row per provider, keyword, country and snapshot date: demand and difficulty of a keyword.",
            columns: [
                "keyword": "The keyword, trimmed and lower-cased.",
                "country": "Two-letter country code of the search market.",
                "search_volume": "Average monthly searches.",
                "keyword_difficulty": "How hard it is to rank in the top 10, 0-100.",
                "cpc_usd": "Average cost per click in paid search, US dollars.",
                "traffic_potential": "Organic visits the top page for the keyword gets from all its keywords.",
            ]),
        Entry(
            name: "site_traffic_daily", kind: .view, group: .views,
            description:
                "Own site traffic per account and day, from the analytics overview of single-day periods (e.g. `yesterday`); when a day was loaded by several runs, the newest snapshot wins.",
            columns: [
                "day": "The day the traffic happened.",
                "site_domain":
                    "The site's domain, from the analytics stage's `site_domain` param (empty when not set).",
                "snapshot_date": "The snapshot that loaded this day's numbers.",
            ]),
        Entry(
            name: "site_traffic_with_backlinks", kind: .view, group: .views,
            description:
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
    ]

    static let ahrefsTables: [Entry] = [
        Entry(
            name: "ahrefs_domain_metrics", kind: .table, group: .ahrefs,
            description:
                "Ahrefs site-explorer/batch/metrics: organic search numbers and Domain Rating per domain and date.",
            columns: [
                "org_keywords": "Keywords the domain ranks for in organic search.",
                "org_traffic": "Estimated monthly organic search visits.",
            ]),
        Entry(
            name: "ahrefs_backlinks_stats", kind: .table, group: .ahrefs,
            description:
                "Ahrefs site-explorer/batch/backlinks-stats: live backlinks and referring domains per domain and date.",
            columns: [
                "live": "Live backlinks (links found on the last crawl).", "live_refdomains": "Live referring domains.",
            ]),
        Entry(
            name: "ahrefs_domain_rating", kind: .table, group: .ahrefs,
            description: "Ahrefs site-explorer/batch/domain-rating: Domain Rating and Ahrefs Rank per domain and date.",
            columns: [:]),
        Entry(
            name: "ahrefs_keyword_overview", kind: .table, group: .ahrefs,
            description:
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
        Entry(
            name: "ahrefs_url_metrics", kind: .table, group: .ahrefs,
            description:
                "Ahrefs site-explorer/batch/url-metrics: strength, backlinks and organic search numbers per page and date.",
            columns: [
                "url_rating": "Ahrefs URL Rating of the page, 0-100.",
                "backlinks": "Backlinks to the page.",
                "referring_domains": "Domains linking to the page.",
                "keywords": "Organic keywords the page ranks for.",
                "traffic": "Estimated monthly organic search visits to the page.",
            ]),
    ]

    static let ahrefsV2Tables: [Entry] = [
        Entry(
            name: "ahrefs_v2_refdomains", kind: .table, group: .ahrefsV2,
            description:
                "Ahrefs API v2 `refdomains`: the referring domains of a target, one row each, as filtered, ordered and capped by the stage (current index: no history for past dates).",
            columns: [
                "target": "The target without scheme, host lower-cased (a domain, directory or URL, per mode).",
                "refdomain": "A domain with at least one link to the target.",
                "backlinks": "Backlinks from the referring domain to the target.",
                "refpages": "Pages on the referring domain that link to the target.",
                "first_seen": "Least recent crawl of those backlinks (UTC).",
                "last_visited": "Most recent crawl of those backlinks (UTC).",
                "domain_rating": "Domain Rating of the referring domain, 0-100.",
            ]),
        Entry(
            name: "ahrefs_v2_refdomains_stats", kind: .table, group: .ahrefsV2,
            description: "Ahrefs API v2 `refdomains` totals per target and date.",
            columns: [
                "target": "The target without scheme, host lower-cased (a domain, directory or URL, per mode).",
                "refdomains": "All referring domains of the target.",
                "ips": "Referring IP addresses.",
                "class_c": "Referring class C networks.",
            ]),
    ]

    static let dataForSEOTables: [Entry] = [
        Entry(
            name: "dataforseo_page_summary", kind: .table, group: .dataForSEO,
            description:
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
            ]),
        Entry(
            name: "dataforseo_page_summary_breakdown", kind: .table, group: .dataForSEO,
            description:
                "The count maps of dataforseo_page_summary in long form: one row per page, date, dimension and key.",
            columns: [
                "url": "The page or domain (dataforseo_page_summary.url).",
                "dimension":
                    "Which breakdown: referring_links_tld, _types, _attributes, _platform_types, _semantic_locations or _countries.",
                "key": "The bucket, e.g. com, anchor, nofollow, cms, article, US (empty as the API returns it).",
                "count": "Referring links in the bucket.",
            ]),
        Entry(
            name: "dataforseo_bulk_ranks", kind: .table, group: .dataForSEO,
            description: "DataForSEO backlinks/bulk_ranks/live: rank per target and date.",
            columns: [
                "rank": "DataForSEO rank of the target on rank_scale.",
                "rank_scale": "one_thousand (0-1000) or one_hundred (0-100).",
            ]),
        Entry(
            name: "dataforseo_bulk_backlinks", kind: .table, group: .dataForSEO,
            description: "DataForSEO backlinks/bulk_backlinks/live: backlinks per target and date.", columns: [:]),
        Entry(
            name: "dataforseo_bulk_referring_domains", kind: .table, group: .dataForSEO,
            description: "DataForSEO backlinks/bulk_referring_domains/live: referring domains per target and date.",
            columns: ["referring_main_domains": "Distinct main (registered) domains linking."]),
        Entry(
            name: "dataforseo_bulk_spam_score", kind: .table, group: .dataForSEO,
            description: "DataForSEO backlinks/bulk_spam_score/live: spam score per target and date.", columns: [:]),
        Entry(
            name: "dataforseo_bulk_new_lost_backlinks", kind: .table, group: .dataForSEO,
            description:
                "DataForSEO backlinks/bulk_new_lost_backlinks/live: backlinks won and lost per target since a date.",
            columns: [
                "date_from": "Counted since this date (empty: the API's default, a month back).",
                "new_backlinks": "Backlinks found since date_from.",
                "lost_backlinks": "Backlinks lost since date_from.",
            ]),
    ]

    static let analyticsTables: [Entry] = {
        let lists: [(table: String, column: String, meaning: String)] = [
            ("analytics_pages_daily", "page_path", "landing page path"),
            ("analytics_sources_daily", "utm_source", "traffic source (utm_source)"),
            ("analytics_mediums_daily", "utm_medium", "medium (utm_medium)"),
            ("analytics_campaigns_daily", "utm_campaign", "campaign (utm_campaign)"),
            ("analytics_countries_daily", "country", "visitor country"),
            ("analytics_devices_daily", "device_type", "device type"),
            ("analytics_channels_daily", "channel", "marketing channel"),
            ("analytics_conversions_daily", "conversion_type", "conversion type"),
        ]
        let overview = Entry(
            name: "analytics_overview_daily", kind: .table, group: .analytics,
            description: "Web-analytics /stats/overview: own site totals per account, period and snapshot date.",
            columns: [
                "site_domain":
                    "The site's domain, from the stage's `site_domain` param (empty when not set): joins own traffic with backlink metrics."
            ])
        return [overview]
            + lists.map { list in
                Entry(
                    name: list.table, kind: .table, group: .analytics,
                    description:
                        "Web-analytics /stats/\(list.table.dropFirst(10).dropLast(6)): own site numbers per \(list.meaning), account, period and snapshot date (the top rows, as many as page_size).",
                    columns: [list.column: "The \(list.meaning)."])
            }
    }()

    static let bookkeeping: [Entry] = [
        Entry(
            name: "seopipe_runs", kind: .table, group: .bookkeeping,
            description: "The run ledger: one row per run of a pipeline (`seopipe runs`).",
            columns: [
                "snapshot_date": "The date the run stamped its rows with.",
                "status": "running, succeeded, partial (some targets or stages failed), failed or interrupted.",
                "error": "The first stage error, if any.",
            ]),
        Entry(
            name: "seopipe_stage_runs", kind: .table, group: .bookkeeping,
            description: "One row per stage of each run (`seopipe runs show RUN_ID`).",
            columns: [
                "provider": "The pipeline's name for the provider.",
                "endpoint": "The provider endpoint the stage calls.",
                "status": "success, partial, error or skipped.",
                "chunks": "Chunks (batched requests) the stage was split into.",
                "chunks_skipped": "Chunks an earlier run of the same date committed, not bought again.",
            ]),
        Entry(
            name: "seopipe_chunks", kind: .table, group: .bookkeeping,
            description:
                "Checkpoint of every committed chunk: committed with its rows in one transaction, it is what lets a failed run resume without paying twice.",
            columns: [
                "snapshot_date": "The snapshot date the chunk was loaded for.",
                "chunk_index": "Position of the chunk in its stage.",
                "status": "committed.",
                "targets": "Targets in the chunk.",
                "target_errors": "Targets of the chunk the provider refused.",
                "attempts": "Requests it took (1 = no retry).",
                "committed_at": "When the chunk committed (UTC).",
            ]),
        Entry(
            name: "seopipe_target_errors", kind: .table, group: .bookkeeping,
            description:
                "Per-target errors: a target the provider refused (or seopipe could not send), per pipeline, date and stage.",
            columns: [
                "snapshot_date": "The snapshot date of the run.",
                "target": "The target as the provider saw it (for analytics: account, period and query).",
                "request_hash": "The chunk's request hash; empty when the target was refused before sending.",
                "recorded_at": "When the error was recorded (UTC).",
            ]),
        Entry(
            name: "seopipe_raw_responses", kind: .table, group: .bookkeeping,
            description:
                "Provider answers as received, credentials redacted, for stages with `load: { raw_responses: true }`.",
            columns: [
                "snapshot_date": "The snapshot date of the run.",
                "chunk_index": "Position of the chunk in its stage.",
                "provider": "The pipeline's name for the provider.",
                "endpoint": "The provider endpoint.",
                "http_status": "HTTP status of the answer.",
                "body": "The answer's JSON body.",
            ]),
        Entry(
            name: "seopipe_schema_migrations", kind: .table, group: .bookkeeping,
            description: "Migrations applied to this warehouse (migrations/<backend>/NNNN_name.sql).",
            columns: [
                "version": "The migration's number.",
                "name": "The migration's name.",
                "checksum": "Hash of the file as applied: an applied migration must never change.",
                "applied_at": "When it was applied (UTC).",
            ]),
        Entry(
            name: "seopipe_schedule", kind: .table, group: .bookkeeping,
            description:
                "`seopipe daemon`'s memory: the latest schedule slot it started each pipeline for, so a slot missed while it was down runs once on restart.",
            columns: [
                "schedule": "The cron expression the slot came from.",
                "last_slot": "The latest slot a run was started for (UTC).",
                "run_id": "The run started for it (empty: the daemon's first start, which begins after this slot).",
                "updated_at": "When the row was written (UTC).",
            ]),
        Entry(
            name: "seopipe_tables", kind: .table, group: .bookkeeping,
            description: "This data dictionary: every table and view, what it holds.",
            columns: [
                "table_name": "Name of the table or view.", "kind": "table or view.", "description": "What it holds.",
            ]),
        Entry(
            name: "seopipe_columns", kind: .table, group: .bookkeeping,
            description: "This data dictionary: every column of every table and view, its type and meaning.",
            columns: [
                "table_name": "Name of the table or view.",
                "column_name": "Name of the column.",
                "position": "Position in the table or view, from 1.",
                "data_type": "Type as this warehouse declares it.",
                "description": "What the column means.",
            ]),
    ]
}

/// One column of the warehouse catalog, with its dictionary description.
public struct CatalogColumn: Sendable, Equatable {
    public var table: String
    public var kind: DataDictionary.Kind
    public var column: String
    public var position: Int
    public var dataType: String

    public init(table: String, kind: DataDictionary.Kind, column: String, position: Int, dataType: String) {
        self.table = table
        self.kind = kind
        self.column = column
        self.position = position
        self.dataType = dataType
    }
}

extension DataDictionary {
    /// The rows of `seopipe_tables` (name, kind, description) and `seopipe_columns` (table, column, position,
    /// type, description) for a warehouse's catalog, sorted; an undocumented name gets an empty description.
    public struct Rows: Sendable, Equatable {
        public var tables: [[String]]
        public var columns: [[String]]

        public init(tables: [[String]], columns: [[String]]) {
            self.tables = tables
            self.columns = columns
        }
    }

    public static func rows(for catalog: [CatalogColumn]) -> Rows {
        var tables: [String: [String]] = [:]
        var columns: [[String]] = []
        for item in catalog {
            tables[item.table] = [item.table, item.kind.rawValue, entry(item.table)?.description ?? ""]
            columns.append([
                item.table, item.column, String(item.position), item.dataType,
                describe(column: item.column, in: item.table) ?? "",
            ])
        }
        return Rows(
            tables: tables.keys.sorted().map { tables[$0]! },
            columns: columns.sorted { ($0[0], Int($0[2]) ?? 0) < ($1[0], Int($1[2]) ?? 0) })
    }
}
