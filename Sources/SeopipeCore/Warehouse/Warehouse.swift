import Foundation

/// A run as the ledger records it.
public struct RunRecord: Sendable, Equatable {
    public var runID: String
    public var pipeline: String
    public var snapshotDate: SnapshotDate
    public var status: RunStatus
    public var startedAt: Date
    public var finishedAt: Date?
    public var rows: Int
    public var requests: Int
    public var units: Double
    public var costUSD: Double
    public var error: String?

    public init(
        runID: String, pipeline: String, snapshotDate: SnapshotDate, status: RunStatus, startedAt: Date,
        finishedAt: Date? = nil, rows: Int = 0, requests: Int = 0, units: Double = 0, costUSD: Double = 0,
        error: String? = nil
    ) {
        self.runID = runID
        self.pipeline = pipeline
        self.snapshotDate = snapshotDate
        self.status = status
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.rows = rows
        self.requests = requests
        self.units = units
        self.costUSD = costUSD
        self.error = error
    }
}

/// A run's status in the ledger: `running` while it runs, then how it ended. The raw values are the ledger's
/// `status` column and `runs --status`: `running` and ``RunResult/Status``'s.
public enum RunStatus: Sendable, Hashable, CaseIterable, RawRepresentable, CustomStringConvertible {
    case running
    case finished(RunResult.Status)

    public static let allCases: [RunStatus] = [.running] + RunResult.Status.allCases.map { .finished($0) }

    public init?(rawValue: String) {
        if rawValue == "running" {
            self = .running
        } else if let status = RunResult.Status(rawValue: rawValue) {
            self = .finished(status)
        } else {
            return nil
        }
    }

    public var rawValue: String {
        switch self {
        case .running: "running"
        case .finished(let status): status.rawValue
        }
    }

    public var description: String { rawValue }
}

/// One stage of a run as the ledger records it.
public struct StageRecord: Sendable, Equatable {
    public var runID: String
    public var stageID: String
    public var provider: String
    public var endpoint: String
    public var status: StageResult.Status
    public var startedAt: Date?
    public var finishedAt: Date?
    public var targets: Int
    public var chunks: Int
    public var chunksSkipped: Int
    /// Targets the `refresh:` policy did not buy on this date.
    public var targetsFresh: Int
    public var rows: Int
    public var requests: Int
    public var units: Double
    public var costUSD: Double
    public var error: String?

    public init(
        runID: String, stageID: String, provider: String, endpoint: String, status: StageResult.Status,
        startedAt: Date? = nil, finishedAt: Date? = nil, targets: Int = 0, chunks: Int = 0,
        chunksSkipped: Int = 0, targetsFresh: Int = 0, rows: Int = 0, requests: Int = 0, units: Double = 0,
        costUSD: Double = 0, error: String? = nil
    ) {
        self.targetsFresh = targetsFresh
        self.runID = runID
        self.stageID = stageID
        self.provider = provider
        self.endpoint = endpoint
        self.status = status
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.targets = targets
        self.chunks = chunks
        self.chunksSkipped = chunksSkipped
        self.rows = rows
        self.requests = requests
        self.units = units
        self.costUSD = costUSD
        self.error = error
    }
}

/// Identifies a chunk across runs: same pipeline, date, stage and request means the same data.
public struct ChunkKey: Sendable, Hashable {
    public var pipeline: String
    public var snapshotDate: SnapshotDate
    public var stageID: String
    public var requestHash: String

    public init(pipeline: String, snapshotDate: SnapshotDate, stageID: String, requestHash: String) {
        self.pipeline = pipeline
        self.snapshotDate = snapshotDate
        self.stageID = stageID
        self.requestHash = requestHash
    }
}

/// A committed chunk's checkpoint, read back to skip it on resume.
public struct ChunkCheckpoint: Sendable {
    public var requestHash: String
    public var rows: Int
    public var units: Double
    public var costUSD: Double
    public var targetErrors: Int
    public var runID: String
    /// The chunk's ``ChunkPayload/nextCursor``: the page after it, for a resumed run.
    public var nextCursor: String?

    public init(
        requestHash: String, rows: Int, units: Double, costUSD: Double, targetErrors: Int, runID: String,
        nextCursor: String? = nil
    ) {
        self.requestHash = requestHash
        self.rows = rows
        self.units = units
        self.costUSD = costUSD
        self.targetErrors = targetErrors
        self.runID = runID
        self.nextCursor = nextCursor
    }
}

/// Everything a chunk commits atomically: its rows, its per-target errors and its checkpoint.
public struct ChunkCommit: Sendable {
    public var key: ChunkKey
    public var runID: String
    public var chunkIndex: Int
    public var targetCount: Int
    public var attempts: Int
    public var payload: ChunkPayload
    public var committedAt: Date

