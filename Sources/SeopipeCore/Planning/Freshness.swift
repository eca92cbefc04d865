import Foundation

/// A stage's `refresh:` policy: how often each target is bought (issue 18).
///
/// `every: 7d` buys a target again once its last purchase is 7 days old; a target never bought is due at once.
/// `spread: true` splits the targets into `every` slices of equal size (by a stable hash of the target, so a
/// target keeps its slice from night to night) and buys one slice a night: a target is due on its slice's
/// night, and also on any night once more than `every` days have passed (a missed night is caught up).
public struct RefreshPolicy: Sendable, Hashable, CustomStringConvertible {
    /// Days between two purchases of a target; 1 is every night (the default: the policy does nothing).
    public var everyDays: Int
    public var spread: Bool

    public init(everyDays: Int = 1, spread: Bool = false) {
        self.everyDays = everyDays
        self.spread = spread
    }

    public static let daily = RefreshPolicy()

    /// Whether the policy can skip anything (anything but every night, unspread).
    public var isActive: Bool { everyDays > 1 }

    public var description: String { "every \(everyDays)d" + (spread ? ", spread" : "") }
}

/// When each target of a stage was last bought: 64-bit stable hashes of the normalized targets with the day of
/// their latest purchase, sorted for binary search (16 bytes a target, however long the targets are).
public struct FreshnessIndex: Sendable {
    private var hashes: [UInt64] = []
    private var days: [Int32] = []
    private var sorted = true

    public init() {}

    public var count: Int { hashes.count }

    /// Adds a target's latest purchase (the later one wins when a target comes twice).
    public mutating func add(target: String, lastFetched: SnapshotDate) {
        let hash = TargetHash.of(target)
        if let last = hashes.last, last > hash { sorted = false }
        hashes.append(hash)
        days.append(Int32(lastFetched.dayNumber))
    }

    /// Sorts what was added; call once after the last `add`.
    public mutating func finish() {
        guard !sorted else { return }
        let order = hashes.indices.sorted { (hashes[$0], days[$0]) < (hashes[$1], days[$1]) }
        hashes = order.map { hashes[$0] }
        days = order.map { days[$0] }
        sorted = true
    }

    /// The day number (``SnapshotDate/dayNumber``) of the target's latest purchase, nil if never bought.
    public func lastFetchedDay(of target: String) -> Int? {
        let hash = TargetHash.of(target)
        // The last entry with this hash: with a repeated hash the latest day sorts last.
        let after = TargetHash.countNotAbove(hash, in: hashes)
        guard after > 0, hashes[after - 1] == hash else { return nil }
        return Int(days[after - 1])
    }
}

/// The stable 64-bit hash of a normalized target: the same in every process and on every machine, unlike
/// `hashValue`, so a target's slice and its purchase history survive restarts.
public enum TargetHash {
    public static func of(_ target: String) -> UInt64 {
        // FNV-1a, then a finalizer (splitmix64) so that slices cut by value get evenly mixed bits.
        var value = StableHash.fnv1a64(target.utf8)
        value = (value ^ (value >> 30)) &* 0xbf58_476d_1ce4_e5b9
        value = (value ^ (value >> 27)) &* 0x94d0_49bb_1331_11eb
        return value ^ (value >> 31)
    }

    /// How many values of the sorted `values` are at most `hash` (binary search).
    static func countNotAbove(_ hash: UInt64, in values: [UInt64]) -> Int {
        var low = 0
        var high = values.count
        while low < high {
            let middle = (low + high) / 2
            if values[middle] <= hash { low = middle + 1 } else { high = middle }
        }
        return low
    }
}

/// Which of a stage's targets are due on a snapshot date under its policy.
public struct DueSelection: Sendable {
    public let policy: RefreshPolicy
    public let day: Int
    private let index: FreshnessIndex
    /// For `spread`: the hash values that start slices 1..<every (slices of equal size over this stage's targets).
    private let boundaries: [UInt64]

    /// `targetHashes`: the stable hashes of the stage's distinct targets (only read for `spread`).
    public init(policy: RefreshPolicy, snapshotDate: SnapshotDate, index: FreshnessIndex, targetHashes: [UInt64]) {
        self.policy = policy
        self.day = snapshotDate.dayNumber
        self.index = index
        boundaries = policy.spread ? Self.boundaries(of: targetHashes, slices: policy.everyDays) : []
    }

    /// Cuts the sorted hashes into `slices` runs of equal size (sizes differ by at most one target) and returns the
    /// first hash of each run after the first.
    static func boundaries(of hashes: [UInt64], slices: Int) -> [UInt64] {
        let sorted = hashes.sorted()
        guard !sorted.isEmpty, slices > 1 else { return [] }
        return (1..<slices).map { slice in
            let position = sorted.count * slice / slices
            return position < sorted.count ? sorted[position] : UInt64.max
        }
    }

    /// The slice (0..<every) a target belongs to.
    public func slice(of target: String) -> Int {
        TargetHash.countNotAbove(TargetHash.of(target), in: boundaries)
    }

    /// The slice whose night `day` is.
    public var tonight: Int { ((day % policy.everyDays) + policy.everyDays) % policy.everyDays }

    /// Whether the target is bought tonight. A purchase on this very date counts as not made yet, so a re-run of the
    /// date selects the same targets (and its committed chunks are then skipped as usual); one on a later date (a
    /// backfill of the past) makes the target not due.
    public func isDue(_ target: String) -> Bool {
        guard policy.isActive else { return true }
        let inTonightsSlice = !policy.spread || slice(of: target) == tonight
        guard let last = index.lastFetchedDay(of: target) else { return inTonightsSlice }
        if last == day { return true }
        if last > day { return false }
        let age = day - last
        // Spread: its own night once a cycle, or any night once overdue (its night was missed).
        return policy.spread ? inTonightsSlice || age > policy.everyDays : age >= policy.everyDays
    }
}

/// `seopipe_target_fetches`: the latest date each target of a stage with a `refresh:` policy was bought, written
/// in the transaction of the chunk that bought it (so it can never say "bought" for rows that did not commit).
public enum FetchLedger {
    public static let table = TableSpec(
        "seopipe_target_fetches",
        columns: ["pipeline", "stage_id", "target", "snapshot_date", "run_id", "fetched_at"],
        key: ["pipeline", "stage_id", "target"])

    /// The rows recording that `targets` were bought on `snapshotDate`.
    public static func batch(
        pipeline: String, stageID: String, targets: some Sequence<String>, snapshotDate: SnapshotDate, runID: String,
        at: Date
    ) -> TableBatch {
        var batch = TableBatch(table)
        for target in targets {
            batch.append([
                .text(pipeline), .text(stageID), .text(target), .text(snapshotDate.description), .text(runID),
                .text(Timestamp.text(at)),
            ])
        }
        return batch
    }
}
