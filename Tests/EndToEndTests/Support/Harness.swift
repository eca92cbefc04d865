import Foundation
import Sandbox
import Subprocess
import SystemPackage
import Testing
import WarehousePostgres
import WarehouseSQLite

/// The warehouse an end-to-end test runs against. Every provider's suite runs once per backend: the same test,
/// the same assertions, so "works on SQLite" and "works on PostgreSQL" cannot drift apart.
enum Backend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { rawValue }

    /// The backends the tests run against: PostgreSQL when a test server is given (`SEOPIPE_TEST_POSTGRES_URL`),
    /// and always under scripts/test.sh, which sets `SEOPIPE_REQUIRE_POSTGRES=1` so that CI fails rather than
    /// quietly testing one backend. Without either, the "PostgreSQL warehouse, end to end" suite says it skipped.
    static var available: [Backend] {
        let environment = ProcessInfo.processInfo.environment
        let configured = !(environment["SEOPIPE_TEST_POSTGRES_URL"] ?? "").isEmpty
        return configured || environment["SEOPIPE_REQUIRE_POSTGRES"] == "1" ? allCases : [.sqlite]
    }

    static func postgresServer() throws -> String {
        guard let url = ProcessInfo.processInfo.environment["SEOPIPE_TEST_POSTGRES_URL"], !url.isEmpty else {
            throw HarnessError("SEOPIPE_REQUIRE_POSTGRES=1 but SEOPIPE_TEST_POSTGRES_URL is not set")
        }
        return url
    }
}

/// Drives the built `seopipe` binary the way a user (or cron) does, against an in-process sandbox.
struct Harness {
    let sandbox: RunningSandbox
    let directory: URL
    let backend: Backend
    /// PostgreSQL only: the test server's URL without a schema, and this test's own schema.
    let server: String?
    let schema: String?

