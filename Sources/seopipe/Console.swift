import ArgumentParser
import Foundation
import Logging
import SeopipeCore
import Synchronization

/// Standard error, shared by log lines and the progress bar: on a terminal the bar stays on the last line and
/// log lines are written above it.
final class Console: Sendable {
    static let standardError = Console()

    private struct State {
        var bar: String?
        var jsonLines = false
        var showsErrorLogs = false
    }

    private let state = Mutex(State())
    let isTerminal = isatty(STDERR_FILENO) == 1

    /// Whether messages outside the log (printError) go out as JSON objects too (`--log-format json`).
    var jsonLines: Bool {
        get { state.withLock { $0.jsonLines } }
        set { state.withLock { $0.jsonLines = newValue } }
    }

    /// Whether log lines at `error` reach standard error (not `--quiet`): an error the engine logged is then not
    /// printed a second time.
    var showsErrorLogs: Bool {
        get { state.withLock { $0.showsErrorLogs } }
        set { state.withLock { $0.showsErrorLogs = newValue } }
    }

    /// Writes one log line (a newline is added), above the progress bar if one is shown.
    func line(_ text: String) {
        state.withLock { state in
            var output = ""
            if state.bar != nil { output += "\r\u{1B}[K" }
            output += text + "\n"
            if let bar = state.bar { output += bar }
            FileHandle.standardError.write(Data(output.utf8))
        }
    }

    /// Shows (or, with nil, removes) the progress bar.
    func bar(_ text: String?) {
        state.withLock { state in
            let output = "\r\u{1B}[K" + (text ?? "")
            state.bar = text
            FileHandle.standardError.write(Data(output.utf8))
        }
    }
}

/// Log output formats (`--log-format`).
enum LogFormat: String, ExpressibleByArgument, CaseIterable {
    /// `2026-11-20T03:15:00Z info seopipe: key=value ... message`, one line per event.
    case text
    /// One JSON object per line: timestamp, level, label, message, source, and the metadata as fields.
    case json
}

/// A log handler that formats a line as text or JSON and hands it to a sink (standard error or a file).
struct LineLogHandler: LogHandler {
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?
    let label: String
    let format: LogFormat
    let sink: @Sendable (String) -> Void

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        let timestamp = Date().formatted(.iso8601)
        switch format {
        case .text:
            let fields = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            sink("\(timestamp) \(event.level) \(label): \(fields.isEmpty ? "" : fields + " ")\(event.message)")
        case .json:
            var object: [String: Any] = [
                "timestamp": timestamp, "level": event.level.rawValue, "label": label,
                "message": event.message.description, "source": event.source,
            ]
            for (key, value) in merged where object[key] == nil { object[key] = Self.json(value) }
            if let data = try? JSONSerialization.data(
                withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
            {
                sink(String(decoding: data, as: UTF8.self))
            }
        }
    }

    static func json(_ value: Logger.Metadata.Value) -> Any {
        switch value {
        case .string(let text): text
        case .stringConvertible(let item): item.description
        case .array(let items): items.map(json)
        case .dictionary(let items): items.mapValues(json)
        }
    }
}

struct LogFileError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// Appends lines to a log file (`--log-file`), opened once for appending so concurrent runs interleave whole lines.
final class LogFile: Sendable {
    private let handle: Mutex<FileHandle>

    init(path: String) throws {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0o640)
        guard fd >= 0 else {
            throw LogFileError(message: "cannot open the log file \(path): \(String(cString: strerror(errno)))")
        }
        handle = Mutex(FileHandle(fileDescriptor: fd, closeOnDealloc: true))
    }

    func line(_ text: String) {
        handle.withLock { $0.write(Data((text + "\n").utf8)) }
    }
}

/// The progress bar of a run on a terminal: stage, chunks done/total, rows, cost, ETA.
final class ProgressBar: Sendable {
    private struct State {
        var chunks: [String: Int] = [:]
        var done: [String: Int] = [:]
        var current: String?
        var rows = 0
        var units = 0.0
        var costUSD = 0.0
        let started = ContinuousClock.now
    }

    private let state = Mutex(State())
    private let console: Console
    private let pipeline: String

    init(pipeline: String, console: Console = .standardError) {
        self.pipeline = pipeline
        self.console = console
    }

    func handle(_ event: ProgressEvent) {
        // Drawn under the lock, so frames reach the terminal in the order of the events.
        state.withLock { state in
            switch event {
            case .stageStarted(let stage, let chunks):
                state.chunks[stage] = chunks
                state.current = stage
            case .chunkDone(let stage, let firstPage, let rows, let units, let cost, _):
                if firstPage { state.done[stage, default: 0] += 1 }
                state.current = stage
                state.rows += rows
                state.units += units
                state.costUSD += cost
            case .stageFinished:
                break
            }
            console.bar(Self.render(state, pipeline: pipeline))
        }
    }

    func finish() { console.bar(nil) }

    private static func render(_ state: State, pipeline: String) -> String {
        let total = state.chunks.values.reduce(0, +)
        let done = min(total, state.done.values.reduce(0, +))
        let width = 24
        let filled = total == 0 ? 0 : width * done / total
        let bar =
            String(repeating: "=", count: filled) + (filled < width ? ">" : "")
            + String(repeating: " ", count: max(0, width - filled - 1))
        var eta = ""
        if done > 0, done < total {
            let elapsed = (ContinuousClock.now - state.started).seconds
            let remaining = Int((elapsed / Double(done) * Double(total - done)).rounded())
            eta = " · ETA \(remaining / 60):\(String(format: "%02d", remaining % 60))"
        }
        return "\(pipeline) [\(bar)] \(done)/\(total) chunks · \(state.current ?? "") · \(state.rows) rows · "
            + "\(formatNumber(state.units)) units · $\(String(format: "%.4f", state.costUSD))\(eta)"
    }
}
