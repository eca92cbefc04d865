-- The web-analytics Batch API (Sealmetrics): one table per query kind, keyed by account, the period's
-- explicit dates (resolved from the snapshot date) and snapshot_date, plus the dimension for list queries.

CREATE TABLE analytics_overview_daily (       -- /stats/overview
    account_id        TEXT NOT NULL,          -- the site identifier in the analytics product
    period_start      TEXT NOT NULL,          -- first day of the period, inclusive
    period_end        TEXT NOT NULL,          -- last day of the period, inclusive
    snapshot_date     TEXT NOT NULL,
    period            TEXT NOT NULL,          -- as written in the pipeline: yesterday, 7d, mtd, ...
    fetched_at        TEXT NOT NULL,
    run_id            TEXT NOT NULL,
    entrances         INTEGER,                -- visits that entered the site from outside
    page_views        INTEGER,
    engaged_entrances INTEGER,
    bounce_rate       REAL,                   -- percent
    conversions       INTEGER,
    revenue           REAL,
    microconversions  INTEGER,
    PRIMARY KEY (account_id, period_start, period_end, snapshot_date)
);

CREATE TABLE analytics_pages_daily (   -- /stats/pages
    account_id        TEXT NOT NULL,
    period_start      TEXT NOT NULL,
    period_end        TEXT NOT NULL,
    snapshot_date     TEXT NOT NULL,
    page_path         TEXT NOT NULL,
    period            TEXT NOT NULL,
    fetched_at        TEXT NOT NULL,
    run_id            TEXT NOT NULL,
    entrances         INTEGER,
    engaged_entrances INTEGER,
    page_views        INTEGER,
    conversions       INTEGER,
    revenue           REAL,
    bounce_rate       REAL,
    PRIMARY KEY (account_id, period_start, period_end, snapshot_date, page_path)
);

CREATE TABLE analytics_sources_daily (   -- /stats/sources
    account_id        TEXT NOT NULL,
    period_start      TEXT NOT NULL,
    period_end        TEXT NOT NULL,
    snapshot_date     TEXT NOT NULL,
    utm_source        TEXT NOT NULL,
    period            TEXT NOT NULL,
    fetched_at        TEXT NOT NULL,
    run_id            TEXT NOT NULL,
    entrances         INTEGER,
    engaged_entrances INTEGER,
    page_views        INTEGER,
    conversions       INTEGER,
    revenue           REAL,
    bounce_rate       REAL,
    PRIMARY KEY (account_id, period_start, period_end, snapshot_date, utm_source)
);

CREATE TABLE analytics_mediums_daily (   -- /stats/mediums
    account_id        TEXT NOT NULL,
    period_start      TEXT NOT NULL,
    period_end        TEXT NOT NULL,
    snapshot_date     TEXT NOT NULL,
    utm_medium        TEXT NOT NULL,
    period            TEXT NOT NULL,
    fetched_at        TEXT NOT NULL,
    run_id            TEXT NOT NULL,
    entrances         INTEGER,
    engaged_entrances INTEGER,
    page_views        INTEGER,
    conversions       INTEGER,
    revenue           REAL,
    bounce_rate       REAL,
    PRIMARY KEY (account_id, period_start, period_end, snapshot_date, utm_medium)
);

CREATE TABLE analytics_campaigns_daily (   -- /stats/campaigns
    account_id        TEXT NOT NULL,
    period_start      TEXT NOT NULL,
    period_end        TEXT NOT NULL,
    snapshot_date     TEXT NOT NULL,
    utm_campaign      TEXT NOT NULL,
    period            TEXT NOT NULL,
    fetched_at        TEXT NOT NULL,
    run_id            TEXT NOT NULL,
    entrances         INTEGER,
    engaged_entrances INTEGER,
    page_views        INTEGER,
    conversions       INTEGER,
    revenue           REAL,
    bounce_rate       REAL,
    PRIMARY KEY (account_id, period_start, period_end, snapshot_date, utm_campaign)
);

CREATE TABLE analytics_countries_daily (   -- /stats/countries
    account_id        TEXT NOT NULL,
    period_start      TEXT NOT NULL,
    period_end        TEXT NOT NULL,
    snapshot_date     TEXT NOT NULL,
    country           TEXT NOT NULL,
    period            TEXT NOT NULL,
    fetched_at        TEXT NOT NULL,
    run_id            TEXT NOT NULL,
    entrances         INTEGER,
    engaged_entrances INTEGER,
    page_views        INTEGER,
    conversions       INTEGER,
    revenue           REAL,
    bounce_rate       REAL,
    PRIMARY KEY (account_id, period_start, period_end, snapshot_date, country)
);

CREATE TABLE analytics_devices_daily (   -- /stats/devices
    account_id        TEXT NOT NULL,
    period_start      TEXT NOT NULL,
    period_end        TEXT NOT NULL,
    snapshot_date     TEXT NOT NULL,
    device_type       TEXT NOT NULL,
    period            TEXT NOT NULL,
    fetched_at        TEXT NOT NULL,
    run_id            TEXT NOT NULL,
    entrances         INTEGER,
    engaged_entrances INTEGER,
    page_views        INTEGER,
    conversions       INTEGER,
    revenue           REAL,
    bounce_rate       REAL,
    PRIMARY KEY (account_id, period_start, period_end, snapshot_date, device_type)
);

CREATE TABLE analytics_channels_daily (   -- /stats/channels
    account_id        TEXT NOT NULL,
    period_start      TEXT NOT NULL,
    period_end        TEXT NOT NULL,
    snapshot_date     TEXT NOT NULL,
    channel           TEXT NOT NULL,
    period            TEXT NOT NULL,
    fetched_at        TEXT NOT NULL,
    run_id            TEXT NOT NULL,
    entrances         INTEGER,
    engaged_entrances INTEGER,
    page_views        INTEGER,
    conversions       INTEGER,
    revenue           REAL,
    bounce_rate       REAL,
    PRIMARY KEY (account_id, period_start, period_end, snapshot_date, channel)
);

CREATE TABLE analytics_conversions_daily (   -- /stats/conversions
    account_id        TEXT NOT NULL,
    period_start      TEXT NOT NULL,
    period_end        TEXT NOT NULL,
    snapshot_date     TEXT NOT NULL,
    conversion_type   TEXT NOT NULL,
    period            TEXT NOT NULL,
    fetched_at        TEXT NOT NULL,
    run_id            TEXT NOT NULL,
    entrances         INTEGER,
    engaged_entrances INTEGER,
    page_views        INTEGER,
    conversions       INTEGER,
    revenue           REAL,
    bounce_rate       REAL,
    PRIMARY KEY (account_id, period_start, period_end, snapshot_date, conversion_type)
);
