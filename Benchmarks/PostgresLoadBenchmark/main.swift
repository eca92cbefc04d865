// Loads N rows of ahrefs_domain_metrics into PostgreSQL through the real load path (TableBatch ->
// PostgresWarehouse.commit: COPY into a staging table, one upsert, the chunk's checkpoint, one transaction per
// chunk) and, in the same run on the same server, with `psql -c "\copy ..."` of the same rows (written to a TSV
// first) into an equivalent table; prints rows/s of both, their ratio and this process's peak RSS.
//
//   swift build -c release --product PostgresLoadBenchmark
//   eval "$(scripts/postgres-test-cluster.sh start)"        # or point SEOPIPE_BENCH_POSTGRES_URL at a server
//   .build/release/PostgresLoadBenchmark [rows=1000000] [rows-per-chunk=10000] [trials=5] [committers=1]
// With committers > 1, that many tasks commit chunks side by side (as a stage with parallel_limit does), so
// chunks that arrive while another commits share its transaction (group commit).
//   scripts/postgres-test-cluster.sh stop "$SEOPIPE_TEST_POSTGRES_CLUSTER"
import Foundation
import SeopipeCore
import WarehousePostgres

let arguments = CommandLine.arguments.dropFirst().compactMap(Int.init)
let rowCount = arguments.first ?? 1_000_000
let chunkRows = arguments.dropFirst().first ?? 10_000
let trials = max(1, arguments.dropFirst(2).first ?? 5)
let committers = max(1, arguments.dropFirst(3).first ?? 1)
let environment = ProcessInfo.processInfo.environment
guard
    let baseURL = ["SEOPIPE_BENCH_POSTGRES_URL", "SEOPIPE_TEST_POSTGRES_URL"].lazy
        .compactMap({ environment[$0].flatMap { $0.isEmpty ? nil : $0 } }).first
else {
    FileHandle.standardError.write(
        Data(
            "set SEOPIPE_BENCH_POSTGRES_URL (or start scripts/postgres-test-cluster.sh and eval its output)\n".utf8))
    exit(2)
}
let schema = "bench_\(getpid())"
let url = baseURL + (baseURL.contains("?") ? "&" : "?") + "schema=\(schema)"
let configuration = try PostgresWarehouseConfiguration(url: url)

// The same input for both paths, generated before either clock starts.
let targets = (0..<rowCount).map { "competitor-\($0).example.com" }
let fetchedAt = "2026-11-25T03:15:00Z"
let snapshot = "2026-11-25"
let snapshotDate = SnapshotDate(year: 2026, month: 11, day: 25)
let committedAt = Timestamp.parse(fetchedAt) ?? Date()
let runID = "bench-run"
let columns = [
    "target", "target_original", "snapshot_date", "fetched_at", "run_id", "org_keywords", "org_traffic",
    "domain_rating",
]

func row(_ index: Int) -> [SQLValue] {
    let target = targets[index]
    return [
        .text(target), .text(target), .text(snapshot), .text(fetchedAt), .text(runID), .integer(Int64(index % 50_000)),
        .integer(Int64(index * 7 % 1_000_000)), .real(Double(index % 1000) / 10),
    ]
}

func seconds(_ body: () async throws -> Void) async rethrows -> Double {
    let start = ContinuousClock.now
    try await body()
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
}

func peakRSS() -> String {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    return status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") }
        .map { $0.dropFirst("VmHWM:".count).trimmingCharacters(in: .whitespaces) } ?? "unknown"
}

/// The batch of chunk `index`, as a provider's normalizer builds it.
func batch(_ index: Int) -> TableBatch {
    let start = index * chunkRows
    let end = min(start + chunkRows, rowCount)
    var batch = TableBatch(
        table: "ahrefs_domain_metrics", columns: columns, keyColumns: ["target", "snapshot_date"],
        reservingRows: end - start)
    for number in start..<end { batch.append(row(number)) }
    return batch
}

/// Commits every row through the warehouse, `chunkRows` a chunk (one transaction each), as the runner does: the
/// next chunk's rows are built while this one commits, as the runner decodes the next answer meanwhile (psql's
/// side reads a file written before its clock starts).
func loadThroughWarehouse(_ warehouse: PostgresWarehouse, runID: String) async throws {
    let chunks = (rowCount + chunkRows - 1) / chunkRows
    try await withThrowingTaskGroup(of: Void.self) { group in
        for committer in 0..<committers {
            group.addTask {
                let indexes = Array(stride(from: committer, to: chunks, by: committers))
                var next: Task<TableBatch, Never>? = indexes.first.map { first in Task { batch(first) } }
                for (position, index) in indexes.enumerated() {
                    let rows = await next!.value
                    next =
                        position + 1 < indexes.count
                        ? Task { [following = indexes[position + 1]] in batch(following) } : nil
                    try await warehouse.commit(
                        ChunkCommit(
                            key: ChunkKey(
                                pipeline: "bench", snapshotDate: snapshotDate, stageID: "metrics",
                                requestHash: "chunk-\(index)"),
                            runID: runID, chunkIndex: index, targetCount: rows.rowCount, attempts: 1,
                            payload: ChunkPayload(rows: rows, targetFailures: [], units: 50),
                            committedAt: committedAt))
                }
            }
        }
        try await group.waitForAll()
    }
}

