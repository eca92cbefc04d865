import Foundation
import Logging

/// Why a stage stopped before all its chunks were done.
/// How one chunk ended when it did not stop the stage.
enum ChunkOutcome {
    case loaded(ChunkPayload, attempts: Int)
    /// The provider refused the task (not charged); its targets are recorded as failed.
    case rejected(String)
}

enum StageStop: Error {
    /// The provider refused in a way retrying cannot fix (token, plan, bad request), or retries ran out.
    case failed(String)
    /// The budget would be crossed by the next request.
    case budget(String)
    /// The provider said money or quota ran out (raised by a chunk, turned into `failed` for the stage).
    case exhausted(String)
    /// The run was asked to stop (SIGTERM, SIGINT) before this chunk was sent or retried.
    case interrupted(String)
}

func formatted(_ value: Double) -> String {
    value == value.rounded() ? String(Int(value)) : String(format: "%.4f", value)
}

/// One stage of one run: targets, chunks, requests, commits.
struct StageExecution: Sendable {
    let stage: Stage
    let context: RunContext

    private var runner: Runner { context.runner }
    private var warehouse: any Warehouse { context.runner.warehouse }

    func run() async -> StageResult {
        let started = ContinuousClock.now
        let startedAt = Timestamp.current()
        var logger = context.logger
        logger[metadataKey: "stage"] = "\(stage.id)"
        let tally = StageTally()
        var result = StageResult(status: .success)

        func finish(_ status: StageResult.Status, error: String?) async -> StageResult {
            result = await tally.apply(to: result)
            result.status = status
            result.error = error
            result.timingMS = Int((ContinuousClock.now - started).seconds * 1000)
            if status == .success, result.targetErrors > 0 { result.status = .partial }
            let record = StageRecord(
                runID: context.runID, stageID: stage.id, provider: stage.provider, endpoint: stage.endpoint,
                status: result.status, startedAt: startedAt, finishedAt: Timestamp.current(),
                targets: result.targets, chunks: result.chunks, chunksSkipped: result.chunksSkipped,
                targetsFresh: result.targetsFresh, rows: result.rows,
                requests: result.requests, units: result.units, costUSD: result.cost, error: result.error)
            do {
                try await warehouse.recordStage(record)
            } catch {
                logger.error("could not record the stage in the ledger: \(error)")
            }
            // A documented field that had a value in most rows the last date it was read and in few now went empty.
            // Only a stage that bought all its chunks has the date's whole fill: a resumed run or a failed stage
            // read a part, which neither replaces the date's counts nor is compared.
            let fill = await tally.fill
            if !fill.isEmpty, status == .success, result.chunksSkipped == 0 {
                do {
                    if let before = try await warehouse.fieldFill(
                        pipeline: context.pipeline.name, stageID: stage.id, before: context.snapshotDate)
                    {
                        await tally.addEmptied(FieldFillRecord.emptied(now: fill, before: before))
                    }
                    try await warehouse.recordFieldFill(
                        pipeline: context.pipeline.name, stageID: stage.id, endpoint: stage.endpoint,
                        record: FieldFillRecord(snapshotDate: context.snapshotDate, fill: fill), runID: context.runID)
                } catch {
                    logger.error("could not compare the fields' fill with earlier dates: \(error)")
                }
            }
            let drift = await tally.drift
            result.schemaDrift = drift.count
            if !drift.isEmpty {
                let kind = context.pipeline.providers[stage.provider]?.kind ?? stage.provider
                let now = Timestamp.current()
                for observation in drift.sorted(by: { ($0.field, $0.kind.rawValue) < ($1.field, $1.kind.rawValue) }) {
                    let what =
                        switch observation.kind {
                        case .added:
                            "sends a field seopipe does not know, `\(observation.field)` (\(observation.detail)); kept in seopipe_extra_fields"
                        case .missing where observation.detail.isEmpty:
                            "no longer sends the documented field `\(observation.field)`; loaded as empty"
                        case .missing: "sends the documented field `\(observation.field)` empty: \(observation.detail)"
                        case .typeChanged:
                            "sends `\(observation.field)` as \(observation.detail); loaded as empty, kept in seopipe_raw_responses"
                        }
                    logger.warning("schema drift: \(kind) \(stage.endpoint) \(what)")
                }
                do {
                    try await warehouse.recordDrift(
                        drift.map { observation in
                            DriftRecord(
                                pipeline: context.pipeline.name, stageID: stage.id, provider: kind,
                                endpoint: stage.endpoint, table: stage.table, kind: observation.kind,
                                field: observation.field, detail: observation.detail, firstSeen: now, lastSeen: now,
                                runID: context.runID)
                        })
                } catch {
                    logger.error("could not record the schema drift: \(error)")
                }
            }
            runner.options.progress?(.stageFinished(stage: stage.id, status: result.status))
            if let error = result.error {
                logger.error("stage \(result.status.rawValue): \(error)")
            } else {
                logger.info(
                    "stage done",
                    metadata: [
                        "status": "\(result.status.rawValue)", "rows": "\(result.rows)",
                        "requests": "\(result.requests)",
                        "chunks_skipped": "\(result.chunksSkipped)", "units": "\(result.units)",
                    ])
            }
            return result
        }

        // A validated pipeline names known providers and endpoints; a stage that does not cannot run.
        guard let provider = context.shared.providers[stage.provider] else {
            let kind = context.pipeline.providers[stage.provider].map { " (kind \($0.kind))" } ?? ""
            return await finish(
                .error, error: "stage `\(stage.id)`: provider `\(stage.provider)`\(kind) is not one this seopipe knows")
        }
        let driver = provider.driver
        let providerConfig = provider.config
        guard let endpoint = driver.endpoint(named: stage.endpoint) else {
            return await finish(
                .error, error: "stage `\(stage.id)`: \(driver.kind) has no endpoint `\(stage.endpoint)`")
        }

        // Targets: read, normalize, de-duplicate and chunk as a stream (never held whole). Refused targets are
        // recorded, never sent.
        let requestContext = RequestContext(
            stage: stage, provider: providerConfig, snapshotDate: context.snapshotDate,
            options: context.pipeline.options)
        let size = providerConfig.chunkSize(for: endpoint)
        let stream: TargetStream
        let chunkTotal: Int
        var pending: TargetStream.ChunkIterator
        // The `refresh:` policy: targets bought recently enough are not due on this date (`run --refresh`: all are).
        var selection: DueSelection?
        var purchases: FreshnessIndex?
        var due: Int
        do {
            stream = try TargetStream(try await targetSource(), driver: driver, endpoint: endpoint)
            due = stream.count
            if stage.refresh.isActive, stream.count > 0 {
                let index = try await warehouse.lastFetches(pipeline: context.pipeline.name, stageID: stage.id)
                purchases = index
                if !runner.options.refresh {
                    let policy = try stream.dueSelection(
                        policy: stage.refresh, snapshotDate: context.snapshotDate, index: index)
                    selection = policy
                    due = try stream.count(selection: policy)
                }
            }
            chunkTotal = due == 0 ? 0 : try stream.chunkCount(size: size, context: requestContext, selection: selection)
            pending = try stream.makeChunkIterator(size: size, context: requestContext, selection: selection)
        } catch {
            return await finish(.error, error: "\(stage.provider) stage `\(stage.id)`: cannot read targets: \(error)")
        }
        let refused = stream.refused
        result.targets = stream.count + refused.count
        result.targetsFresh = stream.count - due
        if result.targetsFresh > 0 {
            logger.info(
                "\(result.targetsFresh) of \(stream.count) targets fetched recently enough (refresh \(stage.refresh)); \(due) due on \(context.snapshotDate)"
            )
        }
        if !refused.isEmpty {
            await tally.addTargetErrors(refused.count)
            for failure in refused {
                logger.warning(
                    "\(stage.provider) stage `\(stage.id)` target `\(failure.target)` refused: \(failure.message)")
            }
            try? await warehouse.recordTargetFailures(
                refused, runID: context.runID, pipeline: context.pipeline.name,
                snapshotDate: context.snapshotDate, stageID: stage.id, at: Timestamp.current())
        }
        if due == 0 {
            logger.info("\(stream.count == 0 ? "no targets to fetch" : "no target is due on \(context.snapshotDate)")")
            return await finish(.success, error: nil)
        }
        result.chunks = chunkTotal
        runner.options.progress?(.stageStarted(stage: stage.id, chunks: chunkTotal))

        // Resume: chunks whose exact request an earlier run committed are not bought again.
        let committed: [String: ChunkCheckpoint]
        do {
            committed = try await warehouse.committedChunks(
                pipeline: context.pipeline.name, snapshotDate: context.snapshotDate, stageID: stage.id)
        } catch {
            return await finish(.error, error: "cannot read checkpoints: \(error)")
        }

        let chunkLogger = logger
        let purchased = purchases
        let rerun = !committed.isEmpty
        let refresh = runner.options.refresh
        // At most `parallel_limit` chunks of this stage in flight; the next starts as one finishes.
        // A chunk is a chain of pages for paged providers (Ahrefs v2); each page is its own checkpoint.
        let inFlight = context.pipeline.options.parallelLimit
        var readFailure: String?
        let stop = await withTaskGroup(of: StageStop?.self) { group -> StageStop? in
            func startNext() -> Bool {
                // After a read error no later chunk starts: the window that failed would be skipped.
                guard readFailure == nil else { return false }
                let next: Chunk?
                do {
                    next = try pending.nextChunk()
                } catch {
                    readFailure = "cannot read targets: \(error)"
                    return false
                }
                guard let first = next else { return false }
                group.addTask {
                    do {
                        var page: Chunk? = first
                        // Once a page of the chain is bought, the pages after it are bought too: a first page bought
                        // again replaces the list its later pages filled, so their old checkpoints no longer hold.
                        var bought = false
                        while let chunk = page, await !tally.stopped {
                            let request: ProviderRequest
                            do {
                                request = try driver.makeRequest(
                                    for: chunk, endpoint: endpoint, context: requestContext)
                            } catch {
                                throw StageStop.failed(
                                    "cannot build the request for chunk \(chunk.index + 1): \(error)")
                            }
                            let done: (rows: Int, nextCursor: String?)?
                            // Resume: a request an earlier run of this date committed is not bought again.
                            if !refresh, !bought, let checkpoint = committed[request.requestHash] {
                                await tally.skip(checkpoint)
                                done = (checkpoint.rows, checkpoint.nextCursor)
                                runner.options.progress?(
                                    .chunkDone(
                                        stage: stage.id, firstPage: chunk.page == 0, rows: checkpoint.rows,
                                        units: checkpoint.units, costUSD: checkpoint.costUSD, resumed: true))
                            } else {
                                if let reason = runner.options.stop.requested {
                                    throw StageStop.interrupted(
                                        "interrupted (\(reason)) before chunk \(chunk.index + 1)/\(chunkTotal)")
                                }
                                done = try await fetchAndCommit(
                                    chunk: chunk, request: request, of: chunkTotal, provider: provider,
                                    endpoint: endpoint, requestContext: requestContext, tally: tally,
                                    purchases: purchased, rerun: rerun, logger: chunkLogger)
                                bought = true
                            }
                            // The answer named the next page (analytics `has_next`), or the rows decide it (Ahrefs v2).
                            if let cursor = done?.nextCursor {
                                page = Chunk(
                                    index: chunk.index, targets: chunk.targets, page: chunk.page + 1, cursor: cursor)
                            } else {
                                page = done.flatMap {
                                    driver.nextPage(
                                        after: chunk, rowsReturned: $0.rows, endpoint: endpoint,
                                        context: requestContext)
                                }
                            }
                        }
                        return nil
                    } catch let stop as StageStop {
                        await tally.stop()
                        return stop
                    } catch is CancellationError {
                        return nil
                    } catch {
                        await tally.stop()
                        return .failed("\(error)")
                    }
                }
                return true
            }
            for _ in 0..<inFlight {
                if !startNext() { break }
            }
            var first: StageStop?
            while let stop = await group.next() {
                if first == nil { first = stop }
                if first == nil { _ = startNext() }
            }
            return first
        }
        let resumed = await tally.chunksSkipped
        if resumed > 0 {
            logger.info("resumed: \(resumed) requests were already committed for this date and not sent again")
        }
        if let readFailure, stop == nil { return await finish(.error, error: readFailure) }
        switch stop {
        case nil: return await finish(.success, error: nil)
        case .budget(let message): return await finish(.partial, error: message)
        case .failed(let message), .exhausted(let message), .interrupted(let message):
            return await finish(.error, error: message)
        }
    }

