import Foundation
import SeopipeCore
import Testing
import WarehousePostgres

/// The test server: `SEOPIPE_TEST_POSTGRES_URL`, which scripts/test.sh (and so CI) always sets.
enum TestServer {
    static var url: String? {
        ProcessInfo.processInfo.environment["SEOPIPE_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Whether the PostgreSQL suites run: when the server is given, and always under scripts/test.sh, which sets
    /// `SEOPIPE_REQUIRE_POSTGRES=1` so that a missing server fails CI instead of skipping.
    static var enabled: Bool {
        url != nil || ProcessInfo.processInfo.environment["SEOPIPE_REQUIRE_POSTGRES"] == "1"
    }

    static let skipReason: Comment =
        "SEOPIPE_TEST_POSTGRES_URL is not set: scripts/test.sh starts a throwaway PostgreSQL and sets it"

    /// The server URL with `?schema=NAME` (a fresh name unless given).
    static func url(schema: String) throws -> String {
        let base = try #require(url, "\(skipReason)")
        return base + (base.contains("?") ? "&" : "?") + "schema=\(schema)"
    }

    static func freshSchema() -> String {
        "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
    }

    static func dropSchema(_ schema: String) async {
        guard let base = url, let admin = try? await PostgresWarehouse(url: base) else { return }
        _ = try? await admin.query("DROP SCHEMA IF EXISTS \"\(schema)\" CASCADE")
        await admin.close()
    }
}

/// Runs `body` with the URL of a fresh schema, dropped afterwards whatever happens.
func withSchema(_ body: (_ url: String, _ schema: String) async throws -> Void) async throws {
    let schema = TestServer.freshSchema()
    let url = try TestServer.url(schema: schema)
    do {
        try await body(url, schema)
    } catch {
        await TestServer.dropSchema(schema)
        throw error
    }
    await TestServer.dropSchema(schema)
}

/// Runs `body` with a migrated warehouse in a fresh schema, closed and dropped afterwards.
func withWarehouse(
    migrations: [MigrationFile] = PostgresMigrations.all, _ body: (PostgresWarehouse) async throws -> Void
) async throws {
    try await withSchema { url, _ async throws in
        let warehouse = try await PostgresWarehouse(url: url, migrations: migrations)
        do {
            _ = try await warehouse.migrate()
            try await body(warehouse)
        } catch {
            await warehouse.close()
            throw error
        }
        await warehouse.close()
    }
}

enum Rows {
    static let metricsColumns = [
        "target", "target_original", "snapshot_date", "fetched_at", "run_id", "org_keywords", "org_traffic",
        "domain_rating",
    ]

    /// An `ahrefs_domain_metrics` batch, as the Ahrefs v3 provider builds it.
    static func metrics(
        _ rows: [(target: String, keywords: Int?, traffic: Int?, rating: Double?)], date: String, runID: String,
        table: String = "ahrefs_domain_metrics"
    ) -> TableBatch {
        var batch = TableBatch(table: table, columns: metricsColumns, keyColumns: ["target", "snapshot_date"])
        for row in rows {
            batch.append([
                .text(row.target), .text(row.target.uppercased()), .text(date), .text("\(date)T03:15:00Z"),
                .text(runID),
                SQLValue(row.keywords), SQLValue(row.traffic), SQLValue(row.rating),
            ])
        }
        return batch
    }

    static func commit(
        _ batch: TableBatch, related: [TableBatch] = [], date: String, runID: String, hash: String = "hash-0",
        stage: String = "metrics", failures: [TargetFailure] = [], units: Double = 50, cost: Double = 0
    ) -> ChunkCommit {
        ChunkCommit(
            key: ChunkKey(pipeline: "nightly", snapshotDate: snapshot(date), stageID: stage, requestHash: hash),
            runID: runID, chunkIndex: 0, targetCount: batch.rowCount + failures.count, attempts: 1,
            payload: ChunkPayload(rows: batch, related: related, targetFailures: failures, units: units, costUSD: cost),
            committedAt: instant("\(date)T03:15:01Z"))
    }
}

/// A test's date from its `YYYY-MM-DD` text.
func snapshot(_ text: String) -> SnapshotDate { SnapshotDate(text)! }

/// A test's time from its ISO-8601 text.
func instant(_ text: String) -> Date { Timestamp.parse(text)! }
