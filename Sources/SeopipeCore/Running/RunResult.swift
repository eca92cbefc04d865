import Foundation

/// The outcome of a run, shaped like the analytics Batch API's response (`seopipe run --json`).
public struct RunResult: Sendable, Codable {
    public enum Status: String, Sendable, Codable, CaseIterable {
        case succeeded
        /// Some targets or stages failed; data loaded for the rest.
        case partial
        case failed
        /// Stopped early on request (SIGTERM, SIGINT); what committed stays, the next run resumes.
        case interrupted

        /// DESIGN.md section 7; an interrupted run exits 128 + the signal's number (the CLI decides).
        public var exitCode: Int32 {
            switch self {
            case .succeeded: 0
            case .failed, .interrupted: 1
            case .partial: 3
            }
        }
    }

    /// The process exit code for this result (DESIGN.md section 7): 0, 1 or 3 by status, and for a run stopped by
    /// a signal what shells report for it, 128 + the signal's number (SIGTERM: 143, SIGINT: 130).
    public var exitCode: Int32 {
        guard status == .interrupted, let reason = stopReason, let number = StopRequest.signals[reason] else {
            return status.exitCode
        }
        return 128 + number
    }

    public var runID: String
    public var pipeline: String
    public var snapshotDate: String
    public var status: Status
    public var results: [String: StageResult]
    public var meta: Meta
    /// Stage ids in execution order, for people reading the result (JSON objects have no order).
    public var stageOrder: [String] = []
    /// Why an interrupted run stopped (`SIGTERM`, `SIGINT`).
    public var stopReason: String?

    public struct Meta: Sendable, Codable {
        public var totalStages: Int
        public var successful: Int
        public var partial: Int
        public var failed: Int
        public var skipped: Int
        public var rows: Int
        public var requests: Int
        public var units: Double
        public var costUSD: Double
        public var targetErrors: Int
        public var totalTimingMS: Int

        enum CodingKeys: String, CodingKey {
            case totalStages = "total_stages"
            case successful, partial, failed, skipped, rows, requests, units
            case costUSD = "cost_usd"
            case targetErrors = "target_errors"
            case totalTimingMS = "total_timing_ms"
        }
    }

    enum CodingKeys: String, CodingKey {
        case runID = "run_id"
        case pipeline
        case snapshotDate = "snapshot_date"
        case status, results, meta
        case stopReason = "stop_reason"
    }
}

/// One stage's outcome.
public struct StageResult: Sendable, Codable {
    public enum Status: String, Sendable, Codable, CaseIterable {
        case success
        /// Loaded, but some targets failed or the budget stopped it before the end.
        case partial
        case error
        case skipped
    }

    public var status: Status
    public var targets: Int = 0
    public var chunks: Int = 0
    /// Chunks committed by an earlier run of the same pipeline and date, not requested again.
    public var chunksSkipped: Int = 0
    /// Targets the stage's `refresh:` policy did not buy on this date (fetched recently enough).
    public var targetsFresh: Int = 0
    /// Distinct ways the provider's answers differed from their documented shape (`seopipe_schema_drift`).
    public var schemaDrift: Int = 0
    public var rows: Int = 0
    public var requests: Int = 0
    public var retries: Int = 0
    public var units: Double = 0
    public var cost: Double = 0
    public var targetErrors: Int = 0
    public var timingMS: Int?
    public var error: String?

    public init(status: Status, error: String? = nil) {
        self.status = status
        self.error = error
    }

    enum CodingKeys: String, CodingKey {
        case status, targets, chunks, rows, requests, retries, units, cost, error
        case chunksSkipped = "chunks_skipped"
        case targetsFresh = "targets_fresh"
        case schemaDrift = "schema_drift"
        case targetErrors = "target_errors"
        case timingMS = "timing_ms"
    }
}
