-- Schema drift (issue 18): every way a provider's answers differed from their documented shape, once per provider,
-- endpoint, field and kind, with when it was first and last seen. The answers themselves are kept in
-- seopipe_raw_responses.

CREATE TABLE seopipe_schema_drift (
    provider      TEXT NOT NULL,             -- the provider kind: dataforseo, ahrefs-v3, ...
    endpoint      TEXT NOT NULL,
    field         TEXT NOT NULL,
    kind          TEXT NOT NULL,             -- added | missing | type_changed
    detail        TEXT NOT NULL,             -- what arrived: its JSON type ("a string, documented as a number")
    table_name    TEXT NOT NULL,             -- the table the endpoint loads
    pipeline      TEXT NOT NULL,             -- where it was seen last
    stage_id      TEXT NOT NULL,
    first_seen    TIMESTAMPTZ NOT NULL,
    last_seen     TIMESTAMPTZ NOT NULL,
    run_id        TEXT NOT NULL,             -- the run that saw it last
    PRIMARY KEY (provider, endpoint, field, kind)
);
