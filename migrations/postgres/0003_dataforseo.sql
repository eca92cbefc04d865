-- DataForSEO Backlinks bulk endpoints. Keyed by target (url for pages summary) and snapshot_date.
-- Timestamps from the API (yyyy-mm-dd hh:mm:ss +00:00) are stored as TIMESTAMPTZ.
-- PostgreSQL mirror of migrations/sqlite/0003_dataforseo.sql with native types.

CREATE TABLE dataforseo_page_summary (          -- backlinks/bulk_pages_summary/live
    url                             TEXT NOT NULL,  -- page URL, or domain/subdomain without scheme and www.
    url_original                    TEXT NOT NULL,  -- as written in the pipeline
    snapshot_date                   DATE NOT NULL,
    fetched_at                      TIMESTAMPTZ NOT NULL,
    run_id                          TEXT NOT NULL,
    rank                            BIGINT,         -- page rank (DataForSEO's PageRank-like 0-1000)
    main_domain_rank                BIGINT,         -- rank of the main domain
    backlinks                       BIGINT,
    first_seen                      TIMESTAMPTZ,    -- first backlink found
    lost_date                       TIMESTAMPTZ,    -- last backlink lost
    backlinks_spam_score            BIGINT,         -- average spam score of the backlinks, 0-100
    broken_backlinks                BIGINT,
    broken_pages                    BIGINT,
    referring_domains               BIGINT,
    referring_domains_nofollow      BIGINT,
    referring_main_domains          BIGINT,
    referring_main_domains_nofollow BIGINT,
    referring_ips                   BIGINT,
    referring_subnets               BIGINT,
    referring_pages                 BIGINT,
    referring_pages_nofollow        BIGINT,
    PRIMARY KEY (url, snapshot_date)
);

-- The six nested count maps of a page summary in long form; replaced with their page on re-run.
CREATE TABLE dataforseo_page_summary_breakdown (
    url           TEXT NOT NULL,
    snapshot_date DATE NOT NULL,
    dimension     TEXT NOT NULL,  -- referring_links_tld | _types | _attributes | _platform_types | _semantic_locations | _countries
    key           TEXT NOT NULL,  -- e.g. com, anchor, nofollow, cms, article, US; '' as the API returns it
    count         BIGINT NOT NULL,
    fetched_at    TIMESTAMPTZ NOT NULL,
    run_id        TEXT NOT NULL,
    PRIMARY KEY (url, snapshot_date, dimension, key)
);

CREATE TABLE dataforseo_bulk_ranks (            -- backlinks/bulk_ranks/live
    target          TEXT NOT NULL,
    target_original TEXT NOT NULL,
    snapshot_date   DATE NOT NULL,
    fetched_at      TIMESTAMPTZ NOT NULL,
    run_id          TEXT NOT NULL,
    rank            BIGINT,
    rank_scale      TEXT NOT NULL,                -- one_thousand (0-1000) or one_hundred (0-100)
    PRIMARY KEY (target, snapshot_date)
);

CREATE TABLE dataforseo_bulk_backlinks (        -- backlinks/bulk_backlinks/live
    target          TEXT NOT NULL,
    target_original TEXT NOT NULL,
    snapshot_date   DATE NOT NULL,
    fetched_at      TIMESTAMPTZ NOT NULL,
    run_id          TEXT NOT NULL,
    backlinks       BIGINT,
    PRIMARY KEY (target, snapshot_date)
);

CREATE TABLE dataforseo_bulk_referring_domains ( -- backlinks/bulk_referring_domains/live
    target                 TEXT NOT NULL,
    target_original        TEXT NOT NULL,
    snapshot_date          DATE NOT NULL,
    fetched_at             TIMESTAMPTZ NOT NULL,
    run_id                 TEXT NOT NULL,
    referring_domains      BIGINT,
    referring_main_domains BIGINT,
    PRIMARY KEY (target, snapshot_date)
);

CREATE TABLE dataforseo_bulk_spam_score (       -- backlinks/bulk_spam_score/live
    target          TEXT NOT NULL,
    target_original TEXT NOT NULL,
    snapshot_date   DATE NOT NULL,
    fetched_at      TIMESTAMPTZ NOT NULL,
    run_id          TEXT NOT NULL,
    spam_score      BIGINT,                       -- 0-100
    PRIMARY KEY (target, snapshot_date)
);

CREATE TABLE dataforseo_bulk_new_lost_backlinks ( -- backlinks/bulk_new_lost_backlinks/live
    target          TEXT NOT NULL,
    target_original TEXT NOT NULL,
    snapshot_date   DATE NOT NULL,
    fetched_at      TIMESTAMPTZ NOT NULL,
    run_id          TEXT NOT NULL,
    date_from       DATE,                         -- counted since (NULL: the API's default, a month back)
    new_backlinks   BIGINT,
    lost_backlinks  BIGINT,
    PRIMARY KEY (target, snapshot_date)
);
