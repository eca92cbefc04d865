/// Splits a stage's targets into requests.
public enum Chunking {
    /// Consecutive chunks of at most `size` targets, in order.
    public static func chunks(_ targets: [Target], size: Int) -> [Chunk] {
        precondition(size > 0, "chunk size must be positive")
        return stride(from: 0, to: targets.count, by: size).enumerated().map { index, start in
            Chunk(index: index, targets: Array(targets[start..<min(start + size, targets.count)]))
        }
    }

    /// Packs targets into as few chunks as it can under two limits at once: at most `maxTargets` targets and
    /// at most `maxGroups` distinct groups per chunk (DataForSEO: 1000 targets, 100 domains of page URLs).
    ///
    /// `group` names a target's group, or nil for a target that uses no group slot (a bare domain). A large
    /// group may be split over chunks; each part takes a slot in its chunk. The search starts at the lower
    /// bound `max(⌈targets / maxTargets⌉, ⌈groups / maxGroups⌉)` and adds a chunk until a worst-fit
    /// placement (biggest groups first, each into the chunk with the most room) succeeds; for realistic
    /// lists that is the bound itself. Deterministic: the same input always gives the same chunks.
    public static func packed(
        _ targets: [Target], maxTargets: Int, maxGroups: Int, group: (Target) -> String?
    ) -> [Chunk] {
        precondition(maxTargets > 0 && maxGroups > 0, "limits must be positive")
        guard !targets.isEmpty else { return [] }
        var members: [String: [Target]] = [:]
        var order: [String] = []
        var free: [Target] = []
        for target in targets {
            guard let key = group(target) else {
                free.append(target)
                continue
            }
            if members[key] == nil { order.append(key) }
            members[key, default: []].append(target)
        }
        // Biggest first; ties in first-seen order, so the result is stable.
        let position = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, $0) })
        let groups = order.sorted { a, b in
            let (ca, cb) = (members[a]!.count, members[b]!.count)
            return ca != cb ? ca > cb : position[a]! < position[b]!
        }
        let lowerBound = max(
            (targets.count + maxTargets - 1) / maxTargets, (groups.count + maxGroups - 1) / maxGroups, 1)
        // Always enough: one chunk per group part plus the free targets on their own.
        let upperBound = targets.count
        for count in lowerBound...upperBound {
            if let bins = place(
                groups: groups, members: members, free: free, into: count,
                maxTargets: maxTargets, maxGroups: maxGroups)
            {
                return bins.filter { !$0.isEmpty }.enumerated().map { Chunk(index: $0, targets: $1) }
            }
        }
        preconditionFailure("packing cannot fail with one chunk per target")
    }

    /// Worst-fit placement into `count` chunks; nil when it does not fit.
    private static func place(
        groups: [String], members: [String: [Target]], free: [Target], into count: Int, maxTargets: Int,
        maxGroups: Int
    ) -> [[Target]]? {
        var bins = [[Target]](repeating: [], count: count)
        var slots = [Int](repeating: 0, count: count)
        func roomiest(needsSlot: Bool) -> Int? {
            var best: Int?
            for index in 0..<count where bins[index].count < maxTargets && (!needsSlot || slots[index] < maxGroups) {
                if best == nil || bins[index].count < bins[best!].count { best = index }
            }
            return best
        }
        for key in groups {
            var rest = members[key]![...]
            while !rest.isEmpty {
                guard let index = roomiest(needsSlot: true) else { return nil }
                let take = min(maxTargets - bins[index].count, rest.count)
                bins[index].append(contentsOf: rest.prefix(take))
                rest = rest.dropFirst(take)
                slots[index] += 1
            }
        }
        var rest = free[...]
        while !rest.isEmpty {
            guard let index = roomiest(needsSlot: false) else { return nil }
            let take = min(maxTargets - bins[index].count, rest.count)
            bins[index].append(contentsOf: rest.prefix(take))
            rest = rest.dropFirst(take)
        }
        return bins
    }
}
