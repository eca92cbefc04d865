import ArgumentParser
import Foundation
import SeopipeCore

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create or upgrade the warehouse schema.",
        discussion: """
            Applies the numbered migrations the binary carries, in order, and records them (with checksums) \
            in seopipe_schema_migrations. A migration changed after it was applied is refused. `run` \
            migrates by itself; use this to prepare a warehouse for BI tools before the first run.
            """)

    @Option(
        help: ArgumentHelp(
            "Warehouse URL: sqlite:PATH or postgres://USER@HOST:PORT/DB[?schema=NAME&sslmode=MODE].",
            discussion: "Default: $SEOPIPE_WAREHOUSE, else $DATABASE_URL, else sqlite:warehouse.db."))
    var warehouse: String?

    func run() async throws {
        let location = try resolveWarehouse(warehouse, pipeline: nil)
        let store = try await openWarehouse(location)
        do {
            let applied = try await store.migrate()
            for migration in applied {
                let number = String(format: "%04d", migration.version)
                print("\(number)_\(migration.name): \(migration.newlyApplied ? "applied" : "already applied")")
            }
            print("\(location): schema at version \(applied.last?.version ?? 0)")
        } catch {
            printError("error: \(error)")
            throw Exit.failed
        }
        await store.close()
    }
}
