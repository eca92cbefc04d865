import Foundation
import SeopipeCore
import Testing
import WarehousePostgres

@Suite("PostgreSQL migrations", .enabled(if: TestServer.enabled, TestServer.skipReason))
struct PostgresMigrationTests {
    @Test("applies every migration once in a new schema, with its checksum, and none on the second call")
    func appliesOnce() async throws {
        try await withSchema { url, schema async throws in
            let warehouse = try await PostgresWarehouse(url: url)
            let first = try await warehouse.migrate()
            #expect(first.map(\.version) == PostgresMigrations.all.map(\.version).sorted())
            #expect(first.allSatisfy { $0.newlyApplied })
            let second = try await warehouse.migrate()
            #expect(second.map(\.version) == first.map(\.version))
            #expect(second.allSatisfy { !$0.newlyApplied })

            let rows = try await warehouse.query(
                "SELECT version, name, checksum FROM seopipe_schema_migrations ORDER BY version")
            let expected = PostgresMigrations.all.sorted { $0.version < $1.version }
                .map { ["\($0.version)", $0.name, $0.checksum] }
            #expect(rows == expected)
            // The tables live in the named schema, with native types.
            let tables = try await warehouse.query(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = '\(schema)'")
            #expect(Int(tables.first?.first.flatMap { $0 } ?? "") ?? 0 > 20)
            let types = try await warehouse.query(
                """
                SELECT column_name, data_type FROM information_schema.columns
                WHERE table_schema = '\(schema)' AND table_name = 'ahrefs_domain_metrics'
                    AND column_name IN ('snapshot_date', 'fetched_at', 'org_traffic', 'domain_rating')
                ORDER BY column_name
                """)
            #expect(
                types == [
                    ["domain_rating", "double precision"], ["fetched_at", "timestamp with time zone"],
                    ["org_traffic", "bigint"], ["snapshot_date", "date"],
                ])
            #expect(
                try await warehouse.query(
                    """
                    SELECT data_type, numeric_precision, numeric_scale FROM information_schema.columns
                    WHERE table_schema = '\(schema)' AND table_name = 'seopipe_runs' AND column_name = 'cost_usd'
                    """) == [["numeric", "18", "6"]])
            await warehouse.close()
        }
    }

    @Test("mirrors every SQLite migration file one to one, with the same tables, columns and keys")
    func mirrorsSQLite() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        func names(_ backend: String) throws -> [String] {
            try FileManager.default.contentsOfDirectory(
                atPath: root.appendingPathComponent("migrations/\(backend)").path
            )
            .filter { $0.hasSuffix(".sql") }.sorted()
        }
        #expect(try names("postgres") == names("sqlite"))
        for name in try names("sqlite") {
            let sqlite = try String(
                contentsOf: root.appendingPathComponent("migrations/sqlite/\(name)"), encoding: .utf8)
            let postgres = try String(
                contentsOf: root.appendingPathComponent("migrations/postgres/\(name)"), encoding: .utf8)
            if postgres.hasPrefix("-- SQLite only:") {
                // A change of SQLite's storage alone: the same tables, columns and keys, nothing to do here.
                #expect(Self.shape(postgres) == ["SELECT"], "\(name)")
                #expect(!sqlite.contains("ADD COLUMN"), "\(name) changes columns: PostgreSQL needs them too")
                continue
            }
            #expect(Self.shape(postgres) == Self.shape(sqlite), "\(name)")
        }
    }

    /// Table names, column names and PRIMARY KEY clauses of a migration, in order, without types and comments.
    static func shape(_ sql: String) -> [String] {
        sql.split(separator: "\n").compactMap { line -> String? in
            let code = line.components(separatedBy: "--")[0].trimmingCharacters(in: .whitespaces)
            if code.hasPrefix("CREATE TABLE") || code.hasPrefix("PRIMARY KEY") || code.hasPrefix("CREATE INDEX") {
                return code
            }
            guard let first = code.split(separator: " ").first, !code.isEmpty, code != ");" else { return nil }
            return String(first)
        }
    }

    @Test("refuses a warehouse whose applied migration has changed since, saying so as SQLite does")
    func changedMigration() async throws {
        try await withSchema { url, _ async throws in
            let original = [MigrationFile(version: 1, name: "facts", sql: "CREATE TABLE facts (a BIGINT)")]
            let first = try await PostgresWarehouse(url: url, migrations: original)
            _ = try await first.migrate()
            await first.close()

            let edited = [MigrationFile(version: 1, name: "facts", sql: "CREATE TABLE facts (a BIGINT, b TEXT)")]
            let warehouse = try await PostgresWarehouse(url: url, migrations: edited)
            let error = await #expect(throws: MigrationError.self) { try await warehouse.migrate() }
            let message = try #require(error?.message)
            #expect(message.contains("0001_facts.sql"))
            #expect(message.contains("was changed after it was applied"))
            #expect(message.contains(original[0].checksum) && message.contains(edited[0].checksum))
            #expect(message.contains("restore the file and add a new numbered migration instead"))
            #expect(
                try await warehouse.query(
                    "SELECT count(*) FROM information_schema.columns WHERE table_schema = current_schema() "
                        + "AND table_name = 'facts'") == [["1"]])
            await warehouse.close()
        }
    }

    @Test("refuses a warehouse migrated by a newer seopipe with a version it does not know")
    func newerWarehouse() async throws {
        try await withSchema { url, _ async throws in
            let newer = [
                MigrationFile(version: 1, name: "one", sql: "CREATE TABLE one (a BIGINT)"),
                MigrationFile(version: 2, name: "two", sql: "CREATE TABLE two (a BIGINT)"),
            ]
            let first = try await PostgresWarehouse(url: url, migrations: newer)
            _ = try await first.migrate()
            await first.close()
            let older = try await PostgresWarehouse(url: url, migrations: [newer[0]])
            let error = await #expect(throws: MigrationError.self) { try await older.migrate() }
            #expect(error?.message.contains("has migration 2 (two) that this seopipe does not know") == true)
            #expect(error?.message.contains("upgrade seopipe") == true)
            #expect(error?.message.contains("password") == false)
            await older.close()
        }
    }

    @Test("rolls back a migration that fails halfway, records nothing of it, and names it")
    func failedMigration() async throws {
        try await withSchema { url, _ async throws in
            let migrations = [
                MigrationFile(version: 1, name: "ok", sql: "CREATE TABLE ok (a BIGINT);"),
                MigrationFile(version: 2, name: "broken", sql: "CREATE TABLE half (a BIGINT);\nCREATE TABLE oops (;"),
            ]
            let warehouse = try await PostgresWarehouse(url: url, migrations: migrations)
            let error = await #expect(throws: (any Error).self) { try await warehouse.migrate() }
            #expect("\(error.map { "\($0)" } ?? "")".contains("0002_broken.sql"))
            #expect(try await warehouse.query("SELECT version FROM seopipe_schema_migrations") == [["1"]])
            #expect(
                try await warehouse.query(
                    """
                    SELECT table_name FROM information_schema.tables
                    WHERE table_schema = current_schema() AND table_name IN ('ok', 'half') ORDER BY 1
                    """) == [["ok"]])
            await warehouse.close()
        }
    }

    @Test("lets several runners migrate one schema at once: the advisory lock applies each migration once")
    func concurrentMigrate() async throws {
        try await withSchema { url, _ async throws in
            // A slow first migration widens the window in which the runners would collide without the lock.
            let migrations =
                [
                    MigrationFile(version: 0, name: "slow", sql: "CREATE TABLE slow (a BIGINT);\nSELECT pg_sleep(0.3);")
                ] + PostgresMigrations.all
            let results = try await withThrowingTaskGroup(of: [AppliedMigration].self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        let warehouse = try await PostgresWarehouse(url: url, migrations: migrations)
                        let applied = try await warehouse.migrate()
                        await warehouse.close()
                        return applied
                    }
                }
                return try await group.reduce(into: [[AppliedMigration]]()) { $0.append($1) }
            }
            #expect(results.count == 4)
            for migration in migrations {
                let appliers = results.filter { run in
                    run.contains { $0.version == migration.version && $0.newlyApplied }
                }
                #expect(appliers.count == 1, "migration \(migration.version) applied by \(appliers.count) runners")
            }
            let warehouse = try await PostgresWarehouse(url: url, migrations: migrations)
            #expect(
                try await warehouse.query("SELECT count(*) FROM seopipe_schema_migrations") == [["\(migrations.count)"]]
            )
            await warehouse.close()
        }
    }
}

@Suite("PostgreSQL embedded migrations")
struct PostgresEmbeddedMigrationTests {
    @Test("embeds exactly the SQL files of migrations/postgres")
    func embeddedMatchFiles() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let folder = root.appendingPathComponent("migrations/postgres")
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
        let embedded = PostgresMigrations.all.sorted { $0.version < $1.version }
        let fix = "the embedded migrations differ from migrations/postgres/: run scripts/embed-migrations.sh"
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
