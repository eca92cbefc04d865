-- DataForSEO Backlinks bulk endpoints. Keyed by target (url for pages summary) and snapshot_date.
-- Timestamps from the API (yyyy-mm-dd hh:mm:ss +00:00) are stored as ISO-8601 UTC text.

CREATE TABLE dataforseo_page_summary (          -- backlinks/bulk_pages_summary/live
    url                             TEXT NOT NULL,  -- page URL, or domain/subdomain without scheme and www.
    url_original                    TEXT NOT NULL,  -- as written in the pipeline
    snapshot_date                   TEXT NOT NULL,
    fetched_at                      TEXT NOT NULL,
    run_id                          TEXT NOT NULL,
    rank                            INTEGER,        -- page rank (DataForSEO's PageRank-like 0-1000)
    main_domain_rank                INTEGER,        -- rank of the main domain
    backlinks                       INTEGER,
    first_seen                      TEXT,           -- UTC: first backlink found
    lost_date                       TEXT,           -- UTC: last backlink lost
    backlinks_spam_score            INTEGER,        -- average spam score of the backlinks, 0-100
    broken_backlinks                INTEGER,
    broken_pages                    INTEGER,
    referring_domains               INTEGER,
    referring_domains_nofollow      INTEGER,
    referring_main_domains          INTEGER,
    referring_main_domains_nofollow INTEGER,
    referring_ips                   INTEGER,
    referring_subnets               INTEGER,
    referring_pages                 INTEGER,
    referring_pages_nofollow        INTEGER,
    PRIMARY KEY (url, snapshot_date)
);

-- The six nested count maps of a page summary in long form; replaced with their page on re-run.
CREATE TABLE dataforseo_page_summary_breakdown (
    url           TEXT NOT NULL,
    snapshot_date TEXT NOT NULL,
    dimension     TEXT NOT NULL,  -- referring_links_tld | _types | _attributes | _platform_types | _semantic_locations | _countries
    key           TEXT NOT NULL,  -- e.g. com, anchor, nofollow, cms, article, US; '' as the API returns it
    count         INTEGER NOT NULL,
    fetched_at    TEXT NOT NULL,
    run_id        TEXT NOT NULL,
    PRIMARY KEY (url, snapshot_date, dimension, key)
);

CREATE TABLE dataforseo_bulk_ranks (            -- backlinks/bulk_ranks/live
    target          TEXT NOT NULL,
    target_original TEXT NOT NULL,
    snapshot_date   TEXT NOT NULL,
    fetched_at      TEXT NOT NULL,
    run_id          TEXT NOT NULL,
    rank            INTEGER,
    rank_scale      TEXT NOT NULL,                -- one_thousand (0-1000) or one_hundred (0-100)
    PRIMARY KEY (target, snapshot_date)
);

CREATE TABLE dataforseo_bulk_backlinks (        -- backlinks/bulk_backlinks/live
    target          TEXT NOT NULL,
    target_original TEXT NOT NULL,
    snapshot_date   TEXT NOT NULL,
    fetched_at      TEXT NOT NULL,
    run_id          TEXT NOT NULL,
    backlinks       INTEGER,
    PRIMARY KEY (target, snapshot_date)
);

CREATE TABLE dataforseo_bulk_referring_domains ( -- backlinks/bulk_referring_domains/live
    target                 TEXT NOT NULL,
    target_original        TEXT NOT NULL,
    snapshot_date          TEXT NOT NULL,
    fetched_at             TEXT NOT NULL,
    run_id                 TEXT NOT NULL,
    referring_domains      INTEGER,
    referring_main_domains INTEGER,
    PRIMARY KEY (target, snapshot_date)
);

CREATE TABLE dataforseo_bulk_spam_score (       -- backlinks/bulk_spam_score/live
    target          TEXT NOT NULL,
    target_original TEXT NOT NULL,
    snapshot_date   TEXT NOT NULL,
    fetched_at      TEXT NOT NULL,
    run_id          TEXT NOT NULL,
    spam_score      INTEGER,                      -- 0-100
    PRIMARY KEY (target, snapshot_date)
);

CREATE TABLE dataforseo_bulk_new_lost_backlinks ( -- backlinks/bulk_new_lost_backlinks/live
    target          TEXT NOT NULL,
    target_original TEXT NOT NULL,
    snapshot_date   TEXT NOT NULL,
    fetched_at      TEXT NOT NULL,
    run_id          TEXT NOT NULL,
    date_from       TEXT,                         -- counted since (NULL: the API's default, a month back)
    new_backlinks   INTEGER,
    lost_backlinks  INTEGER,
    PRIMARY KEY (target, snapshot_date)
);
