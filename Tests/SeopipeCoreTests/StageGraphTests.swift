import SeopipeCore
import Testing

@Suite("Stage dependency graph")
struct StageGraphTests {
    @Test("puts independent stages of a diamond in one group and the join after both")
    func diamond() throws {
        let graph = try StageGraph([
            ("top", []),
            ("left", ["top"]),
            ("right", ["top"]),
            ("bottom", ["left", "right"]),
        ])
        #expect(graph.parallelGroups == [["top"], ["left", "right"], ["bottom"]])
        #expect(graph.executionOrder == ["top", "left", "right", "bottom"])
    }

    @Test("plans the analytics Batch API example exactly like its validate call")
    func analyticsExample() throws {
        // seeds/analytics-batch-api.txt: overview, pages, sources (depends_on overview).
        let graph = try StageGraph([
            ("overview", []),
            ("pages", []),
            ("sources", ["overview"]),
        ])
        #expect(graph.executionOrder == ["overview", "pages", "sources"])
        #expect(graph.parallelGroups == [["overview", "pages"], ["sources"]])
    }

    @Test("places a stage by its longest dependency chain, keeping declaration order within a group")
    func longestChain() throws {
        // d depends on a (level 0) and c (level 2): it must wait for c, so level 3.
        let graph = try StageGraph([
            ("d", ["a", "c"]),
            ("c", ["b"]),
            ("b", ["a"]),
            ("a", []),
            ("e", []),
        ])
        #expect(graph.parallelGroups == [["a", "e"], ["b"], ["c"], ["d"]])
    }

    @Test("orders every stage after all of its dependencies")
    func topological() throws {
        let nodes: [(id: String, dependsOn: [String])] = [
            ("s5", ["s3", "s4"]), ("s1", []), ("s4", ["s2"]), ("s3", ["s1", "s2"]), ("s2", ["s1"]), ("s6", []),
        ]
        let graph = try StageGraph(nodes)
        let order = graph.executionOrder
        #expect(Set(order) == Set(nodes.map(\.id)))
        #expect(order.count == nodes.count)
        for node in nodes {
            let position = try #require(order.firstIndex(of: node.id))
            for dependency in node.dependsOn {
                let before = try #require(order.firstIndex(of: dependency))
                #expect(before < position, "\(dependency) must run before \(node.id)")
            }
        }
    }

    @Test("has no groups for no stages")
    func empty() throws {
        let graph = try StageGraph([])
        #expect(graph.parallelGroups.isEmpty)
        #expect(graph.executionOrder.isEmpty)
    }

    @Test("ignores unknown dependency ids")
    func unknownDependency() throws {
        let graph = try StageGraph([("a", ["ghost"]), ("b", ["a"])])
        #expect(graph.parallelGroups == [["a"], ["b"]])
        #expect(graph.dependencies["a"] == [])
    }

    @Test("reports the ids on a cycle, each depending on the next, and none outside it")
    func cycle() throws {
        // `outside` depends on the cycle but is not part of it; it is declared first on purpose.
        let nodes: [(id: String, dependsOn: [String])] = [
            ("outside", ["a"]), ("ok", []), ("a", ["c"]), ("b", ["a"]), ("c", ["b"]),
        ]
        let error = #expect(throws: StageGraph.CycleError.self) { try StageGraph(nodes) }
        let cycle = try #require(error?.cycle)
        #expect(Set(cycle) == ["a", "b", "c"])
        #expect(cycle.count == 3)
        let dependencies = Dictionary(uniqueKeysWithValues: nodes.map { ($0.id, $0.dependsOn) })
        for (index, id) in cycle.enumerated() {
            let next = cycle[(index + 1) % cycle.count]
            #expect(dependencies[id]?.contains(next) == true, "\(id) should depend on \(next)")
        }
    }

    @Test("reports a stage that depends on itself as a cycle of one")
    func selfCycle() throws {
        let error = #expect(throws: StageGraph.CycleError.self) { try StageGraph([("a", []), ("loop", ["loop"])]) }
        #expect(error?.cycle == ["loop"])
    }

    @Test("reports a two-stage cycle")
    func twoCycle() throws {
        let error = #expect(throws: StageGraph.CycleError.self) { try StageGraph([("a", ["b"]), ("b", ["a"])]) }
        #expect(Set(error?.cycle ?? []) == ["a", "b"])
        #expect(error?.cycle.count == 2)
    }

    @Test("lists transitive dependents of a stage, not the stage itself nor unrelated ones")
    func dependents() throws {
        let graph = try StageGraph([
            ("top", []),
            ("left", ["top"]),
            ("right", ["top"]),
            ("bottom", ["left", "right"]),
            ("other", []),
            ("after_other", ["other"]),
        ])
        #expect(graph.dependents(of: "top") == ["left", "right", "bottom"])
        #expect(graph.dependents(of: "left") == ["bottom"])
        #expect(graph.dependents(of: "bottom") == [])
        #expect(graph.dependents(of: "other") == ["after_other"])
        #expect(graph.dependents(of: "unknown") == [])
    }
}
