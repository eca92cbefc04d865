-- Ahrefs API v2 (legacy) refdomains: the referring domains of a target, and the table's stats block.
-- Keyed by (target, mode, snapshot_date [, refdomain]); a new pull of a date replaces that target's rows.
-- PostgreSQL mirror of migrations/sqlite/0004_ahrefs_v2.sql with native types.

CREATE TABLE ahrefs_v2_refdomains (
    target        TEXT NOT NULL,   -- host, directory or URL without scheme, host lower-cased
    mode          TEXT NOT NULL,   -- exact | domain | subdomains | prefix
    snapshot_date DATE NOT NULL,
    refdomain     TEXT NOT NULL,   -- the referring domain with at least one link to the target
    fetched_at    TIMESTAMPTZ NOT NULL,
    run_id        TEXT NOT NULL,
    backlinks     BIGINT,          -- backlinks from the referring domain to the target
    refpages      BIGINT,          -- referring pages on the referring domain
    first_seen    TIMESTAMPTZ,     -- least recent crawl of those backlinks
    last_visited  TIMESTAMPTZ,     -- most recent crawl of those backlinks
    domain_rating BIGINT,          -- Domain Rating of the referring domain
    PRIMARY KEY (target, mode, snapshot_date, refdomain)
);

CREATE TABLE ahrefs_v2_refdomains_stats (
    target        TEXT NOT NULL,
    mode          TEXT NOT NULL,
    snapshot_date DATE NOT NULL,
    fetched_at    TIMESTAMPTZ NOT NULL,
    run_id        TEXT NOT NULL,
    refdomains    BIGINT,          -- all referring domains of the target
    ips           BIGINT,          -- referring IP addresses
    class_c       BIGINT,          -- referring class C networks
    PRIMARY KEY (target, mode, snapshot_date)
);
