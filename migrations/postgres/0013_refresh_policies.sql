-- Refresh policies (issue 18): when each target of a stage with `refresh:` was last bought, how many targets a
-- stage left alone as fresh, and views that answer "the latest known value as of a date".

-- Written in the transaction of the chunk that bought the target, so it never says "bought" for rows that did not
-- commit. One row per target: its latest purchase.
CREATE TABLE seopipe_target_fetches (
    pipeline      TEXT NOT NULL,
    stage_id      TEXT NOT NULL,
    target        TEXT NOT NULL,             -- as sent (normalized)
    snapshot_date DATE NOT NULL,             -- the latest date it was bought for
    run_id        TEXT NOT NULL,
    fetched_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (pipeline, stage_id, target)
);

ALTER TABLE seopipe_stage_runs ADD COLUMN targets_fresh BIGINT NOT NULL DEFAULT 0;

-- Every date a run was made for: the dates the as-of views answer for.
CREATE VIEW seopipe_snapshot_dates AS
SELECT DISTINCT snapshot_date FROM seopipe_runs;

-- A value bought on date F answers for every snapshot date from F until the next purchase of the same key.
CREATE VIEW domain_metrics_asof AS
WITH spans AS (
    SELECT m.*, LEAD(snapshot_date) OVER (PARTITION BY domain, provider ORDER BY snapshot_date) AS next_date
    FROM domain_metrics_daily m
)
SELECT d.snapshot_date AS as_of_date, s.domain, s.provider, s.snapshot_date AS fetched_date,
       s.domain_rating, s.ahrefs_rank, s.dataforseo_rank, s.backlinks, s.referring_domains, s.organic_traffic,
       s.organic_keywords, s.spam_score, CAST(s.snapshot_date < d.snapshot_date AS INTEGER) AS carried_forward
FROM seopipe_snapshot_dates d
JOIN spans s ON s.snapshot_date <= d.snapshot_date AND (s.next_date IS NULL OR d.snapshot_date < s.next_date);

CREATE VIEW page_backlinks_asof AS
WITH spans AS (
    SELECT p.*, LEAD(snapshot_date) OVER (PARTITION BY url, provider ORDER BY snapshot_date) AS next_date
    FROM page_backlinks_daily p
)
SELECT d.snapshot_date AS as_of_date, s.url, s.provider, s.snapshot_date AS fetched_date, s.url_rating,
       s.dataforseo_rank, s.backlinks, s.referring_domains, s.organic_traffic, s.organic_keywords,
       s.backlinks_spam_score, CAST(s.snapshot_date < d.snapshot_date AS INTEGER) AS carried_forward
FROM seopipe_snapshot_dates d
JOIN spans s ON s.snapshot_date <= d.snapshot_date AND (s.next_date IS NULL OR d.snapshot_date < s.next_date);

CREATE VIEW keyword_metrics_asof AS
WITH spans AS (
    SELECT k.*, LEAD(snapshot_date) OVER (PARTITION BY keyword, country, provider ORDER BY snapshot_date) AS next_date
    FROM keyword_metrics_daily k
)
SELECT d.snapshot_date AS as_of_date, s.keyword, s.country, s.provider, s.snapshot_date AS fetched_date,
       s.search_volume, s.keyword_difficulty, s.cpc_usd, s.traffic_potential,
       CAST(s.snapshot_date < d.snapshot_date AS INTEGER) AS carried_forward
FROM seopipe_snapshot_dates d
JOIN spans s ON s.snapshot_date <= d.snapshot_date AND (s.next_date IS NULL OR d.snapshot_date < s.next_date);
