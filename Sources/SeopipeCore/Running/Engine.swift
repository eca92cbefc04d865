import Foundation
import Logging

/// The parts a run needs from outside the core, and the run flow over them: open the warehouse, take the pipeline's
/// run lock, migrate, run, release. `run`, `demo`, `daemon` and backfills all go through it.
///
/// The `seopipe` executable assembles one with every provider kind, both warehouse backends and the AsyncHTTPClient
/// transport; tests assemble the same parts in-process.
public struct Engine: Sendable {
    public var registry: ProviderRegistry
    /// Opens (connects to) the warehouse at a location; ``migratedWarehouse(_:)`` migrates it too.
    public var openWarehouse: @Sendable (WarehouseLocation) async throws -> any Warehouse
    /// A transport for one run, shut down when the run ends.
    public var makeTransport: @Sendable () -> any HTTPTransport
    /// Random numbers in `0..<1` for backoff jitter.
    public var jitter: @Sendable () -> Double = { Double.random(in: 0..<1) }

    public init(
        registry: ProviderRegistry,
        openWarehouse: @escaping @Sendable (WarehouseLocation) async throws -> any Warehouse,
        makeTransport: @escaping @Sendable () -> any HTTPTransport
    ) {
        self.registry = registry
        self.openWarehouse = openWarehouse
        self.makeTransport = makeTransport
    }

    /// How one run is asked for.
    public struct RunRequest: Sendable {
        public var pipeline: Pipeline
        public var snapshot: SnapshotDate
        public var warehouse: WarehouseLocation
        /// Re-fetch chunks already committed for the date (paid for again).
        public var refresh: Bool
        /// Set to stop the run early (a signal, the daemon's shutdown); it then ends `interrupted`.
        public var stop: StopRequest
        /// Told as stages start and chunks commit.
        public var progress: (@Sendable (ProgressEvent) -> Void)?

        public init(
            _ pipeline: Pipeline, snapshot: SnapshotDate, warehouse: WarehouseLocation, refresh: Bool = false,
            stop: StopRequest = StopRequest(), progress: (@Sendable (ProgressEvent) -> Void)? = nil
        ) {
            self.pipeline = pipeline
            self.snapshot = snapshot
            self.warehouse = warehouse
            self.refresh = refresh
            self.stop = stop
            self.progress = progress
        }
    }

    /// Runs one pipeline for one date under its run lock. A run that starts returns its result whatever its status;
    /// what keeps it from starting or finishing (the lock, the warehouse, the ledger) is thrown.
    public func run(_ request: RunRequest, logger: Logger) async throws(EngineError) -> RunResult {
        let pipeline = request.pipeline
        let runID = Runner.makeRunID()
        let warehouse = try await open(request.warehouse)
        let lock: any PipelineLock
        do {
            lock = try await warehouse.lockPipeline(
                pipeline.name, holder: "run \(runID), pid \(ProcessInfo.processInfo.processIdentifier)")
        } catch {
            await warehouse.close()
            switch error {
            case .held(let holder):
                // Logged here so it lands in --log-file, where the nights are read back; the command prints it only
                // when its log does not already show errors on standard error (`--quiet`), so it is said once.
                let refused = EngineError.locked(pipeline: pipeline.name, warehouse: request.warehouse, holder: holder)
                logger.error("\(refused)")
                throw refused
            case .unavailable(let message):
                throw .lockUnavailable(message)
            }
        }
        do {
            try await migrate(warehouse)
        } catch {
            await lock.release()
            await warehouse.close()
            throw error
        }
        // Asked to stop while the warehouse opened and migrated (a slow server, a lock held by a migration): the run
        // does not start, and the ledger gets no empty interrupted run.
        if let reason = request.stop.requested {
            await lock.release()
            await warehouse.close()
            throw .stopped(pipeline: pipeline.name, reason: reason)
        }
        let transport = makeTransport()
        var options = Runner.Options(refresh: request.refresh, runID: runID, stop: request.stop)
        options.progress = request.progress
        options.jitter = jitter
        let runner = Runner(
            registry: registry, warehouse: warehouse, transport: transport, logger: logger, options: options)
        let outcome: Result<RunResult, any Error>
        do {
            outcome = .success(try await runner.run(pipeline, snapshotDate: request.snapshot))
        } catch {
            outcome = .failure(error)
        }
        await transport.shutdown()
        await warehouse.close()
        await lock.release()
        switch outcome {
        case .success(let result): return result
        case .failure(let error): throw .runFailed(pipeline: pipeline.name, reason: "\(error)")
        }
    }

