import ArgumentParser
import Providers
import SeopipeCore

struct Plan: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show what a run would fetch and spend, before spending anything.",
        discussion: """
            Per stage: its parallel group, targets after normalization, chunks (requests) and estimated \
            provider units; per provider: the total against its budget. Stages whose targets come from \
            from_sql are resolved at run time. Nothing is sent to any provider.
            """)

    @Argument(help: "The pipeline file (YAML).")
    var file: String

    @Flag(help: "Print the plan as JSON.")
    var json = false

    func run() async throws {
        let pipeline = try loadPipeline(file)
        let plans: [StagePlan]
        do {
            plans = try Planner.plan(pipeline, registry: .builtin)
        } catch {
            printError("error: \(error)")
            throw Exit.usage
        }
        if json {
            printJSON(plans)
            return
        }
        print("pipeline \(pipeline.name): \(plans.count) stages")
        let header = ["group", "stage", "provider", "endpoint", "targets", "chunks", "requests", "est. units", "est. USD"]
        var rows = [header]
        for plan in plans {
            let targets = plan.targets.map { "\($0)" + (plan.refusedTargets > 0 ? " (+\(plan.refusedTargets) refused)" : "") }
            rows.append([
                "\(plan.group)", plan.id, plan.provider, plan.endpoint, targets ?? "from_sql (at run time)",
                plan.chunks.map(String.init) ?? "?", plan.requests.map(String.init) ?? "?",
                plan.estimatedUnits.map(formatNumber) ?? "?",
                plan.estimatedCostUSD.map { String(format: "%.4f", $0) } ?? "?",
            ])
        }
        printTable(rows)
        for (name, config) in pipeline.providers.sorted(by: { $0.key < $1.key }) {
            let stages = plans.filter { $0.provider == name }
            guard !stages.isEmpty else { continue }
            let units = stages.compactMap(\.estimatedUnits).reduce(0, +)
            let cost = stages.compactMap(\.estimatedCostUSD).reduce(0, +)
            let unknown = stages.contains { $0.estimatedUnits == nil } ? " + from_sql stages" : ""
            var line = "provider \(name) (\(config.kind)): ~\(formatNumber(units)) units, ~$\(String(format: "%.4f", cost))"
                + "\(unknown), rate limit \(config.rateLimit)"
            if let max = config.budget.maxUnits {
                line += units > max ? "; OVER the budget of \(formatNumber(max)) units" : "; budget \(formatNumber(max)) units"
            }
            if let max = config.budget.maxCostUSD {
                line += cost > max ? "; OVER the budget of $\(formatNumber(max))" : "; budget $\(formatNumber(max))"
            }
            print(line)
        }
    }
}

/// Prints rows as left-aligned columns.
func printTable(_ rows: [[String]]) {
    guard let first = rows.first else { return }
    let widths = first.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
    for row in rows {
        print(row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }
            .joined(separator: "  ").trimmingCharacters(in: .whitespaces))
    }
}

import Foundation
