import ArgumentParser
import Foundation
import SeopipeCore

struct Runs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the run ledger: when each run ran, how long, rows, requests, units, cost and errors.",
        discussion: """
            `seopipe runs` lists runs, newest first (`seopipe runs list` with filters); `seopipe runs show RUN_ID` \
            shows one run's stages, chunks and per-target errors. A run id may be shortened to any unique prefix.
            """,
        subcommands: [List.self, Show.self],
        defaultSubcommand: List.self)

    struct WarehouseOption: ParsableArguments {
        @Option(
            help: ArgumentHelp(
                "Warehouse URL: sqlite:PATH or postgres://USER@HOST:PORT/DB[?schema=NAME&sslmode=MODE].",
                discussion: "Default: $SEOPIPE_WAREHOUSE, else $DATABASE_URL, else sqlite:warehouse.db."))
        var warehouse: String?
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List runs, newest first.",
            discussion: "Exit code 0 whatever the runs' statuses; filter with --status failed to alert on failures.")

        @OptionGroup var target: WarehouseOption

        @Option(help: "Only runs of this pipeline (its `name:`).")
        var pipeline: String?

        @Option(help: "Only runs with this status: running, succeeded, partial, failed, interrupted.")
        var status: String?

        @Option(help: "Only runs started since: 7d, 12h, 30m, or a date YYYY-MM-DD, or an ISO-8601 time (UTC).")
        var since: String?

        @Option(help: "How many runs to show at most.")
        var limit = 20

        @Flag(help: "Print the runs as JSON (an array; durations in seconds).")
        var json = false

        func validate() throws {
            let statuses = RunStatus.allCases.map(\.rawValue)
            if let status, RunStatus(rawValue: status) == nil {
                throw ValidationError(
                    "--status \(status) is not a run status; write one of \(statuses.joined(separator: ", "))")
            }
            if let since, RunsSince.parse(since, now: Date()) == nil {
                throw ValidationError(
                    "--since \(since) is not a time; write e.g. 7d, 12h, 30m, 2026-11-01 or 2026-11-01T03:00:00Z")
            }
            if limit < 1 { throw ValidationError("--limit must be at least 1") }
        }

        func run() async throws {
            let location = try resolveWarehouse(target.warehouse, pipeline: nil)
            let store = try await migrated(location)
            let filter = RunFilter(
                pipeline: pipeline, status: status.flatMap(RunStatus.init(rawValue:)),
                startedSince: since.flatMap { RunsSince.parse($0, now: Date()) },
                limit: limit)
            let runs = try await store.runs(filter)
            await store.close()
            if json {
                printJSON(runs.map(RunsText.json))
                return
            }
            guard !runs.isEmpty else {
                print(
                    "no runs\(filter.pipeline != nil || status != nil || since != nil ? " match" : " yet") in \(location)"
                )
                return
            }
            var rows = [
                [
                    "run_id", "pipeline", "date", "status", "started_at", "took", "rows", "requests", "units",
                    "cost_usd", "error",
                ]
            ]
            for run in runs {
                rows.append([
                    run.runID, run.pipeline, run.snapshotDate.description, run.status.rawValue,
                    Timestamp.text(run.startedAt),
                    RunsText.duration(run).map(RunsText.format) ?? "", "\(run.rows)", "\(run.requests)",
                    formatNumber(run.units), String(format: "%.4f", run.costUSD), String((run.error ?? "").prefix(60)),
                ])
            }
            printTable(rows)
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show one run: its stages, the chunks it committed and its per-target errors.")

        @Argument(help: "The run id, or a unique start of it.")
        var runID: String

        @OptionGroup var target: WarehouseOption

        @Flag(help: "Print the run as JSON: run, stages, chunks, target_errors.")
        var json = false

        func run() async throws {
            let location = try resolveWarehouse(target.warehouse, pipeline: nil)
            let store = try await migrated(location)
            let matches = try await store.runs(RunFilter(runIDPrefix: runID, limit: 6))
            guard matches.count == 1, let run = matches.first else {
                await store.close()
                if matches.isEmpty {
                    printError("error: no run \(runID) in \(location); `seopipe runs` lists them")
                } else {
                    printError(
                        "error: \(runID) is the start of several run ids (\(matches.map(\.runID).joined(separator: ", "))); "
                            + "write more of it")
                }
                throw Exit.usage
            }
            let stages = try await store.stageRuns(runID: run.runID)
            let chunks = try await store.chunks(runID: run.runID)
            let errors = try await store.targetErrors(runID: run.runID)
            await store.close()
            if json {
                printJSON(
                    [
                        "run": RunsText.json(run),
                        "stages": stages.map { stage -> [String: Any] in
                            var item: [String: Any] = [
                                "stage_id": stage.stageID, "provider": stage.provider, "endpoint": stage.endpoint,
                                "status": stage.status.rawValue, "targets": stage.targets, "chunks": stage.chunks,
                                "chunks_skipped": stage.chunksSkipped, "targets_fresh": stage.targetsFresh,
                                "rows": stage.rows, "requests": stage.requests,
                                "units": stage.units, "cost_usd": stage.costUSD,
                            ]
                            item["started_at"] = stage.startedAt.map(Timestamp.text)
                            item["finished_at"] = stage.finishedAt.map(Timestamp.text)
                            item["error"] = stage.error
                            return item
                        },
                        "chunks": chunks.map { chunk -> [String: Any] in
                            [
                                "stage_id": chunk.stageID, "chunk_index": chunk.chunkIndex, "targets": chunk.targets,
                                "rows": chunk.rows, "units": chunk.units, "cost_usd": chunk.costUSD,
                                "target_errors": chunk.targetErrors, "attempts": chunk.attempts,
                                "committed_at": Timestamp.text(chunk.committedAt),
                            ]
                        },
                        "target_errors": errors.map {
                            ["stage_id": $0.stageID, "target": $0.target, "error": $0.error]
                        },
                    ] as [String: Any])
                return
            }
            let took = RunsText.duration(run).map { ", took \(RunsText.format($0))" } ?? ""
            print("run \(run.runID) of \(run.pipeline) for \(run.snapshotDate): \(run.status)")
            print(
                "started \(Timestamp.text(run.startedAt))"
                    + "\(run.finishedAt.map { ", finished \(Timestamp.text($0))" } ?? "")\(took)")
            print(
                "\(run.rows) rows, \(run.requests) requests, \(formatNumber(run.units)) units, "
                    + "$\(String(format: "%.4f", run.costUSD))")
            if let error = run.error { print("error: \(error)") }
            print("")
            var rows = [
                [
                    "stage", "provider", "endpoint", "status", "targets", "fresh", "chunks", "resumed", "rows",
                    "requests", "units", "cost_usd",
                ]
            ]
            for stage in stages {
                rows.append([
                    stage.stageID, stage.provider, stage.endpoint, stage.status.rawValue, "\(stage.targets)",
                    "\(stage.targetsFresh)", "\(stage.chunks)",
                    "\(stage.chunksSkipped)", "\(stage.rows)", "\(stage.requests)", formatNumber(stage.units),
                    String(format: "%.4f", stage.costUSD),
                ])
            }
            printTable(rows)
            for stage in stages { if let error = stage.error { print("\(stage.stageID): \(error)") } }
            print("")
            if chunks.isEmpty {
                print("chunks committed by this run: none")
            } else {
                print("chunks committed by this run:")
                var table = [
                    [
                        "stage", "chunk", "targets", "rows", "units", "cost_usd", "target errors", "attempts",
                        "committed_at",
                    ]
                ]
                for chunk in chunks {
                    table.append([
                        chunk.stageID, "\(chunk.chunkIndex)", "\(chunk.targets)", "\(chunk.rows)",
                        formatNumber(chunk.units), String(format: "%.4f", chunk.costUSD), "\(chunk.targetErrors)",
                        "\(chunk.attempts)", Timestamp.text(chunk.committedAt),
                    ])
                }
                printTable(table)
            }
            print("")
            if errors.isEmpty {
                print("target errors: none")
            } else {
                print("target errors:")
                printTable([["stage", "target", "error"]] + errors.map { [$0.stageID, $0.target, $0.error] })
            }
        }
    }
}