    /// Opens and migrates the warehouse at `location`; the caller closes it.
    public func migratedWarehouse(_ location: WarehouseLocation) async throws(EngineError) -> any Warehouse {
        let warehouse = try await open(location)
        do {
            try await migrate(warehouse)
        } catch {
            await warehouse.close()
            throw error
        }
        return warehouse
    }

    /// Opens the warehouse at `location` (not migrated); the caller closes it.
    public func open(_ location: WarehouseLocation) async throws(EngineError) -> any Warehouse {
        do {
            return try await openWarehouse(location)
        } catch {
            throw .cannotOpen(warehouse: location, reason: "\(error)")
        }
    }

    private func migrate(_ warehouse: any Warehouse) async throws(EngineError) {
        do {
            _ = try await warehouse.migrate()
        } catch {
            throw .migration("\(error)")
        }
    }

    /// When `pipeline` last succeeded on the warehouse: now for a run that just did, else from the ledger (nil when
    /// it never did or the ledger cannot be read).
    public func lastSuccess(of result: RunResult, warehouse location: WarehouseLocation) async -> Date? {
        if result.status == .succeeded { return Date() }
        guard let store = try? await openWarehouse(location) else { return nil }
        let runs = try? await store.runs(RunFilter(pipeline: result.pipeline, status: .finished(.succeeded), limit: 1))
        await store.close()
        return runs?.first?.finishedAt
    }

    /// Writes the Prometheus textfile of a finished run.
    public func writeMetrics(
        _ result: RunResult, pipeline: Pipeline, warehouse: WarehouseLocation, to file: MetricsFile, logger: Logger
    ) async {
        let lastSuccess = await lastSuccess(of: result, warehouse: warehouse)
        file.write(result, pipeline: pipeline, lastSuccess: lastSuccess, logger: logger)
    }
}

/// What kept a run from starting or finishing. Each says what happened in words for the person reading the log;
/// none contains a credential (warehouse locations print without their password).
public enum EngineError: Error, Sendable, CustomStringConvertible {
    /// Another run of the pipeline holds the lock on this warehouse.
    case locked(pipeline: String, warehouse: WarehouseLocation, holder: String)
    case lockUnavailable(String)
    case cannotOpen(warehouse: WarehouseLocation, reason: String)
    /// The warehouse's migration history and this build disagree, or a migration failed.
    case migration(String)
    /// The run started but could not go on (the ledger could not be written).
    case runFailed(pipeline: String, reason: String)
    /// A stop was requested (`reason`: `SIGTERM`, `SIGINT`) before the run started; nothing was sent.
    case stopped(pipeline: String, reason: String)
    /// The daemon cannot read where a schedule stands from the warehouse.
    case scheduleState(warehouse: WarehouseLocation, reason: String)

    public var description: String {
        switch self {
        case .locked(let pipeline, let warehouse, let holder):
            "another run of pipeline \(pipeline) holds the lock on \(warehouse) (\(holder)); not starting a second one"
        case .lockUnavailable(let message): "cannot take the run lock: \(message)"
        case .cannotOpen(let warehouse, let reason): "cannot open the warehouse \(warehouse): \(reason)"
        case .migration(let message): message
        case .runFailed(let pipeline, let reason): "run of \(pipeline) failed: \(reason)"
        case .stopped(let pipeline, let reason): "\(reason): the run of \(pipeline) was stopped before it started"
        case .scheduleState(let warehouse, let reason): "cannot read the schedule state from \(warehouse): \(reason)"
        }
    }

    /// DESIGN.md section 7: 4 when the lock is held, 128 + the signal's number when a signal stopped it, else 1.
    public var exitCode: Int32 {
        switch self {
        case .locked: 4
        case .stopped(_, let reason): StopRequest.signals[reason].map { 128 + $0 } ?? 1
        default: 1
        }
    }
}
