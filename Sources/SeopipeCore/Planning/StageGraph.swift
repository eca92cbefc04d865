/// A dependency graph of named steps: pipeline stages, and (later) analytics batch queries.
///
/// Semantics follow the analytics Batch API's validate call: `parallelGroups[k]` holds the steps whose
/// longest dependency chain has length `k`; `executionOrder` is the groups flattened, each group in
/// declaration order.
public struct StageGraph: Sendable, Equatable {
    public struct CycleError: Error, Sendable, Equatable {
        /// The ids on the cycle, in dependency order.
        public var cycle: [String]
    }

    public let ids: [String]
    public let dependencies: [String: [String]]
    public let parallelGroups: [[String]]

    public var executionOrder: [String] { parallelGroups.flatMap { $0 } }

    /// - Parameter nodes: `(id, dependsOn)` in declaration order; unknown dependency ids are ignored
    ///   (report them before building the graph).
    public init(_ nodes: [(id: String, dependsOn: [String])]) throws(CycleError) {
        ids = nodes.map(\.id)
        let known = Set(ids)
        var dependencies: [String: [String]] = [:]
        for node in nodes { dependencies[node.id] = node.dependsOn.filter(known.contains) }
        self.dependencies = dependencies

        var level: [String: Int] = [:]
        var remaining = ids
        while !remaining.isEmpty {
            var progressed = false
            var next: [String] = []
            for id in remaining {
                let deps = dependencies[id] ?? []
                if deps.allSatisfy({ level[$0] != nil }) {
                    level[id] = (deps.compactMap { level[$0] }.max() ?? -1) + 1
                    progressed = true
                } else {
                    next.append(id)
                }
            }
            if !progressed { throw CycleError(cycle: Self.findCycle(in: next, dependencies: dependencies)) }
            remaining = next
        }
        let depth = (level.values.max() ?? -1) + 1
        var groups = [[String]](repeating: [], count: depth)
        for id in ids { groups[level[id]!].append(id) }
        parallelGroups = groups
    }

    /// Steps that (transitively) depend on `id`.
    public func dependents(of id: String) -> Set<String> {
        var result: Set<String> = []
        var frontier = [id]
        while let current = frontier.popLast() {
            for candidate in ids where dependencies[candidate, default: []].contains(current) {
                if result.insert(candidate).inserted { frontier.append(candidate) }
            }
        }
        return result
    }

    static func findCycle(in stuck: [String], dependencies: [String: [String]]) -> [String] {
        let stuckSet = Set(stuck)
        // Every stuck node has a stuck dependency; walking them must revisit a node.
        var path: [String] = []
        var position: [String: Int] = [:]
        var current = stuck[0]
        while position[current] == nil {
            position[current] = path.count
            path.append(current)
            current = dependencies[current, default: []].first(where: stuckSet.contains) ?? current
        }
        // The walk goes from a step to its dependency; report in dependency order (a needs b needs a).
        return Array(path[position[current]!...])
    }
}
