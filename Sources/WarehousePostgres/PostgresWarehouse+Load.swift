import Foundation
import PostgresNIO
import SeopipeCore

/// One chunk waiting for its commit, and then how it went.
final class CommitTicket {
    let chunk: ChunkCommit
    var result: Result<Void, any Error>?

    init(_ chunk: ChunkCommit) { self.chunk = chunk }
}

/// A direct `COPY` met a key that exists: the transaction is rolled back and done again through the upsert.
private struct DirectCopyConflict: Error {}

extension PostgresWarehouse {
    /// At most this many chunks, or rows, share one transaction.
    static let groupChunks = 64
    static let groupRows = 100_000
    /// After a direct `COPY` met existing keys, this many loads of that table go straight to the upsert.
    static let upsertRunLength = 8

    /// Loads the chunk's rows, records its target errors and its checkpoint, in one transaction: what makes resume
    /// exact. Chunks that arrive while another commits wait and then commit together, in one transaction (each
    /// chunk's rows still commit with its own checkpoint, so exactly-once holds); when such a group fails, each
    /// of its chunks is committed alone, so an error reaches only the chunk that caused it.
    public func commit(_ chunk: ChunkCommit) async throws {
        let ticket = CommitTicket(chunk)
        queuedCommits.append(ticket)
        await acquire()
        defer { release() }
        while ticket.result == nil {
            var group: [CommitTicket] = []
            var rows = 0
            while let next = queuedCommits.first, group.count < Self.groupChunks,
                group.isEmpty || rows + next.chunk.payload.loadedRows <= Self.groupRows
            {
                group.append(queuedCommits.removeFirst())
                rows += next.chunk.payload.loadedRows
            }
            await commitGroup(group)
        }
        try ticket.result!.get()
    }

    private func commitGroup(_ group: [CommitTicket]) async {
        do {
            try await load(group.map(\.chunk))
            for ticket in group { ticket.result = .success(()) }
        } catch {
            guard group.count > 1 else {
                group.first?.result = .failure(error)
                return
            }
            for ticket in group {
                do {
                    try await load([ticket.chunk])
                    ticket.result = .success(())
                } catch {
                    ticket.result = .failure(error)
                }
            }
        }
    }

    /// Commits `chunks` in one transaction: rows of the same table go as one `COPY` (in chunk order, so the last
    /// row of a key still wins), then the target errors and one statement for every checkpoint.
    private func load(_ chunks: [ChunkCommit]) async throws {
        var conflicts = 0
        while true {
            do {
                stagingInUse = []
                try await transaction {
                    var pending: [String: TableBatch] = [:]
                    var order: [String] = []
                    func flush(_ table: String) async throws {
                        guard let batch = pending.removeValue(forKey: table) else { return }
                        try await upsert(batch)
                    }
                    for chunk in chunks {
                        for batch in [chunk.payload.rows] + chunk.payload.related {
                            if !batch.replaceKeys.isEmpty {
                                // Its deletes must see the rows of earlier chunks, as they would one chunk at a time.
                                try await flush(batch.table)
                                try await upsert(batch)
                            } else if var merged = pending[batch.table], merged.columns == batch.columns,
                                merged.keyColumns == batch.keyColumns
                            {
                                pending[batch.table] = nil  // keeps the storage unique while it grows
                                merged.append(rowsOf: batch)
                                pending[batch.table] = merged
                            } else {
                                try await flush(batch.table)
                                pending[batch.table] = batch
                                order.append(batch.table)
                            }
                        }
                    }
                    for table in order { try await flush(table) }
                    for chunk in chunks {
                        let key = chunk.key
                        try await insertTargetErrors(
                            chunk.payload.targetFailures, runID: chunk.runID, pipeline: key.pipeline,
                            snapshotDate: key.snapshotDate, stageID: key.stageID, requestHash: key.requestHash,
                            at: chunk.committedAt)
                    }
                    try await recordCheckpoints(chunks)
                }
                return
            } catch is DirectCopyConflict {
                // Each conflict sends one more table the upsert way; there are only so many tables.
                conflicts += 1
                guard conflicts <= 64 else { throw PostgresWarehouseError("the load kept meeting existing keys") }
            }
        }
    }

