import Foundation
import PostgresNIO
import SeopipeCore

extension PostgresWarehouse {
    /// Loads the chunk's rows, records its target errors and its checkpoint, in one transaction: what makes resume
    /// exact.
    public func commit(_ chunk: ChunkCommit) async throws {
        await acquire()
        defer { release() }
        try await transaction {
            for (index, batch) in ([chunk.payload.rows] + chunk.payload.related).enumerated() {
                try await upsert(batch, staging: "seopipe_staging_\(index)")
            }
            let key = chunk.key
            try await insertTargetErrors(
                chunk.payload.targetFailures, runID: chunk.runID, pipeline: key.pipeline,
                snapshotDate: key.snapshotDate, stageID: key.stageID, requestHash: key.requestHash,
                at: chunk.committedAt)
            try await recordCheckpoint(chunk)
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
        // Identifiers below are the checked table, its columns and our staging table, quoted.
        let table = quoted(batch.table)
        if !batch.replaceColumns.isEmpty {
            // Keys with a NULL never match (as `= NULL` in SQLite); the rest go as one text array per column.
            let keys = batch.replaceKeys.filter { $0.count == batch.replaceColumns.count && !$0.contains(.null) }
            if !keys.isEmpty {
                let names = batch.replaceColumns.map(quoted).joined(separator: ", ")
                let conditions = batch.replaceColumns.map { column in
                    "fact.\(quoted(column)) = doomed.\(quoted(column))::\(types[column, default: "text"])"
                }.joined(separator: " AND ")
                // As many arrays as key columns: the interpolation is spelled out, one bound array each.
                var delete = PostgresQuery.StringInterpolation(
                    literalCapacity: 0, interpolationCount: batch.replaceColumns.count)
                delete.appendLiteral("DELETE FROM \(table) AS fact USING unnest(")
                for position in batch.replaceColumns.indices {
                    if position > 0 { delete.appendLiteral(", ") }
                    delete.appendInterpolation(keys.map { Self.plainText($0[position]) })
                    delete.appendLiteral("::text[]")
                }
                delete.appendLiteral(") AS doomed(\(names)) WHERE \(conditions)")
                try await execute(PostgresQuery(stringInterpolation: delete))
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

        try await execute(
            """
            CREATE TEMPORARY TABLE \(unescaped: quoted(staging)) (LIKE \(unescaped: table) INCLUDING DEFAULTS)
            ON COMMIT DROP
            """)
        try await copy(batch, into: staging)
        let columns = batch.columns.map(quoted).joined(separator: ", ")
        let keys = batch.keyColumns.map(quoted).joined(separator: ", ")
        let updates = batch.columns.filter { !batch.keyColumns.contains($0) }
            .map { "\(quoted($0)) = EXCLUDED.\(quoted($0))" }.joined(separator: ", ")
        try await execute(
            """
            INSERT INTO \(unescaped: table) (\(unescaped: columns))
            SELECT DISTINCT ON (\(unescaped: keys)) \(unescaped: columns) FROM \(unescaped: quoted(staging))
            ORDER BY \(unescaped: keys), ctid DESC
            ON CONFLICT (\(unescaped: keys)) DO \(unescaped: updates.isEmpty ? "NOTHING" : "UPDATE SET \(updates)")
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
        let rows = try await rows(
            """
            SELECT a.attname::text, format_type(a.atttypid, a.atttypmod)
            FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
            WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())
                AND c.relname = \(table) AND c.relkind = 'r'
                AND a.attnum > 0 AND NOT a.attisdropped
            """)
        guard !rows.isEmpty else {
            throw PostgresWarehouseError("no table \(table) in the warehouse \(location); run `seopipe migrate`")
        }
        var types: [String: String] = [:]
        for row in rows {
            let (column, type) = try row.decode((String, String?).self)
            types[column] = type ?? "text"
        }
        tables[table] = types
        return types
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
}