    /// - Parameter today: the sandbox's date for providers that answer with today's data (DataForSEO).
    static func start(
        _ backend: Backend = .sqlite, latency: Duration = .zero, today: String? = nil,
        sandbox custom: SandboxConfiguration? = nil
    ) async throws -> Harness {
        let server = backend == .postgres ? try Backend.postgresServer() : nil
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("seopipe-e2e-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var configuration = custom ?? SandboxConfiguration(latency: latency)
        if custom == nil { configuration.today = today }
        let sandbox = try await RunningSandbox.start(configuration)
        return Harness(
            sandbox: sandbox, directory: directory, backend: backend, server: server,
            schema: server.map { _ in freshSchemaName() })
    }

    func stop() async {
        await sandbox.stop()
        try? FileManager.default.removeItem(at: directory)
        // This test's schema and the extra warehouses it named (`warehouse(named:)`).
        if let server, let schema { await dropSchemas(on: server, matching: schema) }
    }

    /// The test's warehouse as `--warehouse` takes it: the pipeline's own `sqlite:warehouse.db`, or this test's
    /// PostgreSQL schema.
    var warehouse: String { warehouse(named: nil) }

    /// Another warehouse of the same backend, empty until a run uses it (for "ends equal to a clean run").
    func warehouse(named name: String?) -> String {
        guard let server, let schema else { return "sqlite:\(name ?? "warehouse").db" }
        return postgresURL(server, schema: schema + (name.map { "_\($0)" } ?? ""))
    }

    /// Waits until the sandbox has received `count` provider requests in all (answered or held).
    func waitForArrivals(_ count: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while sandbox.arrivedRequests < count, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(2))
        }
        try #require(sandbox.arrivedRequests >= count, "the run never sent request \(count)")
    }

    /// The tables of the warehouse that hold provider data (everything but the `seopipe_` ledger), sorted.
    func factTables(in warehouse: String? = nil) async throws -> [String] {
        let sql =
            switch backend {
            case .sqlite:
                // sqlite_stat1 and friends are SQLite's own (PRAGMA optimize).
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'seopipe%' "
                    + "AND name NOT LIKE 'sqlite%' ORDER BY name"
            case .postgres:
                "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
                    + "AND table_name NOT LIKE 'seopipe%' ORDER BY table_name"
            }
        return try await query(sql, in: warehouse).compactMap { $0.first ?? nil }
    }

    /// A table's columns in order.
    func columns(of table: String, in warehouse: String? = nil) async throws -> [String] {
        let sql =
            switch backend {
            case .sqlite: "SELECT name FROM pragma_table_info('\(table)') ORDER BY cid"
            case .postgres:
                "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
                    + "AND table_name = '\(table)' ORDER BY ordinal_position"
            }
        return try await query(sql, in: warehouse).compactMap { $0.first ?? nil }
    }

    /// Every value in every table of the warehouse, as text (to prove something is nowhere in it).
    func everyValue(in warehouse: String? = nil) async throws -> String {
        let tables =
            switch backend {
            case .sqlite: try await query("SELECT name FROM sqlite_master WHERE type = 'table'", in: warehouse)
            case .postgres:
                try await query(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()",
                    in: warehouse)
            }
        var text = ""
        for table in tables.compactMap({ $0.first ?? nil }) {
            for row in try await query("SELECT * FROM \"\(table)\"", in: warehouse) {
                text += row.map { $0 ?? "" }.joined(separator: "\t") + "\n"
            }
        }
        return text
    }

    /// Writes a file into the test's directory and returns its path.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    var databasePath: String { directory.appendingPathComponent("warehouse.db").path }

    /// Runs `sql` against the test's warehouse (or `warehouse`, as `warehouse(named:)` gives it); every value as
    /// text, numbers in one spelling for both backends.
    func query(_ sql: String, in warehouse: String? = nil) async throws -> [[String?]] {
        let location = warehouse ?? self.warehouse
        if location.hasPrefix("sqlite:") {
            let path = directory.appendingPathComponent(String(location.dropFirst("sqlite:".count))).path
            return try await SQLiteWarehouse(path: path).query(sql)
        }
        let store = try await PostgresWarehouse(url: location)
        do {
            let rows = try await store.query(sql)
            await store.close()
            return rows.map { $0.map { $0.map(Self.numberSpelling) } }
        } catch {
            await store.close()
            throw error
        }
    }

    /// NUMERIC comes back with its scale (`0.0200`, `1.0000`); SQLite's REAL prints `0.02`, `1.0`.
    static func numberSpelling(_ value: String) -> String {
        guard let dot = value.firstIndex(of: "."), value.first.map({ $0.isNumber || $0 == "-" }) == true,
            value.allSatisfy({ $0.isNumber || $0 == "." || $0 == "-" })
        else { return value }
        var trimmed = Substring(value)
        while trimmed.last == "0", trimmed.index(after: dot) < trimmed.index(before: trimmed.endIndex) {
            trimmed = trimmed.dropLast()
        }
        return String(trimmed)
    }

    func count(_ table: String, in warehouse: String? = nil) async throws -> Int {
        Int(try await query("SELECT count(*) FROM \(table)", in: warehouse)[0][0] ?? "") ?? -1
    }

    struct Output {
        var exitCode: Int32
        var stdout: String
        var stderr: String
        var elapsed: Duration
    }

    /// Runs `seopipe ARGS` in the test directory with the sandbox's environment (plus `environment`).
    func seopipe(_ arguments: [String], environment: [String: String] = [:], withSandbox: Bool = true) async throws
        -> Output
    {
        try await launch(arguments, environment: environment, withSandbox: withSandbox).finished.value
    }

    /// Starts `seopipe ARGS` like `seopipe(_:)` does, without waiting: the test can signal it while it runs.
    func launch(_ arguments: [String], environment: [String: String] = [:], withSandbox: Bool = true) async throws
        -> Launched
    {
        var env = ProcessInfo.processInfo.environment
        env["SEOPIPE_WAREHOUSE"] = nil
        env["DATABASE_URL"] = nil
        env["AHREFS_API_TOKEN"] = nil
        env["AHREFS_BASE_URL"] = nil
        for name in [
            "DATAFORSEO_LOGIN", "DATAFORSEO_PASSWORD", "DATAFORSEO_BASE_URL", "AHREFS_V2_TOKEN", "AHREFS_V2_BASE_URL",
            "ANALYTICS_API_KEY", "ANALYTICS_BASE_URL",
        ] {
            env[name] = nil
        }
        if withSandbox {
            for (name, value) in sandbox.environment { env[name] = value }
        }
        // The pipeline files say `sqlite:warehouse.db`; SEOPIPE_WAREHOUSE outranks the file, as for a user.
        if backend == .postgres { env["SEOPIPE_WAREHOUSE"] = warehouse }
        for (name, value) in environment { env[name] = value }
        return try await Self.launch(arguments, environment: env, directory: directory)
    }

    /// A started `seopipe` process.
    struct Launched: Sendable {
        let pid: Int32
        /// Its output once it has ended.
        let finished: Task<Output, any Error>

        func signal(_ number: Int32) { kill(pid, number) }
    }

    /// Runs another program (`sqlite3`, `psql`, `sh`, ...) found on PATH, in the test directory, with `input` on its
    /// standard input; `environment` is added to the test process's own.
    func tool(_ name: String, _ arguments: [String], input: String? = nil, environment: [String: String] = [:])
        async throws -> Output
    {
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        return try await Self.launch(
            [name] + arguments, environment: env, directory: directory,
            executable: URL(fileURLWithPath: "/usr/bin/env"), input: input
        ).finished.value
    }

    static func launch(
        _ arguments: [String], environment: [String: String], directory: URL, executable: URL? = nil,
        input: String? = nil
    ) async throws -> Launched {
        let executable = FilePath(try (executable ?? binary()).path)
        let id = UUID().uuidString.prefix(8)
        let outPath = directory.appendingPathComponent(".stdout-\(id)").path
        let errPath = directory.appendingPathComponent(".stderr-\(id)").path
        // Output goes to files, read once the program has ended: no pipe to drain while it runs.
        let out = try FileDescriptor.open(
            FilePath(outPath), .writeOnly, options: [.create, .truncate], permissions: [.ownerReadWrite])
        let err: FileDescriptor
        do {
            err = try FileDescriptor.open(
                FilePath(errPath), .writeOnly, options: [.create, .truncate], permissions: [.ownerReadWrite])
        } catch {
            try? out.close()
            throw error
        }
        let environment = Dictionary(
            environment.compactMap { name, value in Environment.Key(rawValue: name).map { ($0, value) } },
            uniquingKeysWith: { _, last in last })
        let (spawned, spawning) = AsyncStream.makeStream(of: Int32.self)
        let started = ContinuousClock.now
        let finished = Task { () throws -> Output in
            defer {
                spawning.finish()
                try? FileManager.default.removeItem(atPath: outPath)
                try? FileManager.default.removeItem(atPath: errPath)
            }
            let result = try await Subprocess.run(
                .path(executable), arguments: Arguments(arguments), environment: .custom(environment),
                workingDirectory: FilePath(directory.path), input: .string(input ?? ""),
                output: .fileDescriptor(out, closeAfterSpawningProcess: true),
                error: .fileDescriptor(err, closeAfterSpawningProcess: true)
            ) { execution in
                spawning.yield(execution.processIdentifier.value)
            }
            let elapsed = ContinuousClock.now - started
            // A program killed by a signal reports the signal's number, as a shell's `$?` minus 128.
            let status: Int32 =
                switch result.terminationStatus {
                case .exited(let code): code
                case .signaled(let signal): signal
                }
            return Output(
                exitCode: status, stdout: try String(contentsOfFile: outPath, encoding: .utf8),
                stderr: try String(contentsOfFile: errPath, encoding: .utf8), elapsed: elapsed)
        }
        var pids = spawned.makeAsyncIterator()
        guard let pid = await pids.next() else {
            // The program did not start: `finished` holds the reason.
            _ = try await finished.value
            throw HarnessError("\(executable) did not start")
        }
        return Launched(pid: pid, finished: finished)
    }

    /// The built binary: `SEOPIPE_BINARY`, else beside the test bundle, else `.build/debug/seopipe`.
    static func binary() throws -> URL {
        if let path = ProcessInfo.processInfo.environment["SEOPIPE_BINARY"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        var candidates: [URL] = []
        if let executable = Bundle.main.executableURL {
            candidates.append(executable.deletingLastPathComponent().appendingPathComponent("seopipe"))
        }
        candidates.append(repositoryRoot.appendingPathComponent(".build/debug/seopipe"))
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw HarnessError(
                "the seopipe binary is not built; run `swift build` first (looked at \(candidates.map(\.path)))")
        }
        return found
    }

    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
    }
}

struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// `n` distinct, valid domains.
func domains(_ n: Int, prefix: String = "site") -> [String] {
    (1...n).map { "\(prefix)\($0).example-shop.com" }
}

/// A YAML flow list of strings.
func flowList(_ items: [String]) -> String {
    "[" + items.map { "\"\($0)\"" }.joined(separator: ", ") + "]"
}

/// Runs `body` with a fresh sandbox and directory, and stops and removes them afterwards.
func withHarness(
    _ backend: Backend = .sqlite, latency: Duration = .zero, today: String? = nil,
    sandbox: SandboxConfiguration? = nil, _ body: (Harness) async throws -> Void
) async throws {
    let harness = try await Harness.start(backend, latency: latency, today: today, sandbox: sandbox)
    do {
        try await body(harness)
    } catch {
        await harness.stop()
        throw error
    }
    await harness.stop()
}

func freshSchemaName() -> String {
    "e2e_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
}

/// The test server's URL with `?schema=NAME` (or `&schema=NAME`).
func postgresURL(_ server: String, schema: String) -> String {
    server + (server.contains("?") ? "&" : "?") + "schema=\(schema)"
}

/// Drops the schema `name` and every schema named `name_...` on the server, ignoring errors (cleanup).
func dropSchemas(on server: String, matching name: String) async {
    guard let admin = try? await PostgresWarehouse(url: server) else { return }
    let schemas =
        (try? await admin.query(
            "SELECT nspname FROM pg_namespace WHERE nspname = '\(name)' OR nspname LIKE '\(name)\\_%'")) ?? []
    for schema in schemas.compactMap({ $0.first ?? nil }) {
        _ = try? await admin.query("DROP SCHEMA IF EXISTS \"\(schema)\" CASCADE")
    }
    await admin.close()
}
