-- Refresh policies (issue 18): when each target of a stage with `refresh:` was last bought, how many targets a
-- stage left alone as fresh, and views that answer "the latest known value as of a date".

-- Written in the transaction of the chunk that bought the target, so it never says "bought" for rows that did not
-- commit. One row per target: its latest purchase.
CREATE TABLE seopipe_target_fetches (
    pipeline      TEXT NOT NULL,
    stage_id      TEXT NOT NULL,
    target        TEXT NOT NULL,             -- as sent (normalized)
    snapshot_date TEXT NOT NULL,             -- the latest date it was bought for
    run_id        TEXT NOT NULL,
    fetched_at    TEXT NOT NULL,
    PRIMARY KEY (pipeline, stage_id, target)
);

ALTER TABLE seopipe_stage_runs ADD COLUMN targets_fresh INTEGER NOT NULL DEFAULT 0;

-- Every date a run was made for: the dates the as-of views answer for.
CREATE VIEW seopipe_snapshot_dates AS
SELECT DISTINCT snapshot_date FROM seopipe_runs;

-- A value bought on date F answers for every snapshot date from F until the next date the same key was bought.
-- The spans come from the distinct dates of each key, so rows sharing a key and a date (two modes of a domain)
-- all answer for the same dates, as they stand side by side in the daily view.
CREATE VIEW domain_metrics_asof AS
WITH bought AS (SELECT DISTINCT domain, provider, snapshot_date FROM domain_metrics_daily),
spans AS (
    SELECT domain, provider, snapshot_date,
           LEAD(snapshot_date) OVER (PARTITION BY domain, provider ORDER BY snapshot_date) AS next_date
    FROM bought
)
SELECT d.snapshot_date AS as_of_date, m.domain, m.provider, m.snapshot_date AS fetched_date,
       m.domain_rating, m.ahrefs_rank, m.dataforseo_rank, m.backlinks, m.referring_domains, m.organic_traffic,
       m.organic_keywords, m.spam_score, CAST(m.snapshot_date < d.snapshot_date AS INTEGER) AS carried_forward
FROM seopipe_snapshot_dates d
JOIN spans s ON s.snapshot_date <= d.snapshot_date AND (s.next_date IS NULL OR d.snapshot_date < s.next_date)
JOIN domain_metrics_daily m
    ON m.domain = s.domain AND m.provider = s.provider AND m.snapshot_date = s.snapshot_date;

CREATE VIEW page_backlinks_asof AS
WITH bought AS (SELECT DISTINCT url, provider, snapshot_date FROM page_backlinks_daily),
spans AS (
    SELECT url, provider, snapshot_date,
           LEAD(snapshot_date) OVER (PARTITION BY url, provider ORDER BY snapshot_date) AS next_date
    FROM bought
)
SELECT d.snapshot_date AS as_of_date, p.url, p.provider, p.snapshot_date AS fetched_date, p.url_rating,
       p.dataforseo_rank, p.backlinks, p.referring_domains, p.organic_traffic, p.organic_keywords,
       p.backlinks_spam_score, CAST(p.snapshot_date < d.snapshot_date AS INTEGER) AS carried_forward
FROM seopipe_snapshot_dates d
JOIN spans s ON s.snapshot_date <= d.snapshot_date AND (s.next_date IS NULL OR d.snapshot_date < s.next_date)
JOIN page_backlinks_daily p ON p.url = s.url AND p.provider = s.provider AND p.snapshot_date = s.snapshot_date;

CREATE VIEW keyword_metrics_asof AS
WITH bought AS (SELECT DISTINCT keyword, country, provider, snapshot_date FROM keyword_metrics_daily),
spans AS (
    SELECT keyword, country, provider, snapshot_date,
           LEAD(snapshot_date) OVER (PARTITION BY keyword, country, provider ORDER BY snapshot_date) AS next_date
    FROM bought
)
SELECT d.snapshot_date AS as_of_date, k.keyword, k.country, k.provider, k.snapshot_date AS fetched_date,
       k.search_volume, k.keyword_difficulty, k.cpc_usd, k.traffic_potential,
       CAST(k.snapshot_date < d.snapshot_date AS INTEGER) AS carried_forward
FROM seopipe_snapshot_dates d
JOIN spans s ON s.snapshot_date <= d.snapshot_date AND (s.next_date IS NULL OR d.snapshot_date < s.next_date)
JOIN keyword_metrics_daily k
    ON k.keyword = s.keyword AND k.country IS s.country AND k.provider = s.provider
    AND k.snapshot_date = s.snapshot_date;
