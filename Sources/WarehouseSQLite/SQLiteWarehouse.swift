import CSQLite
import Foundation
import SeopipeCore

/// The embedded warehouse: one SQLite file in WAL mode, versioned migrations, ledger and fact tables.
public actor SQLiteWarehouse: Warehouse {
    public let path: String
    private let connection: SQLiteConnection
    private let migrations: [MigrationFile]
    /// What ``migrate()`` writes into `seopipe_tables` and `seopipe_columns`; nil leaves them as they are.
    private let dictionary: DataDictionary?
    /// Prepared upserts by table, reused across chunks.
    private var upserts: [String: (columns: [String], statement: SQLiteStatement)] = [:]
    private var knownTables: Set<String>?
    /// Prepared ledger statements by SQL text, reused for every chunk.
    private var statements: [String: SQLiteStatement] = [:]

    private func prepared(_ sql: String) throws -> SQLiteStatement {
        if let statement = statements[sql] { return statement }
        let statement = try connection.prepare(sql)
        statements[sql] = statement
        return statement
    }

    /// Opens (creating when absent) the database file. Call ``migrate()`` before use. `dictionary` is the data
    /// dictionary migrate writes (`ProviderRegistry.builtin.dataDictionary`); without one, migrate leaves the
    /// dictionary tables as they are, so a tool that knows no providers never erases their descriptions.
    public init(path: String, migrations: [MigrationFile] = SQLiteMigrations.all, dictionary: DataDictionary? = nil)
        throws
    {
        self.path = path
        self.migrations = migrations
        self.dictionary = dictionary
        connection = try SQLiteConnection(path: path)
        // Switching a new file to WAL needs it to itself, and SQLite answers SQLITE_BUSY at once rather than
        // waiting (another process may be creating the same file: two pipelines started together). Retry a while.
        var attempt = 0
        while true {
            do {
                try connection.execute("PRAGMA journal_mode=WAL")
                break
            } catch let error as SQLiteError where error.code == SQLITE_BUSY && attempt < 200 {
                attempt += 1
                usleep(50_000)
            }
        }
        // NORMAL is durable against process crashes in WAL mode; fsync at checkpoints only.
        try connection.execute("PRAGMA synchronous=NORMAL")
        try connection.execute("PRAGMA foreign_keys=ON")
    }

    public func close() async {
        upserts.removeAll()
        statements.removeAll()
        try? connection.execute("PRAGMA optimize")
    }

    // MARK: Migrations

    public func migrate() throws -> [AppliedMigration] {
        try connection.execute(
            """
            CREATE TABLE IF NOT EXISTS seopipe_schema_migrations (
                version    INTEGER PRIMARY KEY,
                name       TEXT NOT NULL,
                checksum   TEXT NOT NULL,
                applied_at TEXT NOT NULL
            )
            """)
        var applied: [Int: (name: String, checksum: String)] = [:]
        try connection.prepare("SELECT version, name, checksum FROM seopipe_schema_migrations").forEachRow {
            applied[$0.int(0)] = ($0.text(1) ?? "", $0.text(2) ?? "")
        }
        var result: [AppliedMigration] = []
        for (migration, isApplied) in try MigrationPlan.check(migrations, applied: applied, warehouse: path) {
            if isApplied {
                result.append(AppliedMigration(version: migration.version, name: migration.name, newlyApplied: false))
                continue
            }
            // Another process may have applied it since we looked (two runs starting on a new file): the write
            // transaction makes the check and the apply one step.
            let appliedMeanwhile = try connection.transaction { () throws -> Bool in
                let check = try connection.prepare("SELECT checksum FROM seopipe_schema_migrations WHERE version = ?")
                try check.bind([.integer(Int64(migration.version))])
                var checksum: String?
                try check.forEachRow { checksum = $0.text(0) }
                if let checksum {
                    _ = try MigrationPlan.check(
                        [migration], applied: [migration.version: (migration.name, checksum)], warehouse: path)
                    return true
                }
                try connection.execute(migration.sql)
                let insert = try connection.prepare(
                    "INSERT INTO seopipe_schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)")
                try insert.bind([
                    .integer(Int64(migration.version)), .text(migration.name), .text(migration.checksum),
                    SQLValue(Timestamp.current()),
                ])
                try insert.run()
                return false
            }
            result.append(
                AppliedMigration(
                    version: migration.version, name: migration.name, newlyApplied: !appliedMeanwhile))
        }
        knownTables = nil
        if let dictionary, try tableExists("seopipe_columns") { try syncDictionary(dictionary) }
        return result
    }

    private func tableExists(_ name: String) throws -> Bool {
        let statement = try connection.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?")
        try statement.bind([.text(name)])
        var found = false
        try statement.forEachRow { _ in found = true }
        return found
    }

    /// Writes the data dictionary into `seopipe_tables` and `seopipe_columns` when it differs from what they hold.
    private func syncDictionary(_ dictionary: DataDictionary) throws {
        let wanted = dictionary.rows(for: try catalog())
        var held = DataDictionary.Rows(tables: [], columns: [])
        try connection.prepare("SELECT table_name, kind, description FROM seopipe_tables ORDER BY table_name")
            .forEachRow { row in held.tables.append((0..<3).map { row.text(Int32($0)) ?? "" }) }
        try connection.prepare(
            """
            SELECT table_name, column_name, position, data_type, description FROM seopipe_columns
            ORDER BY table_name, position
            """
        ).forEachRow { row in held.columns.append((0..<5).map { row.text(Int32($0)) ?? "" }) }
        guard held != wanted else { return }
        try connection.transaction {
            try connection.execute("DELETE FROM seopipe_tables; DELETE FROM seopipe_columns;")
            let table = try connection.prepare(
                "INSERT INTO seopipe_tables (table_name, kind, description) VALUES (?, ?, ?)")
            for row in wanted.tables {
                try table.bind(row.map { SQLValue.text($0) })
                try table.run()
            }
            let column = try connection.prepare(
                """
                INSERT INTO seopipe_columns (table_name, column_name, position, data_type, description)
                VALUES (?, ?, ?, ?, ?)
                """)
            for row in wanted.columns {
                try column.bind([
                    .text(row[0]), .text(row[1]), .integer(Int64(row[2]) ?? 0), .text(row[3]), .text(row[4]),
                ])
                try column.run()
            }
        }
    }

    public func catalog() throws -> [CatalogColumn] {
        var objects: [(name: String, kind: DataDictionary.Kind)] = []
        try connection.prepare(
            """
            SELECT name, type FROM sqlite_master WHERE type IN ('table', 'view')
                AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name
            """
        ).forEachRow { row in
            if let name = row.text(0) { objects.append((name, row.text(1) == "view" ? .view : .table)) }
        }
        var columns: [CatalogColumn] = []
        for object in objects {
            let statement = try connection.prepare("SELECT cid, name, type FROM pragma_table_info(?)")
            try statement.bind([.text(object.name)])
            try statement.forEachRow { row in
                let type = row.text(2) ?? ""
                columns.append(
                    CatalogColumn(
                        table: object.name, kind: object.kind, column: row.text(1) ?? "", position: row.int(0) + 1,
                        dataType: type.isEmpty ? "ANY" : type))
            }
        }
        return columns
    }

    // MARK: Ledger

    public func recordRun(_ run: RunRecord) throws {
        let statement = try prepared(
            """
            INSERT INTO seopipe_runs (run_id, pipeline, snapshot_date, status, started_at, finished_at, rows, requests,
                units, cost_usd, error)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (run_id) DO UPDATE SET status = excluded.status, finished_at = excluded.finished_at,
                rows = excluded.rows, requests = excluded.requests, units = excluded.units,
                cost_usd = excluded.cost_usd, error = excluded.error
            """)
        try statement.bind([
            .text(run.runID), .text(run.pipeline), SQLValue(run.snapshotDate), .text(run.status.rawValue),
            SQLValue(run.startedAt), SQLValue(run.finishedAt), .integer(Int64(run.rows)), .integer(Int64(run.requests)),
            .real(run.units),
            .real(run.costUSD), SQLValue(run.error),
        ])
        try statement.run()
    }

    public func charged(pipeline: String, stageIDs: [String], since: Date) throws -> (units: Double, costUSD: Double) {
        guard !stageIDs.isEmpty else { return (0, 0) }
        let marks = stageIDs.indices.map { "?\($0 + 3)" }.joined(separator: ", ")
        // What each run started since then was charged: its stages' totals, or, for a stage the run never
        // finished (killed), the chunks it committed. Summing checkpoints alone would count a chunk bought again
        // by a same-day --refresh once, since the refresh replaces its checkpoint row.
        let statement = try connection.prepare(
            """
            SELECT coalesce(sum(units), 0), coalesce(sum(cost_usd), 0) FROM (
                SELECT s.units, s.cost_usd FROM seopipe_stage_runs s JOIN seopipe_runs r ON r.run_id = s.run_id
                WHERE r.pipeline = ?1 AND r.started_at >= ?2 AND s.stage_id IN (\(marks))
                UNION ALL
                SELECT c.units, c.cost_usd FROM seopipe_chunks c JOIN seopipe_runs r ON r.run_id = c.run_id
                WHERE r.pipeline = ?1 AND r.started_at >= ?2 AND c.stage_id IN (\(marks))
                    AND NOT EXISTS (
                        SELECT 1 FROM seopipe_stage_runs s WHERE s.run_id = c.run_id AND s.stage_id = c.stage_id)
            ) spent
            """)
        try statement.bind([.text(pipeline), SQLValue(since)] + stageIDs.map { .text($0) })
        var result: (units: Double, costUSD: Double) = (0, 0)
        try statement.forEachRow { row in result = (row.double(0), row.double(1)) }
        return result
    }

    public func markAbandonedRuns(pipeline: String, at: Date, error: String) throws -> Int {
        let statement = try prepared(
            """
            UPDATE seopipe_runs SET status = ?, finished_at = ?, error = coalesce(error, ?)
            WHERE pipeline = ? AND status = ?
            RETURNING run_id
            """)
        try statement.bind([
            .text(RunStatus.finished(.interrupted).rawValue), SQLValue(at), .text(error), .text(pipeline),
            .text(RunStatus.running.rawValue),
        ])
        var count = 0
        try statement.forEachRow { _ in count += 1 }
        return count
    }

    public func recordStage(_ stage: StageRecord) throws {
        let statement = try prepared(
            """
            INSERT OR REPLACE INTO seopipe_stage_runs (run_id, stage_id, provider, endpoint, status, started_at,
                finished_at, targets, chunks, chunks_skipped, targets_fresh, rows, requests, units, cost_usd, error)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        try statement.bind([
            .text(stage.runID), .text(stage.stageID), .text(stage.provider), .text(stage.endpoint),
            .text(stage.status.rawValue), SQLValue(stage.startedAt), SQLValue(stage.finishedAt),
            .integer(Int64(stage.targets)),
            .integer(Int64(stage.chunks)), .integer(Int64(stage.chunksSkipped)), .integer(Int64(stage.targetsFresh)),
            .integer(Int64(stage.rows)),
            .integer(Int64(stage.requests)), .real(stage.units), .real(stage.costUSD), SQLValue(stage.error),
        ])
        try statement.run()
    }

    public func committedChunks(pipeline: String, snapshotDate: SnapshotDate, stageID: String) throws
        -> [String: ChunkCheckpoint]
    {
        let statement = try prepared(
            """
            SELECT request_hash, rows, units, cost_usd, target_errors, run_id, next_cursor FROM seopipe_chunks
            WHERE pipeline = ? AND snapshot_date = ? AND stage_id = ? AND status = 'committed'
            """)
        try statement.bind([.text(pipeline), SQLValue(snapshotDate), .text(stageID)])
        var result: [String: ChunkCheckpoint] = [:]
        try statement.forEachRow { row in
            let hash = row.text(0) ?? ""
            result[hash] = ChunkCheckpoint(
                requestHash: hash, rows: row.int(1), units: row.double(2), costUSD: row.double(3),
                targetErrors: row.int(4), runID: row.text(5) ?? "", nextCursor: row.text(6))
        }
        return result
    }

    // MARK: Loading

    public func commit(_ chunk: ChunkCommit) throws {
        try connection.transaction {
            try upsert(chunk.payload.rows)
            for related in chunk.payload.related { try upsert(related) }
            let errors = try prepared(
                """
                INSERT OR REPLACE INTO seopipe_target_errors (pipeline, snapshot_date, stage_id, target, run_id,
                    request_hash, error, recorded_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for failure in chunk.payload.targetFailures {
                try errors.bind([
                    .text(chunk.key.pipeline), SQLValue(chunk.key.snapshotDate), .text(chunk.key.stageID),
                    .text(failure.target), .text(chunk.runID), .text(chunk.key.requestHash), .text(failure.message),
                    SQLValue(chunk.committedAt),
                ])
                try errors.run()
            }
            let checkpoint = try prepared(
                """
                INSERT OR REPLACE INTO seopipe_chunks (pipeline, snapshot_date, stage_id, request_hash, chunk_index,
                    status, targets, rows, units, cost_usd, target_errors, attempts, run_id, committed_at, next_cursor)
                VALUES (?, ?, ?, ?, ?, 'committed', ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            try checkpoint.bind([
                .text(chunk.key.pipeline), SQLValue(chunk.key.snapshotDate), .text(chunk.key.stageID),
                .text(chunk.key.requestHash), .integer(Int64(chunk.chunkIndex)), .integer(Int64(chunk.targetCount)),
                .integer(Int64(chunk.payload.factRows)), .real(chunk.payload.units), .real(chunk.payload.costUSD),
                .integer(Int64(chunk.payload.targetFailures.count)), .integer(Int64(chunk.attempts)),
                .text(chunk.runID), SQLValue(chunk.committedAt), SQLValue(chunk.payload.nextCursor),
            ])
            try checkpoint.run()
        }
    }

    public func recordDrift(_ records: [DriftRecord]) throws {
        try connection.transaction {
            let statement = try prepared(
                """
                INSERT INTO seopipe_schema_drift (provider, endpoint, field, kind, detail, table_name, pipeline, stage_id,
                    first_seen, last_seen, run_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (provider, endpoint, field, kind) DO UPDATE SET detail = excluded.detail,
                    table_name = excluded.table_name, pipeline = excluded.pipeline, stage_id = excluded.stage_id,
                    last_seen = excluded.last_seen, run_id = excluded.run_id
                """)
            for record in records {
                try statement.bind([
                    .text(record.provider), .text(record.endpoint), .text(record.field), .text(record.kind.rawValue),
                    .text(record.detail), .text(record.table), .text(record.pipeline), .text(record.stageID),
                    SQLValue(record.firstSeen), SQLValue(record.lastSeen), .text(record.runID),
                ])
                try statement.run()
            }
        }
    }

    public func drift(since: Date?) throws -> [DriftRecord] {
        let statement = try connection.prepare(
            """
            SELECT provider, endpoint, field, kind, detail, table_name, pipeline, stage_id, first_seen, last_seen, run_id
            FROM seopipe_schema_drift WHERE last_seen >= ? ORDER BY last_seen DESC, provider, endpoint, field, kind
            """)
        try statement.bind([SQLValue(since ?? Date(timeIntervalSince1970: 0))])
        var records: [DriftRecord] = []
        try statement.forEachRow { row in
            records.append(
                DriftRecord(
                    pipeline: row.text(6) ?? "", stageID: row.text(7) ?? "", provider: row.text(0) ?? "",
                    endpoint: row.text(1) ?? "", table: row.text(5) ?? "",
                    kind: DriftObservation.Kind(rawValue: row.text(3) ?? "") ?? .added, field: row.text(2) ?? "",
                    detail: row.text(4) ?? "", firstSeen: try row.timestamp(8), lastSeen: try row.timestamp(9),
                    runID: row.text(10) ?? ""))
        }
        return records
    }

    public func recordFieldFill(
        pipeline: String, stageID: String, endpoint: String, record: FieldFillRecord, runID: String
    ) throws {
        try connection.transaction {
            let statement = try prepared(
                """
                INSERT INTO seopipe_field_fill (pipeline, stage_id, snapshot_date, field, endpoint, rows_read,
                    rows_filled, run_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (pipeline, stage_id, snapshot_date, field) DO UPDATE SET endpoint = excluded.endpoint,
                    rows_read = excluded.rows_read, rows_filled = excluded.rows_filled, run_id = excluded.run_id
                """)
            for (field, fill) in record.fill.sorted(by: { $0.key < $1.key }) {
                try statement.bind([
                    .text(pipeline), .text(stageID), .text(record.snapshotDate.description), .text(field),
                    .text(endpoint), .integer(Int64(fill.rows)), .integer(Int64(fill.filled)), .text(runID),
                ])
                try statement.run()
            }
        }
    }

    public func fieldFill(pipeline: String, stageID: String, before date: SnapshotDate) throws -> FieldFillRecord? {
        let statement = try connection.prepare(
            """
            SELECT snapshot_date, field, rows_read, rows_filled FROM seopipe_field_fill
            WHERE pipeline = ? AND stage_id = ? AND snapshot_date = (
                SELECT max(snapshot_date) FROM seopipe_field_fill
                WHERE pipeline = ? AND stage_id = ? AND snapshot_date < ?)
            """)
        try statement.bind([.text(pipeline), .text(stageID), .text(pipeline), .text(stageID), .text(date.description)])
        var record: FieldFillRecord?
        try statement.forEachRow { row in
            guard let day = row.text(0).flatMap(SnapshotDate.init) else { return }
            var found = record ?? FieldFillRecord(snapshotDate: day, fill: [:])
            found.fill[row.text(1) ?? ""] = FieldFill(rows: row.int(2), filled: row.int(3))
            record = found
        }
        return record
    }

    public func lastFetches(pipeline: String, stageID: String) throws -> FreshnessIndex {
        let statement = try connection.prepare(
            "SELECT target, snapshot_date FROM seopipe_target_fetches WHERE pipeline = ? AND stage_id = ?")
        try statement.bind([.text(pipeline), .text(stageID)])
        var index = FreshnessIndex()
        try statement.forEachRow { row in
            index.add(target: row.text(0) ?? "", lastFetched: try row.snapshotDate(1))
        }
        index.finish()
        return index
    }

    /// Loads a batch outside the ledger, in its own transaction (benchmarks, imports).
    public func load(_ batch: TableBatch) throws {
        try connection.transaction { try upsert(batch) }
    }

    /// Upserts every row of `batch` with one reused prepared statement; the caller holds the transaction.
    private func upsert(_ batch: TableBatch) throws {
        if !batch.replaceColumns.isEmpty, !batch.replaceKeys.isEmpty {
            try checkTable(batch.table)
            let conditions = batch.replaceColumns.map { "\(quoted($0)) = ?" }.joined(separator: " AND ")
            let delete = try prepared("DELETE FROM \(quoted(batch.table)) WHERE \(conditions)")
            for key in batch.replaceKeys {
                try delete.bind(key)
                try delete.run()
            }
        }
        guard batch.rowCount > 0 else { return }
        let statement = try upsertStatement(for: batch)
        let width = batch.columns.count
        try batch.values.withUnsafeBufferPointer { values in
            var offset = 0
            while offset < values.count {
                for column in 0..<width {
                    try statement.bind(values[offset + column], at: Int32(column + 1))
                }
                try statement.run()
                offset += width
            }
        }
    }

    private func upsertStatement(for batch: TableBatch) throws -> SQLiteStatement {
        if let cached = upserts[batch.table], cached.columns == batch.columns { return cached.statement }
        try checkTable(batch.table)
        let columns = batch.columns.map(quoted).joined(separator: ", ")
        let placeholders = Array(repeating: "?", count: batch.columns.count).joined(separator: ", ")
        let updates = batch.columns.filter { !batch.keyColumns.contains($0) }
            .map { "\(quoted($0)) = excluded.\(quoted($0))" }.joined(separator: ", ")
        let sql = """
            INSERT INTO \(quoted(batch.table)) (\(columns)) VALUES (\(placeholders))
            ON CONFLICT (\(batch.keyColumns.map(quoted).joined(separator: ", "))) DO UPDATE SET \(updates)
            """
        let statement = try connection.prepare(sql)
        upserts[batch.table] = (batch.columns, statement)
        return statement
    }

    /// Identifiers reach SQL only when they name a table of the migrated schema.
    private func checkTable(_ table: String) throws {
        if knownTables == nil {
            var tables: Set<String> = []
            try connection.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").forEachRow {
                if let name = $0.text(0) { tables.insert(name) }
            }
            knownTables = tables
        }
        guard knownTables!.contains(table) else {
            throw SQLiteError(code: SQLITE_ERROR, message: "no table \(table) in the warehouse; run `seopipe migrate`")
        }
    }

    public func recordTargetFailures(
        _ failures: [TargetFailure], runID: String, pipeline: String, snapshotDate: SnapshotDate, stageID: String,
        at: Date
    ) throws {
        try connection.transaction {
            let statement = try prepared(
                """
                INSERT OR REPLACE INTO seopipe_target_errors (pipeline, snapshot_date, stage_id, target, run_id,
                    request_hash, error, recorded_at)
                VALUES (?, ?, ?, ?, ?, NULL, ?, ?)
                """)
            for failure in failures {
                try statement.bind([
                    .text(pipeline), SQLValue(snapshotDate), .text(stageID), .text(failure.target),
                    .text(runID), .text(failure.message), SQLValue(at),
                ])
                try statement.run()
            }
        }
    }

    // MARK: Reading

    public func targets(fromSQL sql: String, snapshotDate: SnapshotDate) throws -> TargetSpill {
        let statement = try connection.prepare(sql)
        // SQLite calls BEGIN, SAVEPOINT, ATTACH and DETACH read-only too; a query must also return columns.
        guard statement.isReadOnly, statement.columnCount > 0 else {
            throw SQLiteError(
                code: SQLITE_READONLY, message: "from_sql must only read (a SELECT), not change the warehouse")
        }
        try statement.bind(SQLValue(snapshotDate), named: ":snapshot")
        let spill = try TargetSpill.Writer()
        try statement.forEachRow { row in
            if let value = row.text(0) { try spill.append(value) }
        }
        return try spill.finish()
    }

    public func runs(_ filter: RunFilter) throws -> [RunRecord] {
        var conditions: [String] = []
        var values: [SQLValue] = []
        if let pipeline = filter.pipeline {
            conditions.append("pipeline = ?")
            values.append(.text(pipeline))
        }
        if let status = filter.status {
            conditions.append("status = ?")
            values.append(.text(status.rawValue))
        }
        if let since = filter.startedSince {
            conditions.append("started_at >= ?")
            values.append(SQLValue(since))
        }
        if let prefix = filter.runIDPrefix {
            conditions.append("substr(run_id, 1, length(?)) = ?")
            values += [.text(prefix), .text(prefix)]
        }
        let statement = try connection.prepare(
            """
            SELECT run_id, pipeline, snapshot_date, status, started_at, finished_at, rows, requests, units, cost_usd,
                error
            FROM seopipe_runs \(conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND "))
            ORDER BY started_at DESC, run_id DESC LIMIT ?
            """)
        try statement.bind(values + [.integer(Int64(filter.limit))])
        var runs: [RunRecord] = []
        try statement.forEachRow { row in
            runs.append(
                RunRecord(
                    runID: row.text(0) ?? "", pipeline: row.text(1) ?? "", snapshotDate: try row.snapshotDate(2),
                    status: try row.status(3), startedAt: try row.timestamp(4),
                    finishedAt: try row.optionalTimestamp(5),
                    rows: row.int(6), requests: row.int(7), units: row.double(8), costUSD: row.double(9),
                    error: row.text(10)))
        }
        return runs
    }

    public func lastScheduledSlot(pipeline: String) throws -> Date? {
        let statement = try connection.prepare("SELECT last_slot FROM seopipe_schedule WHERE pipeline = ?")
        try statement.bind([.text(pipeline)])
        var slot: Date?
        try statement.forEachRow { slot = try $0.optionalTimestamp(0) }
        return slot
    }

    public func recordScheduledSlot(pipeline: String, schedule: String, slot: Date, runID: String?) throws {
        let statement = try connection.prepare(
            """
            INSERT INTO seopipe_schedule (pipeline, schedule, last_slot, run_id, updated_at) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (pipeline) DO UPDATE SET schedule = excluded.schedule, last_slot = excluded.last_slot,
                run_id = excluded.run_id, updated_at = excluded.updated_at
            """)
        try statement.bind([
            .text(pipeline), .text(schedule), SQLValue(slot), SQLValue(runID), SQLValue(Timestamp.current()),
        ])
        try statement.run()
    }

    public func stageRuns(runID: String) throws -> [StageRecord] {
        let statement = try connection.prepare(
            """
            SELECT stage_id, provider, endpoint, status, started_at, finished_at, targets, chunks, chunks_skipped, rows,
                requests, units, cost_usd, error, targets_fresh
            FROM seopipe_stage_runs WHERE run_id = ? ORDER BY rowid
            """)
        try statement.bind([.text(runID)])
        var stages: [StageRecord] = []
        try statement.forEachRow { row in
            stages.append(
                StageRecord(
                    runID: runID, stageID: row.text(0) ?? "", provider: row.text(1) ?? "", endpoint: row.text(2) ?? "",
                    status: try row.status(3), startedAt: try row.optionalTimestamp(4),
                    finishedAt: try row.optionalTimestamp(5), targets: row.int(6),
                    chunks: row.int(7), chunksSkipped: row.int(8), targetsFresh: row.int(14), rows: row.int(9),
                    requests: row.int(10), units: row.double(11), costUSD: row.double(12), error: row.text(13)))
        }
        return stages
    }

    public func chunks(runID: String) throws -> [ChunkRecord] {
        let statement = try connection.prepare(
            """
            SELECT stage_id, chunk_index, targets, rows, units, cost_usd, target_errors, attempts, committed_at
            FROM seopipe_chunks WHERE run_id = ? ORDER BY stage_id, chunk_index
            """)
        try statement.bind([.text(runID)])
        var chunks: [ChunkRecord] = []
        try statement.forEachRow { row in
            chunks.append(
                ChunkRecord(
                    stageID: row.text(0) ?? "", chunkIndex: row.int(1), targets: row.int(2), rows: row.int(3),
                    units: row.double(4), costUSD: row.double(5), targetErrors: row.int(6), attempts: row.int(7),
                    committedAt: try row.timestamp(8)))
        }
        return chunks
    }

    public func targetErrors(runID: String) throws -> [TargetErrorRecord] {
        let statement = try connection.prepare(
            """
            SELECT stage_id, target, error FROM seopipe_target_errors WHERE run_id = ? ORDER BY stage_id, target
            """)
        try statement.bind([.text(runID)])
        var errors: [TargetErrorRecord] = []
        try statement.forEachRow { row in
            errors.append(
                TargetErrorRecord(stageID: row.text(0) ?? "", target: row.text(1) ?? "", error: row.text(2) ?? ""))
        }
        return errors
    }

    public func factTableCounts() throws -> [(table: String, rows: Int)] {
        var tables: [String] = []
        try connection.prepare(
            """
            SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'seopipe\\_%' ESCAPE '\\'
                AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name
            """
        ).forEachRow { if let name = $0.text(0) { tables.append(name) } }
        return try tables.map { table in
            var count = 0
            try connection.prepare("SELECT count(*) FROM \(quoted(table))").forEachRow { count = $0.int(0) }
            return (table, count)
        }
    }

    /// Runs a read-only query and returns every row as text (CLI summaries and tests).
    public func query(_ sql: String) throws -> [[String?]] {
        let statement = try connection.prepare(sql)
        var rows: [[String?]] = []
        try statement.forEachRow { row in
            rows.append((0..<row.columnCount).map { row.isNull($0) ? nil : row.text($0) })
        }
        return rows
    }
}

// MARK: Stored forms

/// The ledger's typed values as this warehouse stores them: dates as `YYYY-MM-DD` TEXT, timestamps as ISO-8601 UTC
/// TEXT (``Timestamp/text(_:)``), statuses by their raw values.
extension SQLValue {
    init(_ date: SnapshotDate) { self = .text(date.description) }
    init(_ date: Date?) { self = date.map { .text(Timestamp.text($0)) } ?? .null }
}

extension SQLiteStatement {
    func snapshotDate(_ column: Int32) throws -> SnapshotDate {
        let text = self.text(column) ?? ""
        guard let date = SnapshotDate(text) else { throw unreadable(column, text, "a YYYY-MM-DD date") }
        return date
    }

    /// A timestamp column that may hold NULL.
    func optionalTimestamp(_ column: Int32) throws -> Date? {
        guard let text = self.text(column) else { return nil }
        guard let date = Timestamp.parse(text) else { throw unreadable(column, text, "an ISO-8601 time") }
        return date
    }

    func timestamp(_ column: Int32) throws -> Date {
        guard let date = try optionalTimestamp(column) else { throw unreadable(column, "NULL", "an ISO-8601 time") }
        return date
    }

    func status<Status: RawRepresentable<String>>(_ column: Int32) throws -> Status {
        let text = self.text(column) ?? ""
        guard let status = Status(rawValue: text) else { throw unreadable(column, text, "a status") }
        return status
    }

    private func unreadable(_ column: Int32, _ text: String, _ expected: String) -> SQLiteError {
        let name = sqlite3_column_name(handle, column).map { String(cString: $0) } ?? "column \(column)"
        return SQLiteError(code: SQLITE_MISMATCH, message: "\(name) holds `\(text)`, not \(expected)")
    }
}