/// Parsing and formatting shared by `runs` and `runs show`.
enum RunsText {
    static func json(_ run: RunRecord) -> [String: Any] {
        var item: [String: Any] = [
            "run_id": run.runID, "pipeline": run.pipeline, "snapshot_date": run.snapshotDate.description,
            "status": run.status.rawValue, "started_at": Timestamp.text(run.startedAt), "rows": run.rows,
            "requests": run.requests, "units": run.units,
            "cost_usd": run.costUSD,
        ]
        item["finished_at"] = run.finishedAt.map(Timestamp.text)
        item["duration_seconds"] = duration(run)
        item["error"] = run.error
        return item
    }

    /// Seconds from start to finish; nil while running.
    static func duration(_ run: RunRecord) -> Double? {
        guard let finished = run.finishedAt else { return nil }
        return max(0, finished.timeIntervalSince(run.startedAt))
    }

    static func format(_ seconds: Double) -> String {
        if seconds < 60 { return String(format: "%.1fs", seconds) }
        let whole = Int(seconds.rounded())
        if whole < 3600 { return "\(whole / 60)m\(String(format: "%02d", whole % 60))s" }
        return "\(whole / 3600)h\(String(format: "%02d", whole / 60 % 60))m"
    }

}

/// `--since`: `7d`, `12h`, `30m`, a date or an ISO-8601 time, as the time it means (to the whole second, as the
/// ledger keeps times).
enum RunsSince {
    static func parse(_ text: String, now: Date) -> Date? {
        func whole(_ date: Date) -> Date { Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down)) }
        if let unit = text.last, let amount = Int(text.dropLast()), amount >= 0 {
            let seconds: Double? =
                switch unit {
                case "d": Double(amount) * 86_400
                case "h": Double(amount) * 3_600
                case "m": Double(amount) * 60
                default: nil
                }
            if let seconds { return whole(now.addingTimeInterval(-seconds)) }
        }
        if let date = SnapshotDate(text) { return Date(timeIntervalSince1970: Double(date.dayNumber) * 86_400) }
        return Timestamp.parse(text).map(whole)
    }
}
