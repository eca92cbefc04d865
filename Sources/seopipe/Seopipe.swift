import ArgumentParser
import Foundation
import Providers
import SeopipeCore

#if canImport(Glibc)
    import Glibc
#endif

@main
struct Seopipe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seopipe",
        abstract: "Runs declarative SEO data pipelines: provider APIs in, a dated warehouse out.",
        discussion: """
            A pipeline file (YAML) names providers (\(providerNames)), stages that call their batch endpoints, \
            and a warehouse (SQLite or PostgreSQL). Every run stamps rows with a snapshot date: a new date adds \
            history, a re-run of a date replaces it, and a failed run resumes without buying completed chunks again.

            The warehouse is --warehouse, else $SEOPIPE_WAREHOUSE, else $DATABASE_URL, else the file's \
            `warehouse:`: sqlite:PATH or postgres://USER@HOST:PORT/DB?schema=NAME&sslmode=MODE (the password from \
            the URL, $PGPASSWORD or ~/.pgpass).

            Start with `seopipe demo`: it serves simulated provider APIs on loopback and loads demo.db. Then \
            `seopipe init DIR` writes a starter project (a pipeline per provider, example targets, .env.example). \
            Every night: `seopipe crontab pipelines/*.yml | crontab -` (or `seopipe daemon pipelines/`), then \
            `seopipe runs` to see what happened and `--metrics-file` to alert on it. BI tools read the views \
            described in docs/warehouse.md (`seopipe schema`).

            Exit codes: 0 success, 1 run failed, 2 usage or validation error, 3 partial (some targets or \
            stages failed, the rest loaded), 4 another run of the pipeline holds the lock, 143/130 stopped by \
            SIGTERM/SIGINT (the requests in flight finish and commit; the run is recorded as interrupted).
            """,
        version: "seopipe \(version) (commit \(BuildInfo.commit.prefix(12)))",
        subcommands: [
            Validate.self, Check.self, Plan.self, Run.self, Runs.self, Drift.self, Crontab.self, Daemon.self,
            Migrate.self, Schema.self,
            SandboxCommand.self, Demo.self, Init.self,
        ]
    )

    /// This release's version; `--version` adds the commit the binary was built from.
    static let version = "0.9.0"

    /// The providers this build knows, as help texts name them.
    static let providerNames = ProviderRegistry.builtin.ordered.map(\.displayName).joined(separator: ", ")

    /// As ArgumentParser's, except that usage errors exit 2 (DESIGN.md section 7), not 64.
    static func main() async {
        #if canImport(Glibc)
            // Response bodies (up to megabytes) come and go all night. glibc raises its mmap threshold to the largest
            // block freed, after which such buffers land in the heap, fragment it and keep RSS growing with the run
            // (130 MB at 400k targets instead of 85): a fixed threshold keeps them in mmap, returned on free.
            // And one heap arena instead of one per thread that ever allocated (up to 8 a core): the cooperative
            // pool, the event loops and SQLite's callers each kept their own half-empty arena, and a 1M-target run
            // peaked at 125 MB instead of 95 (issue 16). MALLOC_ARENA_MAX in the environment still decides.
            // (mallopt is not in Swift's Glibc module: looked up by name; M_MMAP_THRESHOLD is -3 and M_ARENA_MAX
            // -8 in malloc.h.)
            if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") {
                typealias MallOpt = @convention(c) (Int32, Int32) -> Int32
                let mallopt = unsafeBitCast(symbol, to: MallOpt.self)
                _ = mallopt(-3, 256 * 1024)
                if getenv("MALLOC_ARENA_MAX") == nil { _ = mallopt(-8, 1) }
            }
        #endif
        do {
            var command = try parseAsRoot()
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) == .validationFailure {
                if requestsJSONLogs(CommandLine.arguments) {
                    // Log shippers get the reason as one JSON object, like every other message of the run.
                    Console.standardError.jsonLines = true
                    printError(message(for: error))
                } else {
                    FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                }
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}

/// Whether the command line asks for `--log-format json` (read before, or without, a successful parse).
func requestsJSONLogs(_ arguments: [String]) -> Bool {
    for (position, argument) in arguments.enumerated() {
        if argument == "--log-format=json" { return true }
        if argument == "--log-format", position + 1 < arguments.count, arguments[position + 1] == "json" { return true }
    }
    return false
}