// The TSV psql reads: the same rows, written before any clock starts.
let tsv = FileManager.default.temporaryDirectory.appendingPathComponent("seopipe-bench-\(getpid()).tsv")
_ = FileManager.default.createFile(atPath: tsv.path, contents: nil)
let output = try FileHandle(forWritingTo: tsv)
var text = ""
for number in 0..<rowCount {
    let target = targets[number]
    text +=
        "\(target)\t\(target)\t\(snapshot)\t\(fetchedAt)\t\(runID)\t\(number % 50_000)\t\(number * 7 % 1_000_000)\t"
        + "\(Double(number % 1000) / 10)\n"
    if text.utf8.count > 1 << 20 || number == rowCount - 1 {
        try output.write(contentsOf: Data(text.utf8))
        text = ""
    }
}
try output.close()
defer { try? FileManager.default.removeItem(at: tsv) }

let warehouse = try await PostgresWarehouse(configuration: configuration)
_ = try await warehouse.migrate()
// The equivalent table: same columns, types and primary key.
_ = try await warehouse.query("CREATE TABLE psql_copy (LIKE ahrefs_domain_metrics INCLUDING ALL)")

func psqlBinary() -> String {
    let candidates =
        (environment["PATH"] ?? "").split(separator: ":").map { "\($0)/psql" }
        + (environment["SEOPIPE_TEST_POSTGRES_BIN"].map { ["\($0)/psql"] } ?? [])
        + ["/usr/bin/psql"]
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? "psql"
}

func psqlCopy() throws {
    let psql = Process()
    psql.executableURL = URL(fileURLWithPath: psqlBinary())
    psql.arguments = [
        "-X", "-q", "-v", "ON_ERROR_STOP=1",
        "host=\(configuration.host) port=\(configuration.port) user=\(configuration.user) "
            + "dbname=\(configuration.database) sslmode=\(configuration.sslMode.rawValue)",
        "-c", "\\copy \(schema).psql_copy (\(columns.joined(separator: ", "))) FROM '\(tsv.path)'",
    ]
    var psqlEnvironment = environment
    if let password = configuration.password { psqlEnvironment["PGPASSWORD"] = password }
    psql.environment = psqlEnvironment
    try psql.run()
    psql.waitUntilExit()
    guard psql.terminationStatus == 0 else {
        FileHandle.standardError.write(Data("psql \\copy failed (exit \(psql.terminationStatus))\n".utf8))
        exit(1)
    }
}

/// Empties both tables and flushes dirty pages, so each timed load starts from the same state.
func reset() async throws {
    _ = try await warehouse.query("TRUNCATE ahrefs_domain_metrics, psql_copy, seopipe_chunks")
    _ = try? await warehouse.query("CHECKPOINT")
}

let rssBeforeLoads = peakRSS()
// New snapshot date (no key exists yet), `trials` times each, alternating which goes first.
var pathTimes: [Double] = []
var psqlTimes: [Double] = []
for trial in 0..<trials {
    try await reset()
    if trial % 2 == 0 {
        pathTimes.append(try await seconds { try await loadThroughWarehouse(warehouse, runID: runID) })
        psqlTimes.append(try await seconds { try psqlCopy() })
    } else {
        psqlTimes.append(try await seconds { try psqlCopy() })
        pathTimes.append(try await seconds { try await loadThroughWarehouse(warehouse, runID: runID) })
    }
}
let rssAfterLoad = peakRSS()
let loaded = try await warehouse.query("SELECT count(*) FROM ahrefs_domain_metrics")
let copied = try await warehouse.query("SELECT count(*) FROM psql_copy")
let differing = try await warehouse.query(
    "SELECT count(*) FROM (SELECT * FROM ahrefs_domain_metrics EXCEPT SELECT * FROM psql_copy) d")
// A re-run of the same date: every key exists, so the rows go through the staging table and the upsert.
_ = try? await warehouse.query("CHECKPOINT")
let rerunSeconds = try await seconds { try await loadThroughWarehouse(warehouse, runID: runID) }
_ = try await warehouse.query("DROP SCHEMA \(schema) CASCADE")
await warehouse.close()

func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
func rate(_ seconds: Double) -> String { "\(Int(Double(rowCount) / seconds)) rows/s" }
func format(_ values: [Double]) -> String { values.map { String(format: "%.2f", $0) }.joined(separator: ", ") + " s" }
let pathSeconds = median(pathTimes)
let psqlSeconds = median(psqlTimes)
print(
    "rows: \(rowCount), chunk: \(chunkRows) rows, committers: \(committers) (one transaction a chunk, or a group of "
        + "chunks that arrive together), server: \(configuration.redactedURL)")
print(
    "seopipe commit, new date (COPY + checkpoint per chunk): \(format(pathTimes)); median \(rate(pathSeconds)); "
        + "rows in table: \(loaded.first?.first.flatMap { $0 } ?? "?")")
print(
    "psql \\copy (one transaction):                          \(format(psqlTimes)); median \(rate(psqlSeconds)); "
        + "rows in table: \(copied.first?.first.flatMap { $0 } ?? "?")")
print(
    "ratio seopipe / psql: medians \(String(format: "%.2f", psqlSeconds / pathSeconds)), best times "
        + String(format: "%.2f", psqlTimes.min()! / pathTimes.min()!))
print(
    "seopipe re-run of the same date (every key exists: staging + upsert): \(format([rerunSeconds])), "
        + "\(rate(rerunSeconds)), ratio to psql \(String(format: "%.2f", psqlSeconds / rerunSeconds))")
print("rows differing between the two tables: \(differing.first?.first.flatMap { $0 } ?? "?")")
print(
    "peak RSS (VmHWM) of this process: \(rssBeforeLoads) before the loads (the generated input), \(rssAfterLoad) "
        + "after them, \(peakRSS()) at the end")
