import ArgumentParser
import Foundation
import Logging
import Sandbox
import SeopipeCore
import WarehouseSQLite

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the demo pipeline against the built-in sandbox into demo.db.",
        discussion: """
            Starts the sandbox in-process on a free loopback port, points the demo pipeline at it (built into \
            seopipe, so this works from any directory; the repository's pipelines/demo.yml), runs it into \
            demo.db in the current directory and prints rows per table, units spent and queries to try with \
            sqlite3. No API token is needed and nothing is spent.
            """)

    @Option(help: "A pipeline file to run instead of the built-in demo pipeline.")
    var pipeline: String?

    @Option(help: "Warehouse URL: sqlite:PATH or postgres://USER@HOST:PORT/DB[?schema=NAME&sslmode=MODE].")
    var warehouse = "sqlite:demo.db"

    @Option(help: "Snapshot date YYYY-MM-DD (default: today, UTC).")
    var date: String?

    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        logging.bootstrap()
        let sandbox = try await RunningSandbox.start()
        // The demo pipeline reads its base URL and token from the environment, like every shipped pipeline.
        for (name, value) in sandbox.environment { setenv(name, value, 1) }
        let exitCode: ExitCode
        let logger = Logger(label: "seopipe")
        let stop = StopRequest()
        let signals = StopSignals(stop: stop, logger: logger)
        defer { signals.restore() }
        do {
            let loaded =
                try pipeline.map { try loadPipeline($0) }
                ?? loadPipeline("demo.yml (built in)", embedded: EmbeddedFiles.demoPipeline)
            let snapshot =
                try date.map { text in
                    guard let parsed = SnapshotDate(text) else {
                        printError("error: --date \(text) is not a date; write YYYY-MM-DD")
                        throw Exit.usage
                    }
                    return parsed
                } ?? loaded.snapshot.resolve()
            let location = try resolveWarehouse(warehouse, pipeline: loaded)
            let result = try await Engine.builtin.run(
                .init(loaded, snapshot: snapshot, warehouse: location, stop: stop),
                bar: logging.progressBar(pipeline: loaded.name), logger: logger)
            RunReport.show(result, warehouse: location, json: false, quiet: logging.quiet)
            let usage = sandbox.usage()
            let store = try await openWarehouse(location)
            let counts = try await store.factTableCounts()
            await store.close()
            print("")
            print("warehouse \(location):")
            printTable([["table", "rows"]] + counts.filter { $0.rows > 0 }.map { [$0.table, "\($0.rows)"] })
            print(
                "sandbox charged \(usage.totalUnits) units and $\(String(format: "%.5f", usage.totalCostUSD)) "
                    + "for \(usage.totalChargedRequests) requests (\(usage.totalRequests) received)")
            if case .sqlite(let path) = location {
                let shown =
                    path.hasPrefix(FileManager.default.currentDirectoryPath + "/")
                    ? String(path.dropFirst(FileManager.default.currentDirectoryPath.count + 1)) : path
                print("")
                print(
                    "try:  sqlite3 -header -column \(shown) \"SELECT domain, provider, domain_rating, backlinks, "
                        + "referring_domains FROM latest_domain_metrics ORDER BY domain, provider;\"")
                print(
                    "      sqlite3 -header -column \(shown) \"SELECT day, domain, entrances, domain_rating, "
                        + "ahrefs_referring_domains FROM site_traffic_with_backlinks ORDER BY day;\"")
                print("      every view, table and column: docs/warehouse.md (or: seopipe schema)")
            } else if case .postgres(let url) = location {
                let schema = DatabaseURL(url)?.parameter("schema").map { $0 + "." } ?? ""
                print("")
                print(
                    "try in psql:  SELECT domain, provider, domain_rating, backlinks, referring_domains "
                        + "FROM \(schema)latest_domain_metrics ORDER BY domain, provider;")
            }
            exitCode = result.status == .succeeded ? .success : ExitCode(result.exitCode)
        } catch {
            await sandbox.stop()
            throw error
        }
        await sandbox.stop()
        if exitCode != .success { throw exitCode }
    }
}
