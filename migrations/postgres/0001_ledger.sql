-- The run ledger: every run, every stage of it, every committed chunk (the resume checkpoints),
-- and every target a provider (or our own validation) refused.
-- PostgreSQL mirror of migrations/sqlite/0001_ledger.sql with native types.

CREATE TABLE seopipe_runs (
    run_id        TEXT PRIMARY KEY,
    pipeline      TEXT NOT NULL,
    snapshot_date DATE NOT NULL,                      -- the date the run stamps its rows with
    status        TEXT NOT NULL,                      -- running | succeeded | partial | failed
    started_at    TIMESTAMPTZ NOT NULL,
    finished_at   TIMESTAMPTZ,
    rows          BIGINT NOT NULL DEFAULT 0,
    requests      BIGINT NOT NULL DEFAULT 0,
    units         DOUBLE PRECISION NOT NULL DEFAULT 0, -- provider units charged by this run
    cost_usd      NUMERIC(18,6) NOT NULL DEFAULT 0,    -- USD charged by this run
    error         TEXT
);
CREATE INDEX seopipe_runs_by_pipeline ON seopipe_runs (pipeline, started_at);

CREATE TABLE seopipe_stage_runs (
    run_id         TEXT NOT NULL REFERENCES seopipe_runs (run_id),
    stage_id       TEXT NOT NULL,
    provider       TEXT NOT NULL,
    endpoint       TEXT NOT NULL,
    status         TEXT NOT NULL,                     -- success | partial | error | skipped
    started_at     TIMESTAMPTZ,
    finished_at    TIMESTAMPTZ,
    targets        BIGINT NOT NULL DEFAULT 0,
    chunks         BIGINT NOT NULL DEFAULT 0,
    chunks_skipped BIGINT NOT NULL DEFAULT 0,         -- committed by an earlier run of the same date, not bought again
    rows           BIGINT NOT NULL DEFAULT 0,
    requests       BIGINT NOT NULL DEFAULT 0,
    units          DOUBLE PRECISION NOT NULL DEFAULT 0,
    cost_usd       NUMERIC(18,6) NOT NULL DEFAULT 0,
    error          TEXT,
    PRIMARY KEY (run_id, stage_id)
);

-- A chunk's row here commits in the same transaction as its fact rows: what makes resume exact.
CREATE TABLE seopipe_chunks (
    pipeline      TEXT NOT NULL,
    snapshot_date DATE NOT NULL,
    stage_id      TEXT NOT NULL,
    request_hash  TEXT NOT NULL,                      -- hash of the request without credentials
    chunk_index   BIGINT NOT NULL,
    status        TEXT NOT NULL,                      -- committed
    targets       BIGINT NOT NULL,
    rows          BIGINT NOT NULL,
    units         DOUBLE PRECISION NOT NULL,
    cost_usd      NUMERIC(18,6) NOT NULL,
    target_errors BIGINT NOT NULL,
    attempts      BIGINT NOT NULL,
    run_id        TEXT NOT NULL,
    committed_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (pipeline, snapshot_date, stage_id, request_hash)
);

CREATE TABLE seopipe_target_errors (
    pipeline      TEXT NOT NULL,
    snapshot_date DATE NOT NULL,
    stage_id      TEXT NOT NULL,
    target        TEXT NOT NULL,
    run_id        TEXT NOT NULL,
    request_hash  TEXT,                               -- NULL when refused before sending
    error         TEXT NOT NULL,
    recorded_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (pipeline, snapshot_date, stage_id, target)
);
