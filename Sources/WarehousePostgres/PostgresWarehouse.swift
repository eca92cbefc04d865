import Foundation
import Logging
import PostgresNIO
import SeopipeCore

/// The shared warehouse: a PostgreSQL database (optionally one schema of it), versioned migrations applied under an
/// advisory lock, the ledger, and chunk loads through `COPY`: straight into the fact table when the chunk's keys
/// are new, else into a staging table and one upsert. Chunks that arrive while another commits are committed
/// together, in one transaction (group commit).
///
/// One connection, used by one operation at a time: operations take turns, so a chunk's transaction never
/// interleaves with another's. This file holds the connection, the turn-taking and transactions; the rest is split
/// by concern: `+Migrations`, `+Dictionary`, `+Load`, `+Ledger`, `+Reads`.
public actor PostgresWarehouse: Warehouse {
    public nonisolated let configuration: PostgresWarehouseConfiguration
    let connection: PostgresConnection
    let migrations: [MigrationFile]
    /// What ``migrate()`` writes into `seopipe_tables`, `seopipe_columns` and `COMMENT ON`; nil leaves them as they are.
    let dictionary: DataDictionary?
    let logger: Logger
    /// Columns and their types per fact table, read from the catalog: identifiers reach SQL only from here.
    var tables: [String: [String: String]] = [:]
    /// Chunks waiting to commit, in arrival order: whoever holds the connection commits all of them together.
    var queuedCommits: [CommitTicket] = []
    /// Tables whose last direct `COPY` met an existing key (a re-run of a date), with how many more loads go
    /// straight to the upsert before a direct `COPY` is tried again.
    var upsertFirst: [String: Int] = [:]
    /// Staging tables already filled in the current transaction (emptied before another use).
    var stagingInUse: Set<String> = []
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    /// The warehouse's URL without its password.
    public nonisolated var location: String { configuration.redactedURL }

    /// Connects; call ``migrate()`` before use. `dictionary` is the data dictionary migrate writes
    /// (`ProviderRegistry.builtin.dataDictionary`); without one, migrate leaves the dictionary as it is.
    public init(
        configuration: PostgresWarehouseConfiguration, migrations: [MigrationFile] = PostgresMigrations.all,
        dictionary: DataDictionary? = nil, logger: Logger = Logger(label: "seopipe.postgres")
    ) async throws {
        self.configuration = configuration
        self.migrations = migrations
        self.dictionary = dictionary
        self.logger = logger
        connection = try await Self.connect(configuration, logger: logger)
    }

    /// Connects to `url` (`postgres://...`), completed from the environment like psql.
    public init(url: String, migrations: [MigrationFile] = PostgresMigrations.all, dictionary: DataDictionary? = nil)
        async throws
    {
        try await self.init(
            configuration: PostgresWarehouseConfiguration(url: url), migrations: migrations, dictionary: dictionary)
    }

    /// Opens a connection with the warehouse's schema as its search path.
    static func connect(
        _ configuration: PostgresWarehouseConfiguration, applicationName: String? = nil, logger: Logger
    ) async throws -> PostgresConnection {
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(
                configuration: configuration.connectionConfiguration(applicationName: applicationName),
                id: Int.random(in: 1...Int(Int32.max)), logger: logger)
        } catch let error as PostgresWarehouseError {
            throw error
        } catch {
            throw PostgresWarehouseError(error, doing: "cannot connect to \(configuration.host):\(configuration.port)")
        }
        if let schema = configuration.schema {
            do {
                try await connection.query("SELECT set_config('search_path', \(quoted(schema)), false)", logger: logger)
            } catch {
                try? await connection.close()
                throw PostgresWarehouseError(error, doing: "cannot use schema \(schema)")
            }
        }
        return connection
    }

    public func close() async {
        await acquire()
        defer { release() }
        try? await connection.close()
    }

    // MARK: One operation at a time

    /// Waits until no other operation uses the connection (actor methods interleave at every `await`).
    func acquire() async {
        while busy { await withCheckedContinuation { waiting.append($0) } }
        busy = true
    }

    func release() {
        busy = false
        if !waiting.isEmpty { waiting.removeFirst().resume() }
    }

    // MARK: Queries

    /// Runs `query` and collects its rows, turning PostgresNIO's errors into readable ones. Values travel as bound
    /// parameters (`"... WHERE run_id = \(runID)"`); only identifiers of the fixed schema, quoted, go in as
    /// `\(unescaped: quoted(name))`.
    @discardableResult
    func rows(_ query: PostgresQuery) async throws -> [PostgresRow] {
        do {
            var rows: [PostgresRow] = []
            for try await row in try await connection.query(query, logger: logger) { rows.append(row) }
            return rows
        } catch {
            throw PostgresWarehouseError(error)
        }
    }

    func execute(_ query: PostgresQuery) async throws {
        try await rows(query)
    }

    /// SQL that is not ours to interpolate (migration files, the pipeline's `from_sql`, generated DO blocks).
    func execute(unsafeSQL sql: String) async throws {
        try await rows(PostgresQuery(unsafeSQL: sql))
    }

    /// Every column of every row as text, as ``query(_:)`` shows them.
    func textRows(unsafeSQL sql: String) async throws -> [[String?]] {
        try await rows(PostgresQuery(unsafeSQL: sql)).map { row in try row.map { try $0.text() } }
    }

    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws. A read-only one is
    /// always rolled back, so not even session settings (`set_config`) outlive it.
    func transaction<T>(readOnly: Bool = false, _ body: () async throws -> T) async throws -> T {
        try await execute(readOnly ? "START TRANSACTION READ ONLY" : "BEGIN")
        do {
            let result = try await body()
            try await execute(readOnly ? "ROLLBACK" : "COMMIT")
            return result
        } catch {
            try? await execute("ROLLBACK")
            throw error
        }
    }

    /// Runs a query and returns every row with every column as text (CLI summaries and tests): dates as
    /// `YYYY-MM-DD`, timestamps as ISO-8601 UTC, numbers as Swift prints them.
    public func query(_ sql: String) async throws -> [[String?]] {
        await acquire()
        defer { release() }
        return try await textRows(unsafeSQL: sql)
    }
}

/// Quotes an identifier for SQL (only names from the fixed schema or the catalog reach here).
func quoted(_ identifier: String) -> String {
    "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}
