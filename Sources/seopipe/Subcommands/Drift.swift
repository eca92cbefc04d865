import ArgumentParser
import Foundation
import SeopipeCore

struct Drift: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List where providers' answers differed from their documented shape (schema drift).",
        discussion: """
            A field seopipe does not know (added), a documented field that no row had or that went empty in most \
            rows while it had a value in most rows on the date before (10 rows or more; missing), or a field of another type \
            (type_changed), once per provider, endpoint, field and kind, with when it was first and last seen. \
            Such answers still load what can be read: added fields are kept per row in seopipe_extra_fields, a \
            retyped value loads as empty, and the answer is kept in seopipe_raw_responses. Exit code 0 whether or \
            not there is drift.
            """)

    @OptionGroup var target: Runs.WarehouseOption

    @Option(help: "Only drift seen since: 7d, 12h, 30m, or a date YYYY-MM-DD, or an ISO-8601 time (UTC).")
    var since: String?

    @Flag(help: "Print the drift as JSON (an array).")
    var json = false

    func validate() throws {
        if let since, RunsSince.parse(since, now: Date()) == nil {
            throw ValidationError(
                "--since \(since) is not a time; write e.g. 7d, 12h, 30m, 2026-11-01 or 2026-11-01T03:00:00Z")
        }
    }

    func run() async throws {
        let location = try resolveWarehouse(target.warehouse, pipeline: nil)
        let store = try await migrated(location)
        let records: [DriftRecord]
        do {
            records = try await store.drift(since: since.flatMap { RunsSince.parse($0, now: Date()) })
        } catch {
            await store.close()
            throw fail(error)
        }
        await store.close()
        if json {
            printJSON(
                records.map { record -> [String: Any] in
                    [
                        "provider": record.provider, "endpoint": record.endpoint, "field": record.field,
                        "kind": record.kind.rawValue, "detail": record.detail, "table": record.table,
                        "pipeline": record.pipeline, "stage_id": record.stageID,
                        "first_seen": Timestamp.text(record.firstSeen), "last_seen": Timestamp.text(record.lastSeen),
                        "run_id": record.runID,
                    ]
                })
            return
        }
        guard !records.isEmpty else {
            print("no schema drift\(since.map { " since \($0)" } ?? "") in \(location)")
            return
        }
        var rows = [["provider", "endpoint", "field", "kind", "detail", "first seen", "last seen", "stage"]]
        for record in records {
            rows.append([
                record.provider, record.endpoint, record.field, record.kind.rawValue, record.detail,
                Timestamp.text(record.firstSeen), Timestamp.text(record.lastSeen),
                "\(record.pipeline)/\(record.stageID)",
            ])
        }
        printTable(rows)
    }
}
