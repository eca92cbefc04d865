-- The BI layer: views that give one vocabulary across providers, the data dictionary that documents every
-- table, view and column (filled by seopipe on migrate from its built-in dictionary; `seopipe schema`),
-- and the daemon's schedule state. Views are versioned like tables: change one in a new migration.

-- The analytics account's own domain (stage param `site_domain`), to join own traffic with backlink metrics.
ALTER TABLE analytics_overview_daily ADD COLUMN site_domain TEXT;

CREATE TABLE seopipe_tables (
    table_name  TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,               -- table | view
    description TEXT NOT NULL
);

CREATE TABLE seopipe_columns (
    table_name  TEXT NOT NULL,
    column_name TEXT NOT NULL,
    position    INTEGER NOT NULL,            -- 1-based, as in the table or view
    data_type   TEXT NOT NULL,               -- as the warehouse declares it
    description TEXT NOT NULL,
    PRIMARY KEY (table_name, column_name)
);

CREATE TABLE seopipe_schedule (
    pipeline   TEXT PRIMARY KEY,
    schedule   TEXT NOT NULL,                -- the cron expression the slot was computed from
    last_slot  TEXT NOT NULL,                -- ISO-8601 UTC: the latest slot `seopipe daemon` started a run for
    run_id     TEXT,
    updated_at TEXT NOT NULL
);

-- Domains only: DataForSEO's tables also hold page URLs (with a /), which page_backlinks_daily shows.
CREATE VIEW domain_metrics_daily AS
WITH ahrefs_keys AS (
    SELECT target, snapshot_date FROM ahrefs_domain_metrics
    UNION SELECT target, snapshot_date FROM ahrefs_domain_rating
    UNION SELECT target, snapshot_date FROM ahrefs_backlinks_stats
), dataforseo_keys AS (
    SELECT url AS target, snapshot_date FROM dataforseo_page_summary WHERE url NOT LIKE '%/%'
    UNION SELECT target, snapshot_date FROM dataforseo_bulk_ranks WHERE target NOT LIKE '%/%'
    UNION SELECT target, snapshot_date FROM dataforseo_bulk_backlinks WHERE target NOT LIKE '%/%'
    UNION SELECT target, snapshot_date FROM dataforseo_bulk_referring_domains WHERE target NOT LIKE '%/%'
    UNION SELECT target, snapshot_date FROM dataforseo_bulk_spam_score WHERE target NOT LIKE '%/%'
)
SELECT k.snapshot_date AS snapshot_date, k.target AS domain, 'ahrefs' AS provider,
       COALESCE(r.domain_rating, m.domain_rating) AS domain_rating, r.ahrefs_rank AS ahrefs_rank,
       CAST(NULL AS INTEGER) AS dataforseo_rank,
       b.live AS backlinks, b.live_refdomains AS referring_domains,
       m.org_traffic AS organic_traffic, m.org_keywords AS organic_keywords, CAST(NULL AS INTEGER) AS spam_score
FROM ahrefs_keys k
LEFT JOIN ahrefs_domain_metrics m ON m.target = k.target AND m.snapshot_date = k.snapshot_date
LEFT JOIN ahrefs_domain_rating r ON r.target = k.target AND r.snapshot_date = k.snapshot_date
LEFT JOIN ahrefs_backlinks_stats b ON b.target = k.target AND b.snapshot_date = k.snapshot_date
UNION ALL
SELECT k.snapshot_date, k.target, 'dataforseo',
       NULL, NULL,
       COALESCE(p.rank, CASE WHEN rk.rank_scale = 'one_thousand' THEN rk.rank END),
       COALESCE(p.backlinks, bb.backlinks), COALESCE(p.referring_domains, rd.referring_domains),
       NULL, NULL, ss.spam_score
FROM dataforseo_keys k
LEFT JOIN dataforseo_page_summary p ON p.url = k.target AND p.snapshot_date = k.snapshot_date
LEFT JOIN dataforseo_bulk_ranks rk ON rk.target = k.target AND rk.snapshot_date = k.snapshot_date
LEFT JOIN dataforseo_bulk_backlinks bb ON bb.target = k.target AND bb.snapshot_date = k.snapshot_date
LEFT JOIN dataforseo_bulk_referring_domains rd ON rd.target = k.target AND rd.snapshot_date = k.snapshot_date
LEFT JOIN dataforseo_bulk_spam_score ss ON ss.target = k.target AND ss.snapshot_date = k.snapshot_date
UNION ALL
SELECT s.snapshot_date, s.target, 'ahrefs-v2',
       NULL, NULL, NULL, NULL, s.refdomains, NULL, NULL, NULL
FROM ahrefs_v2_refdomains_stats s
WHERE s.mode = 'domain';

CREATE VIEW latest_domain_metrics AS
SELECT snapshot_date, domain, provider, domain_rating, ahrefs_rank, dataforseo_rank, backlinks, referring_domains,
       organic_traffic, organic_keywords, spam_score
