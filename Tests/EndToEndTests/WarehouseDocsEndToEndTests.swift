import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// docs/warehouse.md is what BI users read: its example queries must give the results it shows, in the real
/// command-line shells (`sqlite3`, `psql`) and through Datasette's JSON API, and its dictionary must be the one
/// `seopipe schema --markdown` prints and the warehouse holds.
@Suite("BI views, data dictionary and docs/warehouse.md")
struct WarehouseDocsEndToEndTests {
    /// The dates docs/warehouse.md's examples were built from, with the sandbox's today at the last one.
    static let dates = ["2026-11-18", "2026-11-19", "2026-11-25"]

    struct Example {
        var title: String
        var sql: String
        var expected: [[String]]
    }

    static var docs: String {
        get throws {
            try String(contentsOf: Harness.repositoryRoot.appendingPathComponent("docs/warehouse.md"), encoding: .utf8)
        }
    }

    /// Every `### title`, ```sql block and the ```csv block after it.
    static func examples() throws -> [Example] {
        var examples: [Example] = []
        var title = ""
        var block: (kind: String, lines: [String])?
        var sql: String?
        for line in try docs.components(separatedBy: "\n") {
            if let open = block {
                if line == "```" {
                    if open.kind == "sql" { sql = open.lines.joined(separator: "\n") }
                    if open.kind == "csv", let query = sql {
                        examples.append(Example(title: title, sql: query, expected: open.lines.map(parseCSVLine)))
                        sql = nil
                    }
                    block = nil
                } else {
                    block?.lines.append(line)
                }
            } else if line.hasPrefix("### ") {
                title = String(line.dropFirst(4))
            } else if line == "```sql" || line == "```csv" {
                block = (String(line.dropFirst(3)), [])
            }
        }
        return examples
    }

    /// The demo pipeline at the documented dates, against a sandbox whose today is the last of them.
    static func buildExampleWarehouse(_ harness: Harness) async throws {
        let demo = Harness.repositoryRoot.appendingPathComponent("pipelines/demo.yml").path
        for date in dates {
            let run = try await harness.seopipe([
                "run", demo, "--warehouse", harness.warehouse, "--date", date, "--quiet",
            ])
            #expect(run.exitCode == 0, "demo run for \(date): \(run.stderr)")
        }
    }

    @Test(
        "the documented example queries give the documented results in sqlite3 and psql", arguments: Backend.available)
    func documentedQueries(backend: Backend) async throws {
        let examples = try Self.examples()
        #expect(examples.count >= 6, "docs/warehouse.md lost its examples")
        try await withHarness(backend, today: Self.dates.last) { harness in
            try await Self.buildExampleWarehouse(harness)
            for example in examples {
                let output: Harness.Output
                switch backend {
                case .sqlite:
                    output = try await harness.tool(
                        "sqlite3", ["-bail", "-csv", "-header", "warehouse.db"], input: example.sql)
                case .postgres:
                    let server = try #require(harness.server?.components(separatedBy: "?").first)
                    output = try await harness.tool(
                        "psql", [server, "--csv", "--no-psqlrc", "-v", "ON_ERROR_STOP=1"], input: example.sql,
                        environment: ["PGOPTIONS": "-c search_path=\(harness.schema!)", "PGSSLMODE": "disable"])
                }
                #expect(output.exitCode == 0, "\(example.title): \(output.stderr)")
                let rows = output.stdout.split(separator: "\n", omittingEmptySubsequences: true).map {
                    parseCSVLine(String($0))
                }
                #expect(rows == example.expected, "\(backend) \(example.title)")
            }
        }
    }

