import Foundation
import SeopipeCore
import WarehouseSQLite

/// A temporary folder for warehouse files, removed when the value goes away.
final class TemporaryFolder {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("seopipe-sqlite-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
}

/// A migrated warehouse in its own file.
struct TestWarehouse {
    let folder: TemporaryFolder
    let warehouse: SQLiteWarehouse

    init() async throws {
        folder = try TemporaryFolder()
        warehouse = try SQLiteWarehouse(path: folder.path("warehouse.db"))
        _ = try await warehouse.migrate()
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
        _ batch: TableBatch, date: String, runID: String, hash: String = "hash-0", stage: String = "metrics",
        failures: [TargetFailure] = [], units: Double = 50, cost: Double = 0
    ) -> ChunkCommit {
        ChunkCommit(
            key: ChunkKey(pipeline: "nightly", snapshotDate: snapshot(date), stageID: stage, requestHash: hash),
            runID: runID, chunkIndex: 0, targetCount: batch.rowCount + failures.count, attempts: 1,
            payload: ChunkPayload(rows: batch, targetFailures: failures, units: units, costUSD: cost),
            committedAt: instant("\(date)T03:15:01Z"))
    }
}

/// A test's date from its `YYYY-MM-DD` text.
func snapshot(_ text: String) -> SnapshotDate { SnapshotDate(text)! }

/// A test's time from its ISO-8601 text.
func instant(_ text: String) -> Date { Timestamp.parse(text)! }
