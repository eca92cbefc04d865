import Foundation
import Logging
import PostgresNIO
import SeopipeCore

/// The shared warehouse: a PostgreSQL database (optionally one schema of it), versioned migrations applied under an
/// advisory lock, the ledger, and chunk loads through `COPY`: straight into the fact table when the chunk's keys
/// are new, else into a staging table and one upsert.
///
/// One connection, used by one operation at a time: operations take turns, so a chunk's transaction never
/// interleaves with another's.
public actor PostgresWarehouse: Warehouse {
    public nonisolated let configuration: PostgresWarehouseConfiguration
    private let connection: PostgresConnection
    private let migrations: [MigrationFile]
    /// What ``migrate()`` writes into `seopipe_tables`, `seopipe_columns` and `COMMENT ON`; nil leaves them as they are.
    private let dictionary: DataDictionary?
    private let logger: Logger
    /// Columns and their types per fact table, read from the catalog: identifiers reach SQL only from here.
    private var tables: [String: [String: String]] = [:]
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    /// The warehouse's URL without its password.
    public nonisolated var location: String { configuration.redactedURL }

    /// Connects; call ``migrate()`` before use. `dictionary` is the data dictionary migrate writes
    /// (`ProviderRegistry.builtin.dataDictionary`); without one, migrate leaves the dictionary as it is.
    public init(
        configuration: PostgresWarehouseConfiguration, migrations: [MigrationFile] = PostgresMigrations.all,
        dictionary: DataDictionary? = nil, logger: Logger = Logger(label: "seopipe.postgres")
    ) async throws {
        self.configuration = configuration
        self.migrations = migrations
        self.dictionary = dictionary
        self.logger = logger
        connection = try await Self.connect(configuration, logger: logger)
    }

    /// Connects to `url` (`postgres://...`), completed from the environment like psql.
    public init(url: String, migrations: [MigrationFile] = PostgresMigrations.all, dictionary: DataDictionary? = nil)
        async throws
    {
        try await self.init(
            configuration: PostgresWarehouseConfiguration(url: url), migrations: migrations, dictionary: dictionary)
    }

    /// Opens a connection with the warehouse's schema as its search path.
    static func connect(
        _ configuration: PostgresWarehouseConfiguration, applicationName: String? = nil, logger: Logger
    ) async throws -> PostgresConnection {
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(
                configuration: configuration.connectionConfiguration(applicationName: applicationName),
                id: Int.random(in: 1...Int(Int32.max)), logger: logger)
        } catch let error as PostgresWarehouseError {
            throw error
        } catch {
            throw PostgresWarehouseError(error, doing: "cannot connect to \(configuration.host):\(configuration.port)")
        }
        if let schema = configuration.schema {
            var binds = PostgresBindings()
            binds.append(quoted(schema))
            do {
                try await connection.query(
                    PostgresQuery(unsafeSQL: "SELECT set_config('search_path', $1, false)", binds: binds),
                    logger: logger)
            } catch {
                try? await connection.close()
                throw PostgresWarehouseError(error, doing: "cannot use schema \(schema)")
            }
        }
        return connection
    }

    public func close() async {
        await acquire()
        defer { release() }
        try? await connection.close()
    }

    // MARK: One operation at a time

    /// Waits until no other operation uses the connection (actor methods interleave at every `await`).
    private func acquire() async {
        while busy { await withCheckedContinuation { waiting.append($0) } }
        busy = true
    }

    private func release() {
        busy = false
        if !waiting.isEmpty { waiting.removeFirst().resume() }
    }

    // MARK: Queries

    /// Runs `query` and collects its rows, turning PostgresNIO's errors into readable ones.
    @discardableResult
    private func rows(_ query: PostgresQuery) async throws -> [PostgresRow] {
        do {
            var rows: [PostgresRow] = []
            for try await row in try await connection.query(query, logger: logger) { rows.append(row) }
            return rows
        } catch {
            throw PostgresWarehouseError(error)
        }
    }

    private func execute(_ sql: String, _ binds: PostgresBindings = PostgresBindings()) async throws {
        try await rows(PostgresQuery(unsafeSQL: sql, binds: binds))
    }

    private func textRows(_ sql: String, _ binds: PostgresBindings = PostgresBindings()) async throws -> [[String?]] {
        try await rows(PostgresQuery(unsafeSQL: sql, binds: binds)).map { row in try row.map { try $0.text() } }
    }

    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws. A read-only one is
    /// always rolled back, so not even session settings (`set_config`) outlive it.
    private func transaction<T>(readOnly: Bool = false, _ body: () async throws -> T) async throws -> T {
        try await execute(readOnly ? "START TRANSACTION READ ONLY" : "BEGIN")
        do {
            let result = try await body()
            try await execute(readOnly ? "ROLLBACK" : "COMMIT")
            return result
        } catch {
            try? await execute("ROLLBACK")
            throw error
        }
    }

    /// Runs a query and returns every row with every column as text (CLI summaries and tests): dates as
    /// `YYYY-MM-DD`, timestamps as ISO-8601 UTC, numbers as Swift prints them.
    public func query(_ sql: String) async throws -> [[String?]] {
        await acquire()
        defer { release() }
        return try await textRows(sql)
    }

    // MARK: Migrations

    public func migrate() async throws -> [AppliedMigration] {
        await acquire()
        defer { release() }
        // One migrator per schema at a time; the lock goes with the session if the process dies.
        let lockKey = "seopipe migrate \(configuration.schema ?? "")"
        var binds = PostgresBindings()
        binds.append(lockKey)
        try await execute("SELECT pg_advisory_lock(hashtext($1))", binds)
        do {
            let result = try await migrateLocked()
            try await execute("SELECT pg_advisory_unlock(hashtext($1))", binds)
            return result
        } catch {
            try? await execute("SELECT pg_advisory_unlock(hashtext($1))", binds)
            throw error
        }
    }

    private func migrateLocked() async throws -> [AppliedMigration] {
        if let schema = configuration.schema {
            try await execute("CREATE SCHEMA IF NOT EXISTS \(quoted(schema))")
            var binds = PostgresBindings()
            binds.append(quoted(schema))
            try await execute("SELECT set_config('search_path', $1, false)", binds)
        }
        try await execute(
            """
            CREATE TABLE IF NOT EXISTS seopipe_schema_migrations (
                version    INTEGER PRIMARY KEY,
                name       TEXT NOT NULL,
                checksum   TEXT NOT NULL,
                applied_at TIMESTAMPTZ NOT NULL
            )
            """)
        var applied: [Int: (name: String, checksum: String)] = [:]
        for row in try await textRows("SELECT version, name, checksum FROM seopipe_schema_migrations") {
            applied[Int(row[0] ?? "") ?? 0] = (row[1] ?? "", row[2] ?? "")
        }
        var result: [AppliedMigration] = []
        for (migration, isApplied) in try MigrationPlan.check(migrations, applied: applied, warehouse: location) {
            if isApplied {
                result.append(AppliedMigration(version: migration.version, name: migration.name, newlyApplied: false))
                continue
            }
            try await transaction {
                for statement in SQLText.statements(migration.sql) {
                    do {
                        try await execute(statement)
                    } catch let error as PostgresWarehouseError {
                        throw PostgresWarehouseError(
                            "migration \(String(format: "%04d", migration.version))_\(migration.name).sql failed: "
                                + error.message, sqlState: error.sqlState)
                    }
                }
                var binds = PostgresBindings()
                binds.append(migration.version)
                binds.append(migration.name)
                binds.append(migration.checksum)
                try await execute(
                    "INSERT INTO seopipe_schema_migrations (version, name, checksum, applied_at) "
                        + "VALUES ($1::integer, $2, $3, now())", binds)
            }
            result.append(AppliedMigration(version: migration.version, name: migration.name, newlyApplied: true))
        }
        tables.removeAll()
        if let dictionary,
            try await textRows("SELECT to_regclass('seopipe_columns') IS NOT NULL").first?.first == "true"
        {
            try await syncDictionary(dictionary)
        }
        return result
    }

    /// Writes the data dictionary into `seopipe_tables`, `seopipe_columns` and `COMMENT ON` when it differs from
    /// what the tables hold: one DO block, one round trip.
    private func syncDictionary(_ dictionary: DataDictionary) async throws {
        let wanted = dictionary.rows(for: try await catalogLocked())
        let held = DataDictionary.Rows(
            tables: try await textRows("SELECT table_name, kind, description FROM seopipe_tables ORDER BY table_name")
                .map { $0.map { $0 ?? "" } },
            columns: try await textRows(
                "SELECT table_name, column_name, position, data_type, description FROM seopipe_columns "
                    + "ORDER BY table_name, position"
            ).map { $0.map { $0 ?? "" } })
        guard held != wanted else { return }
        func literal(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }
        var body = "DELETE FROM seopipe_tables; DELETE FROM seopipe_columns;\n"
        for row in wanted.tables {
            body += "INSERT INTO seopipe_tables VALUES (\(row.map(literal).joined(separator: ", ")));\n"
            body += "COMMENT ON \(row[1] == "view" ? "VIEW" : "TABLE") \(quoted(row[0])) IS \(literal(row[2]));\n"
        }
        for row in wanted.columns {
            body +=
                "INSERT INTO seopipe_columns VALUES (\(literal(row[0])), \(literal(row[1])), \(row[2]), "
                + "\(literal(row[3])), \(literal(row[4])));\n"
            body += "COMMENT ON COLUMN \(quoted(row[0])).\(quoted(row[1])) IS \(literal(row[4]));\n"
        }
        var tag = "seopipe"
        while body.contains("$\(tag)$") { tag += "_" }
        try await execute("DO $\(tag)$ BEGIN\n\(body)END $\(tag)$")
    }

    public func catalog() async throws -> [CatalogColumn] {
        await acquire()
        defer { release() }
        return try await catalogLocked()
    }

    private func catalogLocked() async throws -> [CatalogColumn] {
        try await textRows(
            """
            SELECT c.relname, c.relkind, a.attname, a.attnum, format_type(a.atttypid, a.atttypmod)
            FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
            WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())
                AND c.relkind IN ('r', 'v') AND a.attnum > 0 AND NOT a.attisdropped
            ORDER BY c.relname, a.attnum
            """
        ).map { row in
            CatalogColumn(
                table: row[0] ?? "", kind: row[1] == "v" ? .view : .table, column: row[2] ?? "",
                position: Int(row[3] ?? "") ?? 0, dataType: row[4] ?? "")
        }
    }

    // MARK: Ledger

    public func recordRun(_ run: RunRecord) async throws {
        await acquire()
        defer { release() }
        var binds = PostgresBindings()
        binds.append(run.runID)
        binds.append(run.pipeline)
        binds.append(run.snapshotDate)
        binds.append(run.status)
        binds.append(run.startedAt)
        binds.append(run.finishedAt)
        binds.append(Int64(run.rows))
        binds.append(Int64(run.requests))
        binds.append(run.units)
        binds.append(run.costUSD)
        binds.append(run.error)
        try await execute(
            """
            INSERT INTO seopipe_runs (run_id, pipeline, snapshot_date, status, started_at, finished_at, rows, requests,
                units, cost_usd, error)
            VALUES ($1, $2, $3::date, $4, $5::timestamptz, $6::timestamptz, $7, $8, $9, $10::numeric, $11)
            ON CONFLICT (run_id) DO UPDATE SET status = EXCLUDED.status, finished_at = EXCLUDED.finished_at,
                rows = EXCLUDED.rows, requests = EXCLUDED.requests, units = EXCLUDED.units,
                cost_usd = EXCLUDED.cost_usd, error = EXCLUDED.error
            """, binds)
    }

    public func charged(pipeline: String, stageIDs: [String], since: String) async throws
        -> (units: Double, costUSD: Double)
    {
        await acquire()
        defer { release() }
        var binds = PostgresBindings()
        binds.append(pipeline)
        binds.append(since)
        binds.append(stageIDs)
        // As in SQLite: each run's stage totals, or the chunks of a stage it never finished.
        let row = try await textRows(
            """
            SELECT coalesce(sum(units), 0)::float8, coalesce(sum(cost_usd), 0)::float8 FROM (
                SELECT s.units, s.cost_usd FROM seopipe_stage_runs s JOIN seopipe_runs r ON r.run_id = s.run_id
                WHERE r.pipeline = $1 AND r.started_at >= $2::timestamptz AND s.stage_id = ANY($3::text[])
                UNION ALL
                SELECT c.units, c.cost_usd FROM seopipe_chunks c JOIN seopipe_runs r ON r.run_id = c.run_id
                WHERE r.pipeline = $1 AND r.started_at >= $2::timestamptz AND c.stage_id = ANY($3::text[])
                    AND NOT EXISTS (
                        SELECT 1 FROM seopipe_stage_runs s WHERE s.run_id = c.run_id AND s.stage_id = c.stage_id)
            ) spent
            """, binds
        ).first
        return (Double(row?[0] ?? "") ?? 0, Double(row?[1] ?? "") ?? 0)
    }

    public func markAbandonedRuns(pipeline: String, at: String, error: String) async throws -> Int {
        await acquire()
        defer { release() }
        var binds = PostgresBindings()
        binds.append(at)
        binds.append(error)
        binds.append(pipeline)
        return try await textRows(
            """
            UPDATE seopipe_runs SET status = 'interrupted', finished_at = $1::timestamptz, error = coalesce(error, $2)
            WHERE pipeline = $3 AND status = 'running'
            RETURNING run_id
            """, binds
        ).count
    }

    public func recordStage(_ stage: StageRecord) async throws {
        await acquire()
        defer { release() }
        var binds = PostgresBindings()
        binds.append(stage.runID)
        binds.append(stage.stageID)
        binds.append(stage.provider)
        binds.append(stage.endpoint)
        binds.append(stage.status)
        binds.append(stage.startedAt)
        binds.append(stage.finishedAt)
        binds.append(Int64(stage.targets))
        binds.append(Int64(stage.chunks))
        binds.append(Int64(stage.chunksSkipped))
        binds.append(Int64(stage.rows))
        binds.append(Int64(stage.requests))
        binds.append(stage.units)
        binds.append(stage.costUSD)
        binds.append(stage.error)
        try await execute(
            """
            INSERT INTO seopipe_stage_runs (run_id, stage_id, provider, endpoint, status, started_at, finished_at,
                targets, chunks, chunks_skipped, rows, requests, units, cost_usd, error)
            VALUES ($1, $2, $3, $4, $5, $6::timestamptz, $7::timestamptz, $8, $9, $10, $11, $12, $13, $14::numeric, $15)
            ON CONFLICT (run_id, stage_id) DO UPDATE SET provider = EXCLUDED.provider, endpoint = EXCLUDED.endpoint,
                status = EXCLUDED.status, started_at = EXCLUDED.started_at, finished_at = EXCLUDED.finished_at,
                targets = EXCLUDED.targets, chunks = EXCLUDED.chunks, chunks_skipped = EXCLUDED.chunks_skipped,
                rows = EXCLUDED.rows, requests = EXCLUDED.requests, units = EXCLUDED.units,
                cost_usd = EXCLUDED.cost_usd, error = EXCLUDED.error
            """, binds)
    }

    public func committedChunks(pipeline: String, snapshotDate: String, stageID: String) async throws
        -> [String: ChunkCheckpoint]
    {
        await acquire()
        defer { release() }
        var binds = PostgresBindings()
        binds.append(pipeline)
        binds.append(snapshotDate)
        binds.append(stageID)
        let rows = try await textRows(
            """
            SELECT request_hash, rows, units, cost_usd, target_errors, run_id FROM seopipe_chunks
            WHERE pipeline = $1 AND snapshot_date = $2::date AND stage_id = $3 AND status = 'committed'
            """, binds)
        var result: [String: ChunkCheckpoint] = [:]
        for row in rows {
            let hash = row[0] ?? ""
            result[hash] = ChunkCheckpoint(
                requestHash: hash, rows: Int(row[1] ?? "") ?? 0, units: Double(row[2] ?? "") ?? 0,
                costUSD: Double(row[3] ?? "") ?? 0, targetErrors: Int(row[4] ?? "") ?? 0, runID: row[5] ?? "")
        }
        return result
    }

    // MARK: Loading

    public func commit(_ chunk: ChunkCommit) async throws {
        await acquire()
        defer { release() }
        try await transaction {
            for (index, batch) in ([chunk.payload.rows] + chunk.payload.related).enumerated() {
                try await upsert(batch, staging: "seopipe_staging_\(index)")
            }
            try await insertTargetErrors(
                chunk.payload.targetFailures, runID: chunk.runID, pipeline: chunk.key.pipeline,
                snapshotDate: chunk.key.snapshotDate, stageID: chunk.key.stageID, requestHash: chunk.key.requestHash,
                at: chunk.committedAt)
            var binds = PostgresBindings()
            binds.append(chunk.key.pipeline)
            binds.append(chunk.key.snapshotDate)
            binds.append(chunk.key.stageID)
            binds.append(chunk.key.requestHash)
            binds.append(Int64(chunk.chunkIndex))
            binds.append(Int64(chunk.targetCount))
            binds.append(Int64(chunk.payload.factRows))
            binds.append(chunk.payload.units)
            binds.append(chunk.payload.costUSD)
            binds.append(Int64(chunk.payload.targetFailures.count))
            binds.append(Int64(chunk.attempts))
            binds.append(chunk.runID)
            binds.append(chunk.committedAt)
            try await execute(
                """
                INSERT INTO seopipe_chunks (pipeline, snapshot_date, stage_id, request_hash, chunk_index, status,
                    targets, rows, units, cost_usd, target_errors, attempts, run_id, committed_at)
                VALUES ($1, $2::date, $3, $4, $5, 'committed', $6, $7, $8, $9::numeric, $10, $11, $12,
                    $13::timestamptz)
                ON CONFLICT (pipeline, snapshot_date, stage_id, request_hash) DO UPDATE SET
                    chunk_index = EXCLUDED.chunk_index, status = EXCLUDED.status, targets = EXCLUDED.targets,
                    rows = EXCLUDED.rows, units = EXCLUDED.units, cost_usd = EXCLUDED.cost_usd,
                    target_errors = EXCLUDED.target_errors, attempts = EXCLUDED.attempts, run_id = EXCLUDED.run_id,
                    committed_at = EXCLUDED.committed_at
                """, binds)
        }
    }

    /// Replaces children (`replaceColumns`/`replaceKeys`), then loads the rows: `COPY` into a temporary staging
    /// table, then one `INSERT ... ON CONFLICT DO UPDATE` (the last row wins when a key repeats, as in SQLite),
    /// unless no key exists yet and a direct `COPY` does it. The caller holds the transaction.
    private func upsert(_ batch: TableBatch, staging: String) async throws {
        let types = try await columnTypes(batch.table)
        for column in batch.columns + batch.replaceColumns where types[column] == nil {
            throw PostgresWarehouseError("the table \(batch.table) has no column \(column); run `seopipe migrate`")
        }
        let table = quoted(batch.table)
        if !batch.replaceColumns.isEmpty {
            // Keys with a NULL never match (as `= NULL` in SQLite); the rest go as one text array per column.
            let keys = batch.replaceKeys.filter { $0.count == batch.replaceColumns.count && !$0.contains(.null) }
            if !keys.isEmpty {
                var binds = PostgresBindings()
                for position in batch.replaceColumns.indices {
                    binds.append(keys.map { Self.plainText($0[position]) })
                }
                let names = batch.replaceColumns.map(quoted).joined(separator: ", ")
                let arrays = batch.replaceColumns.indices.map { "$\($0 + 1)::text[]" }.joined(separator: ", ")
                let conditions = batch.replaceColumns.map { column in
                    "fact.\(quoted(column)) = doomed.\(quoted(column))::\(types[column]!)"
                }.joined(separator: " AND ")
                try await execute(
                    "DELETE FROM \(table) AS fact USING unnest(\(arrays)) AS doomed(\(names)) WHERE \(conditions)",
                    binds)
            }
        }
        guard batch.rowCount > 0 else { return }

        // Most loads add a new snapshot date, so no row exists yet: COPY straight into the fact table (as fast as
        // psql's \copy). The first key that exists already (a re-run, a repeated key) undoes that attempt and the
        // rows go the general way.
        try await execute("SAVEPOINT seopipe_direct_copy")
        do {
            try await copy(batch, into: batch.table)
            try await execute("RELEASE SAVEPOINT seopipe_direct_copy")
            return
        } catch let error as PostgresWarehouseError where error.sqlState == "23505" {
            try await execute("ROLLBACK TO SAVEPOINT seopipe_direct_copy")
            try await execute("RELEASE SAVEPOINT seopipe_direct_copy")
        }

        try await execute("CREATE TEMPORARY TABLE \(quoted(staging)) (LIKE \(table) INCLUDING DEFAULTS) ON COMMIT DROP")
        try await copy(batch, into: staging)
        let columns = batch.columns.map(quoted).joined(separator: ", ")
        let keys = batch.keyColumns.map(quoted).joined(separator: ", ")
        let updates = batch.columns.filter { !batch.keyColumns.contains($0) }
            .map { "\(quoted($0)) = EXCLUDED.\(quoted($0))" }.joined(separator: ", ")
        try await execute(
            """
            INSERT INTO \(table) (\(columns))
            SELECT DISTINCT ON (\(keys)) \(columns) FROM \(quoted(staging)) ORDER BY \(keys), ctid DESC
            ON CONFLICT (\(keys)) DO \(updates.isEmpty ? "NOTHING" : "UPDATE SET \(updates)")
            """)
    }

    /// Streams the rows of `batch` into `table` with `COPY ... FROM STDIN` in text format. `table` is a fact table
    /// checked against the catalog or our staging table; PostgresNIO quotes it and the columns.
    private func copy(_ batch: TableBatch, into table: String) async throws {
        do {
            try await connection.copyFrom(table: table, columns: batch.columns, logger: logger) { writer in
                let rowsPerWrite = max(1, 16_384 / max(1, batch.columns.count))
                var start = 0
                while start < batch.rowCount {
                    let end = min(batch.rowCount, start + rowsPerWrite)
                    var buffer = ByteBuffer()
                    buffer.reserveCapacity((end - start) * batch.columns.count * 16)
                    CopyTextEncoder.encode(batch, rows: start..<end, into: &buffer)
                    try await writer.write(buffer)
                    start = end
                }
            }
        } catch {
            throw PostgresWarehouseError(error, doing: "loading \(batch.table)")
        }
    }

    /// The columns of `table` in the warehouse's schema and their types; throws when there is no such table.
    private func columnTypes(_ table: String) async throws -> [String: String] {
        if let known = tables[table] { return known }
        var binds = PostgresBindings()
        binds.append(table)
        let rows = try await textRows(
            """
            SELECT a.attname, format_type(a.atttypid, a.atttypmod)
            FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
            WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())
                AND c.relname = $1 AND c.relkind = 'r'
                AND a.attnum > 0 AND NOT a.attisdropped
            """, binds)
        guard !rows.isEmpty else {
            throw PostgresWarehouseError("no table \(table) in the warehouse \(location); run `seopipe migrate`")
        }
        var types: [String: String] = [:]
        for row in rows { types[row[0] ?? ""] = row[1] ?? "text" }
        tables[table] = types
        return types
    }

    public func recordTargetFailures(
        _ failures: [TargetFailure], runID: String, pipeline: String, snapshotDate: String, stageID: String,
        at: String
    ) async throws {
        await acquire()
        defer { release() }
        try await transaction {
            try await insertTargetErrors(
                failures, runID: runID, pipeline: pipeline, snapshotDate: snapshotDate, stageID: stageID,
                requestHash: nil, at: at)
        }
    }

    /// Upserts per-target errors in one statement (the last one wins when a target repeats).
    private func insertTargetErrors(
        _ failures: [TargetFailure], runID: String, pipeline: String, snapshotDate: String, stageID: String,
        requestHash: String?, at: String
    ) async throws {
        guard !failures.isEmpty else { return }
        var binds = PostgresBindings()
        binds.append(pipeline)
        binds.append(snapshotDate)
        binds.append(stageID)
        binds.append(runID)
        binds.append(requestHash)
        binds.append(at)
        binds.append(failures.map(\.target))
        binds.append(failures.map(\.message))
        try await execute(
            """
            INSERT INTO seopipe_target_errors (pipeline, snapshot_date, stage_id, target, run_id, request_hash, error,
                recorded_at)
            SELECT DISTINCT ON (failure.target) $1, $2::date, $3, failure.target, $4, $5, failure.error,
                $6::timestamptz
            FROM unnest($7::text[], $8::text[]) WITH ORDINALITY AS failure(target, error, position)
            ORDER BY failure.target, failure.position DESC
            ON CONFLICT (pipeline, snapshot_date, stage_id, target) DO UPDATE SET run_id = EXCLUDED.run_id,
                request_hash = EXCLUDED.request_hash, error = EXCLUDED.error, recorded_at = EXCLUDED.recorded_at
            """, binds)
    }

    /// A value as PostgreSQL reads it from text (for arrays of keys; NULL keys are filtered out before).
    static func plainText(_ value: SQLValue) -> String {
        switch value {
        case .null: ""
        case .integer(let number): String(number)
        case .real(let number): CopyTextEncoder.text(number)
        case .text(let text): text
        }
    }

    // MARK: Reading

    /// The refusal `targets(fromSQL:)` gives for anything but a query, in the SQLite backend's words.
    static let readOnlyRefusal = "from_sql must only read (a SELECT), not change the warehouse"

    public func targets(fromSQL sql: String, snapshotDate: String) async throws -> [String] {
        guard let keyword = SQLText.firstKeyword(sql), ["select", "with", "values", "table"].contains(keyword) else {
            throw PostgresWarehouseError(Self.readOnlyRefusal)
        }
        let (bound, uses) = SQLText.bindingNamedParameter(
            SQLText.trimmingTrailingSemicolons(sql), name: "snapshot", to: "$1::date")
        var binds = PostgresBindings()
        if uses > 0 { binds.append(snapshotDate) }
        await acquire()
        defer { release() }
        do {
            return try await transaction(readOnly: true) {
                try await textRows(
                    "SELECT from_sql.target::text FROM (\n\(bound)\n) AS from_sql(target)", binds
                ).compactMap { $0.first ?? nil }
            }
        } catch let error as PostgresWarehouseError {
            if error.sqlState == "25006" || error.message.contains("data-modifying") {
                throw PostgresWarehouseError(Self.readOnlyRefusal, sqlState: error.sqlState)
            }
            throw error
        }
    }

    public func runs(_ filter: RunFilter) async throws -> [RunRecord] {
        await acquire()
        defer { release() }
        var conditions: [String] = []
        var binds = PostgresBindings()
        if let pipeline = filter.pipeline {
            binds.append(pipeline)
            conditions.append("pipeline = $\(conditions.count + 1)")
        }
        if let status = filter.status {
            binds.append(status)
            conditions.append("status = $\(conditions.count + 1)")
        }
        if let since = filter.startedSince {
            binds.append(since)
            conditions.append("started_at >= $\(conditions.count + 1)::timestamptz")
        }
        if let prefix = filter.runIDPrefix {
            binds.append(prefix)
            conditions.append("starts_with(run_id, $\(conditions.count + 1))")
        }
        binds.append(Int64(filter.limit))
        return try await textRows(
            """
            SELECT run_id, pipeline, snapshot_date, status, started_at, finished_at, rows, requests, units, cost_usd,
                error
            FROM seopipe_runs \(conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND "))
            ORDER BY started_at DESC, run_id DESC LIMIT $\(conditions.count + 1)
            """, binds
        ).map { row in
            RunRecord(
                runID: row[0] ?? "", pipeline: row[1] ?? "", snapshotDate: row[2] ?? "", status: row[3] ?? "",
                startedAt: row[4] ?? "", finishedAt: row[5], rows: Int(row[6] ?? "") ?? 0,
                requests: Int(row[7] ?? "") ?? 0, units: Double(row[8] ?? "") ?? 0, costUSD: Double(row[9] ?? "") ?? 0,
                error: row[10])
        }
    }

    public func lastScheduledSlot(pipeline: String) async throws -> String? {
        await acquire()
        defer { release() }
        var binds = PostgresBindings()
        binds.append(pipeline)
        return try await textRows("SELECT last_slot FROM seopipe_schedule WHERE pipeline = $1", binds).first?.first
            ?? nil
    }

    public func recordScheduledSlot(pipeline: String, schedule: String, slot: String, runID: String?) async throws {
        await acquire()
        defer { release() }
        var binds = PostgresBindings()
        binds.append(pipeline)
        binds.append(schedule)
        binds.append(slot)
        if let runID { binds.append(runID) } else { binds.appendNull() }
        try await execute(
            """
            INSERT INTO seopipe_schedule (pipeline, schedule, last_slot, run_id, updated_at)
            VALUES ($1, $2, $3::timestamptz, $4, now())
            ON CONFLICT (pipeline) DO UPDATE SET schedule = excluded.schedule, last_slot = excluded.last_slot,
                run_id = excluded.run_id, updated_at = excluded.updated_at
            """, binds)
    }

    public func stageRuns(runID: String) async throws -> [StageRecord] {
        await acquire()
        defer { release() }
        var binds = PostgresBindings()
        binds.append(runID)
        return try await textRows(
            """
            SELECT stage_id, provider, endpoint, status, started_at, finished_at, targets, chunks, chunks_skipped, rows,
                requests, units, cost_usd, error
            FROM seopipe_stage_runs WHERE run_id = $1 ORDER BY started_at NULLS LAST, stage_id
            """, binds
        ).map { row in
            StageRecord(
                runID: runID, stageID: row[0] ?? "", provider: row[1] ?? "", endpoint: row[2] ?? "",
                status: row[3] ?? "", startedAt: row[4], finishedAt: row[5], targets: Int(row[6] ?? "") ?? 0,
                chunks: Int(row[7] ?? "") ?? 0, chunksSkipped: Int(row[8] ?? "") ?? 0, rows: Int(row[9] ?? "") ?? 0,
                requests: Int(row[10] ?? "") ?? 0, units: Double(row[11] ?? "") ?? 0,
                costUSD: Double(row[12] ?? "") ?? 0, error: row[13])
        }
    }

    public func chunks(runID: String) async throws -> [ChunkRecord] {
        await acquire()
        defer { release() }
        var binds = PostgresBindings()
        binds.append(runID)
        return try await textRows(
            """
            SELECT stage_id, chunk_index, targets, rows, units, cost_usd, target_errors, attempts, committed_at
            FROM seopipe_chunks WHERE run_id = $1 ORDER BY stage_id, chunk_index
            """, binds
        ).map { row in
            ChunkRecord(
                stageID: row[0] ?? "", chunkIndex: Int(row[1] ?? "") ?? 0, targets: Int(row[2] ?? "") ?? 0,
                rows: Int(row[3] ?? "") ?? 0, units: Double(row[4] ?? "") ?? 0, costUSD: Double(row[5] ?? "") ?? 0,
                targetErrors: Int(row[6] ?? "") ?? 0, attempts: Int(row[7] ?? "") ?? 0, committedAt: row[8] ?? "")
        }
    }

    public func targetErrors(runID: String) async throws -> [TargetErrorRecord] {
        await acquire()
        defer { release() }
        var binds = PostgresBindings()
        binds.append(runID)
        return try await textRows(
            "SELECT stage_id, target, error FROM seopipe_target_errors WHERE run_id = $1 ORDER BY stage_id, target",
            binds
        ).map { TargetErrorRecord(stageID: $0[0] ?? "", target: $0[1] ?? "", error: $0[2] ?? "") }
    }

    public func factTableCounts() async throws -> [(table: String, rows: Int)] {
        await acquire()
        defer { release() }
        let tables = try await textRows(
            """
            SELECT c.relname FROM pg_class c
            WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema()) AND c.relkind = 'r'
                AND c.relname NOT LIKE 'seopipe\\_%'
            ORDER BY c.relname
            """
        ).compactMap { $0.first ?? nil }
        var counts: [(table: String, rows: Int)] = []
        for table in tables {
            let count = try await textRows("SELECT count(*) FROM \(quoted(table))").first?.first ?? nil
            counts.append((table, Int(count ?? "") ?? 0))
        }
        return counts
    }
}

/// Quotes an identifier for SQL (only names from the fixed schema or the catalog reach here).
func quoted(_ identifier: String) -> String {
    "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}
