-- Schema drift, per row (issue 18): the fields a provider sent that seopipe does not know, kept with the row they
-- came with; how full each documented field was on each date, to see one go empty; and the data dictionary's
-- columns with the drift seen in their field.

-- Written with the chunk's rows in its transaction; a re-run of the date that buys the chunk again replaces its
-- entries (also those of rows that no longer carry unknown fields).
CREATE TABLE seopipe_extra_fields (
    pipeline      TEXT NOT NULL,
    stage_id      TEXT NOT NULL,
    snapshot_date TEXT NOT NULL,
    row_key       TEXT NOT NULL,             -- the row's key in its table: the target, with a list's own key after it
    endpoint      TEXT NOT NULL,
    table_name    TEXT NOT NULL,             -- the table the row loaded
    extra         TEXT NOT NULL,             -- the unknown fields, a JSON object
    request_hash  TEXT NOT NULL,             -- the chunk that bought it: a re-run that buys it again replaces them
    run_id        TEXT NOT NULL,
    fetched_at    TEXT NOT NULL,
    PRIMARY KEY (pipeline, stage_id, snapshot_date, row_key)
);
CREATE INDEX seopipe_extra_fields_chunk ON seopipe_extra_fields (pipeline, stage_id, snapshot_date, request_hash);

-- One row per stage, date and documented field: the rows of the answers that had it, and with a value.
CREATE TABLE seopipe_field_fill (
    pipeline      TEXT NOT NULL,
    stage_id      TEXT NOT NULL,
    snapshot_date TEXT NOT NULL,
    field         TEXT NOT NULL,
    endpoint      TEXT NOT NULL,
    rows_read     INTEGER NOT NULL,
    rows_filled   INTEGER NOT NULL,
    run_id        TEXT NOT NULL,
    PRIMARY KEY (pipeline, stage_id, snapshot_date, field)
);

-- The drift of each column of the dictionary; an added field has no column (column_name NULL).
CREATE VIEW seopipe_column_drift AS
SELECT d.table_name, c.column_name, d.field, d.kind, d.detail, d.provider, d.endpoint, d.first_seen, d.last_seen
FROM seopipe_schema_drift d
LEFT JOIN seopipe_columns c ON c.table_name = d.table_name AND c.column_name = d.field;
