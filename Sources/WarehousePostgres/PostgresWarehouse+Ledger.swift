import Foundation
import PostgresNIO
import SeopipeCore

extension PostgresWarehouse {
    public func recordRun(_ run: RunRecord) async throws {
        await acquire()
        defer { release() }
        try await execute(
            """
            INSERT INTO seopipe_runs (run_id, pipeline, snapshot_date, status, started_at, finished_at, rows, requests,
                units, cost_usd, error)
            VALUES (\(run.runID), \(run.pipeline), \(run.snapshotDate), \(run.status), \(run.startedAt),
                \(run.finishedAt), \(run.rows), \(run.requests), \(run.units), \(run.costUSD)::numeric, \(run.error))
            ON CONFLICT (run_id) DO UPDATE SET status = EXCLUDED.status, finished_at = EXCLUDED.finished_at,
                rows = EXCLUDED.rows, requests = EXCLUDED.requests, units = EXCLUDED.units,
                cost_usd = EXCLUDED.cost_usd, error = EXCLUDED.error
            """)
    }

    public func charged(pipeline: String, stageIDs: [String], since: Date) async throws
        -> (units: Double, costUSD: Double)
    {
        await acquire()
        defer { release() }
        // As in SQLite: each run's stage totals, or the chunks of a stage it never finished.
        let row = try await rows(
            """
            SELECT coalesce(sum(units), 0)::float8, coalesce(sum(cost_usd), 0)::float8 FROM (
                SELECT s.units, s.cost_usd FROM seopipe_stage_runs s JOIN seopipe_runs r ON r.run_id = s.run_id
                WHERE r.pipeline = \(pipeline) AND r.started_at >= \(since) AND s.stage_id = ANY(\(stageIDs))
                UNION ALL
                SELECT c.units, c.cost_usd FROM seopipe_chunks c JOIN seopipe_runs r ON r.run_id = c.run_id
                WHERE r.pipeline = \(pipeline) AND r.started_at >= \(since) AND c.stage_id = ANY(\(stageIDs))
                    AND NOT EXISTS (
                        SELECT 1 FROM seopipe_stage_runs s WHERE s.run_id = c.run_id AND s.stage_id = c.stage_id)
            ) spent
            """
        ).first
        return try row?.decode((Double, Double).self) ?? (0, 0)
    }

    public func markAbandonedRuns(pipeline: String, at: Date, error: String) async throws -> Int {
        await acquire()
        defer { release() }
        return try await rows(
            """
            UPDATE seopipe_runs SET status = \(RunStatus.finished(.interrupted)), finished_at = \(at),
                error = coalesce(error, \(error))
            WHERE pipeline = \(pipeline) AND status = \(RunStatus.running)
            RETURNING run_id
            """
        ).count
    }

    public func recordStage(_ stage: StageRecord) async throws {
        await acquire()
        defer { release() }
        try await execute(
            """
            INSERT INTO seopipe_stage_runs (run_id, stage_id, provider, endpoint, status, started_at, finished_at,
                targets, chunks, chunks_skipped, targets_fresh, rows, requests, units, cost_usd, error)
            VALUES (\(stage.runID), \(stage.stageID), \(stage.provider), \(stage.endpoint), \(stage.status),
                \(stage.startedAt), \(stage.finishedAt), \(stage.targets), \(stage.chunks), \(stage.chunksSkipped),
                \(stage.targetsFresh), \(stage.rows), \(stage.requests), \(stage.units), \(stage.costUSD)::numeric, \(stage.error))
            ON CONFLICT (run_id, stage_id) DO UPDATE SET provider = EXCLUDED.provider, endpoint = EXCLUDED.endpoint,
                status = EXCLUDED.status, started_at = EXCLUDED.started_at, finished_at = EXCLUDED.finished_at,
                targets = EXCLUDED.targets, chunks = EXCLUDED.chunks, chunks_skipped = EXCLUDED.chunks_skipped,
                targets_fresh = EXCLUDED.targets_fresh, rows = EXCLUDED.rows, requests = EXCLUDED.requests, units = EXCLUDED.units,
                cost_usd = EXCLUDED.cost_usd, error = EXCLUDED.error
            """)
    }

    public func committedChunks(pipeline: String, snapshotDate: SnapshotDate, stageID: String) async throws
        -> [String: ChunkCheckpoint]
    {
        await acquire()
        defer { release() }
        let rows = try await rows(
            """
            SELECT request_hash, rows, units, cost_usd::float8, target_errors, run_id, next_cursor FROM seopipe_chunks
            WHERE pipeline = \(pipeline) AND snapshot_date = \(snapshotDate) AND stage_id = \(stageID)
                AND status = 'committed'
            """)
        var result: [String: ChunkCheckpoint] = [:]
        for row in rows {
            let (hash, count, units, cost, targetErrors, runID, nextCursor) = try row.decode(
                (String, Int, Double, Double, Int, String, String?).self)
            result[hash] = ChunkCheckpoint(
                requestHash: hash, rows: count, units: units, costUSD: cost, targetErrors: targetErrors, runID: runID,
                nextCursor: nextCursor)
        }
        return result
    }

