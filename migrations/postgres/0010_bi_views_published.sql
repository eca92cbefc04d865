-- The BI views read Ahrefs' published endpoints too: batch-analysis rows (domains and, with mode exact, pages)
-- fill domain_metrics_daily and page_backlinks_daily where the reference's batch endpoints left them empty, and a
-- DataForSEO page summary's rank counts as dataforseo_rank (0-1000) only on that scale; the
-- dated and history endpoints already load the tables the views read. Views that read a changed view are
-- recreated with it.
-- PostgreSQL mirror of migrations/sqlite/0009_bi_views_published.sql.

DROP VIEW site_traffic_with_backlinks;
DROP VIEW domain_metrics_changes;
DROP VIEW latest_domain_metrics;
DROP VIEW domain_metrics_daily;
DROP VIEW page_backlinks_daily;

-- Domains only: DataForSEO's tables also hold page URLs (with a /), which page_backlinks_daily shows.
CREATE VIEW domain_metrics_daily AS
WITH ahrefs_keys AS (
    SELECT target, snapshot_date FROM ahrefs_domain_metrics
    UNION SELECT target, snapshot_date FROM ahrefs_domain_rating
    UNION SELECT target, snapshot_date FROM ahrefs_backlinks_stats
    UNION SELECT target, snapshot_date FROM ahrefs_batch_analysis WHERE target NOT LIKE '%/%'
), dataforseo_keys AS (
    SELECT url AS target, snapshot_date FROM dataforseo_page_summary WHERE url NOT LIKE '%/%'
    UNION SELECT target, snapshot_date FROM dataforseo_bulk_ranks WHERE target NOT LIKE '%/%'
    UNION SELECT target, snapshot_date FROM dataforseo_bulk_backlinks WHERE target NOT LIKE '%/%'
    UNION SELECT target, snapshot_date FROM dataforseo_bulk_referring_domains WHERE target NOT LIKE '%/%'
    UNION SELECT target, snapshot_date FROM dataforseo_bulk_spam_score WHERE target NOT LIKE '%/%'
)
SELECT k.snapshot_date AS snapshot_date, k.target AS domain, 'ahrefs' AS provider,
       COALESCE(r.domain_rating, m.domain_rating, a.domain_rating) AS domain_rating,
       COALESCE(r.ahrefs_rank, a.ahrefs_rank) AS ahrefs_rank, CAST(NULL AS BIGINT) AS dataforseo_rank,
       COALESCE(b.live, a.backlinks) AS backlinks, COALESCE(b.live_refdomains, a.refdomains) AS referring_domains,
       COALESCE(m.org_traffic, a.org_traffic) AS organic_traffic,
       COALESCE(m.org_keywords, a.org_keywords) AS organic_keywords, CAST(NULL AS BIGINT) AS spam_score
FROM ahrefs_keys k
LEFT JOIN ahrefs_domain_metrics m ON m.target = k.target AND m.snapshot_date = k.snapshot_date
LEFT JOIN ahrefs_domain_rating r ON r.target = k.target AND r.snapshot_date = k.snapshot_date
LEFT JOIN ahrefs_backlinks_stats b ON b.target = k.target AND b.snapshot_date = k.snapshot_date
LEFT JOIN ahrefs_batch_analysis a ON a.target = k.target AND a.snapshot_date = k.snapshot_date
UNION ALL
SELECT k.snapshot_date, k.target, 'dataforseo',
       NULL, NULL,
       COALESCE(CASE WHEN COALESCE(p.rank_scale, 'one_thousand') = 'one_thousand' THEN p.rank END,
                CASE WHEN rk.rank_scale = 'one_thousand' THEN rk.rank END),
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
    ON p1.provider = d.provider AND p1.domain = d.domain AND p1.snapshot_date = d.snapshot_date - 1
LEFT JOIN domain_metrics_daily p7
    ON p7.provider = d.provider AND p7.domain = d.domain AND p7.snapshot_date = d.snapshot_date - 7;

CREATE VIEW page_backlinks_daily AS
SELECT snapshot_date, url, 'ahrefs' AS provider, url_rating, CAST(NULL AS BIGINT) AS dataforseo_rank, backlinks,
       referring_domains, traffic AS organic_traffic, keywords AS organic_keywords,
       CAST(NULL AS BIGINT) AS backlinks_spam_score
FROM ahrefs_url_metrics
UNION ALL
SELECT snapshot_date, target, 'ahrefs', url_rating, NULL, backlinks, refdomains, org_traffic, org_keywords, NULL
FROM ahrefs_batch_analysis
WHERE target LIKE '%/%'
UNION ALL
SELECT snapshot_date, url, 'dataforseo', NULL, CASE WHEN COALESCE(rank_scale, 'one_thousand') = 'one_thousand' THEN rank END,
       backlinks, referring_domains, NULL, NULL, backlinks_spam_score
FROM dataforseo_page_summary
WHERE url LIKE '%/%';

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