    /// Where the stage's targets come from: a file is streamed, a `from_sql` answer spilled to a temporary file as it
    /// is read (one query, however often the stream reads it), a list is in memory.
    func targetSource() async throws -> TargetStream.Source {
        switch stage.targets {
        case .list(let items):
            return .lines(items)
        case .file(let path):
            return .file(path)
        case .sql(let query):
            return .spill(try await warehouse.targets(fromSQL: query, snapshotDate: context.snapshotDate))
        }
    }

    /// One chunk: budget, rate limit, request with retries, decode, commit with its checkpoint.
    func fetchAndCommit(
        chunk: Chunk, request: ProviderRequest, of total: Int, provider: ProviderRuntime, endpoint: EndpointSpec,
        requestContext: RequestContext, tally: StageTally, purchases: FreshnessIndex?, rerun: Bool,
        logger: Logger
    ) async throws -> (rows: Int, nextCursor: String?)? {
        let config = provider.config
        let driver = provider.driver
        let budget = provider.budget
        let page = chunk.page > 0 ? " page \(chunk.page + 1)" : ""
        let label =
            "\(config.name) (\(config.kind)) stage `\(stage.id)` chunk \(chunk.index + 1)/\(total)\(page) "
            + "[\(Self.describe(chunk.targets))]"
        let (estimate, estimatedCost) = driver.estimate(for: chunk, endpoint: endpoint, context: requestContext)
        switch await budget.reserve(units: estimate, costUSD: estimatedCost) {
        case .granted:
            break
        case .overBudget:
            let remaining = await tally.remainingNote(total: total)
            throw StageStop.budget(
                "budget of provider `\(config.name)` reached (\(await budget.summary)); stopped before chunk "
                    + "\(chunk.index + 1)/\(total) (~\(formatted(estimate)) units, ~$\(formatted(estimatedCost))); \(remaining)"
            )
        case .exhausted(let message):
            throw StageStop.failed(
                "\(label): not sent, \(config.name) stopped spending earlier in this run: \(message)")
        }
        let key = ChunkKey(
            pipeline: context.pipeline.name, snapshotDate: context.snapshotDate, stageID: stage.id,
            requestHash: request.requestHash)
        let outcome: ChunkOutcome
        do {
            outcome = try await attempt(
                chunk: chunk, key: key, request: request, provider: provider, endpoint: endpoint,
                requestContext: requestContext, tally: tally, rerun: rerun, logger: logger, label: label)
        } catch {
            // Nothing was charged for a chunk that got no usable answer: give its reservation back.
            await budget.settle(
                reservedUnits: estimate, reservedCostUSD: estimatedCost, chargedUnits: 0, chargedCostUSD: 0)
            if case StageStop.exhausted(let message) = error {
                await budget.exhaust(message)
                throw StageStop.failed("\(label): \(message); stopped spending with \(config.name) for this run")
            }
            throw error
        }
        var payload: ChunkPayload
        let attempts: Int
        switch outcome {
        case .rejected(let message):
            await budget.settle(
                reservedUnits: estimate, reservedCostUSD: estimatedCost, chargedUnits: 0, chargedCostUSD: 0)
            let failures = chunk.targets.map { TargetFailure(target: $0.normalized, message: message) }
            logger.warning(
                "\(label): the provider rejected this request's task: \(message); its \(failures.count) targets are recorded as failed"
            )
            do {
                try await runner.warehouse.recordTargetFailures(
                    failures, runID: context.runID, pipeline: context.pipeline.name,
                    snapshotDate: context.snapshotDate, stageID: stage.id, at: Timestamp.current())
            } catch {
                throw StageStop.failed("\(label): cannot record target errors: \(error)")
            }
            await tally.addTargetErrors(failures.count)
            runner.options.progress?(
                .chunkDone(
                    stage: stage.id, firstPage: chunk.page == 0, rows: 0, units: 0, costUSD: 0, resumed: false))
            return nil
        case .loaded(let loaded, let count):
            payload = loaded
            attempts = count
        }
        await budget.settle(
            reservedUnits: estimate, reservedCostUSD: estimatedCost, chargedUnits: payload.units,
            chargedCostUSD: payload.costUSD)
        // What this chunk bought, for the policy's next nights, recorded once the target's answer is whole (the last
        // page of a paged chain): every target but those the provider refused (a failure names the target, or
        // starts with it: the analytics API's `account period query`), and never moving a purchase back in time
        // (a backfill of past dates with --refresh).
        let chainEnds =
            payload.nextCursor == nil
            && driver.nextPage(
                after: chunk, rowsReturned: payload.rows.rowCount, endpoint: endpoint, context: requestContext)
                == nil
        if stage.refresh.isActive, chainEnds {
            let failed = payload.targetFailures.map(\.target)
            let day = context.snapshotDate.dayNumber
            let bought = chunk.targets.lazy.map(\.normalized).filter { target in
                !failed.contains { $0 == target || $0.hasPrefix(target + " ") }
                    && (purchases?.lastFetchedDay(of: target) ?? Int.min) <= day
            }
            payload.related.append(
                FetchLedger.batch(
                    pipeline: context.pipeline.name, stageID: stage.id, targets: bought,
                    snapshotDate: context.snapshotDate, runID: context.runID, at: Timestamp.current()))
        }
        let commit = ChunkCommit(
            key: key, runID: context.runID, chunkIndex: chunk.index, targetCount: chunk.targets.count,
            attempts: attempts,
            payload: payload, committedAt: Timestamp.current())
        do {
            try await runner.warehouse.commit(commit)
        } catch {
            throw StageStop.failed("\(label): the warehouse refused the load: \(error)")
        }
        for failure in payload.targetFailures {
            logger.warning(
                "\(config.name) stage `\(stage.id)` chunk \(chunk.index + 1)/\(total) target `\(failure.target)`: \(failure.message)"
            )
        }
        await tally.add(payload)
        runner.options.progress?(
            .chunkDone(
                stage: stage.id, firstPage: chunk.page == 0, rows: payload.factRows, units: payload.units,
                costUSD: payload.costUSD, resumed: false))
        logger.debug(
            "chunk committed", metadata: ["chunk": "\(chunk.index + 1)/\(total)", "rows": "\(payload.factRows)"])
        return (payload.rows.rowCount, payload.nextCursor)
    }

