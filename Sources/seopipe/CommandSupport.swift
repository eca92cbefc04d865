import ArgumentParser
import Foundation
import Logging
import Providers
import SeopipeCore
import WarehousePostgres
import WarehouseSQLite

/// Exit codes of DESIGN.md section 7.
enum Exit {
    static let failed = ExitCode(1)
    static let usage = ExitCode(2)
    static let partial = ExitCode(3)
    static let locked = ExitCode(4)
}

/// Writes to standard error; only the CLI prints.
/// With `--log-format json`, as one JSON object like the log lines, so a log shipper reading stderr never meets a
/// line that is not JSON; on a terminal, above the progress bar.
func printError(_ text: String) {
    guard Console.standardError.jsonLines else {
        Console.standardError.line(text)
        return
    }
    let object: [String: Any] = [
        "timestamp": Date().formatted(.iso8601), "level": "error",
        "label": "seopipe", "message": text,
    ]
    if let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) {
        Console.standardError.line(String(decoding: data, as: UTF8.self))
    }
}

struct LoggingOptions: ParsableArguments {
    @Flag(name: .shortAndLong, help: "Print nothing on success; on failure, a one-paragraph summary (for cron).")
    var quiet = false

    @Option(
        name: .long, help: "Log level: trace, debug, info, notice, warning, error.", transform: LoggingOptions.level)
    var logLevel: Logger.Level = .info

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Log format: text (one line per event; a progress bar on a terminal) or json (one object per line, for log shippers)."
        ))
    var logFormat: LogFormat = .text

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Also append the log here, at --log-level even with --quiet (cron: the file keeps the detail, mail gets the summary).",
            valueName: "path"))
    var logFile: String?

    func bootstrap() {
        let level: Logger.Level = quiet ? .critical : logLevel
        let format = logFormat
        Console.standardError.jsonLines = format == .json
        Console.standardError.showsErrorLogs = level <= .error
        let file: LogFile? = logFile.flatMap { path in
            do {
                return try LogFile(path: path)
            } catch {
                printError("error: \(error)")
                return nil
            }
        }
        let fileLevel = logLevel
        LoggingSystem.bootstrap { label in
            var handlers: [any LogHandler] = [
                LineLogHandler(logLevel: level, label: label, format: format) { Console.standardError.line($0) }
            ]
            if let file {
                handlers.append(LineLogHandler(logLevel: fileLevel, label: label, format: format) { file.line($0) })
            }
            return handlers.count == 1 ? handlers[0] : MultiplexLogHandler(handlers)
        }
    }

    /// A progress bar for this pipeline's run: only on a terminal, with text logs, when not quiet.
    func progressBar(pipeline: String, json: Bool = false) -> ProgressBar? {
        guard Console.standardError.isTerminal, logFormat == .text, !quiet, !json else { return nil }
        return ProgressBar(pipeline: pipeline)
    }
}

extension LoggingOptions {
    /// `--log-level`: one of swift-log's level names.
    static func level(_ text: String) throws -> Logger.Level {
        guard let level = Logger.Level(rawValue: text) else {
            let names = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")
            throw ValidationError("--log-level \(text) is not a level; write one of \(names)")
        }
        return level
    }
}

/// Loads a pipeline file, printing its errors with file:line:column and exiting 2 when it is invalid.
/// - Parameter environment: the variables `${VAR}` reads (default: this process's).
func loadPipeline(
    _ path: String, json: Bool = false, environment: [String: String] = ProcessInfo.processInfo.environment,
    consequence: String = "nothing was run", embedded text: String? = nil
) throws -> Pipeline {
    let loader = PipelineLoader(registry: .builtin, environment: environment)
    do {
        if let text { return try loader.load(yaml: text, file: URL(fileURLWithPath: path)) }
        return try loader.load(file: URL(fileURLWithPath: path))
    } catch {
        if json {
            let errors = error.errors.map { e -> [String: String] in
                var item = [
                    "file": e.location.file, "line": "\(e.location.line)", "column": "\(e.location.column)",
                    "code": e.code.rawValue, "message": e.message,
                ]
                item["hint"] = e.hint
                return item
            }
            printJSON(["valid": false, "errors": errors] as [String: any Sendable])
        } else {
            printError(error.description)
            printError("\(path): \(error.errors.count) error\(error.errors.count == 1 ? "" : "s"); \(consequence)")
        }
        throw Exit.usage
    }
}

