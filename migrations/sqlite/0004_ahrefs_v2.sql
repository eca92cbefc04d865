-- Ahrefs API v2 (legacy) refdomains: the referring domains of a target, and the table's stats block.
-- Keyed by (target, mode, snapshot_date [, refdomain]); a new pull of a date replaces that target's rows.

CREATE TABLE ahrefs_v2_refdomains (
    target        TEXT NOT NULL,   -- host, directory or URL without scheme, host lower-cased
    mode          TEXT NOT NULL,   -- exact | domain | subdomains | prefix
    snapshot_date TEXT NOT NULL,
    refdomain     TEXT NOT NULL,   -- the referring domain with at least one link to the target
    fetched_at    TEXT NOT NULL,
    run_id        TEXT NOT NULL,
    backlinks     INTEGER,         -- backlinks from the referring domain to the target
    refpages      INTEGER,         -- referring pages on the referring domain
    first_seen    TEXT,            -- UTC: least recent crawl of those backlinks
    last_visited  TEXT,            -- UTC: most recent crawl of those backlinks
    domain_rating INTEGER,         -- Domain Rating of the referring domain
    PRIMARY KEY (target, mode, snapshot_date, refdomain)
);

CREATE TABLE ahrefs_v2_refdomains_stats (
    target        TEXT NOT NULL,
    mode          TEXT NOT NULL,
    snapshot_date TEXT NOT NULL,
    fetched_at    TEXT NOT NULL,
    run_id        TEXT NOT NULL,
    refdomains    INTEGER,         -- all referring domains of the target
    ips           INTEGER,         -- referring IP addresses
    class_c       INTEGER,         -- referring class C networks
    PRIMARY KEY (target, mode, snapshot_date)
);