    /// Sends one chunk's request until it succeeds, fails for good, or retries run out.
    /// `rerun`: an earlier run committed chunks of this stage and date.
    private func attempt(
        chunk: Chunk, key: ChunkKey, request: ProviderRequest, provider: ProviderRuntime, endpoint: EndpointSpec,
        requestContext: RequestContext, tally: StageTally, rerun: Bool, logger: Logger, label: String
    ) async throws -> ChunkOutcome {
        let config = provider.config
        let driver = provider.driver
        let policy = config.retry
        var lastError = ""
        for attempt in 1...policy.maxAttempts {
            if await tally.stopped { throw CancellationError() }
            if attempt > 1, let reason = runner.options.stop.requested {
                throw StageStop.interrupted(
                    "\(label): interrupted (\(reason)) before retry \(attempt - 1); last error: \(lastError)")
            }
            let response: HTTPResponseData
            do {
                response = try await send(request, provider: provider, retry: attempt > 1, tally: tally)
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                lastError = "connection error: \(error)"
                try await backoff(
                    attempt: attempt, policy: policy, retryAfter: nil, message: lastError, label: label, logger: logger)
                continue
            }
            let verdict = driver.classify(response)
            var throttledFor: Duration?
            if case .retryable(_, let retryAfter) = verdict {
                if let retryAfter {
                    // Nobody sends to this provider while it asked us to wait.
                    await provider.limiter.pause(for: min(retryAfter, policy.maxRetryAfter))
                } else if response.status == 429, attempt < policy.maxAttempts {
                    // Throttled without a `Retry-After` (Ahrefs v3): the whole provider backs off exponentially,
                    // not just this request, so the other workers do not keep hitting the limit meanwhile.
                    let delay = policy.delay(afterAttempt: attempt, jitter: runner.options.jitter())
                    await provider.limiter.pause(for: delay)
                    throttledFor = delay
                }
            }
            // A rejected task is a well-formed answer: the provider is up and taking requests.
            let answered = verdict == .success || { if case .rejected = verdict { true } else { false } }()
            await provider.gate.report(success: answered)
            switch verdict {
            case .success:
                let payload: ChunkPayload
                do {
                    let stamp = RowStamp(
                        snapshotDate: context.snapshotDate, fetchedAt: Timestamp.now(), runID: context.runID)
                    // Drift (an added, missing or retyped field) is collected, never a reason to buy the answer again.
                    let drift = SchemaDriftLog()
                    var decoded = try SchemaDriftLog.$current.withValue(drift) {
                        try driver.decode(
                            response, chunk: chunk, endpoint: endpoint, context: requestContext, stamp: stamp)
                    }
                    let observed = drift.observations
                    await tally.addDrift(observed, fill: drift.fill)
                    // Unknown fields are kept per row, committed with the rows they came with; a chunk bought again
                    // on a date run before replaces its earlier entries.
                    if !drift.extras.isEmpty || rerun {
                        decoded.related.append(
                            ExtraFieldsTable.batch(
                                drift.extras, pipeline: context.pipeline.name, stageID: stage.id,
                                endpoint: stage.endpoint, table: stage.table, requestHash: key.requestHash,
                                replacing: rerun, stamp: stamp))
                    }
                    // An answer that drifted is kept as received, so what could not be loaded is not lost.
                    if stage.keepsRawResponses || !observed.isEmpty {
                        decoded.related.append(
                            RawResponse.batch(
                                response, key: key, chunkIndex: chunk.index, provider: config, endpoint: stage.endpoint,
                                stamp: stamp))
                    }
                    payload = decoded
                } catch {
                    lastError = Self.undecodable(response.body, error: error)
                    try await backoff(
                        attempt: attempt, policy: policy, retryAfter: nil, message: lastError, label: label,
                        logger: logger)
                    continue
                }
                return .loaded(payload, attempts: attempt)
            case .retryable(let message, let retryAfter):
                lastError = message
                try await backoff(
                    attempt: attempt, policy: policy, retryAfter: retryAfter ?? throttledFor, message: message,
                    label: label, logger: logger)
            case .fatal(let message):
                throw StageStop.failed("\(label): \(message)")
            case .exhausted(let message):
                throw StageStop.exhausted(message)
            case .rejected(let message):
                return .rejected(message)
            }
        }
        throw StageStop.failed("\(label): gave up after \(policy.maxAttempts) attempts: \(lastError)")
    }