    public init(
        key: ChunkKey, runID: String, chunkIndex: Int, targetCount: Int, attempts: Int, payload: ChunkPayload,
        committedAt: Date
    ) {
        self.key = key
        self.runID = runID
        self.chunkIndex = chunkIndex
        self.targetCount = targetCount
        self.attempts = attempts
        self.payload = payload
        self.committedAt = committedAt
    }
}

/// A migration as applied.
public struct AppliedMigration: Sendable {
    public var version: Int
    public var name: String
    public var newlyApplied: Bool

    public init(version: Int, name: String, newlyApplied: Bool) {
        self.version = version
        self.name = name
        self.newlyApplied = newlyApplied
    }
}

/// A warehouse backend: migrations, the ledger, and atomic chunk loads. Values cross it typed (statuses, dates,
/// timestamps); each backend converts them to and from its stored form at its own edge.
public protocol Warehouse: Sendable {
    /// Applies pending migrations in order; refuses when an applied file changed.
    func migrate() async throws -> [AppliedMigration]
    /// Takes the run lock of `pipeline` on this warehouse, or fails at once when another run holds it.
    /// - Parameter holder: who is asking (e.g. `run 20261120T031500-1f2e3d4c, pid 4242`), for the contender's message.
    func lockPipeline(_ pipeline: String, holder: String) async throws(PipelineLockError) -> any PipelineLock
    func recordRun(_ run: RunRecord) async throws
    /// Marks every `running` run of `pipeline` as `interrupted` (with `error` and `at` as its end) and returns how
    /// many there were. Called by a run that holds the pipeline's lock, so those processes are gone.
    func markAbandonedRuns(pipeline: String, at: Date, error: String) async throws -> Int
    func recordStage(_ stage: StageRecord) async throws
    /// Checkpoints of chunks already committed for this pipeline, date and stage, by request hash.
    func committedChunks(pipeline: String, snapshotDate: SnapshotDate, stageID: String) async throws
        -> [String: ChunkCheckpoint]
    /// Units and USD the runs of `pipeline` started at or after `since` were charged for these stages:
    /// each run's stage totals (a same-day `--refresh` counts again), or the chunks of a stage it never finished.
    func charged(pipeline: String, stageIDs: [String], since: Date) async throws -> (units: Double, costUSD: Double)
    /// Upserts the rows, records target errors and marks the chunk committed, in one transaction.
    func commit(_ chunk: ChunkCommit) async throws
    /// Records drift once per provider, endpoint, field and kind: a new one with its first sighting, a known one
    /// with its latest (`seopipe_schema_drift`).
    func recordDrift(_ records: [DriftRecord]) async throws
    /// The drift seen since `since` (by latest sighting), or all of it.
    func drift(since: Date?) async throws -> [DriftRecord]
    /// Records how many rows of a stage's answers had each documented field, and with a value, for a date
    /// (`seopipe_field_fill`); a re-run of the date replaces the fields it read.
    func recordFieldFill(
        pipeline: String, stageID: String, endpoint: String, record: FieldFillRecord, runID: String
    ) async throws
    /// The stage's field fill of the latest date before `date`, nil when there is none.
    func fieldFill(pipeline: String, stageID: String, before date: SnapshotDate) async throws -> FieldFillRecord?
    /// When each target of a stage with a `refresh:` policy was last bought (`seopipe_target_fetches`).
    func lastFetches(pipeline: String, stageID: String) async throws -> FreshnessIndex
    /// Records local target failures (never sent) for a stage.
    func recordTargetFailures(
        _ failures: [TargetFailure], runID: String, pipeline: String, snapshotDate: SnapshotDate, stageID: String,
        at: Date
    ) async throws
    /// Runs a read-only query whose first column lists targets; `:snapshot` is bound to the date. The rows are
    /// written to a ``TargetSpill`` as they arrive (NULLs skipped), never collected in memory.
    func targets(fromSQL sql: String, snapshotDate: SnapshotDate) async throws -> TargetSpill
    /// Runs of the ledger that match `filter`, newest first.
    func runs(_ filter: RunFilter) async throws -> [RunRecord]
    /// The latest schedule slot `seopipe daemon` ran the pipeline for, nil before the first.
    func lastScheduledSlot(pipeline: String) async throws -> Date?
    /// Records that the daemon ran `pipeline` for `slot` as `runID` (nil: the daemon's first start, which marks the
    /// slot before it as the starting point).
    func recordScheduledSlot(pipeline: String, schedule: String, slot: Date, runID: String?) async throws
    /// A run's stages in the order they were recorded.
    func stageRuns(runID: String) async throws -> [StageRecord]
    /// The chunks a run committed, by stage and chunk index.
    func chunks(runID: String) async throws -> [ChunkRecord]
    /// The per-target errors a run recorded, by stage and target.
    func targetErrors(runID: String) async throws -> [TargetErrorRecord]
    /// Row counts of the fact tables (for summaries).
    func factTableCounts() async throws -> [(table: String, rows: Int)]
    /// Every table and view of the warehouse (bookkeeping included) with its columns, in column order.
    func catalog() async throws -> [CatalogColumn]
    func close() async
}

