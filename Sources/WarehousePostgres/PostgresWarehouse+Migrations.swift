import Foundation
import PostgresNIO
import SeopipeCore

extension PostgresWarehouse {
    public func migrate() async throws -> [AppliedMigration] {
        await acquire()
        defer { release() }
        // One migrator per schema at a time; the lock goes with the session if the process dies.
        let lockKey = "seopipe migrate \(configuration.schema ?? "")"
        try await execute("SELECT pg_advisory_lock(hashtext(\(lockKey)))")
        do {
            let result = try await migrateLocked()
            try await execute("SELECT pg_advisory_unlock(hashtext(\(lockKey)))")
            return result
        } catch {
            try? await execute("SELECT pg_advisory_unlock(hashtext(\(lockKey)))")
            throw error
        }
    }

    private func migrateLocked() async throws -> [AppliedMigration] {
        if let schema = configuration.schema {
            try await execute("CREATE SCHEMA IF NOT EXISTS \(unescaped: quoted(schema))")
            try await execute("SELECT set_config('search_path', \(quoted(schema)), false)")
        }
        try await execute(
            """
            CREATE TABLE IF NOT EXISTS seopipe_schema_migrations (
                version    INTEGER PRIMARY KEY,
                name       TEXT NOT NULL,
                checksum   TEXT NOT NULL,
                applied_at TIMESTAMPTZ NOT NULL
            )
            """)
        var applied: [Int: (name: String, checksum: String)] = [:]
        for row in try await rows("SELECT version, name, checksum FROM seopipe_schema_migrations") {
            let (version, name, checksum) = try row.decode((Int, String, String).self)
            applied[version] = (name, checksum)
        }
        var result: [AppliedMigration] = []
        for (migration, isApplied) in try MigrationPlan.check(migrations, applied: applied, warehouse: location) {
            if isApplied {
                result.append(AppliedMigration(version: migration.version, name: migration.name, newlyApplied: false))
                continue
            }
            try await transaction {
                for statement in SQLText.statements(migration.sql) {
                    do {
                        try await execute(unsafeSQL: statement)
                    } catch let error as PostgresWarehouseError {
                        throw PostgresWarehouseError(
                            "migration \(String(format: "%04d", migration.version))_\(migration.name).sql failed: "
                                + error.message, sqlState: error.sqlState)
                    }
                }
                try await execute(
                    """
                    INSERT INTO seopipe_schema_migrations (version, name, checksum, applied_at)
                    VALUES (\(migration.version)::integer, \(migration.name), \(migration.checksum), now())
                    """)
            }
            result.append(AppliedMigration(version: migration.version, name: migration.name, newlyApplied: true))
        }
        tables.removeAll()
        if let dictionary,
            try await rows("SELECT to_regclass('seopipe_columns') IS NOT NULL").first?.decode(Bool.self) == true
        {
            try await syncDictionary(dictionary)
        }
        return result
    }
}
