import ArgumentParser
import Foundation
import SeopipeCore

struct Crontab: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print cron lines that run each pipeline on its `schedule:`.",
        discussion: """
            One line per pipeline file with a `schedule:`, with absolute paths (cron starts jobs in your home \
            directory with a minimal PATH): it changes to the current directory (where relative warehouse paths \
            such as sqlite:demo.db resolve), runs `seopipe run FILE --quiet --log-file LOG`, so the log file keeps \
            the detail while cron mails only a failure's one-paragraph summary. A run that finds the previous one \
            of the same pipeline still going exits 4 without doing anything (the run lock), so slow nights never \
            overlap. Install: seopipe crontab pipelines/*.yml | crontab -   (this replaces your crontab; to add to \
            it: (crontab -l; seopipe crontab pipelines/*.yml) | crontab -). Cron reads times in its own time zone \
            (usually the host's); snapshot dates are UTC.
            """)

    @Argument(help: "Pipeline files (YAML).")
    var files: [String]

    @Option(help: "Folder for the log files, one per pipeline (default: ./logs). Created if missing.")
    var logDir = "logs"

    @Option(
        help: ArgumentHelp(
            "A file of `export NAME=value` lines (tokens, SEOPIPE_WAREHOUSE) that each job reads first.",
            discussion: "Cron does not read your shell profile. Keep the file readable by you only (chmod 600)."))
    var envFile: String?

    @Option(help: "Folder for Prometheus textfiles (node_exporter's textfile directory), one per pipeline.")
    var metricsDir: String?

    @Option(help: "The seopipe binary the lines run (default: this one).")
    var binary: String?

    func run() async throws {
        let cwd = FileManager.default.currentDirectoryPath
        func absolute(_ path: String) -> String {
            URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: cwd + "/")).standardizedFileURL.path
        }
        let executable = absolute(binary ?? Self.currentExecutable())
        let logs = absolute(logDir)
        try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
        var lines = [
            "# seopipe crontab, generated \(Date().formatted(.iso8601)) in \(cwd)",
            "# Times are in cron's time zone (usually the host's); snapshot dates are UTC.",
            "# Each run holds its pipeline's lock: a run that finds the previous one still going exits 4 and does nothing.",
            "SHELL=/bin/sh",
        ]
        // A cron job has a bare environment (HOME, LOGNAME, PATH, SHELL) plus what the env file sets: check the
        // pipelines with exactly that, so a token that only this shell has is caught now, not at 3 a.m.
        var exported: [String: String] = [:]
        if let envFile {
            do {
                exported = try Self.exports(in: String(contentsOfFile: envFile, encoding: .utf8))
            } catch {
                printError("error: cannot read --env-file \(envFile): \(error.localizedDescription)")
                throw Exit.usage
            }
        }
        var scheduled = 0
        for file in files {
            let bare = ProcessInfo.processInfo.environment.filter {
                ["HOME", "LOGNAME", "PATH", "SHELL", "USER"].contains($0.key)
            }
            let pipeline = try loadPipeline(
                file, environment: bare.merging(exported) { $1 },
                consequence: "no cron line printed. Cron jobs see no shell profile: put the variables they need in a "
                    + "file of `export NAME=value` lines (chmod 600) and pass it with --env-file")
            let path = absolute(file)
            guard let schedule = pipeline.schedule else {
                lines.append("# \(pipeline.name) (\(path)): no `schedule:` in the file, not scheduled")
                continue
            }
            var command = "cd \(Self.quoted(cwd)) && "
            // set -a exports what the file sets, with or without `export`.
            if let envFile { command += "set -a && . \(Self.quoted(absolute(envFile))) && set +a && " }
            command +=
                "\(Self.quoted(executable)) run \(Self.quoted(path)) --quiet --log-file "
                + Self.quoted(logs + "/\(pipeline.name).log")
            if let metricsDir {
                try FileManager.default.createDirectory(atPath: absolute(metricsDir), withIntermediateDirectories: true)
                command += " --metrics-file " + Self.quoted(absolute(metricsDir) + "/seopipe_\(pipeline.name).prom")
            }
            lines.append("# \(pipeline.name): \(path)")
            lines.append("\(schedule) \(command.replacingOccurrences(of: "%", with: "\\%"))")
            scheduled += 1
        }
        guard scheduled > 0 else {
            printError("error: none of the files has a `schedule:`; add e.g. schedule: \"15 3 * * *\" (03:15 daily)")
            throw Exit.usage
        }
        print(lines.joined(separator: "\n"))
    }

    /// `NAME=value` and `export NAME=value` lines of a shell env file (quotes around the value removed).
    static func exports(in text: String) -> [String: String] {
        var values: [String: String] = [:]
        for raw in text.split(separator: "\n") {
            var line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("export ") { line = String(line.dropFirst(7)).trimmingCharacters(in: .whitespaces) }
            guard !line.hasPrefix("#"), let equals = line.firstIndex(of: "=") else { continue }
            var value = String(line[line.index(after: equals)...])
            if value.count >= 2, let first = value.first, first == "'" || first == "\"", value.last == first {
                value = String(value.dropFirst().dropLast())
            }
            values[String(line[..<equals])] = value
        }
        return values
    }

    /// Quotes a word for /bin/sh when it needs it.
    static func quoted(_ word: String) -> String {
        let plain = word.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "/._-+:=@,".contains($0)) }
        return plain && !word.isEmpty ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// The running binary's absolute path.
    static func currentExecutable() -> String {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return path }
        return Bundle.main.executablePath ?? CommandLine.arguments[0]
    }
}
