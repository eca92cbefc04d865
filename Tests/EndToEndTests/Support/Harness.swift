import Foundation
import Sandbox
import Testing
import WarehouseSQLite

/// Drives the built `seopipe` binary the way a user (or cron) does, against an in-process sandbox.
struct Harness {
    let sandbox: RunningSandbox
    let directory: URL

    /// - Parameter today: the sandbox's date for providers that answer with today's data (DataForSEO).
    static func start(latency: Duration = .zero, today: String? = nil) async throws -> Harness {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("seopipe-e2e-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var configuration = SandboxConfiguration(latency: latency)
        configuration.today = today
        let sandbox = try await RunningSandbox.start(configuration)
        return Harness(sandbox: sandbox, directory: directory)
    }

    func stop() async {
        await sandbox.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Writes a file into the test's directory and returns its path.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    var databasePath: String { directory.appendingPathComponent("warehouse.db").path }

    func query(_ sql: String, database: String? = nil) async throws -> [[String?]] {
        try await SQLiteWarehouse(path: database ?? databasePath).query(sql)
    }

    func count(_ table: String, database: String? = nil) async throws -> Int {
        Int(try await query("SELECT count(*) FROM \(table)", database: database)[0][0] ?? "") ?? -1
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
        var env = ProcessInfo.processInfo.environment
        env["SEOPIPE_WAREHOUSE"] = nil
        env["DATABASE_URL"] = nil
        env["AHREFS_API_TOKEN"] = nil
        env["AHREFS_BASE_URL"] = nil
        for name in ["DATAFORSEO_LOGIN", "DATAFORSEO_PASSWORD", "DATAFORSEO_BASE_URL", "AHREFS_V2_TOKEN", "AHREFS_V2_BASE_URL",
            "ANALYTICS_API_KEY", "ANALYTICS_BASE_URL",
        ] {
            env[name] = nil
        }
        if withSandbox {
            for (name, value) in sandbox.environment { env[name] = value }
        }
        for (name, value) in environment { env[name] = value }
        return try await Self.execute(arguments, environment: env, directory: directory)
    }

    static func execute(_ arguments: [String], environment: [String: String], directory: URL) async throws -> Output {
        let process = Process()
        process.executableURL = try binary()
        process.arguments = arguments
        process.environment = environment
        process.currentDirectoryURL = directory
        let id = UUID().uuidString.prefix(8)
        let outURL = directory.appendingPathComponent(".stdout-\(id)")
        let errURL = directory.appendingPathComponent(".stderr-\(id)")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL)
        let err = try FileHandle(forWritingTo: errURL)
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        let started = ContinuousClock.now
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            process.terminationHandler = { _ in continuation.resume() }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        let elapsed = ContinuousClock.now - started
        try out.close()
        try err.close()
        defer {
            try? FileManager.default.removeItem(at: outURL)
            try? FileManager.default.removeItem(at: errURL)
        }
        return Output(
            exitCode: process.terminationStatus, stdout: try String(contentsOf: outURL, encoding: .utf8),
            stderr: try String(contentsOf: errURL, encoding: .utf8), elapsed: elapsed)
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
            throw HarnessError("the seopipe binary is not built; run `swift build` first (looked at \(candidates.map(\.path)))")
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

/// A pipeline file for the tests, with the shipped conventions (base URL and token from the environment)
/// and fast retry and rate settings.
func pipelineYAML(
    name: String = "e2e", stages: String, maxAttempts: Int = 3, rateLimit: String = "6000/min",
    budget: String? = nil, dataForSEOBudget: String? = nil, parallelLimit: Int = 5
) -> String {
    var text = """
        name: \(name)
        warehouse: sqlite:warehouse.db
        providers:
          ahrefs:
            kind: ahrefs-v3
            base_url: ${AHREFS_BASE_URL:-https://api.ahrefs.com/v3}
            token: ${AHREFS_API_TOKEN}
            rate_limit: \(rateLimit)
            retry: { max_attempts: \(maxAttempts), base_delay: 50ms, max_delay: 200ms }

        """
    if let budget { text += "    budget: { \(budget) }\n" }
    text += """
          dataforseo:
            kind: dataforseo
            base_url: ${DATAFORSEO_BASE_URL:-https://api.dataforseo.com/v3}
            login: ${DATAFORSEO_LOGIN}
            password: ${DATAFORSEO_PASSWORD}
            rate_limit: \(rateLimit)
            retry: { max_attempts: \(maxAttempts), base_delay: 50ms, max_delay: 200ms }

        """
    if let dataForSEOBudget { text += "    budget: { \(dataForSEOBudget) }\n" }
    text += """
          analytics:
            kind: analytics-batch
            base_url: ${ANALYTICS_BASE_URL:-https://my.sealmetrics.com/api/v1}
            api_key: ${ANALYTICS_API_KEY}
            rate_limit: \(rateLimit)
            retry: { max_attempts: \(maxAttempts), base_delay: 50ms, max_delay: 200ms }
          ahrefs_v2:
            kind: ahrefs-v2
            base_url: ${AHREFS_V2_BASE_URL:-https://apiv2.ahrefs.com}
            token: ${AHREFS_V2_TOKEN}
            rate_limit: \(rateLimit)
            retry: { max_attempts: \(maxAttempts), base_delay: 50ms, max_delay: 200ms }

        """
    text += "options: { parallel_limit: \(parallelLimit) }\nstages:\n" + stages
    return text
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
    latency: Duration = .zero, today: String? = nil, _ body: (Harness) async throws -> Void
) async throws {
    let harness = try await Harness.start(latency: latency, today: today)
    do {
        try await body(harness)
    } catch {
        await harness.stop()
        throw error
    }
    await harness.stop()
}