/// A migration file's content, in order.
extension Warehouse {
    public func recentRuns(limit: Int) async throws -> [RunRecord] {
        try await runs(RunFilter(limit: limit))
    }
}

/// Which runs `seopipe runs` lists; nil fields do not filter.
public struct RunFilter: Sendable {
    public var pipeline: String?
    public var status: RunStatus?
    /// Runs started at or after it.
    public var startedSince: Date?
    /// A run id or the start of one (`seopipe runs show 20261120T0315`).
    public var runIDPrefix: String?
    public var limit: Int

    public init(
        pipeline: String? = nil, status: RunStatus? = nil, startedSince: Date? = nil, runIDPrefix: String? = nil,
        limit: Int = 20
    ) {
        self.pipeline = pipeline
        self.status = status
        self.startedSince = startedSince
        self.runIDPrefix = runIDPrefix
        self.limit = limit
    }
}

/// A committed chunk as `seopipe runs show` lists it.
public struct ChunkRecord: Sendable, Equatable {
    public var stageID: String
    public var chunkIndex: Int
    public var targets: Int
    public var rows: Int
    public var units: Double
    public var costUSD: Double
    public var targetErrors: Int
    public var attempts: Int
    public var committedAt: Date

    public init(
        stageID: String, chunkIndex: Int, targets: Int, rows: Int, units: Double, costUSD: Double, targetErrors: Int,
        attempts: Int, committedAt: Date
    ) {
        self.stageID = stageID
        self.chunkIndex = chunkIndex
        self.targets = targets
        self.rows = rows
        self.units = units
        self.costUSD = costUSD
        self.targetErrors = targetErrors
        self.attempts = attempts
        self.committedAt = committedAt
    }
}

/// A per-target error as `seopipe runs show` lists it.
public struct TargetErrorRecord: Sendable, Codable, Equatable {
    public var stageID: String
    public var target: String
    public var error: String

    public init(stageID: String, target: String, error: String) {
        self.stageID = stageID
        self.target = target
        self.error = error
    }
}

public struct MigrationFile: Sendable {
    public var version: Int
    public var name: String
    public var sql: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }

    /// FNV-1a 64 of the SQL text, hex: what the ledger compares to refuse edited migrations.
    public var checksum: String { StableHash.fnv1a64Hex(sql.utf8) }
}

/// What both backends' migration runners agree on: which files are applied, which are pending, and when
/// the history and the files disagree (an edited applied file, a version this build does not know).
public enum MigrationPlan {
    /// Every file in version order, marked applied or pending; throws when the history cannot be trusted.
    /// - Parameters:
    ///   - applied: the warehouse's `seopipe_schema_migrations` rows by version.
    ///   - warehouse: how to name the warehouse in messages (never with a password).
    public static func check(
        _ files: [MigrationFile], applied: [Int: (name: String, checksum: String)], warehouse: String
    ) throws -> [(file: MigrationFile, isApplied: Bool)] {
        let known = Set(files.map(\.version))
        if let unknown = applied.keys.filter({ !known.contains($0) }).max() {
            throw MigrationError(
                "the warehouse \(warehouse) has migration \(unknown) (\(applied[unknown]!.name)) that this seopipe does "
                    + "not know; it was migrated by a newer seopipe: upgrade seopipe")
        }
        return try files.sorted(by: { $0.version < $1.version }).map { file in
            guard let existing = applied[file.version] else { return (file, false) }
            guard existing.checksum == file.checksum else {
                throw MigrationError(
                    "migration \(String(format: "%04d", file.version))_\(file.name).sql was changed "
                        + "after it was applied to \(warehouse) (checksum \(existing.checksum) in the warehouse, "
                        + "\(file.checksum) now); applied migrations are immutable: restore the file and add "
                        + "a new numbered migration instead")
            }
            return (file, true)
        }
    }
}

/// The migration runner's refusal when history and files disagree.
public struct MigrationError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Stable, process-independent hashing for checkpoints and checksums.
public enum StableHash {
    public static func fnv1a64(_ bytes: some Sequence<UInt8>, seed: UInt64 = 0xcbf2_9ce4_8422_2325) -> UInt64 {
        var hash = seed
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return hash
    }

    /// 128 bits as two FNV-1a passes with different seeds, hex: collision-safe enough for chunk identity.
    public static func fnv1a64Hex(_ bytes: some Sequence<UInt8>) -> String {
        let first = fnv1a64(bytes)
        let second = fnv1a64(bytes, seed: 0x6c62_272e_07bb_0142)
        return hex(first) + hex(second)
    }

    static func hex(_ value: UInt64) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: 16 - text.count) + text
    }
}