/// `--from`/`--to` (and `--date`) of `run` and `plan`: dates, `--to` only with `--from`, and in order.
func validateDateRange(from: String?, to: String?, date: String? = nil) throws {
    if to != nil, from == nil { throw ValidationError("--to needs --from (the first date of the range)") }
    for (flag, value) in [("--date", date), ("--from", from), ("--to", to)] {
        if let value, SnapshotDate(value) == nil {
            throw ValidationError("\(flag) \(value) is not a date; write YYYY-MM-DD, e.g. \(flag) 2026-11-24")
        }
    }
    if let from, let to, let first = SnapshotDate(from), let last = SnapshotDate(to), last < first {
        throw ValidationError("--to \(to) is before --from \(from)")
    }
}

/// The warehouse URL in force: `--warehouse`, then `SEOPIPE_WAREHOUSE`, then `DATABASE_URL`, then the pipeline's
/// `warehouse:`, else `sqlite:warehouse.db` in the working directory.
func resolveWarehouse(_ flag: String?, pipeline: Pipeline?) throws -> WarehouseLocation {
    let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    let environment = ProcessInfo.processInfo.environment
    let chosen: (text: String, source: String)? =
        flag.map { ($0, "--warehouse") }
        ?? ["SEOPIPE_WAREHOUSE", "DATABASE_URL"].lazy.compactMap { name in
            environment[name].flatMap { $0.isEmpty ? nil : ($0, "$" + name) }
        }.first
    guard let chosen else {
        return pipeline?.warehouse ?? .sqlite(path: cwd.appendingPathComponent("warehouse.db").path)
    }
    do {
        return try WarehouseLocation.parse(chosen.text, relativeTo: cwd)
    } catch {
        printError("error: \(chosen.source): \(error)")
        throw Exit.usage
    }
}

/// Opens (connects to) the warehouse; call `migrate()` before use, or use ``migrated(_:)``.
func openWarehouse(_ location: WarehouseLocation) async throws -> any Warehouse {
    do {
        return try await Engine.builtin.open(location)
    } catch {
        throw fail(error)
    }
}

/// Opens and migrates the warehouse.
func migrated(_ location: WarehouseLocation) async throws -> any Warehouse {
    do {
        return try await Engine.builtin.migratedWarehouse(location)
    } catch {
        throw fail(error)
    }
}

/// Prints what kept the engine from starting or finishing, and returns the exit code it means.
func fail(_ error: any Error) -> ExitCode {
    let engineError = error as? EngineError
    // A run refused by the lock was logged by the engine already (also to --log-file): said once.
    let logged = if case .locked = engineError { Console.standardError.showsErrorLogs } else { false }
    if !logged { printError("error: \(error)") }
    return ExitCode(engineError?.exitCode ?? 1)
}

extension Engine {
    /// `run` and `demo`: one run with the command's progress bar (when it draws one); an engine error is printed and
    /// becomes its exit code.
    func run(_ request: RunRequest, bar: ProgressBar?, logger: Logger) async throws -> RunResult {
        var request = request
        if let bar { request.progress = { bar.handle($0) } }
        defer { bar?.finish() }
        do {
            return try await run(request, logger: logger)
        } catch {
            throw fail(error)
        }
    }
}

func printJSON(_ object: Any) {
    if let data = try? JSONSerialization.data(
        withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    {
        print(String(decoding: data, as: UTF8.self))
    }
}

func printJSON(_ value: some Encodable) {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    if let data = try? encoder.encode(value) { print(String(decoding: data, as: UTF8.self)) }
}

/// Formats units and money for people.
func formatNumber(_ value: Double) -> String {
    value == value.rounded() ? String(Int(value)) : String(format: "%.2f", value)
}
