-- DataForSEO as its official client (dataforseo-client, generated from DataForSEO's OpenAPI) defines it: the
-- seventh bulk endpoint, the nofollow counts of bulk_referring_domains, and the rank scale bulk_pages_summary
-- answered on (it takes rank_scale too).

ALTER TABLE dataforseo_bulk_referring_domains ADD COLUMN referring_domains_nofollow INTEGER;
ALTER TABLE dataforseo_bulk_referring_domains ADD COLUMN referring_main_domains_nofollow INTEGER;
ALTER TABLE dataforseo_page_summary ADD COLUMN rank_scale TEXT;  -- one_thousand | one_hundred (NULL: loaded before, 0-1000)

CREATE TABLE dataforseo_bulk_new_lost_referring_domains ( -- backlinks/bulk_new_lost_referring_domains/live
    target                      TEXT NOT NULL,
    target_original             TEXT NOT NULL,
    snapshot_date               TEXT NOT NULL,
    fetched_at                  TEXT NOT NULL,
    run_id                      TEXT NOT NULL,
    date_from                   TEXT,            -- counted since (NULL: the API's default, a month back)
    new_referring_domains       INTEGER,
    lost_referring_domains      INTEGER,
    new_referring_main_domains  INTEGER,
    lost_referring_main_domains INTEGER,
    PRIMARY KEY (target, snapshot_date)
);
