import Foundation
import PostgresNIO
import SeopipeCore

extension PostgresWarehouse {
    /// The refusal `targets(fromSQL:)` gives for anything but a query, in the SQLite backend's words.
    static let readOnlyRefusal = "from_sql must only read (a SELECT), not change the warehouse"

    public func targets(fromSQL sql: String, snapshotDate: SnapshotDate) async throws -> TargetSpill {
        guard let keyword = SQLText.firstKeyword(sql), ["select", "with", "values", "table"].contains(keyword) else {
            throw PostgresWarehouseError(Self.readOnlyRefusal)
        }
        // The pipeline's own SQL: it cannot be an interpolated literal, so `:snapshot` becomes `$1` by hand.
        let (bound, uses) = SQLText.bindingNamedParameter(
            SQLText.trimmingTrailingSemicolons(sql), name: "snapshot", to: "$1::date")
        var query = PostgresQuery(unsafeSQL: "SELECT from_sql.target::text FROM (\n\(bound)\n) AS from_sql(target)")
        if uses > 0 { query.binds.append(snapshotDate) }
        await acquire()
        defer { release() }
        do {
            return try await transaction(readOnly: true) {
                // Row by row as PostgresNIO receives them (it reads ahead a bounded number of rows).
                let spill = try TargetSpill.Writer()
                do {
                    for try await row in try await connection.query(query, logger: logger) {
                        if let value = try row.decode(String?.self) { try spill.append(value) }
                    }
                } catch let error as TargetFileError {
                    throw error
                } catch {
                    throw PostgresWarehouseError(error)
                }
                return try spill.finish()
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
        // A filter left nil matches every run.
        return try await rows(
            """
            SELECT run_id, pipeline, snapshot_date, status, started_at, finished_at, rows, requests, units,
                cost_usd::float8, error
            FROM seopipe_runs
            WHERE pipeline = coalesce(\(filter.pipeline), pipeline) AND status = coalesce(\(filter.status), status)
                AND started_at >= coalesce(\(filter.startedSince), started_at)
                AND starts_with(run_id, coalesce(\(filter.runIDPrefix), ''))
            ORDER BY started_at DESC, run_id DESC LIMIT \(filter.limit)
            """
        ).map { row in
            let (runID, pipeline, date, status, startedAt, finishedAt, rows, requests, units, cost, error) =
                try row.decode(
                    (String, String, SnapshotDate, RunStatus, Date, Date?, Int, Int, Double, Double, String?).self)
            return RunRecord(
                runID: runID, pipeline: pipeline, snapshotDate: date, status: status, startedAt: startedAt,
                finishedAt: finishedAt, rows: rows, requests: requests, units: units, costUSD: cost, error: error)
        }
    }

    public func stageRuns(runID: String) async throws -> [StageRecord] {
        await acquire()
        defer { release() }
        return try await rows(
            """
            SELECT stage_id, provider, endpoint, status, started_at, finished_at, targets, chunks, chunks_skipped, rows,
                requests, units, cost_usd::float8, error, targets_fresh
            FROM seopipe_stage_runs WHERE run_id = \(runID) ORDER BY started_at NULLS LAST, stage_id
            """
        ).map { row in
            let (
                stageID, provider, endpoint, status, startedAt, finishedAt, targets, chunks, skipped, rows, requests,
                units, cost, error, fresh
            ) = try row.decode(
                (
                    String, String, String, StageResult.Status, Date?, Date?, Int, Int, Int, Int, Int, Double, Double,
                    String?, Int
                ).self)
            return StageRecord(
                runID: runID, stageID: stageID, provider: provider, endpoint: endpoint, status: status,
                startedAt: startedAt, finishedAt: finishedAt, targets: targets, chunks: chunks, chunksSkipped: skipped,
                targetsFresh: fresh, rows: rows, requests: requests, units: units, costUSD: cost, error: error)
        }
    }

    public func chunks(runID: String) async throws -> [ChunkRecord] {
        await acquire()
        defer { release() }
        return try await rows(
            """
            SELECT stage_id, chunk_index, targets, rows, units, cost_usd::float8, target_errors, attempts, committed_at
            FROM seopipe_chunks WHERE run_id = \(runID) ORDER BY stage_id, chunk_index
            """
        ).map { row in
            let (stageID, index, targets, rows, units, cost, targetErrors, attempts, committedAt) = try row.decode(
                (String, Int, Int, Int, Double, Double, Int, Int, Date).self)
            return ChunkRecord(
                stageID: stageID, chunkIndex: index, targets: targets, rows: rows, units: units, costUSD: cost,
                targetErrors: targetErrors, attempts: attempts, committedAt: committedAt)
        }
    }

    public func targetErrors(runID: String) async throws -> [TargetErrorRecord] {
        await acquire()
        defer { release() }
        return try await rows(
            """
            SELECT stage_id, target, error FROM seopipe_target_errors WHERE run_id = \(runID)
            ORDER BY stage_id, target
            """
        ).map { row in
            let (stageID, target, error) = try row.decode((String, String, String).self)
            return TargetErrorRecord(stageID: stageID, target: target, error: error)
        }
    }

    public func factTableCounts() async throws -> [(table: String, rows: Int)] {
        await acquire()
        defer { release() }
        let tables = try await rows(
            """
            SELECT c.relname::text FROM pg_class c
            WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema()) AND c.relkind = 'r'
                AND c.relname NOT LIKE 'seopipe\\_%'
            ORDER BY c.relname
            """
        ).map { try $0.decode(String.self) }
        var counts: [(table: String, rows: Int)] = []
        for table in tables {
            // The name comes from the catalog, quoted.
            let count = try await rows("SELECT count(*) FROM \(unescaped: quoted(table))").first?.decode(Int.self)
            counts.append((table, count ?? 0))
        }
        return counts
    }

    public func catalog() async throws -> [CatalogColumn] {
        await acquire()
        defer { release() }
        return try await catalogLocked()
    }

    /// The catalog without taking a turn; the migrator (which holds one) reads it for the data dictionary.
    func catalogLocked() async throws -> [CatalogColumn] {
        try await rows(
            """
            SELECT c.relname::text, c.relkind::text, a.attname::text, a.attnum, format_type(a.atttypid, a.atttypmod)
            FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
            WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())
                AND c.relkind IN ('r', 'v') AND a.attnum > 0 AND NOT a.attisdropped
            ORDER BY c.relname, a.attnum
            """
        ).map { row in
            let (table, kind, column, position, type) = try row.decode((String, String, String, Int, String?).self)
            return CatalogColumn(
                table: table, kind: kind == "v" ? .view : .table, column: column, position: position,
                dataType: type ?? "")
        }
    }
}
