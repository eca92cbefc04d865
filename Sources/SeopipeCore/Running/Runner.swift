import Foundation
import Logging

/// Runs a pipeline: stages in dependency order, chunks with retry, rate limits and budgets, each chunk
/// committed with its checkpoint so a failed run resumes without paying for completed chunks again.
public struct Runner: Sendable {
    public struct Options: Sendable {
        /// Re-fetch chunks an earlier run of the same date already committed (they are replaced, and paid again).
        public var refresh: Bool = false
        /// Random numbers in `0..<1` for backoff jitter; injectable for tests.
        public var jitter: @Sendable () -> Double = { Double.random(in: 0..<1) }
        /// The run's id, when the caller needs it before the run starts (to name the run lock's holder).
        public var runID: String?
        /// Set by the caller (on SIGTERM/SIGINT) to stop the run early; it then ends `interrupted`.
        public var stop: StopRequest
        /// Told as stages start and chunks commit (the CLI's progress bar); called from any task.
        public var progress: (@Sendable (ProgressEvent) -> Void)?

        public init(refresh: Bool = false, runID: String? = nil, stop: StopRequest = StopRequest()) {
            self.refresh = refresh
            self.runID = runID
            self.stop = stop
        }
    }

    public var registry: ProviderRegistry
    public var warehouse: any Warehouse
    public var transport: any HTTPTransport
    public var logger: Logger
    public var options: Options

    public init(
        registry: ProviderRegistry, warehouse: any Warehouse, transport: any HTTPTransport, logger: Logger,
        options: Options = Options()
    ) {
        self.registry = registry
        self.warehouse = warehouse
        self.transport = transport
        self.logger = logger
        self.options = options
    }

    public func run(_ pipeline: Pipeline, snapshotDate: SnapshotDate) async throws -> RunResult {
        let runID = options.runID ?? Self.makeRunID()
        let started = ContinuousClock.now
        let startedAt = Timestamp.current()
        var logger = logger
        logger[metadataKey: "run_id"] = "\(runID)"
        logger[metadataKey: "pipeline"] = "\(pipeline.name)"
        let graph = try StageGraph(pipeline.stages.map { ($0.id, $0.dependsOn) })
        // The caller holds the pipeline's run lock, so a `running` row of this pipeline is a run that died
        // (kill -9, OOM, reboot): say so in the ledger before starting.
        let abandoned = try await warehouse.markAbandonedRuns(
            pipeline: pipeline.name, at: startedAt,
            error: "the process ended before the run finished (killed, out of memory or a reboot); "
                + "the next run resumed from its committed chunks")
        if abandoned > 0 {
            logger.warning(
                "\(abandoned) earlier run(s) of \(pipeline.name) ended without finishing; recorded as interrupted")
        }
        try await warehouse.recordRun(
            RunRecord(
                runID: runID, pipeline: pipeline.name, snapshotDate: snapshotDate, status: .running,
                startedAt: startedAt))
        logger.info(
            "run started", metadata: ["snapshot_date": "\(snapshotDate)", "stages": "\(pipeline.stages.count)"])

        // Per-day budgets count what this pipeline's runs were charged since 00:00 UTC, from their checkpoints.
        var spentToday: [String: (units: Double, costUSD: Double)] = [:]
        let midnight = Date(timeIntervalSince1970: Double(SnapshotDate(startedAt).dayNumber) * 86_400)
        for (name, config) in pipeline.providers where config.budget.hasDailyLimit {
            let stageIDs = pipeline.stages.filter { $0.provider == name }.map(\.id)
            spentToday[name] = try await warehouse.charged(pipeline: pipeline.name, stageIDs: stageIDs, since: midnight)
        }
        let shared = SharedRunState(pipeline: pipeline, registry: registry, spentToday: spentToday)
        let context = RunContext(
            runID: runID, pipeline: pipeline, snapshotDate: snapshotDate, runner: self, logger: logger, shared: shared)

        var results: [String: StageResult] = [:]
        var pending = graph.executionOrder
        var running: Set<String> = []
        var stopScheduling = false
        await withTaskGroup(of: (String, StageResult).self) { group in
            func startReady() {
                for id in pending {
                    let deps = graph.dependencies[id] ?? []
                    if let failed = deps.first(where: { [.error, .skipped].contains(results[$0]?.status) }) {
                        results[id] = StageResult(
                            status: .skipped, error: "skipped because `\(failed)` did not complete")
                        pending.removeAll { $0 == id }
                        continue
                    }
                    if stopScheduling {
                        results[id] = StageResult(status: .skipped, error: "skipped: fail_fast stopped the run")
                        pending.removeAll { $0 == id }
                        continue
                    }
                    if let reason = options.stop.requested {
                        results[id] = StageResult(
                            status: .skipped, error: "skipped: the run was interrupted (\(reason))")
                        pending.removeAll { $0 == id }
                        continue
                    }
                    guard deps.allSatisfy({ results[$0] != nil }) else { continue }
                    pending.removeAll { $0 == id }
                    // The graph was built from the stages, so every id names one.
                    guard let stage = pipeline.stage(id) else {
                        results[id] = StageResult(status: .error, error: "no stage `\(id)` in the pipeline")
                        continue
                    }
                    running.insert(id)
                    group.addTask { (id, await StageExecution(stage: stage, context: context).run()) }
                }
            }
            startReady()
            // Repeat until nothing changes: skipping one stage can make its dependents skippable.
            while let (id, result) = await group.next() {
                running.remove(id)
                results[id] = result
                if result.status == .error, pipeline.options.failFast { stopScheduling = true }
                var before = -1
                while before != pending.count {
                    before = pending.count
                    startReady()
                }
            }
        }
        for id in graph.executionOrder where results[id]?.status == .skipped {
            try? await warehouse.recordStage(
                StageRecord(
                    runID: runID, stageID: id, provider: pipeline.stage(id)?.provider ?? "",
                    endpoint: pipeline.stage(id)?.endpoint ?? "", status: .skipped, error: results[id]?.error))
        }

        let ordered = graph.executionOrder.compactMap { results[$0] }
        let meta = RunResult.Meta(
            totalStages: ordered.count,
            successful: ordered.count { $0.status == .success },
            partial: ordered.count { $0.status == .partial },
            failed: ordered.count { $0.status == .error },
            skipped: ordered.count { $0.status == .skipped },
            rows: ordered.reduce(0) { $0 + $1.rows },
            requests: ordered.reduce(0) { $0 + $1.requests },
            units: ordered.reduce(0) { $0 + $1.units },
            costUSD: ordered.reduce(0) { $0 + $1.cost },
            targetErrors: ordered.reduce(0) { $0 + $1.targetErrors },
            totalTimingMS: Int((ContinuousClock.now - started).seconds * 1000))
        let status: RunResult.Status
        if options.stop.requested != nil {
            status = .interrupted
        } else if meta.failed == 0 && meta.skipped == 0 && meta.partial == 0 {
            status = .succeeded
        } else if meta.successful + meta.partial > 0 {
            status = .partial
        } else {
            status = .failed
        }
        var result = RunResult(
            runID: runID, pipeline: pipeline.name, snapshotDate: snapshotDate.description, status: status,
            results: results, meta: meta, stageOrder: graph.executionOrder)
        result.stopReason = options.stop.requested
        if !pipeline.options.includeTiming {
            for key in result.results.keys { result.results[key]?.timingMS = nil }
        }
        let firstError = graph.executionOrder.lazy.compactMap { id in results[id]?.error.map { "\(id): \($0)" } }.first
        try await warehouse.recordRun(
            RunRecord(
                runID: runID, pipeline: pipeline.name, snapshotDate: snapshotDate, status: .finished(status),
                startedAt: startedAt, finishedAt: Timestamp.current(), rows: meta.rows, requests: meta.requests,
                units: meta.units, costUSD: meta.costUSD, error: firstError))
        logger.info(
            "run finished",
            metadata: [
                "status": "\(status.rawValue)", "rows": "\(meta.rows)", "requests": "\(meta.requests)",
                "units": "\(meta.units)",
            ])
        return result
    }

