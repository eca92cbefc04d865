-- Ahrefs API v3 batch endpoints: one fact table per endpoint, every documented field typed.
-- Keyed by target (or keyword+country, or url) and snapshot_date: a re-run of a date replaces, a new date adds.
-- PostgreSQL mirror of migrations/sqlite/0002_ahrefs_v3.sql with native types.

CREATE TABLE ahrefs_domain_metrics (          -- site-explorer/batch/metrics
    target          TEXT NOT NULL,            -- domain as sent: lower-case host
    target_original TEXT NOT NULL,            -- as written in the pipeline
    snapshot_date   DATE NOT NULL,
    fetched_at      TIMESTAMPTZ NOT NULL,
    run_id          TEXT NOT NULL,
    org_keywords    BIGINT,                   -- organic keywords the domain ranks for
    org_traffic     BIGINT,                   -- estimated monthly organic visits
    domain_rating   DOUBLE PRECISION,         -- Ahrefs Domain Rating, 0-100
    PRIMARY KEY (target, snapshot_date)
);

CREATE TABLE ahrefs_backlinks_stats (         -- site-explorer/batch/backlinks-stats
    target          TEXT NOT NULL,
    target_original TEXT NOT NULL,
    snapshot_date   DATE NOT NULL,
    fetched_at      TIMESTAMPTZ NOT NULL,
    run_id          TEXT NOT NULL,
    live            BIGINT,                   -- live backlinks
    live_refdomains BIGINT,                   -- live referring domains
    PRIMARY KEY (target, snapshot_date)
);

CREATE TABLE ahrefs_domain_rating (           -- site-explorer/batch/domain-rating
    target          TEXT NOT NULL,
    target_original TEXT NOT NULL,
    snapshot_date   DATE NOT NULL,
    fetched_at      TIMESTAMPTZ NOT NULL,
    run_id          TEXT NOT NULL,
    domain_rating   DOUBLE PRECISION,         -- 0-100
    ahrefs_rank     BIGINT,                   -- global rank by backlink profile (1 = strongest)
    PRIMARY KEY (target, snapshot_date)
);

CREATE TABLE ahrefs_keyword_overview (        -- keywords-explorer/batch/overview
    keyword            TEXT NOT NULL,         -- trimmed, lower-case
    keyword_original   TEXT NOT NULL,
    country            TEXT NOT NULL,         -- 2-letter code
    snapshot_date      DATE NOT NULL,
    fetched_at         TIMESTAMPTZ NOT NULL,
    run_id             TEXT NOT NULL,
    volume             BIGINT,                -- monthly searches
    keyword_difficulty BIGINT,                -- 0-100
    cpc                DOUBLE PRECISION,      -- cost per click, USD
    traffic_potential  BIGINT,
    PRIMARY KEY (keyword, country, snapshot_date)
);

CREATE TABLE ahrefs_url_metrics (             -- site-explorer/batch/url-metrics
    url               TEXT NOT NULL,          -- scheme and host lower-case, path kept
    url_original      TEXT NOT NULL,
    snapshot_date     DATE NOT NULL,
    fetched_at        TIMESTAMPTZ NOT NULL,
    run_id            TEXT NOT NULL,
    url_rating        BIGINT,                 -- Ahrefs URL Rating, 0-100
    backlinks         BIGINT,
    referring_domains BIGINT,
    keywords          BIGINT,                 -- organic keywords the page ranks for
    traffic           BIGINT,                 -- estimated monthly organic visits to the page
    PRIMARY KEY (url, snapshot_date)
);
