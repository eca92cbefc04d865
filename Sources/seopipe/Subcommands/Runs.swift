import ArgumentParser
import SeopipeCore

struct Runs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the run ledger: recent runs, their status, rows, requests and units.")

    @Option(help: ArgumentHelp(
        "Warehouse URL: sqlite:PATH or postgres://USER@HOST:PORT/DB[?schema=NAME&sslmode=MODE].",
        discussion: "Default: $SEOPIPE_WAREHOUSE, else $DATABASE_URL, else sqlite:warehouse.db."))
    var warehouse: String?

    @Option(help: "How many runs to show, newest first.")
    var limit = 20

    @Flag(help: "Print the runs as JSON.")
    var json = false

    func run() async throws {
        let location = try resolveWarehouse(warehouse, pipeline: nil)
        let store = try await migrated(location)
        let runs = try await store.recentRuns(limit: limit)
        await store.close()
        if json {
            printJSON(runs.map { run -> [String: Any] in
                var item: [String: Any] = [
                    "run_id": run.runID, "pipeline": run.pipeline, "snapshot_date": run.snapshotDate,
                    "status": run.status, "started_at": run.startedAt, "rows": run.rows, "requests": run.requests,
                    "units": run.units, "cost_usd": run.costUSD,
                ]
                item["finished_at"] = run.finishedAt
                item["error"] = run.error
                return item
            })
            return
        }
        guard !runs.isEmpty else {
            print("no runs yet in \(location)")
            return
        }
        var rows = [["run_id", "pipeline", "date", "status", "started_at", "rows", "requests", "units", "error"]]
        for run in runs {
            rows.append([
                run.runID, run.pipeline, run.snapshotDate, run.status, run.startedAt, "\(run.rows)", "\(run.requests)",
                formatNumber(run.units), String((run.error ?? "").prefix(60)),
            ])
        }
        printTable(rows)
    }
}

import Foundation
