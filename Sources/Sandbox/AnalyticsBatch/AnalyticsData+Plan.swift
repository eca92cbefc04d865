import Foundation

extension AnalyticsData {
    /// The plan the validate call reports: parallel group k (1-based) holds the queries whose longest
    /// dependency chain has k queries (a query without dependencies is in group 1), each group in the
    /// order of `queries`; `executionOrder` is the groups flattened. Nil when the dependencies form a
    /// cycle. Dependencies on ids that are not in `queries` are ignored; ids are expected to be unique.
    public static func plan(
        _ queries: [(id: String, dependsOn: [String])]
    ) -> (executionOrder: [String], parallelGroups: [[String]])? {
        guard let levels = self.levels(queries) else { return nil }
        let count = levels.max() ?? 0
        let groups = (0..<count).map { level in
            queries.indices.filter { levels[$0] == level + 1 }.map { queries[$0].id }
        }
        return (groups.flatMap { $0 }, groups)
    }

    /// The first dependency cycle met when following `depends_on` from each query in turn, as ids from a
    /// query back to itself (`["a", "b", "a"]`: a depends on b, b on a); nil when there is none.
    static func dependencyCycle(_ queries: [(id: String, dependsOn: [String])]) -> [String]? {
        let index = self.index(queries)
        var state = [VisitState](repeating: .new, count: queries.count)
        var path: [Int] = []

        func visit(_ node: Int) -> [String]? {
            state[node] = .inProgress
            path.append(node)
            for dependency in queries[node].dependsOn {
                guard let next = index[dependency] else { continue }
                switch state[next] {
                case .inProgress:
                    let start = path.lastIndex(of: next) ?? 0
                    return (path[start...] + [next]).map { queries[$0].id }
                case .new:
                    if let cycle = visit(next) { return cycle }
                case .done:
                    continue
                }
            }
            path.removeLast()
            state[node] = .done
            return nil
        }

        for node in queries.indices where state[node] == .new {
            if let cycle = visit(node) { return cycle }
        }
        return nil
    }

    private enum VisitState { case new, inProgress, done }

    /// Each query's group (1-based), or nil on a cycle.
    private static func levels(_ queries: [(id: String, dependsOn: [String])]) -> [Int]? {
        guard dependencyCycle(queries) == nil else { return nil }
        let index = self.index(queries)
        var levels = [Int?](repeating: nil, count: queries.count)

        func level(_ node: Int) -> Int {
            if let known = levels[node] { return known }
            let deepest = queries[node].dependsOn.compactMap { index[$0] }.map(level).max() ?? 0
            levels[node] = deepest + 1
            return deepest + 1
        }

        return queries.indices.map(level)
    }

    /// Position of each id (the first one when an id repeats).
    private static func index(_ queries: [(id: String, dependsOn: [String])]) -> [String: Int] {
        var index: [String: Int] = [:]
        for (position, query) in queries.enumerated() where index[query.id] == nil {
            index[query.id] = position
        }
        return index
    }
}
