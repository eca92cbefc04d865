-- Ahrefs API v3 as Ahrefs publishes it (its OpenAPI description; DESIGN.md section 8b): the dated and history
-- site-explorer endpoints and keywords-explorer/overview load the reference's tables, which gain the columns
-- their answers document; batch-analysis gets a table of its own. Keys are unchanged.
-- PostgreSQL mirror of migrations/sqlite/0008_ahrefs_v3_published.sql with native types.

ALTER TABLE ahrefs_domain_metrics ADD COLUMN mode TEXT;  -- exact | prefix | domain | subdomains (published endpoints)
ALTER TABLE ahrefs_domain_metrics ADD COLUMN protocol TEXT;  -- both | http | https
ALTER TABLE ahrefs_domain_metrics ADD COLUMN country TEXT;  -- 2-letter search market; NULL = all countries
ALTER TABLE ahrefs_domain_metrics ADD COLUMN org_keywords_1_3 BIGINT;  -- organic keywords ranking 1-3
ALTER TABLE ahrefs_domain_metrics ADD COLUMN org_cost BIGINT;  -- value of organic traffic, USD cents
ALTER TABLE ahrefs_domain_metrics ADD COLUMN paid_keywords BIGINT;
ALTER TABLE ahrefs_domain_metrics ADD COLUMN paid_pages BIGINT;
ALTER TABLE ahrefs_domain_metrics ADD COLUMN paid_traffic BIGINT;
ALTER TABLE ahrefs_domain_metrics ADD COLUMN paid_cost BIGINT;  -- paid search spend, USD cents

ALTER TABLE ahrefs_backlinks_stats ADD COLUMN mode TEXT;
ALTER TABLE ahrefs_backlinks_stats ADD COLUMN protocol TEXT;
ALTER TABLE ahrefs_backlinks_stats ADD COLUMN all_time BIGINT;  -- backlinks ever found
ALTER TABLE ahrefs_backlinks_stats ADD COLUMN all_time_refdomains BIGINT;  -- referring domains ever found

ALTER TABLE ahrefs_keyword_overview ADD COLUMN global_volume BIGINT;
ALTER TABLE ahrefs_keyword_overview ADD COLUMN volume_monthly BIGINT;
ALTER TABLE ahrefs_keyword_overview ADD COLUMN parent_topic TEXT;
ALTER TABLE ahrefs_keyword_overview ADD COLUMN parent_volume BIGINT;
ALTER TABLE ahrefs_keyword_overview ADD COLUMN intents JSONB;  -- JSON object of booleans
ALTER TABLE ahrefs_keyword_overview ADD COLUMN clicks BIGINT;
ALTER TABLE ahrefs_keyword_overview ADD COLUMN cps DOUBLE PRECISION;
ALTER TABLE ahrefs_keyword_overview ADD COLUMN serp_features JSONB;  -- JSON list
ALTER TABLE ahrefs_keyword_overview ADD COLUMN serp_last_update TIMESTAMPTZ;
ALTER TABLE ahrefs_keyword_overview ADD COLUMN first_seen TIMESTAMPTZ;
ALTER TABLE ahrefs_keyword_overview ADD COLUMN volume_desktop_pct DOUBLE PRECISION;
ALTER TABLE ahrefs_keyword_overview ADD COLUMN volume_mobile_pct DOUBLE PRECISION;
ALTER TABLE ahrefs_keyword_overview ADD COLUMN searches_pct_clicks_organic_only DOUBLE PRECISION;
ALTER TABLE ahrefs_keyword_overview ADD COLUMN searches_pct_clicks_paid_only DOUBLE PRECISION;
ALTER TABLE ahrefs_keyword_overview ADD COLUMN searches_pct_clicks_organic_and_paid DOUBLE PRECISION;

CREATE TABLE ahrefs_batch_analysis (         -- batch-analysis/batch-analysis (no date: current numbers)
    target                      TEXT NOT NULL,     -- domain or URL as sent
    target_original             TEXT NOT NULL,     -- as written in the pipeline
    snapshot_date               DATE NOT NULL,
    fetched_at                  TIMESTAMPTZ NOT NULL,
    run_id                      TEXT NOT NULL,
    mode                        TEXT,              -- exact | prefix | domain | subdomains
    protocol                    TEXT,              -- both | http | https
    country                     TEXT,              -- 2-letter search market; NULL = all countries
    ahrefs_rank                 BIGINT,
    domain_rating               DOUBLE PRECISION,
    url_rating                  DOUBLE PRECISION,
    backlinks                   BIGINT,
    backlinks_dofollow          BIGINT,
    backlinks_nofollow          BIGINT,
    backlinks_internal          BIGINT,
    backlinks_redirect          BIGINT,
    refdomains                  BIGINT,
    refdomains_dofollow         BIGINT,
    refdomains_nofollow         BIGINT,
    refips                      BIGINT,
    refips_subnets              BIGINT,
    linked_domains              BIGINT,
    linked_domains_dofollow     BIGINT,
    outgoing_links              BIGINT,
    outgoing_links_dofollow     BIGINT,
    org_keywords                BIGINT,
    org_keywords_1_3            BIGINT,
    org_keywords_4_10           BIGINT,
    org_keywords_11_20          BIGINT,
    org_keywords_21_50          BIGINT,
    org_keywords_51_plus        BIGINT,
    org_traffic                 BIGINT,
    org_traffic_top_by_country  JSONB,
    org_cost                    BIGINT,
    paid_keywords               BIGINT,
    paid_ads                    BIGINT,
    paid_traffic                BIGINT,
    paid_cost                   BIGINT,
    ip                          TEXT,
    PRIMARY KEY (target, snapshot_date)
);
