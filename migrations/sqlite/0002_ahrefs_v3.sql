-- Ahrefs API v3 batch endpoints: one fact table per endpoint, every documented field typed.
-- Keyed by target (or keyword+country, or url) and snapshot_date: a re-run of a date replaces, a new date adds.

CREATE TABLE ahrefs_domain_metrics (          -- site-explorer/batch/metrics
    target          TEXT NOT NULL,            -- domain as sent: lower-case host
    target_original TEXT NOT NULL,            -- as written in the pipeline
    snapshot_date   TEXT NOT NULL,
    fetched_at      TEXT NOT NULL,
    run_id          TEXT NOT NULL,
    org_keywords    INTEGER,                  -- organic keywords the domain ranks for
    org_traffic     INTEGER,                  -- estimated monthly organic visits
    domain_rating   REAL,                     -- Ahrefs Domain Rating, 0-100
    PRIMARY KEY (target, snapshot_date)
);

CREATE TABLE ahrefs_backlinks_stats (         -- site-explorer/batch/backlinks-stats
    target          TEXT NOT NULL,
    target_original TEXT NOT NULL,
    snapshot_date   TEXT NOT NULL,
    fetched_at      TEXT NOT NULL,
    run_id          TEXT NOT NULL,
    live            INTEGER,                  -- live backlinks
    live_refdomains INTEGER,                  -- live referring domains
    PRIMARY KEY (target, snapshot_date)
);

CREATE TABLE ahrefs_domain_rating (           -- site-explorer/batch/domain-rating
    target          TEXT NOT NULL,
    target_original TEXT NOT NULL,
    snapshot_date   TEXT NOT NULL,
    fetched_at      TEXT NOT NULL,
    run_id          TEXT NOT NULL,
    domain_rating   REAL,                     -- 0-100
    ahrefs_rank     INTEGER,                  -- global rank by backlink profile (1 = strongest)
    PRIMARY KEY (target, snapshot_date)
);

CREATE TABLE ahrefs_keyword_overview (        -- keywords-explorer/batch/overview
    keyword            TEXT NOT NULL,         -- trimmed, lower-case
    keyword_original   TEXT NOT NULL,
    country            TEXT NOT NULL,         -- 2-letter code
    snapshot_date      TEXT NOT NULL,
    fetched_at         TEXT NOT NULL,
    run_id             TEXT NOT NULL,
    volume             INTEGER,               -- monthly searches
    keyword_difficulty INTEGER,               -- 0-100
    cpc                REAL,                  -- cost per click, USD
    traffic_potential  INTEGER,
    PRIMARY KEY (keyword, country, snapshot_date)
);

CREATE TABLE ahrefs_url_metrics (             -- site-explorer/batch/url-metrics
    url               TEXT NOT NULL,          -- scheme and host lower-case, path kept
    url_original      TEXT NOT NULL,
    snapshot_date     TEXT NOT NULL,
    fetched_at        TEXT NOT NULL,
    run_id            TEXT NOT NULL,
    url_rating        INTEGER,                -- Ahrefs URL Rating, 0-100
    backlinks         INTEGER,
    referring_domains INTEGER,
    keywords          INTEGER,                -- organic keywords the page ranks for
    traffic           INTEGER,                -- estimated monthly organic visits to the page
    PRIMARY KEY (url, snapshot_date)
);
