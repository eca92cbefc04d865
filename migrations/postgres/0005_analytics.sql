-- The web-analytics Batch API (Sealmetrics): one table per query kind, keyed by account, the period's
-- explicit dates (resolved from the snapshot date) and snapshot_date, plus the dimension for list queries.
-- PostgreSQL mirror of migrations/sqlite/0005_analytics.sql with native types.

CREATE TABLE analytics_overview_daily (       -- /stats/overview
    account_id        TEXT NOT NULL,          -- the site identifier in the analytics product
    period_start      DATE NOT NULL,          -- first day of the period, inclusive
    period_end        DATE NOT NULL,          -- last day of the period, inclusive
    snapshot_date     DATE NOT NULL,
    period            TEXT NOT NULL,          -- as written in the pipeline: yesterday, 7d, mtd, ...
    fetched_at        TIMESTAMPTZ NOT NULL,
    run_id            TEXT NOT NULL,
    entrances         BIGINT,                 -- visits that entered the site from outside
    page_views        BIGINT,
    engaged_entrances BIGINT,
    bounce_rate       DOUBLE PRECISION,       -- percent
    conversions       BIGINT,
    revenue           NUMERIC(18,6),
    microconversions  BIGINT,
    PRIMARY KEY (account_id, period_start, period_end, snapshot_date)
);

CREATE TABLE analytics_pages_daily (   -- /stats/pages
    account_id        TEXT NOT NULL,
    period_start      DATE NOT NULL,
    period_end        DATE NOT NULL,
    snapshot_date     DATE NOT NULL,
    page_path         TEXT NOT NULL,
    period            TEXT NOT NULL,
    fetched_at        TIMESTAMPTZ NOT NULL,
    run_id            TEXT NOT NULL,
    entrances         BIGINT,
    engaged_entrances BIGINT,
    page_views        BIGINT,
    conversions       BIGINT,
    revenue           NUMERIC(18,6),
    bounce_rate       DOUBLE PRECISION,
    PRIMARY KEY (account_id, period_start, period_end, snapshot_date, page_path)
);

CREATE TABLE analytics_sources_daily (   -- /stats/sources
    account_id        TEXT NOT NULL,
    period_start      DATE NOT NULL,
    period_end        DATE NOT NULL,
    snapshot_date     DATE NOT NULL,
    utm_source        TEXT NOT NULL,
    period            TEXT NOT NULL,
    fetched_at        TIMESTAMPTZ NOT NULL,
    run_id            TEXT NOT NULL,
    entrances         BIGINT,
    engaged_entrances BIGINT,
    page_views        BIGINT,
    conversions       BIGINT,
    revenue           NUMERIC(18,6),
    bounce_rate       DOUBLE PRECISION,
    PRIMARY KEY (account_id, period_start, period_end, snapshot_date, utm_source)
);

CREATE TABLE analytics_mediums_daily (   -- /stats/mediums
    account_id        TEXT NOT NULL,
    period_start      DATE NOT NULL,
    period_end        DATE NOT NULL,
    snapshot_date     DATE NOT NULL,
    utm_medium        TEXT NOT NULL,
    period            TEXT NOT NULL,
    fetched_at        TIMESTAMPTZ NOT NULL,
    run_id            TEXT NOT NULL,
    entrances         BIGINT,
    engaged_entrances BIGINT,
    page_views        BIGINT,
    conversions       BIGINT,
    revenue           NUMERIC(18,6),
    bounce_rate       DOUBLE PRECISION,
    PRIMARY KEY (account_id, period_start, period_end, snapshot_date, utm_medium)
);

CREATE TABLE analytics_campaigns_daily (   -- /stats/campaigns
    account_id        TEXT NOT NULL,
    period_start      DATE NOT NULL,
    period_end        DATE NOT NULL,
    snapshot_date     DATE NOT NULL,
    utm_campaign      TEXT NOT NULL,
    period            TEXT NOT NULL,
    fetched_at        TIMESTAMPTZ NOT NULL,
    run_id            TEXT NOT NULL,
    entrances         BIGINT,
    engaged_entrances BIGINT,
    page_views        BIGINT,
    conversions       BIGINT,
    revenue           NUMERIC(18,6),
    bounce_rate       DOUBLE PRECISION,
    PRIMARY KEY (account_id, period_start, period_end, snapshot_date, utm_campaign)
);

CREATE TABLE analytics_countries_daily (   -- /stats/countries
    account_id        TEXT NOT NULL,
    period_start      DATE NOT NULL,
    period_end        DATE NOT NULL,
    snapshot_date     DATE NOT NULL,
    country           TEXT NOT NULL,
    period            TEXT NOT NULL,
    fetched_at        TIMESTAMPTZ NOT NULL,
    run_id            TEXT NOT NULL,
    entrances         BIGINT,
    engaged_entrances BIGINT,
    page_views        BIGINT,
    conversions       BIGINT,
    revenue           NUMERIC(18,6),
    bounce_rate       DOUBLE PRECISION,
    PRIMARY KEY (account_id, period_start, period_end, snapshot_date, country)
);

CREATE TABLE analytics_devices_daily (   -- /stats/devices
    account_id        TEXT NOT NULL,
    period_start      DATE NOT NULL,
    period_end        DATE NOT NULL,
    snapshot_date     DATE NOT NULL,
    device_type       TEXT NOT NULL,
    period            TEXT NOT NULL,
    fetched_at        TIMESTAMPTZ NOT NULL,
    run_id            TEXT NOT NULL,
    entrances         BIGINT,
    engaged_entrances BIGINT,
    page_views        BIGINT,
    conversions       BIGINT,
    revenue           NUMERIC(18,6),
    bounce_rate       DOUBLE PRECISION,
    PRIMARY KEY (account_id, period_start, period_end, snapshot_date, device_type)
);

CREATE TABLE analytics_channels_daily (   -- /stats/channels
    account_id        TEXT NOT NULL,
    period_start      DATE NOT NULL,
    period_end        DATE NOT NULL,
    snapshot_date     DATE NOT NULL,
    channel           TEXT NOT NULL,
    period            TEXT NOT NULL,
    fetched_at        TIMESTAMPTZ NOT NULL,
    run_id            TEXT NOT NULL,
    entrances         BIGINT,
    engaged_entrances BIGINT,
    page_views        BIGINT,
    conversions       BIGINT,
    revenue           NUMERIC(18,6),
    bounce_rate       DOUBLE PRECISION,
    PRIMARY KEY (account_id, period_start, period_end, snapshot_date, channel)
);

CREATE TABLE analytics_conversions_daily (   -- /stats/conversions
    account_id        TEXT NOT NULL,
    period_start      DATE NOT NULL,
    period_end        DATE NOT NULL,
    snapshot_date     DATE NOT NULL,
    conversion_type   TEXT NOT NULL,
    period            TEXT NOT NULL,
    fetched_at        TIMESTAMPTZ NOT NULL,
    run_id            TEXT NOT NULL,
    entrances         BIGINT,
    engaged_entrances BIGINT,
    page_views        BIGINT,
    conversions       BIGINT,
    revenue           NUMERIC(18,6),
    bounce_rate       DOUBLE PRECISION,
    PRIMARY KEY (account_id, period_start, period_end, snapshot_date, conversion_type)
);