    @Test(
        "every table, view and column is described in seopipe_columns (and COMMENT ON in PostgreSQL)",
        arguments: Backend.available)
    func dictionaryIsComplete(backend: Backend) async throws {
        try await withHarness(backend) { harness in
            let migrate = try await harness.seopipe(["migrate", "--warehouse", harness.warehouse])
            #expect(migrate.exitCode == 0, "\(migrate.stderr)")
            let catalog: [[String?]] =
                switch backend {
                case .sqlite:
                    try await harness.query(
                        """
                        SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p
                        WHERE m.type IN ('table', 'view') AND m.name NOT LIKE 'sqlite%' ORDER BY 1, 2
                        """)
                case .postgres:
                    try await harness.query(
                        """
                        SELECT table_name, column_name FROM information_schema.columns
                        WHERE table_schema = current_schema() ORDER BY 1, 2
                        """)
                }
            let documented = try await harness.query(
                """
                SELECT table_name, column_name FROM seopipe_columns WHERE description <> '' ORDER BY 1, 2
                """)
            #expect(catalog.count > 300)
            #expect(documented == catalog)
            let views = try await harness.query("SELECT table_name FROM seopipe_tables WHERE kind = 'view' ORDER BY 1")
            #expect(
                views.map { $0[0] ?? "" } == [
                    "domain_metrics_asof", "domain_metrics_changes", "domain_metrics_daily", "keyword_metrics_asof",
                    "keyword_metrics_daily", "latest_domain_metrics", "page_backlinks_asof", "page_backlinks_daily",
                    "referring_domains_daily", "seopipe_column_drift", "seopipe_snapshot_dates", "site_traffic_daily",
                    "site_traffic_with_backlinks",
                ])
            let undescribedTables = try await harness.query(
                "SELECT table_name FROM seopipe_tables WHERE description = ''")
            #expect(undescribedTables.isEmpty)
            if backend == .postgres {
                let comments = try await harness.query(
                    """
                    SELECT count(*) FROM information_schema.columns c
                    WHERE c.table_schema = current_schema()
                        AND col_description((quote_ident(c.table_schema) || '.' || quote_ident(c.table_name))::regclass,
                            c.ordinal_position) IS NULL
                    """)
                #expect(comments == [["0"]], "columns without COMMENT ON")
                let view = try await harness.query(
                    "SELECT obj_description('domain_metrics_daily'::regclass, 'pg_class')")
                #expect(view.first?.first??.hasPrefix("One row per provider, domain and snapshot date") == true)
            }
        }
    }

    @Test(
        "the domain views hold domains only (DataForSEO page URLs stay in page_backlinks_daily); www. joins own traffic",
        arguments: Backend.available)
    func domainsOnly(backend: Backend) async throws {
        try await withHarness(backend) { harness in
            let migrate = try await harness.seopipe(["migrate", "--warehouse", harness.warehouse])
            #expect(migrate.exitCode == 0, "\(migrate.stderr)")
            let insert = """
                INSERT INTO dataforseo_bulk_backlinks (target, target_original, snapshot_date, fetched_at, run_id, backlinks)
                VALUES ('moz.com', 'moz.com', '2026-11-20', '2026-11-20T03:00:00Z', 'r', 10),
                       ('https://moz.com/blog', 'https://moz.com/blog', '2026-11-20', '2026-11-20T03:00:00Z', 'r', 3);
                INSERT INTO dataforseo_page_summary (url, url_original, snapshot_date, fetched_at, run_id, backlinks)
                VALUES ('https://moz.com/blog', 'https://moz.com/blog', '2026-11-20', '2026-11-20T03:00:00Z', 'r', 3);
                INSERT INTO ahrefs_backlinks_stats (target, target_original, snapshot_date, fetched_at, run_id, live,
                    live_refdomains)
                VALUES ('www.shop.example', 'www.shop.example', '2026-11-20', '2026-11-20T03:00:00Z', 'r', 70, 7);
                INSERT INTO analytics_overview_daily (account_id, period_start, period_end, snapshot_date, period,
                    fetched_at, run_id, entrances, site_domain)
                VALUES ('shop', '2026-11-20', '2026-11-20', '2026-11-21', 'yesterday', '2026-11-21T03:00:00Z', 'r', 500,
                    'shop.example');
                """
            let output: Harness.Output
            switch backend {
            case .sqlite:
                output = try await harness.tool("sqlite3", ["-bail", "warehouse.db"], input: insert)
            case .postgres:
                let server = try #require(harness.server?.components(separatedBy: "?").first)
                output = try await harness.tool(
                    "psql", [server, "--no-psqlrc", "-q", "-v", "ON_ERROR_STOP=1"], input: insert,
                    environment: ["PGOPTIONS": "-c search_path=\(harness.schema!)", "PGSSLMODE": "disable"])
            }
            #expect(output.exitCode == 0, "\(output.stderr)")
            #expect(
                try await harness.query(
                    "SELECT domain, backlinks FROM domain_metrics_daily WHERE provider = 'dataforseo'") == [
                        ["moz.com", "10"]
                    ])
            // Ahrefs keeps www. in a target; the site's domain has none: the join finds it, once.
            #expect(
                try await harness.query(
                    "SELECT day, domain, entrances, ahrefs_backlinks, ahrefs_referring_domains FROM site_traffic_with_backlinks"
                ) == [["2026-11-20", "shop.example", "500", "70", "7"]])
            #expect(
                try await harness.query("SELECT url, provider FROM page_backlinks_daily")
                    == [["https://moz.com/blog", "dataforseo"]])
        }
    }

    @Test("docs/warehouse.md holds what `seopipe schema --markdown` prints")
    func docsAreGenerated() async throws {
        try await withHarness { harness in
            let schema = try await harness.seopipe(["schema", "--markdown"])
            #expect(schema.exitCode == 0, "\(schema.stderr)")
            let docs = try Self.docs
            let marker = try #require(docs.range(of: "run it again. -->\n\n"))
            #expect(
                String(docs[marker.upperBound...]) == schema.stdout,
                "docs/warehouse.md is stale: run scripts/generate-docs.sh")
            #expect(schema.stdout.contains("### `domain_metrics_daily` (view)"))
            #expect(schema.stdout.contains("| `domain_rating_wow` |"))
        }
    }

    @Test("Datasette serves the SQLite warehouse and its JSON API returns the views' rows")
    func datasette() async throws {
        guard Self.hasDatasette else {
            #expect(
                ProcessInfo.processInfo.environment["SEOPIPE_REQUIRE_DATASETTE"] != "1",
                "datasette is not installed; scripts/test.sh installs it with pip")
            return
        }
        try await withHarness(today: Self.dates.last) { harness in
            try await Self.buildExampleWarehouse(harness)
            let port = try freeLoopbackPort()
            let server = try await Harness.launch(
                ["datasette", "serve", "warehouse.db", "--host", "127.0.0.1", "--port", "\(port)"],
                environment: ProcessInfo.processInfo.environment, directory: harness.directory,
                executable: URL(fileURLWithPath: "/usr/bin/env"))
            defer { server.signal(SIGTERM) }
            let url = URL(
                string:
                    "http://127.0.0.1:\(port)/warehouse/latest_domain_metrics.json?_shape=array&provider=ahrefs&_sort=domain"
            )!
            var rows: [[String: Any]]?
            let deadline = ContinuousClock.now + .seconds(60)
            while rows == nil, ContinuousClock.now < deadline {
                if let (data, response) = try? await URLSession.shared.data(from: url),
                    (response as? HTTPURLResponse)?.statusCode == 200
                {
                    rows = try JSONSerialization.jsonObject(with: data) as? [[String: Any]]
                } else {
                    try await Task.sleep(for: .milliseconds(200))
                }
            }
            let served = try #require(rows, "datasette did not answer within 60 s")
            #expect(
                served.map { $0["domain"] as? String } == [
                    "ahrefs.com", "backlinko.com", "moz.com", "searchengineland.com", "semrush.com", "seopipe.dev",
                ])
            let moz = try #require(served.first { $0["domain"] as? String == "moz.com" })
            #expect(moz["snapshot_date"] as? String == "2026-11-25")
            #expect(moz["domain_rating"] as? Double == 39.8)
            #expect(moz["backlinks"] as? Int == 5744)
            #expect(moz["referring_domains"] as? Int == 299)
            // The same rows as the shell reads from the file.
            let direct = try await harness.query(
                "SELECT domain, backlinks FROM latest_domain_metrics WHERE provider = 'ahrefs' ORDER BY domain")
            #expect(direct.map { $0[1] } == served.map { ($0["backlinks"] as? Int).map(String.init) })
        }
    }

    static var hasDatasette: Bool {
        let paths = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
        return paths.contains { FileManager.default.isExecutableFile(atPath: "\($0)/datasette") }
    }
}

/// One line of CSV as sqlite3 and psql write it: fields split on commas, double quotes around a field that
/// needs them, `""` inside for a quote.
func parseCSVLine(_ line: String) -> [String] {
    var fields: [String] = []
    var field = ""
    var quoted = false
    var chars = line.makeIterator()
    var pending = chars.next()
    while let char = pending {
        pending = chars.next()
        if quoted {
            if char == "\"" {
                if pending == "\"" {
                    field.append("\"")
                    pending = chars.next()
                } else {
                    quoted = false
                }
            } else {
                field.append(char)
            }
        } else if char == "\"" {
            quoted = true
        } else if char == "," {
            fields.append(field)
            field = ""
        } else {
            field.append(char)
        }
    }
    fields.append(field)
    return fields
}

/// A port nothing listens on now (bound, read, released).
func freeLoopbackPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
            bind(fd, raw, length) == 0 && getsockname(fd, raw, &length) == 0
        }
    }
    guard bound else { throw HarnessError("cannot bind a loopback port") }
    return Int(UInt16(bigEndian: address.sin_port))
}
