import SeopipeCore
import Testing

/// Which targets a `refresh:` policy buys on a date (``DueSelection``), simulated night by night: what is bought is
/// recorded in the index as a run records it in `seopipe_target_fetches`.
@Suite("Refresh policies: which targets are due")
struct FreshnessTests {
    static let start = SnapshotDate("2026-11-20")!

    /// Runs `nights` nights from `start`: each night buys the due targets and records them. Returns what each night
    /// bought.
    static func simulate(
        _ targets: [String], policy: RefreshPolicy, nights: Int, skipping skipped: Set<Int> = [],
        history: [String: SnapshotDate] = [:]
    ) -> [[String]] {
        var latest = history
        var bought: [[String]] = []
        for night in 0..<nights {
            let date = start.adding(days: night)
            guard !skipped.contains(night) else {
                bought.append([])
                continue
            }
            var index = FreshnessIndex()
            for (target, day) in latest { index.add(target: target, lastFetched: day) }
            index.finish()
            let selection = DueSelection(
                policy: policy, snapshotDate: date, index: index, targetHashes: targets.map(TargetHash.of))
            let due = targets.filter(selection.isDue)
            for target in due { latest[target] = date }
            bought.append(due)
        }
        return bought
    }

    static let targets = (0..<700).map { "site\($0).example" }

    @Test("every: 7d, spread over 700 targets: 100 a night, each target once a week, the same slice a week later")
    func spreadWeekly() {
        let bought = Self.simulate(Self.targets, policy: RefreshPolicy(everyDays: 7, spread: true), nights: 14)
        #expect(bought.map(\.count) == Array(repeating: 100, count: 14))
        #expect(Set(bought.prefix(7).joined()).count == 700, "every target in the first week")
        for night in 0..<7 { #expect(bought[night] == bought[night + 7], "night \(night) and a week later") }
    }

    @Test("slices differ by at most one target for any count, and are the same whatever order the targets come in")
    func equalSlices() {
        for count in [1, 6, 7, 8, 99, 701, 1000] {
            let targets = (0..<count).map { "t\($0).example" }
            let policy = RefreshPolicy(everyDays: 7, spread: true)
            let selection = DueSelection(
                policy: policy, snapshotDate: Self.start, index: FreshnessIndex(),
                targetHashes: targets.map(TargetHash.of))
            var sizes = Array(repeating: 0, count: 7)
            for target in targets { sizes[selection.slice(of: target)] += 1 }
            #expect(sizes.max()! - sizes.min()! <= 1, "\(count): \(sizes)")
            let shuffled = DueSelection(
                policy: policy, snapshotDate: Self.start, index: FreshnessIndex(),
                targetHashes: targets.reversed().map(TargetHash.of))
            #expect(targets.allSatisfy { selection.slice(of: $0) == shuffled.slice(of: $0) })
        }
    }

    @Test("adding targets moves few others to another slice")
    func stableSlices() {
        let policy = RefreshPolicy(everyDays: 7, spread: true)
        let before = DueSelection(
            policy: policy, snapshotDate: Self.start, index: FreshnessIndex(),
            targetHashes: Self.targets.map(TargetHash.of))
        let more = Self.targets + (0..<7).map { "new\($0).example" }
        let after = DueSelection(
            policy: policy, snapshotDate: Self.start, index: FreshnessIndex(), targetHashes: more.map(TargetHash.of))
        let moved = Self.targets.filter { before.slice(of: $0) != after.slice(of: $0) }
        #expect(moved.count <= 7 * 6, "\(moved.count) of 700 moved")
    }

    @Test("every: 7d without spread: all on the first night, nothing for six nights, all again on the eighth")
    func weekly() {
        let bought = Self.simulate(Self.targets, policy: RefreshPolicy(everyDays: 7), nights: 15)
        #expect(bought.map(\.count) == [700, 0, 0, 0, 0, 0, 0, 700, 0, 0, 0, 0, 0, 0, 700])
    }

    @Test("a missed night is caught up the next night; a target never bought is due at once without spread")
    func catchUp() {
        let policy = RefreshPolicy(everyDays: 7, spread: true)
        let bought = Self.simulate(Self.targets, policy: policy, nights: 16, skipping: [9])
        // Night 9's slice was not bought; night 10 buys its own slice and the missed one (now 8 days old).
        #expect(bought[9].isEmpty)
        #expect(bought[10].count == 200)
        #expect(Set(bought[10]).isSuperset(of: bought[2]))
        let newcomer = Self.simulate(
            ["new.example"], policy: RefreshPolicy(everyDays: 30), nights: 1,
            history: ["old.example": Self.start.adding(days: -1)])
        #expect(newcomer == [["new.example"]])
    }

    @Test("a purchase on the date itself keeps a target due (a re-run selects the same); a later one makes it not due")
    func reRunsAndBackfills() {
        var index = FreshnessIndex()
        index.add(target: "today.example", lastFetched: Self.start)
        index.add(target: "later.example", lastFetched: Self.start.adding(days: 3))
        index.add(target: "recent.example", lastFetched: Self.start.adding(days: -2))
        index.add(target: "old.example", lastFetched: Self.start.adding(days: -7))
        index.finish()
        let selection = DueSelection(
            policy: RefreshPolicy(everyDays: 7), snapshotDate: Self.start, index: index, targetHashes: [])
        #expect(selection.isDue("today.example"))
        #expect(!selection.isDue("later.example"))
        #expect(!selection.isDue("recent.example"))
        #expect(selection.isDue("old.example"))
        #expect(selection.isDue("never.example"))
        #expect(index.lastFetchedDay(of: "old.example") == Self.start.adding(days: -7).dayNumber)
        #expect(index.lastFetchedDay(of: "never.example") == nil)
    }

    @Test("the index keeps the latest purchase of a target added twice, in any order")
    func latestWins() {
        var index = FreshnessIndex()
        index.add(target: "a.example", lastFetched: Self.start.adding(days: 2))
        index.add(target: "b.example", lastFetched: Self.start)
        index.add(target: "a.example", lastFetched: Self.start)
        index.finish()
        #expect(index.lastFetchedDay(of: "a.example") == Self.start.adding(days: 2).dayNumber)
        #expect(index.lastFetchedDay(of: "b.example") == Self.start.dayNumber)
    }
}
