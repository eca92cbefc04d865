import Foundation
import Logging
import Providers
import Sandbox
import SeopipeCore
import SeopipeHTTP
import Synchronization
import WarehouseSQLite

/// The engine as the `seopipe` binary assembles it, in-process: every provider kind, HTTP over AsyncHTTPClient to the
/// sandbox on loopback, and a SQLite warehouse in a temporary directory.
struct EngineFixture {
    let sandbox: RunningSandbox
    let directory: URL
    let engine: Engine
    let logger = Logger(label: "seopipe.engine-tests", factory: { _ in SwiftLogNoOpLogHandler() })

    var warehouse: WarehouseLocation { .sqlite(path: directory.appendingPathComponent("warehouse.db").path) }

    /// A pipeline file's text with the sandbox's base URLs and credentials, as `seopipe` would load it.
    func pipeline(_ yaml: String) throws -> Pipeline {
        let loader = PipelineLoader(registry: engine.registry, environment: sandbox.environment)
        return try loader.load(yaml: yaml, file: directory.appendingPathComponent("pipeline.yml"))
    }

    /// Runs `pipeline` for `snapshot` into this fixture's warehouse.
    func run(
        _ pipeline: Pipeline, snapshot: SnapshotDate = EngineRunTests.day, stop: StopRequest = StopRequest(),
        progress: (@Sendable (ProgressEvent) -> Void)? = nil
    ) async throws -> RunResult {
        try await engine.run(
            .init(pipeline, snapshot: snapshot, warehouse: warehouse, stop: stop, progress: progress), logger: logger)
    }

    /// Opens the (migrated) warehouse for the duration of `body`.
    func withWarehouse<T>(_ body: (any Warehouse) async throws -> T) async throws -> T {
        let store = try await engine.migratedWarehouse(warehouse)
        do {
            let value = try await body(store)
            await store.close()
            return value
        } catch {
            await store.close()
            throw error
        }
    }

    /// Rows of `table` in the warehouse.
    func count(_ table: String) async throws -> Int {
        let store = try SQLiteWarehouse(path: warehouse.path)
        let rows = try await store.query("SELECT COUNT(*) FROM \(table)")
        await store.close()
        return rows.first?.first.flatMap { $0 }.flatMap { Int($0) } ?? -1
    }
}

extension WarehouseLocation {
    var path: String {
        if case .sqlite(let path) = self { return path }
        return ""
    }
}

/// Runs `body` with a fresh sandbox, engine and directory, and removes them afterwards.
func withEngine(today: String? = nil, _ body: (EngineFixture) async throws -> Void) async throws {
    let sandbox = try await RunningSandbox.start(SandboxConfiguration(today: today))
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("seopipe-engine-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    var engine = Engine(
        registry: .builtin,
        openWarehouse: { location in
            guard case .sqlite(let path) = location else { throw FixtureError("the engine tests use SQLite") }
            return try SQLiteWarehouse(path: path)
        },
        makeTransport: { AsyncHTTPTransport() })
    engine.jitter = { 0 }
    let fixture = EngineFixture(sandbox: sandbox, directory: directory, engine: engine)
    do {
        try await body(fixture)
    } catch {
        await sandbox.stop()
        try? FileManager.default.removeItem(at: directory)
        throw error
    }
    await sandbox.stop()
    try? FileManager.default.removeItem(at: directory)
}

struct FixtureError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// An Ahrefs v3 metrics pipeline over `targets`, `batchSize` targets a request, one request at a time, with quick
/// retries, so every test can count requests exactly.
func metricsPipeline(
    name: String = "engine", targets: [String], batchSize: Int = 2, maxAttempts: Int = 3, budget: String? = nil
) -> String {
    """
    name: \(name)
    providers:
      ahrefs:
        kind: ahrefs-v3
        base_url: ${AHREFS_BASE_URL}
        token: ${AHREFS_API_TOKEN}
        rate_limit: 60000/min
        retry: { max_attempts: \(maxAttempts), base_delay: 10ms, max_delay: 20ms }
        batch_size: \(batchSize)
    \(budget.map { "    budget: { \($0) }\n" } ?? "")options: { parallel_limit: 1 }
    stages:
      - id: metrics
        provider: ahrefs
        endpoint: site-explorer/batch/metrics
        targets: [\(targets.map { "\"\($0)\"" }.joined(separator: ", "))]
        params: { select: "org_keywords,org_traffic,domain_rating" }
    """
}

/// `n` distinct, valid domains.
func domains(_ n: Int) -> [String] {
    (1...n).map { "site\($0).example-shop.com" }
}

/// A value shared between tasks.
final class Shared<Value: Sendable>: Sendable {
    private let value: Mutex<Value>

    init(_ value: Value) { self.value = Mutex(value) }

    func get() -> Value { value.withLock { $0 } }

    func update(_ body: (inout Value) -> Void) { value.withLock { body(&$0) } }
}
