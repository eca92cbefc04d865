import Logging

extension Engine {
    /// A range of dates to load, one run each, oldest first, decided before anything is spent.
    public struct BackfillPlan: Sendable {
        public var pipeline: Pipeline
        public var dates: [SnapshotDate]
        /// Stages left out of past dates, with the reason (their endpoints answer with today's numbers).
        public var omissions: [Backfill.Omission]
        /// The dates of `dates` in the past for this pipeline: they run `historical`, the others the whole pipeline.
        public var pastDates: Set<SnapshotDate>
        /// The pipeline without the omitted stages.
        public var historical: Pipeline
        /// Stages fetched once for the whole range, in the first date's run (``Backfill/rangeFetches``).
        public var rangeFetches: [Backfill.RangeFetch]

        public init(_ pipeline: Pipeline, from: SnapshotDate, to: SnapshotDate, registry: ProviderRegistry) {
            self.pipeline = pipeline
            dates = Backfill.dates(from: from, to: to)
            omissions = Backfill.omissions(pipeline, registry: registry)
            pastDates = Set(dates.filter { Backfill.isPast($0, for: pipeline) })
            historical = Backfill.historical(pipeline, registry: registry)
            // A stage left out of the first date (it waits on one that cannot load the past) fetches no range.
            let omitted = Set(omissions.map(\.stage))
            let firstIsPast = dates.first.map(pastDates.contains) ?? false
            rangeFetches = Backfill.rangeFetches(pipeline, dates: dates, registry: registry).filter {
                !(firstIsPast && omitted.contains($0.stage))
            }
        }

        /// True when every date is past and no stage can load a past date: nothing would be loaded.
        public var loadsNothing: Bool { historical.stages.isEmpty && pastDates.count == dates.count }

        /// The stages to run for `date`; nil when none can load it. The first date's run fetches the range stages
        /// for every date; the later dates leave them out (and a stage waiting on one no longer waits).
        public func part(for date: SnapshotDate) -> Pipeline? {
            var part = pastDates.contains(date) ? historical : pipeline
            let ranged = Dictionary(rangeFetches.map { ($0.stage, $0) }, uniquingKeysWith: { first, _ in first })
            if date == dates.first, let first = dates.first, let last = dates.last {
                for index in part.stages.indices {
                    guard let fetch = ranged[part.stages[index].id] else { continue }
                    part.stages[index].endpoint = fetch.endpoint
                    part.stages[index].dateRange = first...last
                }
            } else {
                part.stages.removeAll { ranged[$0.id] != nil }
                let kept = Set(part.stages.map(\.id))
                for index in part.stages.indices { part.stages[index].dependsOn.removeAll { !kept.contains($0) } }
            }
            return part.stages.isEmpty ? nil : part
        }
    }

    /// What a backfill did: the runs in date order, and where it stopped early.
    public struct BackfillOutcome: Sendable {
        public var results: [RunResult] = []
        /// The date whose run failed or was interrupted, which ended the backfill; nil when every date ran.
        public var stoppedAt: SnapshotDate?

        /// The run that decides the exit code: the failed or interrupted one, else the first partial one.
        public var worst: RunResult? {
            results.last { $0.status == .failed || $0.status == .interrupted }
                ?? results.first { $0.status == .partial }
        }
    }

    /// Runs `plan` one date at a time, oldest first, and stops at the first failed or interrupted date: the same
    /// command again resumes there (completed chunks and dates cost nothing).
    public func backfill(
        _ plan: BackfillPlan, warehouse: WarehouseLocation, refresh: Bool = false, stop: StopRequest = StopRequest(),
        observer: any BackfillObserver, logger: Logger
    ) async throws(EngineError) -> BackfillOutcome {
        var outcome = BackfillOutcome()
        for date in plan.dates {
            guard let part = plan.part(for: date) else {
                observer.skipped(date)
                continue
            }
            let request = RunRequest(
                part, snapshot: date, warehouse: warehouse, refresh: refresh, stop: stop,
                progress: observer.willRun(date))
            let result = try await run(request, logger: logger)
            outcome.results.append(result)
            await observer.didRun(date, result: result)
            if result.status == .failed || result.status == .interrupted {
                outcome.stoppedAt = date
                break
            }
        }
        return outcome
    }
}

/// Told as a backfill goes (the CLI prints a line per date and draws a progress bar per run).
public protocol BackfillObserver: Sendable {
    /// No stage of the pipeline can load `date`; nothing runs for it.
    func skipped(_ date: SnapshotDate)
    /// The run of `date` is about to start; the returned function is told its progress.
    func willRun(_ date: SnapshotDate) -> (@Sendable (ProgressEvent) -> Void)?
    /// The run of `date` ended with `result`.
    func didRun(_ date: SnapshotDate, result: RunResult) async
}
