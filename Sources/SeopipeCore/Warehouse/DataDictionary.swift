/// What every table, view and column of the warehouse means, in words a BI user understands.
///
/// The core knows the common columns' vocabulary and its own bookkeeping tables; every provider brings a
/// ``Section`` for its tables and the registry assembles them (`ProviderRegistry.dataDictionary`). On every migrate
/// seopipe writes the dictionary into `seopipe_tables` and `seopipe_columns` (with the types the warehouse
/// declares), and PostgreSQL also gets it as `COMMENT ON`, so BI tools show it next to the columns.
/// `seopipe schema --markdown` prints it; docs/warehouse.md is that output. A test fails when a table, view or
/// column has no description, or a description names something the warehouse does not have.
public struct DataDictionary: Sendable {
    public enum Kind: String, Sendable { case table, view }

    public struct Entry: Sendable {
        public var name: String
        public var kind: Kind
        public var description: String
        /// Column descriptions that differ from the dictionary's vocabulary.
        public var columns: [String: String]

        public init(name: String, kind: Kind, description: String, columns: [String: String] = [:]) {
            self.name = name
            self.kind = kind
            self.description = description
            self.columns = columns
        }

        /// The entry of a provider's table.
        public static func table(_ table: TableSpec, _ description: String, columns: [String: String] = [:]) -> Entry {
            Entry(name: table.name, kind: .table, description: description, columns: columns)
        }

        public static func view(_ name: String, _ description: String, columns: [String: String] = [:]) -> Entry {
            Entry(name: name, kind: .view, description: description, columns: columns)
        }
    }

    /// One section of the docs: a heading and the tables or views listed under it, in order.
    public struct Section: Sendable {
        public var heading: String
        public var entries: [Entry]
        /// Column meanings shared by several tables or views (a provider's own words, e.g. its rank):
        /// added to the dictionary's vocabulary.
        public var vocabulary: [String: String]

        public init(heading: String, entries: [Entry], vocabulary: [String: String] = [:]) {
            self.heading = heading
            self.entries = entries
            self.vocabulary = vocabulary
        }
    }

    /// The sections in docs order: the ones given, then ``bookkeeping``.
    public let sections: [Section]
    /// ``common`` and every section's vocabulary; the first meaning given for a word wins.
    public let vocabulary: [String: String]
    private let byName: [String: Entry]

