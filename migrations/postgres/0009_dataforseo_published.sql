-- DataForSEO as its official client (dataforseo-client, generated from DataForSEO's OpenAPI) defines it: the
-- seventh bulk endpoint, the nofollow counts of bulk_referring_domains, and the rank scale bulk_pages_summary
-- answered on (it takes rank_scale too).
-- PostgreSQL mirror of migrations/sqlite/0009_dataforseo_published.sql with native types.

ALTER TABLE dataforseo_bulk_referring_domains ADD COLUMN referring_domains_nofollow BIGINT;
ALTER TABLE dataforseo_bulk_referring_domains ADD COLUMN referring_main_domains_nofollow BIGINT;
ALTER TABLE dataforseo_page_summary ADD COLUMN rank_scale TEXT;  -- one_thousand | one_hundred (NULL: loaded before, 0-1000)

CREATE TABLE dataforseo_bulk_new_lost_referring_domains ( -- backlinks/bulk_new_lost_referring_domains/live
    target                      TEXT NOT NULL,
    target_original             TEXT NOT NULL,
    snapshot_date               DATE NOT NULL,
    fetched_at                  TIMESTAMPTZ NOT NULL,
    run_id                      TEXT NOT NULL,
    date_from                   DATE,            -- counted since (NULL: the API's default, a month back)
    new_referring_domains       BIGINT,
    lost_referring_domains      BIGINT,
    new_referring_main_domains  BIGINT,
    lost_referring_main_domains BIGINT,
    PRIMARY KEY (target, snapshot_date)
);
