-- Raw provider responses, for stages that ask for them with `load: { raw_responses: true }`: the body of each
-- committed chunk's answer as the provider sent it, with every credential of the provider redacted.
-- Keyed like the chunk checkpoint, and written in the same transaction, so a re-run of a date replaces it.

CREATE TABLE seopipe_raw_responses (
    pipeline      TEXT NOT NULL,
    snapshot_date DATE NOT NULL,
    stage_id      TEXT NOT NULL,
    request_hash  TEXT NOT NULL,             -- the chunk's request hash (seopipe_chunks.request_hash)
    chunk_index   BIGINT NOT NULL,
    provider      TEXT NOT NULL,             -- the pipeline's provider name
    endpoint      TEXT NOT NULL,
    http_status   INTEGER NOT NULL,
    fetched_at    TIMESTAMPTZ NOT NULL,
    run_id        TEXT NOT NULL,
    body          JSONB NOT NULL,            -- query it with ->, ->> and jsonb_path_query()
    PRIMARY KEY (pipeline, snapshot_date, stage_id, request_hash)
);