    /// Replaces children (`replaceColumns`/`replaceKeys`), then loads the rows: `COPY` straight into the fact table
    /// when its keys are new (most loads add a new snapshot date: as fast as psql's \copy), else `COPY` into a
    /// staging table and one `INSERT ... ON CONFLICT DO UPDATE` (the last row wins when a key repeats, as in
    /// SQLite). The first existing key a direct `COPY` meets throws ``DirectCopyConflict``: the caller rolls back
    /// and does the transaction again, with this table going the upsert way for the next few loads (a re-run of
    /// a date meets existing keys chunk after chunk). The caller holds the transaction.
    private func upsert(_ batch: TableBatch) async throws {
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

        if batch.table == FetchLedger.table.name {
            // The purchase ledger replaces its rows every cycle: a direct COPY would conflict more often than not.
        } else if let remaining = upsertFirst[batch.table] {
            upsertFirst[batch.table] = remaining > 1 ? remaining - 1 : nil
        } else {
            do {
                try await copy(batch, into: batch.table)
                return
            } catch let error as PostgresWarehouseError where error.sqlState == "23505" {
                upsertFirst[batch.table] = Self.upsertRunLength
                throw DirectCopyConflict()
            }
        }

        // One staging table per fact table for the whole session, emptied by each commit.
        let staging = Self.stagingName(batch.table)
        if stagingInUse.contains(staging) {
            try await execute("TRUNCATE \(unescaped: quoted(staging))")
        } else {
            try await execute(
                """
                CREATE TEMPORARY TABLE IF NOT EXISTS \(unescaped: quoted(staging))
                (LIKE \(unescaped: table) INCLUDING DEFAULTS) ON COMMIT DELETE ROWS
                """)
            stagingInUse.insert(staging)
        }
        try await copy(batch, into: staging)
        let columns = batch.columns.map(quoted).joined(separator: ", ")
        let keys = batch.keyColumns.map(quoted).joined(separator: ", ")
        let updates = batch.columns.filter { !batch.keyColumns.contains($0) }
            .map { "\(quoted($0)) = EXCLUDED.\(quoted($0))" }.joined(separator: ", ")
        // ON CONFLICT refuses a key twice in one statement: only then keep the last row of each key.
        let source =
            batch.hasRepeatedKeys
            ? "SELECT DISTINCT ON (\(keys)) \(columns) FROM \(quoted(staging)) ORDER BY \(keys), ctid DESC"
            : "SELECT \(columns) FROM \(quoted(staging))"
        try await execute(
            """
            INSERT INTO \(unescaped: table) (\(unescaped: columns)) \(unescaped: source)
            ON CONFLICT (\(unescaped: keys)) DO \(unescaped: updates.isEmpty ? "NOTHING" : "UPDATE SET \(updates)")
            """)
    }

    /// The staging table of `table`: a temporary table, so it never meets another session's.
    static func stagingName(_ table: String) -> String {
        let name = "seopipe_staging_" + table
        // PostgreSQL cuts identifiers at 63 bytes; two long names must not become one.
        return name.utf8.count <= 63 ? name : "seopipe_staging_" + StableHash.fnv1a64Hex(Array(table.utf8))
    }

    /// Streams the rows of `batch` into `table` with `COPY ... FROM STDIN` in text format. `table` is a fact table
    /// checked against the catalog or our staging table; PostgresNIO quotes it and the columns.
    private func copy(_ batch: TableBatch, into table: String) async throws {
        do {
            try await connection.copyFrom(table: table, columns: batch.columns, logger: logger) { writer in
                let rowsPerWrite = max(1, 262_144 / max(1, batch.columns.count))
                var start = 0
                while start < batch.rowCount {
                    let end = min(batch.rowCount, start + rowsPerWrite)
                    var buffer = ByteBuffer()
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