    public func recordDrift(_ records: [DriftRecord]) async throws {
        await acquire()
        defer { release() }
        for record in records {
            try await execute(
                """
                INSERT INTO seopipe_schema_drift (provider, endpoint, field, kind, detail, table_name, pipeline, stage_id,
                    first_seen, last_seen, run_id)
                VALUES (\(record.provider), \(record.endpoint), \(record.field), \(record.kind.rawValue),
                    \(record.detail), \(record.table), \(record.pipeline), \(record.stageID), \(record.firstSeen),
                    \(record.lastSeen), \(record.runID))
                ON CONFLICT (provider, endpoint, field, kind) DO UPDATE SET detail = EXCLUDED.detail,
                    table_name = EXCLUDED.table_name, pipeline = EXCLUDED.pipeline, stage_id = EXCLUDED.stage_id,
                    last_seen = EXCLUDED.last_seen, run_id = EXCLUDED.run_id
                """)
        }
    }

    public func drift(since: Date?) async throws -> [DriftRecord] {
        await acquire()
        defer { release() }
        return try await rows(
            """
            SELECT provider, endpoint, field, kind, detail, table_name, pipeline, stage_id, first_seen, last_seen, run_id
            FROM seopipe_schema_drift WHERE last_seen >= \(since ?? Date(timeIntervalSince1970: 0))
            ORDER BY last_seen DESC, provider, endpoint, field, kind
            """
        ).map { row in
            let (provider, endpoint, field, kind, detail, table, pipeline, stageID, firstSeen, lastSeen, runID) =
                try row.decode(
                    (String, String, String, String, String, String, String, String, Date, Date, String).self)
            return DriftRecord(
                pipeline: pipeline, stageID: stageID, provider: provider, endpoint: endpoint, table: table,
                kind: DriftObservation.Kind(rawValue: kind) ?? .added, field: field, detail: detail,
                firstSeen: firstSeen, lastSeen: lastSeen, runID: runID)
        }
    }

    public func recordFieldFill(
        pipeline: String, stageID: String, endpoint: String, record: FieldFillRecord, runID: String
    ) async throws {
        await acquire()
        defer { release() }
        try await transaction {
            for (field, fill) in record.fill.sorted(by: { $0.key < $1.key }) {
                try await execute(
                    """
                    INSERT INTO seopipe_field_fill (pipeline, stage_id, snapshot_date, field, endpoint, rows_read,
                        rows_filled, run_id)
                    VALUES (\(pipeline), \(stageID), \(record.snapshotDate), \(field), \(endpoint), \(fill.rows),
                        \(fill.filled), \(runID))
                    ON CONFLICT (pipeline, stage_id, snapshot_date, field) DO UPDATE SET endpoint = EXCLUDED.endpoint,
                        rows_read = EXCLUDED.rows_read, rows_filled = EXCLUDED.rows_filled, run_id = EXCLUDED.run_id
                    """)
            }
        }
    }

    public func fieldFill(pipeline: String, stageID: String, before date: SnapshotDate) async throws
        -> FieldFillRecord?
    {
        await acquire()
        defer { release() }
        var record: FieldFillRecord?
        for row in try await rows(
            """
            SELECT to_char(snapshot_date, 'YYYY-MM-DD'), field, rows_read, rows_filled FROM seopipe_field_fill
            WHERE pipeline = \(pipeline) AND stage_id = \(stageID) AND snapshot_date = (
                SELECT max(snapshot_date) FROM seopipe_field_fill
                WHERE pipeline = \(pipeline) AND stage_id = \(stageID) AND snapshot_date < \(date))
            """)
        {
            let (text, field, read, filled) = try row.decode((String, String, Int, Int).self)
            guard let day = SnapshotDate(text) else { continue }
            var found = record ?? FieldFillRecord(snapshotDate: day, fill: [:])
            found.fill[field] = FieldFill(rows: read, filled: filled)
            record = found
        }
        return record
    }

    public func lastFetches(pipeline: String, stageID: String) async throws -> FreshnessIndex {
        await acquire()
        defer { release() }
        var index = FreshnessIndex()
        do {
            // Row by row into the index (16 bytes a target), never a list of every row.
            let rows = try await connection.query(
                """
                SELECT target, to_char(snapshot_date, 'YYYY-MM-DD') FROM seopipe_target_fetches
                WHERE pipeline = \(pipeline) AND stage_id = \(stageID)
                """, logger: logger)
            for try await row in rows {
                let (target, text) = try row.decode((String, String).self)
                guard let date = SnapshotDate(text) else {
                    throw PostgresWarehouseError("seopipe_target_fetches holds `\(text)`, not a YYYY-MM-DD date")
                }
                index.add(target: target, lastFetched: date)
            }
        } catch let error as PostgresWarehouseError {
            throw error
        } catch {
            throw PostgresWarehouseError(error)
        }
        index.finish()
        return index
    }