    /// A new run id: the UTC start time and 32 random bits, e.g. `20261120T031500-1f2e3d4c`.
    public static func makeRunID() -> String {
        let stamp = Timestamp.now().filter { $0.isNumber || $0 == "T" }
        let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        return "\(stamp)-\(String(repeating: "0", count: 8 - suffix.count))\(suffix)"
    }
}

/// What a run tells ``Runner/Options/progress`` as it goes.
public enum ProgressEvent: Sendable {
    /// A stage has its chunks and starts sending them.
    case stageStarted(stage: String, chunks: Int)
    /// A chunk (or a later page of one) committed now, or earlier for the date (`resumed`).
    case chunkDone(stage: String, firstPage: Bool, rows: Int, units: Double, costUSD: Double, resumed: Bool)
    case stageFinished(stage: String, status: StageResult.Status)
}

/// The ledger's timestamps: whole seconds in UTC, written as ISO-8601 text (`2026-11-20T03:15:00Z`) where a
/// warehouse stores them as TEXT.
public enum Timestamp {
    /// Now, to the whole second (what the ledger keeps).
    public static func current() -> Date { Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down)) }

    /// Now as ISO-8601 text (row stamps, messages).
    public static func now() -> String { text(current()) }

    /// `date` as ISO-8601 UTC text, without fractions of a second.
    public static func text(_ date: Date) -> String { date.formatted(.iso8601) }

    /// ISO-8601 text, with or without fractions of a second, as a date; nil when it is not one.
    public static func parse(_ text: String) -> Date? {
        (try? Date(text, strategy: .iso8601))
            ?? (try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
    }
}

/// One provider of a run, resolved once when the run starts: its configuration and driver, and the rate limiter,
/// gate and budget all its stages share.
struct ProviderRuntime: Sendable {
    let config: ProviderConfig
    let driver: any ProviderDriver
    let limiter: RateLimiter
    let gate: ProviderGate
    let budget: BudgetTracker
}

/// The providers' runtimes and the request semaphore: one per provider (or run), shared by all stages.
final class SharedRunState: Sendable {
    /// By provider name. A provider whose kind the registry lacks has none, and its stages fail (validation
    /// refuses such a pipeline before it runs).
    let providers: [String: ProviderRuntime]
    let requestSlots: AsyncSemaphore

    /// - Parameter spentToday: per provider name, what earlier runs of the pipeline were charged today.
    init(
        pipeline: Pipeline, registry: ProviderRegistry, spentToday: [String: (units: Double, costUSD: Double)] = [:]
    ) {
        var providers: [String: ProviderRuntime] = [:]
        for (name, config) in pipeline.providers {
            guard let driver = registry[config.kind] else { continue }
            providers[name] = ProviderRuntime(
                config: config, driver: driver, limiter: RateLimiter(config.rateLimit), gate: ProviderGate(),
                budget: BudgetTracker(config.budget, spentEarlierToday: spentToday[name] ?? (0, 0)))
        }
        self.providers = providers
        requestSlots = AsyncSemaphore(permits: pipeline.options.parallelLimit)
    }
}

struct RunContext: Sendable {
    var runID: String
    var pipeline: Pipeline
    var snapshotDate: SnapshotDate
    var runner: Runner
    var logger: Logger
    var shared: SharedRunState
}
