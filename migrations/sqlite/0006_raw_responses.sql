-- Raw provider responses, for stages that ask for them with `load: { raw_responses: true }`: the body of each
-- committed chunk's answer as the provider sent it (JSON text), with every credential of the provider redacted.
-- Keyed like the chunk checkpoint, and written in the same transaction, so a re-run of a date replaces it.

CREATE TABLE seopipe_raw_responses (
    pipeline      TEXT NOT NULL,
    snapshot_date TEXT NOT NULL,
    stage_id      TEXT NOT NULL,
    request_hash  TEXT NOT NULL,             -- the chunk's request hash (seopipe_chunks.request_hash)
    chunk_index   INTEGER NOT NULL,
    provider      TEXT NOT NULL,             -- the pipeline's provider name
    endpoint      TEXT NOT NULL,
    http_status   INTEGER NOT NULL,
    fetched_at    TEXT NOT NULL,
    run_id        TEXT NOT NULL,
    body          TEXT NOT NULL,             -- JSON; query it with json_extract()
    PRIMARY KEY (pipeline, snapshot_date, stage_id, request_hash)
);