    /// The chunks' checkpoints, in one statement (one round trip for a whole group commit): the next run of the
    /// date skips their requests. The caller holds the transaction.
    func recordCheckpoints(_ chunks: [ChunkCommit]) async throws {
        guard !chunks.isEmpty else { return }
        var insert = PostgresQuery.StringInterpolation(literalCapacity: 0, interpolationCount: chunks.count * 14)
        insert.appendLiteral(
            """
            INSERT INTO seopipe_chunks (pipeline, snapshot_date, stage_id, request_hash, chunk_index, status,
                targets, rows, units, cost_usd, target_errors, attempts, run_id, committed_at, next_cursor)
            VALUES
            """)
        func bind(_ value: some PostgresEncodable, then literal: String = ", ") throws {
            try insert.appendInterpolation(value)
            insert.appendLiteral(literal)
        }
        for (position, chunk) in chunks.enumerated() {
            insert.appendLiteral(position == 0 ? " (" : ", (")
            try bind(chunk.key.pipeline)
            try bind(chunk.key.snapshotDate)
            try bind(chunk.key.stageID)
            try bind(chunk.key.requestHash)
            try bind(chunk.chunkIndex, then: ", 'committed', ")
            try bind(chunk.targetCount)
            try bind(chunk.payload.factRows)
            try bind(chunk.payload.units)
            try bind(chunk.payload.costUSD, then: "::numeric, ")
            try bind(chunk.payload.targetFailures.count)
            try bind(chunk.attempts)
            try bind(chunk.runID)
            try bind(chunk.committedAt)
            insert.appendInterpolation(chunk.payload.nextCursor)
            insert.appendLiteral(")")
        }
        // Two chunks of a group with one key would fail here; the group is then committed one chunk at a time.
        insert.appendLiteral(
            """

            ON CONFLICT (pipeline, snapshot_date, stage_id, request_hash) DO UPDATE SET
                chunk_index = EXCLUDED.chunk_index, status = EXCLUDED.status, targets = EXCLUDED.targets,
                rows = EXCLUDED.rows, units = EXCLUDED.units, cost_usd = EXCLUDED.cost_usd,
                target_errors = EXCLUDED.target_errors, attempts = EXCLUDED.attempts, run_id = EXCLUDED.run_id,
                committed_at = EXCLUDED.committed_at, next_cursor = EXCLUDED.next_cursor
            """)
        try await execute(PostgresQuery(stringInterpolation: insert))
    }

    public func recordTargetFailures(
        _ failures: [TargetFailure], runID: String, pipeline: String, snapshotDate: SnapshotDate, stageID: String,
        at: Date
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
    func insertTargetErrors(
        _ failures: [TargetFailure], runID: String, pipeline: String, snapshotDate: SnapshotDate, stageID: String,
        requestHash: String?, at: Date
    ) async throws {
        guard !failures.isEmpty else { return }
        try await execute(
            """
            INSERT INTO seopipe_target_errors (pipeline, snapshot_date, stage_id, target, run_id, request_hash, error,
                recorded_at)
            SELECT DISTINCT ON (failure.target) \(pipeline), \(snapshotDate), \(stageID), failure.target, \(runID),
                \(requestHash), failure.error, \(at)
            FROM unnest(\(failures.map(\.target)), \(failures.map(\.message))) WITH ORDINALITY
                AS failure(target, error, position)
            ORDER BY failure.target, failure.position DESC
            ON CONFLICT (pipeline, snapshot_date, stage_id, target) DO UPDATE SET run_id = EXCLUDED.run_id,
                request_hash = EXCLUDED.request_hash, error = EXCLUDED.error, recorded_at = EXCLUDED.recorded_at
            """)
    }

    public func lastScheduledSlot(pipeline: String) async throws -> Date? {
        await acquire()
        defer { release() }
        return try await rows("SELECT last_slot FROM seopipe_schedule WHERE pipeline = \(pipeline)").first?
            .decode(Date.self)
    }

    public func recordScheduledSlot(pipeline: String, schedule: String, slot: Date, runID: String?) async throws {
        await acquire()
        defer { release() }
        try await execute(
            """
            INSERT INTO seopipe_schedule (pipeline, schedule, last_slot, run_id, updated_at)
            VALUES (\(pipeline), \(schedule), \(slot), \(runID), now())
            ON CONFLICT (pipeline) DO UPDATE SET schedule = excluded.schedule, last_slot = excluded.last_slot,
                run_id = excluded.run_id, updated_at = excluded.updated_at
            """)
    }
}
