import Foundation
import SeopipeCore
import Testing
import WarehousePostgres

@Suite("PostgreSQL warehouse", .enabled(if: TestServer.enabled, TestServer.skipReason))
struct PostgresWarehouseTests {
    static let date = "2026-02-18"

    @Test("commits a chunk's rows, target errors and checkpoint together, in native types")
    func commit() async throws {
        try await withWarehouse { warehouse async throws in
            let batch = Rows.metrics(
                [("example.com", 6926, 38707, 65), ("competitor1.com", 14573, nil, 72.5)], date: Self.date,
                runID: "run-1")
            let failure = TargetFailure(target: "nosuch.com", message: "Domain not found in index")
            try await warehouse.commit(
                Rows.commit(
                    batch, date: Self.date, runID: "run-1", hash: "h1", failures: [failure], units: 123, cost: 0.5))

            let rows = try await warehouse.query(
                """
                SELECT target, target_original, snapshot_date, fetched_at, run_id, org_keywords, org_traffic, domain_rating
                FROM ahrefs_domain_metrics ORDER BY target
                """)
            #expect(
                rows == [
                    [
                        "competitor1.com", "COMPETITOR1.COM", Self.date, "\(Self.date)T03:15:00Z", "run-1", "14573",
                        nil, "72.5",
                    ],
                    [
                        "example.com", "EXAMPLE.COM", Self.date, "\(Self.date)T03:15:00Z", "run-1", "6926", "38707",
                        "65.0",
                    ],
                ])
            #expect(
                try await warehouse.query(
                    "SELECT pg_typeof(snapshot_date)::text, pg_typeof(fetched_at)::text FROM ahrefs_domain_metrics LIMIT 1"
                )
                    == [["date", "timestamp with time zone"]])
            let errors = try await warehouse.query(
                "SELECT pipeline, snapshot_date, stage_id, target, run_id, request_hash, error, recorded_at "
                    + "FROM seopipe_target_errors")
            #expect(
                errors == [
                    [
                        "nightly", Self.date, "metrics", "nosuch.com", "run-1", "h1", "Domain not found in index",
                        "\(Self.date)T03:15:01Z",
                    ]
                ])

            let checkpoints = try await warehouse.committedChunks(
                pipeline: "nightly", snapshotDate: snapshot(Self.date), stageID: "metrics")
            #expect(Array(checkpoints.keys) == ["h1"])
            let checkpoint = try #require(checkpoints["h1"])
            #expect(checkpoint.rows == 2)
            #expect(checkpoint.targetErrors == 1)
            #expect(checkpoint.units == 123)
            #expect(checkpoint.costUSD == 0.5)
            #expect(checkpoint.runID == "run-1")
            #expect(try await warehouse.query("SELECT cost_usd FROM seopipe_chunks") == [["0.500000"]])
        }
    }

    @Test("returns checkpoints only for the asked pipeline, date and stage")
    func checkpointScope() async throws {
        try await withWarehouse { warehouse async throws in
            let batch = Rows.metrics([("example.com", 1, 1, 1)], date: Self.date, runID: "run-1")
            try await warehouse.commit(Rows.commit(batch, date: Self.date, runID: "run-1", hash: "h1"))
            #expect(
                try await warehouse.committedChunks(
                    pipeline: "nightly", snapshotDate: snapshot("2026-02-19"), stageID: "metrics"
                )
                .isEmpty)
            #expect(
                try await warehouse.committedChunks(
                    pipeline: "nightly", snapshotDate: snapshot(Self.date), stageID: "other"
                )
                .isEmpty)
            #expect(
                try await warehouse.committedChunks(
                    pipeline: "weekly", snapshotDate: snapshot(Self.date), stageID: "metrics"
                )
                .isEmpty)
        }
    }

    @Test("replaces row values on a re-commit of the same key without adding rows, and adds the new keys")
    func upsert() async throws {
        try await withWarehouse { warehouse async throws in
            let first = Rows.metrics(
                [("example.com", 100, 1_000, 50), ("b.com", 1, 2, 3)], date: Self.date, runID: "run-1")
            try await warehouse.commit(Rows.commit(first, date: Self.date, runID: "run-1", hash: "h1"))
            // A new key among existing ones: the direct COPY gives way to the staging table and the upsert.
            let second = Rows.metrics(
                [("new.com", 7, 7, 7), ("example.com", 200, nil, 51.5), ("b.com", 1, 2, 3)], date: Self.date,
                runID: "run-2")
            try await warehouse.commit(Rows.commit(second, date: Self.date, runID: "run-2", hash: "h1", units: 60))

            #expect(try await warehouse.query("SELECT count(*) FROM ahrefs_domain_metrics") == [["3"]])
            #expect(
                try await warehouse.query(
                    "SELECT org_keywords, org_traffic, domain_rating, run_id FROM ahrefs_domain_metrics "
                        + "WHERE target = 'example.com'") == [["200", nil, "51.5", "run-2"]])
            let checkpoints = try await warehouse.committedChunks(
                pipeline: "nightly", snapshotDate: snapshot(Self.date), stageID: "metrics")
            #expect(checkpoints.count == 1)
            #expect(checkpoints["h1"]?.runID == "run-2")
            #expect(checkpoints["h1"]?.units == 60)
        }
    }

    @Test("adds history for a new snapshot date instead of replacing")
    func newDateAddsRows() async throws {
        try await withWarehouse { warehouse async throws in
            let today = Rows.metrics([("example.com", 100, 1_000, 50)], date: "2026-02-18", runID: "run-1")
            let tomorrow = Rows.metrics([("example.com", 110, 1_100, 51)], date: "2026-02-19", runID: "run-2")
            try await warehouse.commit(Rows.commit(today, date: "2026-02-18", runID: "run-1", hash: "h1"))
            try await warehouse.commit(Rows.commit(tomorrow, date: "2026-02-19", runID: "run-2", hash: "h2"))
            #expect(
                try await warehouse.query(
                    "SELECT snapshot_date, org_keywords FROM ahrefs_domain_metrics WHERE target = 'example.com' "
                        + "ORDER BY snapshot_date") == [["2026-02-18", "100"], ["2026-02-19", "110"]])
        }
    }

    @Test("keeps the last row when a key repeats within one chunk, as SQLite does")
    func repeatedKeyInChunk() async throws {
        try await withWarehouse { warehouse async throws in
            let batch = Rows.metrics(
                [("example.com", 1, 1, 1), ("other.com", 5, 5, 5), ("example.com", 2, 2, 2)], date: Self.date,
                runID: "run-1")
            try await warehouse.commit(Rows.commit(batch, date: Self.date, runID: "run-1"))
            #expect(
                try await warehouse.query("SELECT target, org_keywords FROM ahrefs_domain_metrics ORDER BY target")
                    == [["example.com", "2"], ["other.com", "5"]])
        }
    }

    @Test("commits chunks that arrive together in shared transactions, each chunk's rows with its own checkpoint")
    func groupCommit() async throws {
        try await withWarehouse { warehouse async throws in
            try await commitSideBySide(warehouse, chunks: 40, runID: "run-1") { chunk in
                (0..<25).map { (index: Int) in ("c\(chunk)-t\(index).com", chunk, index, 1) }
            }
            #expect(try await warehouse.query("SELECT count(*) FROM ahrefs_domain_metrics") == [["1000"]])
            #expect(try await warehouse.query("SELECT count(*) FROM seopipe_chunks") == [["40"]])
            // A chunk's rows and its checkpoint were written by the same transaction (exactly-once on resume).
            let mismatched = try await warehouse.query(
                """
                SELECT count(*) FROM ahrefs_domain_metrics m JOIN seopipe_chunks c
                    ON c.request_hash = 'h' || m.org_keywords
                WHERE m.xmin::text <> c.xmin::text
                """)
            #expect(mismatched == [["0"]])
            // 40 chunks sent at once do not take 40 transactions: they wait for the one before and go together.
            let transactions = try await warehouse.query("SELECT count(DISTINCT xmin::text) FROM seopipe_chunks")
            let text = try #require(transactions.first?.first ?? nil)
            let count = try #require(Int(text))
            #expect(count < 40)
        }
    }

    @Test("fails only the chunk that cannot load when chunks commit together; the others commit")
    func groupCommitIsolatesFailure() async throws {
        try await withWarehouse { warehouse async throws in
            let outcomes = try await withThrowingTaskGroup(of: (Int, Bool).self) { group in
                for chunk in 0..<20 {
                    group.addTask {
                        let batch = Rows.metrics(
                            [("c\(chunk).com", chunk, 1, 1)], date: Self.date, runID: "run-1",
                            table: chunk == 7 ? "ahrefs_no_such_table" : "ahrefs_domain_metrics")
                        do {
                            try await warehouse.commit(
                                Rows.commit(batch, date: Self.date, runID: "run-1", hash: "h\(chunk)"))
                            return (chunk, true)
                        } catch {
                            #expect("\(error)".contains("no table ahrefs_no_such_table"))
                            return (chunk, false)
                        }
                    }
                }
                return try await group.reduce(into: [Int: Bool]()) { $0[$1.0] = $1.1 }
            }
            #expect(outcomes.filter { !$0.value }.map(\.key) == [7])
            #expect(try await warehouse.query("SELECT count(*) FROM ahrefs_domain_metrics") == [["19"]])
            #expect(
                try await warehouse.query("SELECT count(*) FROM seopipe_chunks WHERE request_hash = 'h7'") == [["0"]])
            #expect(try await warehouse.query("SELECT count(*) FROM seopipe_chunks") == [["19"]])
        }
    }

    @Test("re-runs of a date replace rows chunk after chunk, and the next new date still loads")
    func rerunThenNewDate() async throws {
        try await withWarehouse { warehouse async throws in
            func load(_ date: String, runID: String, keywords: Int) async throws {
                for chunk in 0..<12 {
                    let batch = Rows.metrics(
                        (0..<10).map { (index: Int) in ("c\(chunk)-t\(index).com", keywords, index, 1) }, date: date,
                        runID: runID)
                    try await warehouse.commit(Rows.commit(batch, date: date, runID: runID, hash: "h\(chunk)"))
                }
            }
            try await load("2026-02-18", runID: "run-1", keywords: 1)
            try await load("2026-02-18", runID: "run-2", keywords: 2)  // every key exists: the upsert way
            try await load("2026-02-19", runID: "run-3", keywords: 3)  // new keys again
            #expect(
                try await warehouse.query(
                    """
                    SELECT snapshot_date, run_id, org_keywords, count(*) FROM ahrefs_domain_metrics
                    GROUP BY 1, 2, 3 ORDER BY 1
                    """) == [["2026-02-18", "run-2", "2", "120"], ["2026-02-19", "run-3", "3", "120"]])
            #expect(
                try await warehouse.query("SELECT snapshot_date, count(*) FROM seopipe_chunks GROUP BY 1 ORDER BY 1")
                    == [["2026-02-18", "12"], ["2026-02-19", "12"]])
        }
    }

    @Test("leaves no checkpoint, rows or errors when a chunk's table does not exist")
    func atomicMissingTable() async throws {
        try await withWarehouse { warehouse async throws in
            let good = Rows.metrics([("example.com", 1, 1, 1)], date: Self.date, runID: "run-1")
            let missing = Rows.metrics(
                [("example.com", 1, 1, 1)], date: Self.date, runID: "run-1", table: "ahrefs_no_such_table")
            let commit = Rows.commit(
                good, related: [missing], date: Self.date, runID: "run-1", hash: "h1",
                failures: [TargetFailure(target: "x.com", message: "no")])
            let error = await #expect(throws: (any Error).self) { try await warehouse.commit(commit) }
            #expect("\(error.map { "\($0)" } ?? "")".contains("no table ahrefs_no_such_table"))
            #expect(try await warehouse.query("SELECT count(*) FROM seopipe_chunks") == [["0"]])
            #expect(try await warehouse.query("SELECT count(*) FROM seopipe_target_errors") == [["0"]])
            #expect(try await warehouse.factTableCounts().allSatisfy { $0.rows == 0 })
        }
    }

    @Test("rolls back rows already written when a later row of the chunk fails, and keeps working")
    func atomicMidway() async throws {
        try await withWarehouse { warehouse async throws in
            var batch = Rows.metrics([("first.com", 1, 1, 1)], date: Self.date, runID: "run-1")
            // target_original is NOT NULL: COPY refuses the second row after the first was read.
            batch.append([
                .text("second.com"), .null, .text(Self.date), .text("\(Self.date)T00:00:00Z"), .text("run-1"), .null,
                .null, .null,
            ])
            let failure = TargetFailure(target: "x.com", message: "no")
            await #expect(throws: (any Error).self) {
                try await warehouse.commit(
                    Rows.commit(batch, date: Self.date, runID: "run-1", hash: "h1", failures: [failure]))
            }
            #expect(try await warehouse.query("SELECT count(*) FROM ahrefs_domain_metrics") == [["0"]])
            #expect(try await warehouse.query("SELECT count(*) FROM seopipe_target_errors") == [["0"]])
            #expect(
                try await warehouse.committedChunks(
                    pipeline: "nightly", snapshotDate: snapshot(Self.date), stageID: "metrics"
                )
                .isEmpty)

            // The failed transaction is closed: the next chunk commits normally.
            let good = Rows.metrics([("first.com", 1, 1, 1)], date: Self.date, runID: "run-1")
            try await warehouse.commit(Rows.commit(good, date: Self.date, runID: "run-1", hash: "h1"))
            #expect(try await warehouse.query("SELECT count(*) FROM ahrefs_domain_metrics") == [["1"]])
            #expect(
                try await warehouse.committedChunks(
                    pipeline: "nightly", snapshotDate: snapshot(Self.date), stageID: "metrics"
                )
                .count == 1)
        }
    }

    @Test("rolls back the whole chunk when the upsert into the fact table fails after the COPY")
    func atomicBadValue() async throws {
        try await withWarehouse { warehouse async throws in
            var batch = Rows.metrics([("first.com", 1, 1, 1)], date: Self.date, runID: "run-1")
            batch.append([
                .text("second.com"), .text("x"), .text("not a date"), .text("\(Self.date)T00:00:00Z"), .text("run-1"),
                .null, .null, .null,
            ])
            await #expect(throws: (any Error).self) {
                try await warehouse.commit(Rows.commit(batch, date: Self.date, runID: "run-1", hash: "h1"))
            }
            #expect(try await warehouse.query("SELECT count(*) FROM ahrefs_domain_metrics") == [["0"]])
            #expect(try await warehouse.query("SELECT count(*) FROM seopipe_chunks") == [["0"]])
        }
    }

    @Test("replaces a parent's child rows as a whole: a key that vanished loses its row")
    func replaceChildren() async throws {
        try await withWarehouse { warehouse async throws in
            func breakdown(
                _ rows: [(url: String, date: String, key: String, count: Int)], replacing: [(String, String)]
            )
                -> TableBatch
            {
                var batch = TableBatch(
                    table: "dataforseo_page_summary_breakdown",
                    columns: ["url", "snapshot_date", "dimension", "key", "count", "fetched_at", "run_id"],
                    keyColumns: ["url", "snapshot_date", "dimension", "key"])
                for row in rows {
                    batch.append([
                        .text(row.url), .text(row.date), .text("referring_links_tld"), .text(row.key),
                        .integer(Int64(row.count)), .text("\(row.date)T03:00:00Z"), .text("r"),
                    ])
                }
                batch.replaceColumns = ["url", "snapshot_date"]
                batch.replaceKeys = replacing.map { [.text($0.0), .text($0.1)] }
                return batch
            }
            let first = breakdown(
                [
                    ("a.com", Self.date, "com", 1), ("a.com", Self.date, "org", 2), ("a.com", Self.date, "net", 3),
                    ("a.com", "2026-02-17", "org", 9), ("b.com", Self.date, "com", 4),
                ],
                replacing: [("a.com", Self.date), ("a.com", "2026-02-17"), ("b.com", Self.date)])
            try await warehouse.commit(Rows.commit(first, date: Self.date, runID: "r", hash: "h1"))

            let second = breakdown([("a.com", Self.date, "com", 10)], replacing: [("a.com", Self.date)])
            try await warehouse.commit(Rows.commit(second, date: Self.date, runID: "r", hash: "h2"))
            #expect(
                try await warehouse.query(
                    "SELECT url, snapshot_date, key, count FROM dataforseo_page_summary_breakdown ORDER BY 1, 2, 3")
                    == [
                        ["a.com", "2026-02-17", "org", "9"],
                        ["a.com", Self.date, "com", "10"],
                        ["b.com", Self.date, "com", "4"],
                    ])

            // A parent whose map became empty loses all its rows.
            let emptied = breakdown([], replacing: [("b.com", Self.date)])
            try await warehouse.commit(Rows.commit(emptied, date: Self.date, runID: "r", hash: "h3"))
            #expect(
                try await warehouse.query("SELECT count(*) FROM dataforseo_page_summary_breakdown WHERE url = 'b.com'")
                    == [["0"]])
        }
    }

    /// Text that breaks naive COPY encoders.
    static let awkwardTexts = [
        "tab\there", "new\nline", "carriage\rreturn", "back\\slash", "\\N", "\\.", "ends with backslash\\",
        "it's \"quoted\"", "Ünïcödé ✓ 日本語 🚀", "", "  spaced  ", "\\t not a tab", "a\r\nb", "comma, semi; colon:",
    ]

    @Test("round-trips text with tabs, newlines, backslashes, \\N, quotes and non-ASCII through COPY")
    func copyEscaping() async throws {
        try await withWarehouse { warehouse async throws in
            var batch = TableBatch(
                table: "ahrefs_domain_metrics", columns: Rows.metricsColumns, keyColumns: ["target", "snapshot_date"])
            for (index, text) in Self.awkwardTexts.enumerated() {
                batch.append([
                    .text("t\(index).com"), .text(text), .text(Self.date), .text("\(Self.date)T03:15:00Z"),
                    .text(text), .integer(Int64(index)), .null, .real(Double(index) + 0.25),
                ])
            }
            batch.append([
                .text("null.com"), .text("x"), .text(Self.date), .text("\(Self.date)T03:15:00Z"), .text("r"), .null,
                .null, .null,
            ])
            try await warehouse.commit(Rows.commit(batch, date: Self.date, runID: "r"))
            let rows = try await warehouse.query(
                "SELECT target_original, run_id, org_traffic FROM ahrefs_domain_metrics WHERE target <> 'null.com' "
                    + "ORDER BY org_keywords")
            #expect(rows.map { $0[0] } == Self.awkwardTexts)
            #expect(rows.map { $0[1] } == Self.awkwardTexts)
            #expect(rows.allSatisfy { $0[2] == nil })
            #expect(
                try await warehouse.query(
                    "SELECT org_keywords, org_traffic, domain_rating FROM ahrefs_domain_metrics WHERE target = 'null.com'"
                )
                    == [[nil, nil, nil]])
            #expect(
                try await warehouse.query(
                    "SELECT count(*) FROM ahrefs_domain_metrics WHERE target_original = ''") == [["1"]])
        }
    }

    @Test("loads whole doubles into BIGINT columns and keeps fractions, extremes and negatives exact")
    func numbers() async throws {
        try await withWarehouse { warehouse async throws in
            var batch = TableBatch(
                table: "ahrefs_domain_metrics", columns: Rows.metricsColumns, keyColumns: ["target", "snapshot_date"])
            let values: [(SQLValue, SQLValue)] = [
                (.real(42), .real(0.1)), (.integer(Int64.max), .real(-1.5e-7)), (.integer(-3), .real(1e300)),
            ]
            for (index, value) in values.enumerated() {
                batch.append([
                    .text("n\(index).com"), .text("x"), .text(Self.date), .text("\(Self.date)T03:15:00.123456Z"),
                    .text("r"), value.0, .null, value.1,
                ])
            }
            try await warehouse.commit(Rows.commit(batch, date: Self.date, runID: "r"))
            #expect(
                try await warehouse.query(
                    "SELECT org_keywords, domain_rating, fetched_at FROM ahrefs_domain_metrics ORDER BY target") == [
                        ["42", "0.1", "\(Self.date)T03:15:00.123456Z"],
                        ["\(Int64.max)", "-1.5e-07", "\(Self.date)T03:15:00.123456Z"],
                        ["-3", "1e+300", "\(Self.date)T03:15:00.123456Z"],
                    ])
        }
    }

    @Test("binds :snapshot in a from_sql query, outside strings and casts")
    func targetsFromSQL() async throws {
        try await withWarehouse { warehouse async throws in
            let today = Rows.metrics(
                [("b.com", 1, 1, 60), ("a.com", 1, 1, 40), ("c.com", 1, 1, 70)], date: "2026-02-18", runID: "r1")
            let other = Rows.metrics([("old.com", 1, 1, 99)], date: "2026-02-17", runID: "r0")
            try await warehouse.commit(Rows.commit(today, date: "2026-02-18", runID: "r1", hash: "h1"))
            try await warehouse.commit(Rows.commit(other, date: "2026-02-17", runID: "r0", hash: "h0"))
            let sql = """
                SELECT target FROM ahrefs_domain_metrics WHERE snapshot_date = :snapshot AND domain_rating >= 50 \
                ORDER BY target
                """
            #expect(
                try await warehouse.targets(fromSQL: sql, snapshotDate: snapshot("2026-02-18")).values() == [
                    "b.com", "c.com",
                ])
            #expect(
                try await warehouse.targets(fromSQL: sql, snapshotDate: snapshot("2026-02-17")).values() == ["old.com"])
            #expect(try await warehouse.targets(fromSQL: sql, snapshotDate: snapshot("2026-01-01")).values() == [])
            #expect(
                try await warehouse.targets(
                    fromSQL: "SELECT 'x.com' UNION ALL SELECT 'y.com';", snapshotDate: snapshot("2026-02-18")
                ).values() == [
                    "x.com", "y.com",
                ])
            // ':snapshot' in a string stays text; `::date` is a cast; a non-text first column comes back as text.
            #expect(
                try await warehouse.targets(
                    fromSQL: "SELECT ':snapshot' || '|' || (:snapshot::date - 1)::text -- :snapshot",
                    snapshotDate: snapshot(Self.date)
                ).values()
                    == [":snapshot|2026-02-17"])
            #expect(
                try await warehouse.targets(
                    fromSQL: "SELECT snapshot_date FROM ahrefs_domain_metrics WHERE snapshot_date < :snapshot",
                    snapshotDate: snapshot(Self.date)
                ).values() == ["2026-02-17"])
            #expect(
                try await warehouse.targets(
                    fromSQL: "SELECT 'https://' || target || '/' FROM ahrefs_domain_metrics WHERE target = 'old.com'",
                    snapshotDate: snapshot(Self.date)
                ).values() == ["https://old.com/"])
        }
    }

    @Test(
        "refuses a from_sql statement that would change the warehouse",
        arguments: [
            "DELETE FROM ahrefs_domain_metrics",
            "UPDATE ahrefs_domain_metrics SET target = 'x'",
            "INSERT INTO ahrefs_domain_metrics (target) VALUES ('x')",
            "DROP TABLE ahrefs_domain_metrics",
            "WITH gone AS (DELETE FROM ahrefs_domain_metrics RETURNING target) SELECT target FROM gone",
            "SELECT target FROM ahrefs_domain_metrics; DELETE FROM ahrefs_domain_metrics",
            "BEGIN",
            "SET search_path TO public",
            "SELECT set_config('search_path', 'public', false)",
        ])
    func targetsFromSQLReadOnly(sql: String) async throws {
        try await withWarehouse { warehouse async throws in
            let batch = Rows.metrics([("example.com", 1, 1, 1)], date: Self.date, runID: "r1")
            try await warehouse.commit(Rows.commit(batch, date: Self.date, runID: "r1"))
            _ = try? await warehouse.targets(fromSQL: sql, snapshotDate: snapshot(Self.date))
            #expect(try await warehouse.query("SELECT target FROM ahrefs_domain_metrics") == [["example.com"]])
            // Nothing of the session changed: the next chunk commits into the same schema.
            let next = Rows.metrics([("next.com", 1, 1, 1)], date: Self.date, runID: "r1")
            try await warehouse.commit(Rows.commit(next, date: Self.date, runID: "r1", hash: "h2"))
            #expect(try await warehouse.query("SELECT count(*) FROM ahrefs_domain_metrics") == [["2"]])
        }
    }

    @Test("says why a from_sql write is refused, in the SQLite backend's words")
    func targetsFromSQLMessage() async throws {
        try await withWarehouse { warehouse async throws in
            for sql in [
                "DELETE FROM ahrefs_domain_metrics",
                "WITH gone AS (DELETE FROM ahrefs_domain_metrics RETURNING target) SELECT target FROM gone",
                "INSERT INTO ahrefs_domain_metrics (target) VALUES ('x') RETURNING target",
            ] {
                let error = await #expect(throws: (any Error).self) {
                    try await warehouse.targets(fromSQL: sql, snapshotDate: snapshot(Self.date))
                }
                let message = error.map { "\($0)" } ?? ""
                #expect(message == "from_sql must only read (a SELECT), not change the warehouse", "\(sql): \(message)")
            }
        }
    }

    @Test("lists recent runs newest first, up to the limit, and updates a run recorded again")
    func recentRuns() async throws {
        try await withWarehouse { warehouse async throws in
            for (index, day) in ["2026-02-16", "2026-02-17", "2026-02-18"].enumerated() {
                try await warehouse.recordRun(
                    RunRecord(
                        runID: "run-\(index)", pipeline: "nightly", snapshotDate: snapshot(day), status: .running,
                        startedAt: instant("\(day)T03:15:00Z")))
            }
            try await warehouse.recordRun(
                RunRecord(
                    runID: "run-2", pipeline: "nightly", snapshotDate: snapshot("2026-02-18"),
                    status: .finished(.partial),
                    startedAt: instant("2026-02-18T03:15:00Z"), finishedAt: instant("2026-02-18T03:20:00Z"), rows: 42,
                    requests: 3,
                    units: 150,
                    costUSD: 0.25, error: "1 target failed"))

            let runs = try await warehouse.recentRuns(limit: 2)
            #expect(runs.map(\.runID) == ["run-2", "run-1"])
            let latest = try #require(runs.first)
            #expect(latest.status == .finished(.partial))
            #expect(latest.snapshotDate == snapshot("2026-02-18"))
            #expect(latest.startedAt == instant("2026-02-18T03:15:00Z"))
            #expect(latest.finishedAt == instant("2026-02-18T03:20:00Z"))
            #expect(latest.rows == 42 && latest.requests == 3)
            #expect(latest.units == 150 && latest.costUSD == 0.25)
            #expect(latest.error == "1 target failed")
            #expect(runs.last?.finishedAt == nil && runs.last?.error == nil)
            #expect(try await warehouse.recentRuns(limit: 10).count == 3)
        }
    }

    @Test("records stage runs only for a known run, replacing a stage recorded again")
    func stageRecords() async throws {
        try await withWarehouse { warehouse async throws in
            try await warehouse.recordRun(
                RunRecord(
                    runID: "run-1", pipeline: "nightly", snapshotDate: snapshot(Self.date), status: .running,
                    startedAt: instant("\(Self.date)T03:15:00Z")))
            for status: StageResult.Status in [.partial, .success] {
                try await warehouse.recordStage(
                    StageRecord(
                        runID: "run-1", stageID: "metrics", provider: "ahrefs", endpoint: "site-explorer/batch/metrics",
                        status: status, startedAt: instant("\(Self.date)T03:15:00Z"), targets: 250, chunks: 3,
                        chunksSkipped: 1,
                        rows: 248, requests: 2, units: 750))
            }
            #expect(
                try await warehouse.query(
                    "SELECT stage_id, status, targets, chunks, chunks_skipped, rows FROM seopipe_stage_runs")
                    == [["metrics", "success", "250", "3", "1", "248"]])
            await #expect(throws: (any Error).self) {
                try await warehouse.recordStage(
                    StageRecord(
                        runID: "no-such-run", stageID: "metrics", provider: "ahrefs", endpoint: "x", status: .success))
            }
        }
    }

    @Test("records targets refused before sending without a request hash")
    func localTargetFailures() async throws {
        try await withWarehouse { warehouse async throws in
            try await warehouse.recordTargetFailures(
                [
                    TargetFailure(target: "not a domain", message: "first"),
                    TargetFailure(target: "not a domain", message: "not a valid domain name"),
                ], runID: "run-1", pipeline: "nightly", snapshotDate: snapshot(Self.date), stageID: "metrics",
                at: instant("\(Self.date)T03:15:00Z"))
            #expect(
                try await warehouse.query("SELECT target, request_hash, error FROM seopipe_target_errors")
                    == [["not a domain", nil, "not a valid domain name"]])
        }
    }

    @Test("counts rows of the schema's fact tables only, by name")
    func factTableCounts() async throws {
        try await withWarehouse { warehouse async throws in
            let batch = Rows.metrics([("a.com", 1, 1, 1), ("b.com", 2, 2, 2)], date: Self.date, runID: "r1")
            try await warehouse.commit(Rows.commit(batch, date: Self.date, runID: "r1"))
            let counts = try await warehouse.factTableCounts()
            let names = counts.map(\.table)
            #expect(names == names.sorted())
            #expect(!names.contains { $0.hasPrefix("seopipe_") })
            #expect(
                Set(names).isSuperset(of: [
                    "ahrefs_backlinks_stats", "ahrefs_domain_metrics", "ahrefs_domain_rating",
                    "ahrefs_keyword_overview",
                    "ahrefs_url_metrics", "dataforseo_page_summary", "ahrefs_v2_refdomains", "analytics_overview_daily",
                ]))
            for (table, rows) in counts {
                #expect(rows == (table == "ahrefs_domain_metrics" ? 2 : 0), "\(table)")
            }
        }
    }

    @Test("serves chunks committed concurrently one transaction at a time")
    func concurrentCommits() async throws {
        try await withWarehouse { warehouse async throws in
            try await commitSideBySide(warehouse, chunks: 8, runID: "r") { chunk in
                (0..<50).map { (index: Int) in ("c\(chunk)-\(index).com", index, index, Double(index)) }
            }
            #expect(try await warehouse.query("SELECT count(*) FROM ahrefs_domain_metrics") == [["400"]])
            #expect(try await warehouse.query("SELECT count(*) FROM seopipe_chunks") == [["8"]])
        }
    }

    /// Commits `chunks` chunks of `rows(chunk)` at once from as many tasks (hashes `h0`, `h1`, ...), as a stage
    /// with `parallel_limit` does.
    func commitSideBySide(
        _ warehouse: PostgresWarehouse, chunks: Int, runID: String,
        rows: @escaping @Sendable (Int) -> [(target: String, keywords: Int?, traffic: Int?, rating: Double?)]
    ) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for chunk in 0..<chunks {
                group.addTask {
                    let batch = Rows.metrics(rows(chunk), date: Self.date, runID: runID)
                    try await warehouse.commit(Rows.commit(batch, date: Self.date, runID: runID, hash: "h\(chunk)"))
                }
            }
            try await group.waitForAll()
        }
    }
}
