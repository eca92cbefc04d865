import Logging
import PostgresNIO
import SeopipeCore

/// One run per pipeline and warehouse at a time on PostgreSQL: a session-level `pg_try_advisory_lock` keyed by the
/// schema and the pipeline name, held on a connection of its own for the whole run. The server releases it when
/// that connection ends, however the run ends (kill -9 included), so it never goes stale. The holder describes
/// itself in the connection's `application_name`, which a contender reads back from `pg_stat_activity`.
public actor PostgresRunLock: PipelineLock {
    private let connection: PostgresConnection
    /// The two keys of the advisory lock: the schema's and the pipeline's.
    private let scope: String
    private let pipeline: String
    private let logger: Logger
    private var released = false

    private init(connection: PostgresConnection, scope: String, pipeline: String, logger: Logger) {
        self.connection = connection
        self.scope = scope
        self.pipeline = pipeline
        self.logger = logger
    }

    /// Takes the lock for `pipeline`, or fails at once. `holder` (e.g. `run 20261120T031500-1f2e3d4c, pid 4242`)
    /// is what a contender will be told.
    public static func acquire(
        _ configuration: PostgresWarehouseConfiguration, pipeline: String, holder: String,
        logger: Logger = Logger(label: "seopipe.postgres.lock")
    ) async throws(PipelineLockError) -> PostgresRunLock {
        let connection: PostgresConnection
        do {
            connection = try await PostgresWarehouse.connect(
                configuration, applicationName: "seopipe " + holder, logger: logger)
        } catch {
            throw .unavailable("\(error)")
        }
        let scope = "seopipe run \(configuration.schema ?? "")"
        do {
            let rows = try await connection.query(
                "SELECT pg_try_advisory_lock(hashtext(\(scope)), hashtext(\(pipeline)))", logger: logger)
            var acquired = false
            for try await row in rows { acquired = try row.decode(Bool.self) }
            if acquired {
                return PostgresRunLock(connection: connection, scope: scope, pipeline: pipeline, logger: logger)
            }

            let holders = try await connection.query(
                """
                SELECT a.application_name, a.pid, to_char(a.backend_start AT TIME ZONE 'UTC',
                    'YYYY-MM-DD"T"HH24:MI:SS"Z"')
                FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
                    AND l.classid = hashtext(\(scope))::oid AND l.objid = hashtext(\(pipeline))::oid
                    AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                """,
                logger: logger)
            var holder = "unknown"
            for try await row in holders {
                let (name, pid, since) = try row.decode((String?, Int32, String?).self)
                var text = name.map { $0.hasPrefix("seopipe ") ? String($0.dropFirst("seopipe ".count)) : $0 } ?? ""
                if text.isEmpty { text = "a session" }
                holder = "\(text), connected since \(since ?? "?") as server process \(pid)"
            }
            try? await connection.close()
            throw PipelineLockError.held(holder: holder)
        } catch let failure as PipelineLockError {
            throw failure
        } catch {
            try? await connection.close()
            throw .unavailable("\(PostgresWarehouseError(error))")
        }
    }

    /// Gives the lock up (closing its connection); idempotent.
    public func release() async {
        guard !released else { return }
        released = true
        // Unlocked before the connection closes: the server ends a closed session a moment later, and a run
        // started right after this one (the next date of a backfill, the next cron job) must find it free.
        if let rows = try? await connection.query(
            "SELECT pg_advisory_unlock(hashtext(\(scope)), hashtext(\(pipeline)))", logger: logger)
        {
            do {
                for try await _ in rows {}
            } catch {
                logger.debug("advisory unlock failed; the server releases it when the connection ends: \(error)")
            }
        }
        try? await connection.close()
    }
}

extension PostgresWarehouse {
    public nonisolated func lockPipeline(_ pipeline: String, holder: String) async throws(PipelineLockError)
        -> any PipelineLock
    {
        try await PostgresRunLock.acquire(configuration, pipeline: pipeline, holder: holder)
    }
}