    /// A dictionary of `sections` (views, then each provider's tables), the bookkeeping tables and the common
    /// vocabulary. A name described twice keeps its first description (the registry's tests forbid it).
    public init(_ sections: [Section]) {
        self.sections = sections + [Self.bookkeeping]
        var vocabulary = Self.common
        for section in sections { vocabulary.merge(section.vocabulary) { first, _ in first } }
        self.vocabulary = vocabulary
        byName = Dictionary(
            self.sections.flatMap(\.entries).map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Every entry, in docs order.
    public var entries: [Entry] { sections.flatMap(\.entries) }

    /// The description of `column` in `table`: the table's own, else the vocabulary's.
    public func describe(column: String, in table: String) -> String? {
        entry(table)?.columns[column] ?? vocabulary[column]
    }

    public func entry(_ table: String) -> Entry? { byName[table] }

    /// Columns that mean the same wherever they appear, whichever provider loads them.
    public static let common: [String: String] = [
        "snapshot_date":
            "The date the numbers are for (the run's snapshot date, UTC). One row per date: a re-run of a date replaces its rows, a new date adds history.",
        "fetched_at": "When seopipe received the provider's answer (UTC).",
        "run_id": "The seopipe run that loaded the row (seopipe_runs.run_id).",
        "target": "The domain (or URL) asked about, normalized: lower-case host, no scheme.",
        "target_original": "The target as written in the pipeline file.",
        "url": "The page URL asked about, scheme and host lower-cased, path kept.",
        "url_original": "The URL as written in the pipeline file.",
        "domain": "The domain: lower-case host without scheme or path.",
        "backlinks": "Backlinks (links from other pages) pointing at the target.",
        "referring_domains": "Distinct domains with at least one backlink to the target.",
        "organic_traffic": "Estimated monthly visits from organic search.",
        "organic_keywords": "Keywords the target ranks for in organic search.",
        "pipeline": "The pipeline's name (the file's `name:`).",
        "stage_id": "The stage's id in the pipeline file.",
        "request_hash": "Hash of the provider request without credentials: the chunk's identity for resume.",
        "status": "Outcome.",
        "error": "Error message, if any (never contains credentials).",
        "rows": "Fact rows loaded.",
        "requests": "HTTP requests sent to the provider (retries included).",
        "units": "Provider units charged (Ahrefs API units, analytics requests).",
        "cost_usd": "US dollars charged (DataForSEO).",
        "started_at": "Start time (UTC).",
        "finished_at": "End time (UTC); empty while running.",
        "targets": "Targets (domains, URLs, keywords, accounts) asked about.",
        "first_seen": "When the provider's crawler first found the backlinks (UTC).",
    ]

    /// The tables seopipe keeps for itself (`seopipe_*`), listed last.
    public static let bookkeeping = Section(
        heading: "Bookkeeping (runs, chunks, errors, this dictionary)",
        entries: [
            Entry(
                name: "seopipe_runs", kind: .table,
                description: "The run ledger: one row per run of a pipeline (`seopipe runs`).",
                columns: [
                    "snapshot_date": "The date the run stamped its rows with.",
                    "status": "running, succeeded, partial (some targets or stages failed), failed or interrupted.",
                    "error": "The first stage error, if any.",
                ]),
            Entry(
                name: "seopipe_stage_runs", kind: .table,
                description: "One row per stage of each run (`seopipe runs show RUN_ID`).",
                columns: [
                    "provider": "The pipeline's name for the provider.",
                    "endpoint": "The provider endpoint the stage calls.",
                    "status": "success, partial, error or skipped.",
                    "chunks": "Chunks (batched requests) the stage was split into.",
                    "chunks_skipped": "Chunks an earlier run of the same date committed, not bought again.",
                    "targets_fresh":
                        "Targets the stage's `refresh:` policy did not buy on this date: bought recently enough.",
                ]),
            Entry(
                name: "seopipe_target_fetches", kind: .table,
                description:
                    "For stages with a `refresh:` policy: the latest date each target was bought, written with the chunk that bought it. It decides which targets are due on a date.",
                columns: [
                    "stage_id": "The stage that bought the target.",
                    "target": "The target as sent (normalized).",
                    "snapshot_date": "The latest snapshot date the target was bought for.",
                    "fetched_at": "When the chunk that bought it committed (UTC).",
                ]),
            Entry(
                name: "seopipe_schema_drift", kind: .table,
                description:
                    "Where a provider's answers differed from their documented shape (`seopipe drift`): once per provider, endpoint, field and kind. Added fields are kept per row in seopipe_extra_fields, the answers in seopipe_raw_responses.",
                columns: [
                    "provider": "The provider kind (dataforseo, ahrefs-v3, ...).",
                    "endpoint": "The provider endpoint.",
                    "field": "The field of the answer's rows.",
                    "kind":
                        "added (a field seopipe does not know, kept in seopipe_extra_fields), missing (a documented field no row had, or one that went empty in most rows) or type_changed (loaded as empty, the answer kept raw).",
                    "detail": "What arrived: the JSON type of the value.",
                    "table_name": "The table the endpoint loads.",
                    "first_seen": "When a run first saw it (UTC).",
                    "last_seen": "When a run last saw it (UTC).",
                    "run_id": "The run that saw it last.",
                ]),
            Entry(
                name: ExtraFieldsTable.table.name, kind: .table,
                description:
                    "The fields a provider sent that seopipe does not know, per row, as a JSON object (`json_extract(extra, '$.field')` in SQLite, `extra::jsonb ->> 'field'` in PostgreSQL): committed with the row they came with; a re-run of the date that buys the chunk again replaces its entries.",
                columns: [
                    "row_key":
                        "The row's key in its table: the target (domain, url or keyword) as loaded; an Ahrefs v2 row adds its mode and refdomain, an analytics row is `account period query` and the list's key.",
                    "endpoint": "The provider endpoint that sent it.",
                    "table_name": "The table the row loaded.",
                    "extra": "The unknown fields with their values, a JSON object.",
                    "run_id": "The run that loaded it.",
                ]),
            Entry(
                name: "seopipe_field_fill", kind: .table,
                description:
                    "How full each documented field of a stage's answers was on each date: compared with the date before to see a field go empty (schema drift, kind missing).",
                columns: [
                    "field": "A documented field of the endpoint's rows.",
                    "rows_read": "Rows of that date's answers that were read for the field.",
                    "rows_filled": "Of those, rows where it had a value (not null, not absent).",
                    "endpoint": "The provider endpoint the stage calls.",
                    "run_id": "The run that read it last.",
                ]),
            Entry(
                name: "seopipe_column_drift", kind: .view,
                description:
                    "The data dictionary's columns with the drift seen in their provider field (seopipe_schema_drift joined with seopipe_columns); an added field has no column.",
                columns: [
                    "table_name": "The table the endpoint loads.",
                    "column_name": "The column of the dictionary the field loads (NULL for an added field).",
                    "field": "The field of the provider's rows.",
                    "kind": "added, missing or type_changed (as in seopipe_schema_drift).",
                    "detail": "What arrived.",
                    "provider": "The provider kind (dataforseo, ahrefs-v3, ...).",
                    "endpoint": "The provider endpoint.",
                    "first_seen": "When a run first saw it (UTC).",
                    "last_seen": "When a run last saw it (UTC).",
                ]),
            Entry(
                name: "seopipe_snapshot_dates", kind: .view,
                description:
                    "Every snapshot date a run was made for: the dates the *_asof views answer for.",
                columns: ["snapshot_date": "A date some run stamped its rows with."]),
            Entry(
                name: "seopipe_chunks", kind: .table,
                description:
                    "Checkpoint of every committed chunk: committed with its rows in one transaction, it is what lets a failed run resume without paying twice.",
                columns: [
                    "snapshot_date": "The snapshot date the chunk was loaded for.",
                    "chunk_index": "Position of the chunk in its stage.",
                    "status": "committed.",
                    "targets": "Targets in the chunk.",
                    "target_errors": "Targets of the chunk the provider refused.",
                    "attempts": "Requests it took (1 = no retry).",
                    "committed_at": "When the chunk committed (UTC).",
                    "next_cursor":
                        "For a page that said more rows follow (analytics lists): what the next page asks for, so a resumed run goes on from here; empty otherwise.",
                ]),
            Entry(
                name: "seopipe_target_errors", kind: .table,
                description:
                    "Per-target errors: a target the provider refused (or seopipe could not send), per pipeline, date and stage.",
                columns: [
                    "snapshot_date": "The snapshot date of the run.",
                    "target": "The target as the provider saw it (for analytics: account, period and query).",
                    "request_hash": "The chunk's request hash; empty when the target was refused before sending.",
                    "recorded_at": "When the error was recorded (UTC).",
                ]),
            Entry(
                name: "seopipe_raw_responses", kind: .table,
                description:
                    "Provider answers as received, credentials redacted, for stages with `load: { raw_responses: true }`.",
                columns: [
                    "snapshot_date": "The snapshot date of the run.",
                    "chunk_index": "Position of the chunk in its stage.",
                    "provider": "The pipeline's name for the provider.",
                    "endpoint": "The provider endpoint.",
                    "http_status": "HTTP status of the answer.",
                    "body": "The answer's JSON body.",
                ]),
            Entry(
                name: "seopipe_schema_migrations", kind: .table,
                description: "Migrations applied to this warehouse (migrations/<backend>/NNNN_name.sql).",
                columns: [
                    "version": "The migration's number.",
                    "name": "The migration's name.",
                    "checksum": "Hash of the file as applied: an applied migration must never change.",
                    "applied_at": "When it was applied (UTC).",
                ]),
            Entry(
                name: "seopipe_schedule", kind: .table,
                description:
                    "`seopipe daemon`'s memory: the latest schedule slot it started each pipeline for, so a slot missed while it was down runs once on restart.",
                columns: [
                    "schedule": "The cron expression the slot came from.",
                    "last_slot": "The latest slot a run was started for (UTC).",
                    "run_id": "The run started for it (empty: the daemon's first start, which begins after this slot).",
                    "updated_at": "When the row was written (UTC).",
                ]),
            Entry(
                name: "seopipe_tables", kind: .table,
                description: "This data dictionary: every table and view, what it holds.",
                columns: [
                    "table_name": "Name of the table or view.", "kind": "table or view.",
                    "description": "What it holds.",
                ]),
            Entry(
                name: "seopipe_columns", kind: .table,
                description: "This data dictionary: every column of every table and view, its type and meaning.",
                columns: [
                    "table_name": "Name of the table or view.",
                    "column_name": "Name of the column.",
                    "position": "Position in the table or view, from 1.",
                    "data_type": "Type as this warehouse declares it.",
                    "description": "What the column means.",
                ]),
        ])
}

/// One column of the warehouse catalog, with its dictionary description.
public struct CatalogColumn: Sendable, Equatable {
    public var table: String
    public var kind: DataDictionary.Kind
    public var column: String
    public var position: Int
    public var dataType: String

    public init(table: String, kind: DataDictionary.Kind, column: String, position: Int, dataType: String) {
        self.table = table
        self.kind = kind
        self.column = column
        self.position = position
        self.dataType = dataType
    }
}

extension DataDictionary {
    /// The rows of `seopipe_tables` (name, kind, description) and `seopipe_columns` (table, column, position,
    /// type, description) for a warehouse's catalog, sorted; an undocumented name gets an empty description.
    public struct Rows: Sendable, Equatable {
        public var tables: [[String]]
        public var columns: [[String]]

        public init(tables: [[String]], columns: [[String]]) {
            self.tables = tables
            self.columns = columns
        }
    }

    public func rows(for catalog: [CatalogColumn]) -> Rows {
        var tables: [String: [String]] = [:]
        var columns: [[String]] = []
        for item in catalog {
            tables[item.table] = [item.table, item.kind.rawValue, entry(item.table)?.description ?? ""]
            columns.append([
                item.table, item.column, String(item.position), item.dataType,
                describe(column: item.column, in: item.table) ?? "",
            ])
        }
        return Rows(
            tables: tables.keys.sorted().map { tables[$0]! },
            columns: columns.sorted { ($0[0], Int($0[2]) ?? 0) < ($1[0], Int($1[2]) ?? 0) })
    }
}