    /// Sends once, in order: the provider's gate (one probe after a failure), a run-wide request slot
    /// (`parallel_limit`), then the provider's rate-limit slot, which also holds back during `Retry-After`.
    private func send(_ request: ProviderRequest, provider: ProviderRuntime, retry: Bool, tally: StageTally)
        async throws -> HTTPResponseData
    {
        let shared = context.shared
        let gate = provider.gate
        await gate.enter()
        await shared.requestSlots.wait()
        do {
            try await provider.limiter.acquire()
            await tally.addRequest(retry: retry)
            let response = try await runner.transport.send(request.http, timeout: provider.config.timeout)
            await shared.requestSlots.signal()
            // The caller reports to the gate once it has classified the answer (and paused for Retry-After).
            return response
        } catch {
            await shared.requestSlots.signal()
            await gate.report(success: false)
            throw error
        }
    }

    func backoff(
        attempt: Int, policy: RetryPolicy, retryAfter: Duration?, message: String, label: String, logger: Logger
    ) async throws {
        guard attempt < policy.maxAttempts else { return }
        let delay = policy.delay(afterAttempt: attempt, retryAfter: retryAfter, jitter: runner.options.jitter())
        logger.warning(
            "\(label): \(message); retry \(attempt)/\(policy.maxAttempts - 1) in \(String(format: "%.1f", delay.seconds))s"
        )
        try await runner.options.stop.sleep(for: delay)
    }

