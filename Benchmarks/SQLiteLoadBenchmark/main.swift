// Loads N rows into the SQLite warehouse through the real load path (TableBatch -> SQLiteWarehouse.commit,
// one transaction per chunk together with its checkpoint) and, in the same run, through raw sqlite3 prepared
// inserts in one transaction; prints rows/s of both and their ratio.
//
//   swift build -c release --product SQLiteLoadBenchmark
//   .build/release/SQLiteLoadBenchmark [rows=1000000] [rows-per-chunk=10000]
import CSQLite
import Foundation
import SeopipeCore
import WarehouseSQLite

let arguments = CommandLine.arguments.dropFirst().compactMap(Int.init)
let rowCount = arguments.first ?? 1_000_000
let chunkRows = arguments.dropFirst().first ?? 10_000
let directory = FileManager.default.temporaryDirectory.appendingPathComponent("seopipe-bench-\(getpid())")
try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: directory) }

// The same input for both paths, generated before either clock starts.
let targets = (0..<rowCount).map { "competitor-\($0).example.com" }
let fetchedAt = "2026-11-25T03:15:00Z"
let snapshot = "2026-11-25"
let snapshotDate = SnapshotDate(year: 2026, month: 11, day: 25)
let committedAt = Timestamp.parse(fetchedAt) ?? Date()
let runID = "bench-run"

let layout = (
    table: "ahrefs_domain_metrics",
    columns: [
        "target", "target_original", "snapshot_date", "fetched_at", "run_id", "org_keywords", "org_traffic",
        "domain_rating",
    ],
    key: ["target", "snapshot_date"]
)

func seconds(_ body: () async throws -> Void) async rethrows -> Double {
    let start = ContinuousClock.now
    try await body()
    return (ContinuousClock.now - start).seconds
}

// 1. The real load path.
let warehousePath = directory.appendingPathComponent("warehouse.db").path
let warehouse = try SQLiteWarehouse(path: warehousePath)
_ = try await warehouse.migrate()
let pathSeconds = try await seconds {
    var start = 0
    var index = 0
    while start < rowCount {
        let end = min(start + chunkRows, rowCount)
        var batch = TableBatch(
            table: layout.table, columns: layout.columns, keyColumns: layout.key,
            reservingRows: end - start)
        for row in start..<end {
            let target = targets[row]
            batch.append([
                .text(target), .text(target), .text(snapshot), .text(fetchedAt), .text(runID),
                .integer(Int64(row % 50_000)), .integer(Int64(row * 7 % 1_000_000)), .real(Double(row % 1000) / 10),
            ])
        }
        let commit = ChunkCommit(
            key: ChunkKey(
                pipeline: "bench", snapshotDate: snapshotDate, stageID: "metrics", requestHash: "chunk-\(index)"),
            runID: runID, chunkIndex: index, targetCount: end - start, attempts: 1,
            payload: ChunkPayload(rows: batch, targetFailures: [], units: 50), committedAt: committedAt)
        try await warehouse.commit(commit)
        start = end
        index += 1
    }
}
await warehouse.close()

// 2. Raw sqlite3: same schema, same pragmas, one prepared INSERT, one transaction.
let rawPath = directory.appendingPathComponent("raw.db").path
let raw = try SQLiteWarehouse(path: rawPath)
_ = try await raw.migrate()
await raw.close()
var db: OpaquePointer?
guard sqlite3_open(rawPath, &db) == SQLITE_OK, let db else { fatalError("open raw.db") }
sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", nil, nil, nil)
let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
let rawSeconds = await seconds {
    var statement: OpaquePointer?
    let sql =
        "INSERT INTO ahrefs_domain_metrics (target, target_original, snapshot_date, fetched_at, run_id, "
        + "org_keywords, org_traffic, domain_rating) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
    guard sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK else {
        fatalError(String(cString: sqlite3_errmsg(db)))
    }
    sqlite3_exec(db, "BEGIN", nil, nil, nil)
    for row in 0..<rowCount {
        var target = targets[row]
        target.withUTF8 { bytes in
            bytes.withMemoryRebound(to: CChar.self) {
                sqlite3_bind_text(statement, 1, $0.baseAddress, Int32($0.count), transient)
                sqlite3_bind_text(statement, 2, $0.baseAddress, Int32($0.count), transient)
            }
        }
        sqlite3_bind_text(statement, 3, snapshot, -1, transient)
        sqlite3_bind_text(statement, 4, fetchedAt, -1, transient)
        sqlite3_bind_text(statement, 5, runID, -1, transient)
        sqlite3_bind_int64(statement, 6, Int64(row % 50_000))
        sqlite3_bind_int64(statement, 7, Int64(row * 7 % 1_000_000))
        sqlite3_bind_double(statement, 8, Double(row % 1000) / 10)
        guard sqlite3_step(statement) == SQLITE_DONE else { fatalError(String(cString: sqlite3_errmsg(db))) }
        sqlite3_reset(statement)
    }
    sqlite3_exec(db, "COMMIT", nil, nil, nil)
    sqlite3_finalize(statement)
}
sqlite3_close(db)

// Both files must hold the same rows, or the comparison means nothing.
let loaded = try SQLiteWarehouse(path: warehousePath)
let loadedCount = try await loaded.query("SELECT count(*) FROM ahrefs_domain_metrics")[0][0] ?? "0"
let rawCount = try await SQLiteWarehouse(path: rawPath).query("SELECT count(*) FROM ahrefs_domain_metrics")[0][0] ?? "0"
precondition(
    loadedCount == "\(rowCount)" && rawCount == "\(rowCount)", "row counts differ: \(loadedCount) vs \(rawCount)")

let pathRate = Double(rowCount) / pathSeconds
let rawRate = Double(rowCount) / rawSeconds
print("rows: \(rowCount), rows per chunk (transaction) on the load path: \(chunkRows)")
print(String(format: "load path (TableBatch -> upsert + checkpoint): %8.2f s  %10.0f rows/s", pathSeconds, pathRate))
print(String(format: "raw sqlite3 prepared INSERT, one transaction: %8.2f s  %10.0f rows/s", rawSeconds, rawRate))
print(String(format: "ratio (load path / raw): %.2f", pathRate / rawRate))
