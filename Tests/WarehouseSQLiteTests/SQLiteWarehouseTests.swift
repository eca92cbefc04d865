import Foundation
import SeopipeCore
import Testing
import WarehouseSQLite

@Suite("SQLite warehouse")
struct SQLiteWarehouseTests {
    static let date = "2026-02-18"

    @Test("runs in WAL mode")
    func walMode() async throws {
        let test = try await TestWarehouse()
        #expect(try await test.warehouse.query("PRAGMA journal_mode") == [["wal"]])
    }

    @Test("commits a chunk's rows, target errors and checkpoint together")
    func commit() async throws {
        let test = try await TestWarehouse()
        let batch = Rows.metrics(
            [("example.com", 6926, 38707, 65), ("competitor1.com", 14573, nil, 72.5)], date: Self.date, runID: "run-1")
        let failure = TargetFailure(target: "nosuch.com", message: "Domain not found in index")
        try await test.warehouse.commit(
            Rows.commit(batch, date: Self.date, runID: "run-1", hash: "h1", failures: [failure], units: 123, cost: 0.5))

        let rows = try await test.warehouse.query(
            """
            SELECT target, target_original, snapshot_date, run_id, org_keywords, org_traffic, domain_rating
            FROM ahrefs_domain_metrics ORDER BY target
            """)
        #expect(
            rows == [
                ["competitor1.com", "COMPETITOR1.COM", Self.date, "run-1", "14573", nil, "72.5"],
                ["example.com", "EXAMPLE.COM", Self.date, "run-1", "6926", "38707", "65.0"],
            ])
        let errors = try await test.warehouse.query(
            "SELECT pipeline, snapshot_date, stage_id, target, run_id, request_hash, error FROM seopipe_target_errors")
        #expect(
            errors == [["nightly", Self.date, "metrics", "nosuch.com", "run-1", "h1", "Domain not found in index"]])

        let checkpoints = try await test.warehouse.committedChunks(
            pipeline: "nightly", snapshotDate: snapshot(Self.date), stageID: "metrics")
        #expect(Array(checkpoints.keys) == ["h1"])
        let checkpoint = try #require(checkpoints["h1"])
        #expect(checkpoint.requestHash == "h1")
        #expect(checkpoint.rows == 2)
        #expect(checkpoint.targetErrors == 1)
        #expect(checkpoint.units == 123)
        #expect(checkpoint.costUSD == 0.5)
        #expect(checkpoint.runID == "run-1")
    }

    @Test("returns checkpoints only for the asked pipeline, date and stage")
    func checkpointScope() async throws {
        let test = try await TestWarehouse()
        let batch = Rows.metrics([("example.com", 1, 1, 1)], date: Self.date, runID: "run-1")
        try await test.warehouse.commit(Rows.commit(batch, date: Self.date, runID: "run-1", hash: "h1"))
        #expect(
            try await test.warehouse.committedChunks(
                pipeline: "nightly", snapshotDate: snapshot("2026-02-19"), stageID: "metrics"
            ).isEmpty)
        #expect(
            try await test.warehouse.committedChunks(
                pipeline: "nightly", snapshotDate: snapshot(Self.date), stageID: "other"
            )
            .isEmpty)
        #expect(
            try await test.warehouse.committedChunks(
                pipeline: "weekly", snapshotDate: snapshot(Self.date), stageID: "metrics"
            )
            .isEmpty)
    }

    @Test("replaces row values on a re-commit of the same key without adding rows")
    func upsert() async throws {
        let test = try await TestWarehouse()
        let first = Rows.metrics(
            [("example.com", 100, 1_000, 50), ("b.com", 1, 2, 3)], date: Self.date, runID: "run-1")
        try await test.warehouse.commit(Rows.commit(first, date: Self.date, runID: "run-1", hash: "h1"))
        let second = Rows.metrics(
            [("example.com", 200, nil, 51.5), ("b.com", 1, 2, 3)], date: Self.date, runID: "run-2")
        try await test.warehouse.commit(Rows.commit(second, date: Self.date, runID: "run-2", hash: "h1", units: 60))

        #expect(try await test.warehouse.query("SELECT count(*) FROM ahrefs_domain_metrics") == [["2"]])
        let row = try await test.warehouse.query(
            "SELECT org_keywords, org_traffic, domain_rating, run_id FROM ahrefs_domain_metrics WHERE target = 'example.com'"
        )
        #expect(row == [["200", nil, "51.5", "run-2"]])
        let checkpoints = try await test.warehouse.committedChunks(
            pipeline: "nightly", snapshotDate: snapshot(Self.date), stageID: "metrics")
        #expect(checkpoints.count == 1)
        #expect(checkpoints["h1"]?.runID == "run-2")
        #expect(checkpoints["h1"]?.units == 60)
    }

    @Test("adds history for a new snapshot date instead of replacing")
    func newDateAddsRows() async throws {
        let test = try await TestWarehouse()
        let today = Rows.metrics([("example.com", 100, 1_000, 50)], date: "2026-02-18", runID: "run-1")
        let tomorrow = Rows.metrics([("example.com", 110, 1_100, 51)], date: "2026-02-19", runID: "run-2")
        try await test.warehouse.commit(Rows.commit(today, date: "2026-02-18", runID: "run-1", hash: "h1"))
        try await test.warehouse.commit(Rows.commit(tomorrow, date: "2026-02-19", runID: "run-2", hash: "h2"))
        let rows = try await test.warehouse.query(
            "SELECT snapshot_date, org_keywords FROM ahrefs_domain_metrics WHERE target = 'example.com' ORDER BY snapshot_date"
        )
        #expect(rows == [["2026-02-18", "100"], ["2026-02-19", "110"]])
    }

    @Test("leaves no checkpoint, rows or errors when a chunk's table does not exist")
    func atomicMissingTable() async throws {
        let test = try await TestWarehouse()
        let batch = Rows.metrics(
            [("example.com", 1, 1, 1)], date: Self.date, runID: "run-1", table: "ahrefs_no_such_table")
        let commit = Rows.commit(
            batch, date: Self.date, runID: "run-1", hash: "h1",
            failures: [TargetFailure(target: "x.com", message: "no")])
        await #expect(throws: (any Error).self) { try await test.warehouse.commit(commit) }
        #expect(
            try await test.warehouse.committedChunks(
                pipeline: "nightly", snapshotDate: snapshot(Self.date), stageID: "metrics"
            )
            .isEmpty)
        #expect(try await test.warehouse.query("SELECT count(*) FROM seopipe_chunks") == [["0"]])
        #expect(try await test.warehouse.query("SELECT count(*) FROM seopipe_target_errors") == [["0"]])
        #expect(try await test.warehouse.factTableCounts().allSatisfy { $0.rows == 0 })
    }

    @Test("rolls back rows already written when a later row of the chunk fails, and keeps working")
    func atomicMidway() async throws {
        let test = try await TestWarehouse()
        var batch = Rows.metrics([("first.com", 1, 1, 1)], date: Self.date, runID: "run-1")
        // target_original is NOT NULL: the second row fails after the first was inserted.
        batch.append([.text("second.com"), .null, .text(Self.date), .text("t"), .text("run-1"), .null, .null, .null])
        await #expect(throws: (any Error).self) {
            try await test.warehouse.commit(Rows.commit(batch, date: Self.date, runID: "run-1", hash: "h1"))
        }
        #expect(try await test.warehouse.query("SELECT count(*) FROM ahrefs_domain_metrics") == [["0"]])
        #expect(
            try await test.warehouse.committedChunks(
                pipeline: "nightly", snapshotDate: snapshot(Self.date), stageID: "metrics"
            )
            .isEmpty)

        // The failed transaction is closed: the next chunk commits normally.
        let good = Rows.metrics([("first.com", 1, 1, 1)], date: Self.date, runID: "run-1")
        try await test.warehouse.commit(Rows.commit(good, date: Self.date, runID: "run-1", hash: "h1"))
        #expect(try await test.warehouse.query("SELECT count(*) FROM ahrefs_domain_metrics") == [["1"]])
        #expect(
            try await test.warehouse.committedChunks(
                pipeline: "nightly", snapshotDate: snapshot(Self.date), stageID: "metrics"
            )
            .count == 1)
    }

    @Test("binds :snapshot in a from_sql query")
    func targetsFromSQL() async throws {
        let test = try await TestWarehouse()
        let today = Rows.metrics(
            [("b.com", 1, 1, 60), ("a.com", 1, 1, 40), ("c.com", 1, 1, 70)], date: "2026-02-18", runID: "r1")
        let other = Rows.metrics([("old.com", 1, 1, 99)], date: "2026-02-17", runID: "r0")
        try await test.warehouse.commit(Rows.commit(today, date: "2026-02-18", runID: "r1", hash: "h1"))
        try await test.warehouse.commit(Rows.commit(other, date: "2026-02-17", runID: "r0", hash: "h0"))
        let sql =
            "SELECT target FROM ahrefs_domain_metrics WHERE snapshot_date = :snapshot AND domain_rating >= 50 ORDER BY target"
        #expect(
            try await test.warehouse.targets(fromSQL: sql, snapshotDate: snapshot("2026-02-18")).values() == [
                "b.com", "c.com",
            ])
        #expect(
            try await test.warehouse.targets(fromSQL: sql, snapshotDate: snapshot("2026-02-17")).values() == ["old.com"]
        )
        #expect(try await test.warehouse.targets(fromSQL: sql, snapshotDate: snapshot("2026-01-01")).values() == [])
        #expect(
            try await test.warehouse.targets(
                fromSQL: "SELECT 'x.com' UNION ALL SELECT 'y.com'", snapshotDate: snapshot("2026-02-18")
            ).values() == [
                "x.com", "y.com",
            ])
    }

    @Test("a from_sql answer of 200,000 rows is spilled to a temporary file, NULLs skipped, in the query's order")
    func targetsFromSQLSpilled() async throws {
        let test = try await TestWarehouse()
        let sql = """
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000)
            SELECT CASE WHEN i % 1000 = 0 THEN NULL ELSE 'site' || i || '.example.com' END FROM n
            """
        let spill = try await test.warehouse.targets(fromSQL: sql, snapshotDate: snapshot(Self.date))
        let expected = (1...200_000).filter { $0 % 1000 != 0 }.map { "site\($0).example.com" }
        #expect(spill.count == expected.count)
        #expect(spill.path.contains("seopipe-targets-"))
        #expect(try spill.values() == expected)
    }

    @Test(
        "refuses a from_sql statement that would change the warehouse",
        arguments: [
            "DELETE FROM ahrefs_domain_metrics",
            "UPDATE ahrefs_domain_metrics SET target = 'x'",
            "INSERT INTO ahrefs_domain_metrics (target) VALUES ('x')",
            "DROP TABLE ahrefs_domain_metrics",
        ])
    func targetsFromSQLReadOnly(sql: String) async throws {
        let test = try await TestWarehouse()
        let batch = Rows.metrics([("example.com", 1, 1, 1)], date: Self.date, runID: "r1")
        try await test.warehouse.commit(Rows.commit(batch, date: Self.date, runID: "r1"))
        await #expect(throws: (any Error).self) {
            try await test.warehouse.targets(fromSQL: sql, snapshotDate: snapshot(Self.date))
        }
        #expect(try await test.warehouse.query("SELECT target FROM ahrefs_domain_metrics") == [["example.com"]])
    }

    @Test("refuses from_sql statements that SQLite calls read-only but that change the connection")
    func targetsFromSQLConnectionState() async throws {
        // sqlite3_stmt_readonly() is true for BEGIN/COMMIT/SAVEPOINT and ATTACH/DETACH. The pipeline loader only
        // passes SELECT/WITH text, but the warehouse must refuse these itself: a BEGIN left open would make
        // every later chunk commit fail.
        let test = try await TestWarehouse()
        await #expect(throws: (any Error).self) {
            try await test.warehouse.targets(fromSQL: "BEGIN", snapshotDate: snapshot(Self.date))
        }
        let batch = Rows.metrics([("example.com", 1, 1, 1)], date: Self.date, runID: "r1")
        // No transaction was left open, so the next chunk commits.
        try await test.warehouse.commit(Rows.commit(batch, date: Self.date, runID: "r1"))
    }

    @Test("lists recent runs newest first, up to the limit, and updates a run recorded again")
    func recentRuns() async throws {
        let test = try await TestWarehouse()
        for (index, day) in ["2026-02-16", "2026-02-17", "2026-02-18"].enumerated() {
            try await test.warehouse.recordRun(
                RunRecord(
                    runID: "run-\(index)", pipeline: "nightly", snapshotDate: snapshot(day), status: .running,
                    startedAt: instant("\(day)T03:15:00Z")))
        }
        try await test.warehouse.recordRun(
            RunRecord(
                runID: "run-2", pipeline: "nightly", snapshotDate: snapshot("2026-02-18"), status: .finished(.partial),
                startedAt: instant("2026-02-18T03:15:00Z"), finishedAt: instant("2026-02-18T03:20:00Z"), rows: 42,
                requests: 3,
                units: 150,
                costUSD: 0.25, error: "1 target failed"))

        let runs = try await test.warehouse.recentRuns(limit: 2)
        #expect(runs.map(\.runID) == ["run-2", "run-1"])
        let latest = try #require(runs.first)
        #expect(latest.status == .finished(.partial))
        #expect(latest.snapshotDate == snapshot("2026-02-18"))
        #expect(latest.finishedAt == instant("2026-02-18T03:20:00Z"))
        #expect(latest.rows == 42 && latest.requests == 3)
        #expect(latest.units == 150 && latest.costUSD == 0.25)
        #expect(latest.error == "1 target failed")
        #expect(runs.last?.finishedAt == nil && runs.last?.error == nil)
        #expect(try await test.warehouse.recentRuns(limit: 10).count == 3)
    }

    @Test("records stage runs only for a known run")
    func stageRecords() async throws {
        let test = try await TestWarehouse()
        try await test.warehouse.recordRun(
            RunRecord(
                runID: "run-1", pipeline: "nightly", snapshotDate: snapshot(Self.date), status: .running,
                startedAt: instant("2026-02-18T03:15:00Z")))
        try await test.warehouse.recordStage(
            StageRecord(
                runID: "run-1", stageID: "metrics", provider: "ahrefs", endpoint: "site-explorer/batch/metrics",
                status: .success, targets: 250, chunks: 3, chunksSkipped: 1, rows: 248, requests: 2, units: 750))
        #expect(
            try await test.warehouse.query(
                "SELECT stage_id, status, targets, chunks, chunks_skipped, rows FROM seopipe_stage_runs") == [
                    ["metrics", "success", "250", "3", "1", "248"]
                ])
        await #expect(throws: (any Error).self) {
            try await test.warehouse.recordStage(
                StageRecord(
                    runID: "no-such-run", stageID: "metrics", provider: "ahrefs", endpoint: "x", status: .success))
        }
    }

    @Test("records targets refused before sending without a request hash")
    func localTargetFailures() async throws {
        let test = try await TestWarehouse()
        try await test.warehouse.recordTargetFailures(
            [TargetFailure(target: "not a domain", message: "not a valid domain name")], runID: "run-1",
            pipeline: "nightly", snapshotDate: snapshot(Self.date), stageID: "metrics",
            at: instant("2026-02-18T03:15:00Z"))
        #expect(
            try await test.warehouse.query("SELECT target, request_hash, error FROM seopipe_target_errors")
                == [["not a domain", nil, "not a valid domain name"]])
    }

    @Test("counts rows of the fact tables only, by name")
    func factTableCounts() async throws {
        let test = try await TestWarehouse()
        let batch = Rows.metrics([("a.com", 1, 1, 1), ("b.com", 2, 2, 2)], date: Self.date, runID: "r1")
        try await test.warehouse.commit(Rows.commit(batch, date: Self.date, runID: "r1"))
        let counts = try await test.warehouse.factTableCounts()
        let names = counts.map(\.table)
        #expect(names == names.sorted())
        #expect(!names.contains { $0.hasPrefix("seopipe_") || $0.hasPrefix("sqlite_") })
        #expect(
            Set(names).isSuperset(of: [
                "ahrefs_backlinks_stats", "ahrefs_domain_metrics", "ahrefs_domain_rating", "ahrefs_keyword_overview",
                "ahrefs_url_metrics",
            ]))
        for (table, rows) in counts {
            #expect(rows == (table == "ahrefs_domain_metrics" ? 2 : 0), "\(table)")
        }
    }
}
