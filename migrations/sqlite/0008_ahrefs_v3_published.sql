-- Ahrefs API v3 as Ahrefs publishes it (its OpenAPI description; DESIGN.md section 8b): the dated and history
-- site-explorer endpoints and keywords-explorer/overview load the reference's tables, which gain the columns
-- their answers document; batch-analysis gets a table of its own. Keys are unchanged.

ALTER TABLE ahrefs_domain_metrics ADD COLUMN mode TEXT;  -- exact | prefix | domain | subdomains (published endpoints)
ALTER TABLE ahrefs_domain_metrics ADD COLUMN protocol TEXT;  -- both | http | https
ALTER TABLE ahrefs_domain_metrics ADD COLUMN country TEXT;  -- 2-letter search market; NULL = all countries
ALTER TABLE ahrefs_domain_metrics ADD COLUMN org_keywords_1_3 INTEGER;  -- organic keywords ranking 1-3
ALTER TABLE ahrefs_domain_metrics ADD COLUMN org_cost INTEGER;  -- value of organic traffic, USD cents
ALTER TABLE ahrefs_domain_metrics ADD COLUMN paid_keywords INTEGER;
ALTER TABLE ahrefs_domain_metrics ADD COLUMN paid_pages INTEGER;
ALTER TABLE ahrefs_domain_metrics ADD COLUMN paid_traffic INTEGER;
ALTER TABLE ahrefs_domain_metrics ADD COLUMN paid_cost INTEGER;  -- paid search spend, USD cents

ALTER TABLE ahrefs_backlinks_stats ADD COLUMN mode TEXT;
ALTER TABLE ahrefs_backlinks_stats ADD COLUMN protocol TEXT;
ALTER TABLE ahrefs_backlinks_stats ADD COLUMN all_time INTEGER;  -- backlinks ever found
ALTER TABLE ahrefs_backlinks_stats ADD COLUMN all_time_refdomains INTEGER;  -- referring domains ever found

ALTER TABLE ahrefs_keyword_overview ADD COLUMN global_volume INTEGER;
ALTER TABLE ahrefs_keyword_overview ADD COLUMN volume_monthly INTEGER;
ALTER TABLE ahrefs_keyword_overview ADD COLUMN parent_topic TEXT;
ALTER TABLE ahrefs_keyword_overview ADD COLUMN parent_volume INTEGER;
ALTER TABLE ahrefs_keyword_overview ADD COLUMN intents TEXT;  -- JSON object of booleans
ALTER TABLE ahrefs_keyword_overview ADD COLUMN clicks INTEGER;
ALTER TABLE ahrefs_keyword_overview ADD COLUMN cps REAL;
ALTER TABLE ahrefs_keyword_overview ADD COLUMN serp_features TEXT;  -- JSON list
ALTER TABLE ahrefs_keyword_overview ADD COLUMN serp_last_update TEXT;
ALTER TABLE ahrefs_keyword_overview ADD COLUMN first_seen TEXT;
ALTER TABLE ahrefs_keyword_overview ADD COLUMN volume_desktop_pct REAL;
ALTER TABLE ahrefs_keyword_overview ADD COLUMN volume_mobile_pct REAL;
ALTER TABLE ahrefs_keyword_overview ADD COLUMN searches_pct_clicks_organic_only REAL;
ALTER TABLE ahrefs_keyword_overview ADD COLUMN searches_pct_clicks_paid_only REAL;
ALTER TABLE ahrefs_keyword_overview ADD COLUMN searches_pct_clicks_organic_and_paid REAL;

CREATE TABLE ahrefs_batch_analysis (         -- batch-analysis/batch-analysis (no date: current numbers)
    target                      TEXT NOT NULL,     -- domain or URL as sent
    target_original             TEXT NOT NULL,     -- as written in the pipeline
    snapshot_date               TEXT NOT NULL,
    fetched_at                  TEXT NOT NULL,
    run_id                      TEXT NOT NULL,
    mode                        TEXT,              -- exact | prefix | domain | subdomains
    protocol                    TEXT,              -- both | http | https
    country                     TEXT,              -- 2-letter search market; NULL = all countries
    ahrefs_rank                 INTEGER,
    domain_rating               REAL,
    url_rating                  REAL,
    backlinks                   INTEGER,
    backlinks_dofollow          INTEGER,
    backlinks_nofollow          INTEGER,
    backlinks_internal          INTEGER,
    backlinks_redirect          INTEGER,
    refdomains                  INTEGER,
    refdomains_dofollow         INTEGER,
    refdomains_nofollow         INTEGER,
    refips                      INTEGER,
    refips_subnets              INTEGER,
    linked_domains              INTEGER,
    linked_domains_dofollow     INTEGER,
    outgoing_links              INTEGER,
    outgoing_links_dofollow     INTEGER,
    org_keywords                INTEGER,
    org_keywords_1_3            INTEGER,
    org_keywords_4_10           INTEGER,
    org_keywords_11_20          INTEGER,
    org_keywords_21_50          INTEGER,
    org_keywords_51_plus        INTEGER,
    org_traffic                 INTEGER,
    org_traffic_top_by_country  TEXT,
    org_cost                    INTEGER,
    paid_keywords               INTEGER,
    paid_ads                    INTEGER,
    paid_traffic                INTEGER,
    paid_cost                   INTEGER,
    ip                          TEXT,
    PRIMARY KEY (target, snapshot_date)
);
