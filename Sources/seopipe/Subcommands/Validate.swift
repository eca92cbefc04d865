import ArgumentParser
import Providers
import SeopipeCore

struct Validate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a pipeline file and print its stage plan.",
        discussion: """
            Reports every problem with file:line:column and what to write instead (exit 2), or prints the \
            stage count, the execution order and the groups of stages that run in parallel, like the \
            analytics Batch API's validate call. Environment variables the file uses must be set.
            """)

    @Argument(help: "The pipeline file (YAML).")
    var file: String

    @Flag(help: "Print {valid, stage_count, execution_order, parallel_groups} as JSON.")
    var json = false

    func run() async throws {
        let pipeline = try loadPipeline(file, json: json)
        let graph = try StageGraph(pipeline.stages.map { ($0.id, $0.dependsOn) })
        if json {
            printJSON(
                [
                    "valid": true, "stage_count": pipeline.stages.count, "execution_order": graph.executionOrder,
                    "parallel_groups": graph.parallelGroups,
                ] as [String: Any])
        } else {
            print("\(file): valid")
            print("stage_count: \(pipeline.stages.count)")
            print("execution_order: \(graph.executionOrder.joined(separator: ", "))")
            print(
                "parallel_groups: "
                    + graph.parallelGroups.map { "[\($0.joined(separator: ", "))]" }.joined(separator: " "))
        }
    }
}
