import Foundation
import SeopipeCore
import Testing
import WarehouseSQLite

@Suite("SQLite migrations")
struct MigrationTests {
    @Test("applies every migration on a new file, then none on the second call")
    func appliesOnce() async throws {
        let folder = try TemporaryFolder()
        let warehouse = try SQLiteWarehouse(path: folder.path("w.db"))
        let first = try await warehouse.migrate()
        #expect(first.map(\.version) == SQLiteMigrations.all.map(\.version).sorted())
        #expect(first.allSatisfy { $0.newlyApplied })
        let second = try await warehouse.migrate()
        #expect(second.map(\.version) == first.map(\.version))
        #expect(second.allSatisfy { !$0.newlyApplied })
        let recorded = try await warehouse.query("SELECT count(*) FROM seopipe_schema_migrations")
        #expect(recorded == [["\(SQLiteMigrations.all.count)"]])
    }

    @Test("0012 keeps the page-summary breakdown's rows, now in its key's B-tree alone (WITHOUT ROWID)")
    func breakdownWithoutRowid() async throws {
        let folder = try TemporaryFolder()
        let path = folder.path("w.db")
        let before = SQLiteMigrations.all.filter { $0.version < 12 }
        let old = try SQLiteWarehouse(path: path, migrations: before)
        _ = try await old.migrate()
        var batch = TableBatch(
            table: "dataforseo_page_summary_breakdown",
            columns: ["url", "snapshot_date", "dimension", "key", "count", "fetched_at", "run_id"],
            keyColumns: ["url", "snapshot_date", "dimension", "key"])
        for (url, date, dimension, key, count, run) in [
            ("https://a.example/", "2026-12-01", "referring_links_tld", "com", 7, "r1"),
            ("https://a.example/", "2026-12-01", "referring_links_tld", "", 2, "r1"),
            ("https://b.example/", "2026-12-02", "referring_links_countries", "US", 3, "r2"),
        ] {
            batch.append([
                .text(url), .text(date), .text(dimension), .text(key), .integer(Int64(count)), .text("t"), .text(run),
            ])
        }
        try await old.load(batch)
        await old.close()

        let warehouse = try SQLiteWarehouse(path: path)
        let applied = try await warehouse.migrate()
        // 0012 and every migration after it.
        #expect(applied.filter(\.newlyApplied).map(\.version) == Array(12...(applied.map(\.version).max() ?? 12)))
        let rows = try await warehouse.query(
            "SELECT url, snapshot_date, dimension, key, count, run_id FROM dataforseo_page_summary_breakdown ORDER BY 1, 4"
        )
        #expect(
            rows == [
                ["https://a.example/", "2026-12-01", "referring_links_tld", "", "2", "r1"],
                ["https://a.example/", "2026-12-01", "referring_links_tld", "com", "7", "r1"],
                ["https://b.example/", "2026-12-02", "referring_links_countries", "US", "3", "r2"],
            ])
        let sql = try await warehouse.query(
            "SELECT sql FROM sqlite_master WHERE name = 'dataforseo_page_summary_breakdown'")
        #expect((sql.first?.first ?? nil)?.contains("WITHOUT ROWID") == true)
        // No separate index of the key any more, and the key still refuses a duplicate.
        let indexes = try await warehouse.query(
            "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'dataforseo_page_summary_breakdown'"
        )
        #expect(indexes == [["0"]])
        await #expect(throws: (any Error).self) {
            _ = try await warehouse.query(
                """
                INSERT INTO dataforseo_page_summary_breakdown
                VALUES ('https://b.example/', '2026-12-02', 'referring_links_countries', 'US', 1, 'x', 'r3')
                """)
        }
    }

    @Test("records each applied migration's version, name and checksum")
    func checksums() async throws {
        let test = try await TestWarehouse()
        let rows = try await test.warehouse.query(
            "SELECT version, name, checksum FROM seopipe_schema_migrations ORDER BY version")
        let expected = SQLiteMigrations.all.sorted { $0.version < $1.version }.map {
            ["\($0.version)", $0.name, $0.checksum]
        }
        #expect(rows == expected)
        #expect(Set(expected.map { $0[2] }).count == expected.count, "different files have different checksums")
    }

    @Test("applies migrations in version order whatever order they are listed in")
    func versionOrder() async throws {
        let folder = try TemporaryFolder()
        let migrations = [
            MigrationFile(version: 2, name: "child", sql: "CREATE TABLE child (id INTEGER REFERENCES parent (id))"),
            MigrationFile(version: 1, name: "parent", sql: "CREATE TABLE parent (id INTEGER PRIMARY KEY)"),
            MigrationFile(
                version: 3, name: "view", sql: "CREATE VIEW both_ AS SELECT * FROM parent JOIN child USING (id)"),
        ]
        let warehouse = try SQLiteWarehouse(path: folder.path("w.db"), migrations: migrations)
        let applied = try await warehouse.migrate()
        #expect(applied.map(\.version) == [1, 2, 3])
    }

    @Test("refuses a warehouse whose applied migration has changed since, saying so")
    func changedMigration() async throws {
        let folder = try TemporaryFolder()
        let path = folder.path("w.db")
        let original = [MigrationFile(version: 1, name: "facts", sql: "CREATE TABLE facts (a INTEGER)")]
        _ = try await SQLiteWarehouse(path: path, migrations: original).migrate()

        let edited = [MigrationFile(version: 1, name: "facts", sql: "CREATE TABLE facts (a INTEGER, b TEXT)")]
        let warehouse = try SQLiteWarehouse(path: path, migrations: edited)
        let error = await #expect(throws: MigrationError.self) { try await warehouse.migrate() }
        let message = try #require(error?.message)
        #expect(message.contains("0001_facts.sql"))
        #expect(message.contains("changed"))
        #expect(message.contains(original[0].checksum) && message.contains(edited[0].checksum))
        // Nothing was re-applied: the table keeps its original single column.
        #expect(try await warehouse.query("SELECT count(*) FROM pragma_table_info('facts')") == [["1"]])
    }

    @Test("refuses a warehouse migrated by a newer seopipe with a version it does not know")
    func newerWarehouse() async throws {
        let folder = try TemporaryFolder()
        let path = folder.path("w.db")
        let newer = [
            MigrationFile(version: 1, name: "one", sql: "CREATE TABLE one (a)"),
            MigrationFile(version: 2, name: "two", sql: "CREATE TABLE two (a)"),
        ]
        _ = try await SQLiteWarehouse(path: path, migrations: newer).migrate()
        let older = try SQLiteWarehouse(path: path, migrations: [newer[0]])
        let error = await #expect(throws: MigrationError.self) { try await older.migrate() }
        #expect(error?.message.contains("migration 2") == true)
        #expect(error?.message.contains("upgrade seopipe") == true)
    }

    @Test("rolls back a migration that fails halfway and does not record it")
    func failedMigration() async throws {
        let folder = try TemporaryFolder()
        let migrations = [
            MigrationFile(version: 1, name: "ok", sql: "CREATE TABLE ok (a)"),
            MigrationFile(version: 2, name: "broken", sql: "CREATE TABLE half (a); CREATE TABLE oops (;"),
        ]
        let warehouse = try SQLiteWarehouse(path: folder.path("w.db"), migrations: migrations)
        await #expect(throws: (any Error).self) { try await warehouse.migrate() }
        #expect(try await warehouse.query("SELECT version FROM seopipe_schema_migrations") == [["1"]])
        #expect(
            try await warehouse.query("SELECT name FROM sqlite_master WHERE name IN ('ok', 'half') ORDER BY name") == [
                ["ok"]
            ])
    }

    @Test("embeds exactly the SQL files of migrations/sqlite")
    func embeddedMatchFiles() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let folder = root.appendingPathComponent("migrations/sqlite")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0.hasSuffix(".sql") && $0.first?.isNumber == true }.sorted()
        try #require(!names.isEmpty, "no migrations found in \(folder.path)")
        let files = try names.map { name in
            let base = String(name.dropLast(4))
            let separator = try #require(base.firstIndex(of: "_"))
            let version = try #require(Int(base[..<separator]))
            let sql = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            return MigrationFile(version: version, name: String(base[base.index(after: separator)...]), sql: sql)
        }
        let embedded = SQLiteMigrations.all.sorted { $0.version < $1.version }
        let fix = "the embedded migrations differ from migrations/sqlite/: run scripts/embed-migrations.sh"
        #expect(embedded.map(\.version) == files.map(\.version), "\(fix)")
        #expect(embedded.map(\.name) == files.map(\.name), "\(fix)")
        for (embedded, file) in zip(embedded, files) {
            #expect(
                trimmedTrailing(embedded.sql) == trimmedTrailing(file.sql),
                "\(String(format: "%04d", file.version))_\(file.name).sql: \(fix)")
        }
    }

    func trimmedTrailing(_ text: String) -> String {
        var text = Substring(text)
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return String(text)
    }
}