    /// Why an answer could not be read: a body that is not JSON at all (cut short by a dropped connection, or an
    /// HTML error page) says so, with its size; otherwise the decoder's own reason.
    static func undecodable(_ body: [UInt8], error: any Error) -> String {
        guard (try? JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed])) == nil else {
            return "\(error)"
        }
        return body.isEmpty
            ? "the answer was empty"
            : "the answer is not valid JSON (\(body.count) bytes): cut short, or not the API's answer"
    }

    static func describe(_ targets: [Target]) -> String {
        guard let first = targets.first?.normalized else { return "" }
        if targets.count == 1 { return first }
        return "\(first) … \(targets.last?.normalized ?? first), \(targets.count) targets"
    }
}

/// Counters of one stage, updated by its concurrent chunks.
actor StageTally {
    private(set) var rows = 0
    private(set) var requests = 0
    private(set) var retries = 0
    private(set) var units: Double = 0
    private(set) var cost: Double = 0
    private(set) var targetErrors = 0
    private(set) var chunksSkipped = 0
    private(set) var chunksDone = 0
    private(set) var stopped = false
    private(set) var drift: Set<DriftObservation> = []
    private(set) var fill: [String: FieldFill] = [:]

    func addDrift(_ observations: [DriftObservation], fill answer: [String: FieldFill]) {
        drift.formUnion(observations)
        fill.merge(answer, uniquingKeysWith: +)
    }

    /// Drift found by comparing the stage's field fill with an earlier date's: it replaces the plain "missing"
    /// of the same field, which says less.
    func addEmptied(_ observations: [DriftObservation]) {
        let fields = Set(observations.map(\.field))
        drift = drift.filter { !($0.kind == .missing && fields.contains($0.field)) }.union(observations)
    }

    func addRequest(retry: Bool) {
        requests += 1
        if retry { retries += 1 }
    }

    func add(_ payload: ChunkPayload) {
        rows += payload.factRows
        units += payload.units
        cost += payload.costUSD
        targetErrors += payload.targetFailures.count
        chunksDone += 1
    }

    func skip(_ checkpoint: ChunkCheckpoint) {
        chunksSkipped += 1
        targetErrors += checkpoint.targetErrors
    }

    func addTargetErrors(_ count: Int) { targetErrors += count }

    func stop() { stopped = true }

    func remainingNote(total: Int) -> String {
        let left = total - chunksDone - chunksSkipped
        return "\(left) of \(total) chunks left to fetch; the next run resumes there"
    }

    func apply(to result: StageResult) -> StageResult {
        var result = result
        result.rows = rows
        result.requests = requests
        result.retries = retries
        result.units = units
        result.cost = cost
        result.targetErrors = targetErrors
        result.chunksSkipped = chunksSkipped
        result.schemaDrift = drift.count
        return result
    }
}
