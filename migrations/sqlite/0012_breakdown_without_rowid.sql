-- The breakdown of backlinks/bulk_pages_summary is the warehouse's largest table (about 20 rows a page: 218,000
-- rows for 10,000 pages) and its rows are small. As a rowid table SQLite kept every row twice, once in the table and
-- once in the index of its primary key; WITHOUT ROWID keeps it once, in the key's order (issue 16: the file for a
-- 10,000-page night shrinks from 48 MB to about 32 MB, and a night's page writes with it). Same columns, same key.

CREATE TABLE dataforseo_page_summary_breakdown_by_key (
    url           TEXT NOT NULL,
    snapshot_date TEXT NOT NULL,
    dimension     TEXT NOT NULL,  -- referring_links_tld | _types | _attributes | _platform_types | _semantic_locations | _countries
    key           TEXT NOT NULL,  -- e.g. com, anchor, nofollow, cms, article, US; '' as the API returns it
    count         INTEGER NOT NULL,
    fetched_at    TEXT NOT NULL,
    run_id        TEXT NOT NULL,
    PRIMARY KEY (url, snapshot_date, dimension, key)
) WITHOUT ROWID;

INSERT INTO dataforseo_page_summary_breakdown_by_key (url, snapshot_date, dimension, key, count, fetched_at, run_id)
SELECT url, snapshot_date, dimension, key, count, fetched_at, run_id FROM dataforseo_page_summary_breakdown;

DROP TABLE dataforseo_page_summary_breakdown;

ALTER TABLE dataforseo_page_summary_breakdown_by_key RENAME TO dataforseo_page_summary_breakdown;