FROM (
    SELECT d.*, ROW_NUMBER() OVER (PARTITION BY d.provider, d.domain ORDER BY d.snapshot_date DESC) AS newest
    FROM domain_metrics_daily d
) ranked
WHERE newest = 1;

CREATE VIEW domain_metrics_changes AS
SELECT d.snapshot_date, d.domain, d.provider,
       d.domain_rating, d.domain_rating - p1.domain_rating AS domain_rating_dod,
       d.domain_rating - p7.domain_rating AS domain_rating_wow,
       d.backlinks, d.backlinks - p1.backlinks AS backlinks_dod, d.backlinks - p7.backlinks AS backlinks_wow,
       d.referring_domains, d.referring_domains - p1.referring_domains AS referring_domains_dod,
       d.referring_domains - p7.referring_domains AS referring_domains_wow,
       d.organic_traffic, d.organic_traffic - p1.organic_traffic AS organic_traffic_dod,
       d.organic_traffic - p7.organic_traffic AS organic_traffic_wow,
       d.organic_keywords, d.organic_keywords - p1.organic_keywords AS organic_keywords_dod,
       d.organic_keywords - p7.organic_keywords AS organic_keywords_wow
FROM domain_metrics_daily d
LEFT JOIN domain_metrics_daily p1
    ON p1.provider = d.provider AND p1.domain = d.domain AND p1.snapshot_date = date(d.snapshot_date, '-1 day')
LEFT JOIN domain_metrics_daily p7
    ON p7.provider = d.provider AND p7.domain = d.domain AND p7.snapshot_date = date(d.snapshot_date, '-7 day');

CREATE VIEW referring_domains_daily AS
SELECT snapshot_date, target AS domain, mode, refdomain, 'ahrefs-v2' AS provider, domain_rating, backlinks,
       refpages, first_seen, last_visited
FROM ahrefs_v2_refdomains;

CREATE VIEW page_backlinks_daily AS
SELECT snapshot_date, url, 'ahrefs' AS provider, url_rating, CAST(NULL AS INTEGER) AS dataforseo_rank, backlinks,
       referring_domains, traffic AS organic_traffic, keywords AS organic_keywords,
       CAST(NULL AS INTEGER) AS backlinks_spam_score
FROM ahrefs_url_metrics
UNION ALL
SELECT snapshot_date, url, 'dataforseo', NULL, rank, backlinks, referring_domains, NULL, NULL, backlinks_spam_score
FROM dataforseo_page_summary
WHERE url LIKE '%/%';

CREATE VIEW keyword_metrics_daily AS
SELECT snapshot_date, keyword, country, 'ahrefs' AS provider, volume AS search_volume, keyword_difficulty,
       cpc AS cpc_usd, traffic_potential
FROM ahrefs_keyword_overview;

CREATE VIEW site_traffic_daily AS
SELECT day, account_id, site_domain, entrances, engaged_entrances, page_views, bounce_rate, conversions, revenue,
       snapshot_date
FROM (
    SELECT o.period_start AS day, o.account_id, o.site_domain, o.entrances, o.engaged_entrances, o.page_views,
           o.bounce_rate, o.conversions, o.revenue, o.snapshot_date,
           ROW_NUMBER() OVER (PARTITION BY o.account_id, o.period_start ORDER BY o.snapshot_date DESC) AS newest
    FROM analytics_overview_daily o
    WHERE o.period_start = o.period_end
) ranked
WHERE newest = 1;

-- Ahrefs keeps `www.` in a domain target, site_domain and DataForSEO do not: the bare domain's row, else the
-- www. one (never both, so a day stays one row).
CREATE VIEW site_traffic_with_backlinks AS
SELECT t.day, t.account_id, t.site_domain AS domain, t.entrances, t.page_views, t.conversions, t.revenue,
       COALESCE(a.domain_rating, w.domain_rating) AS domain_rating,
       COALESCE(a.backlinks, w.backlinks) AS ahrefs_backlinks,
       COALESCE(a.referring_domains, w.referring_domains) AS ahrefs_referring_domains,
       COALESCE(a.organic_traffic, w.organic_traffic) AS ahrefs_organic_traffic,
       d.backlinks AS dataforseo_backlinks, d.referring_domains AS dataforseo_referring_domains
FROM site_traffic_daily t
LEFT JOIN domain_metrics_daily a ON a.provider = 'ahrefs' AND a.domain = t.site_domain AND a.snapshot_date = t.day
LEFT JOIN domain_metrics_daily w
    ON a.domain IS NULL AND w.provider = 'ahrefs' AND w.domain = 'www.' || t.site_domain AND w.snapshot_date = t.day
LEFT JOIN domain_metrics_daily d ON d.provider = 'dataforseo' AND d.domain = t.site_domain AND d.snapshot_date = t.day
WHERE t.site_domain IS NOT NULL;
