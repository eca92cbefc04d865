import ArgumentParser
import Foundation
import Providers
import SeopipeCore

struct Plan: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show what a run would fetch and spend, before spending anything.",
        discussion: """
            Per stage: its parallel group, targets after normalization, chunks (requests) and estimated \
            provider units; per provider: the total against its budget. Stages whose targets come from \
            from_sql are resolved at run time. A stage with a `refresh:` policy shows the targets due on the \
            date (from the warehouse's record of what was bought when) and its cost with and without the \
            policy. Nothing is sent to any provider.
            """)

    @Argument(help: "The pipeline file (YAML).")
    var file: String

    @Flag(help: "Print the plan as JSON.")
    var json = false

    @Option(
        help: "Plan a backfill from this date YYYY-MM-DD (as `run --from`): what past dates can load, and the cost.")
    var from: String?

    @Option(help: "The backfill's last date (default: the file's snapshot date, usually today).")
    var to: String?

    @Option(
        help:
            "The warehouse whose purchase history decides which targets a `refresh:` stage buys (default: as `run`)."
    )
    var warehouse: String?

    @Flag(help: "Plan `run --refresh`: every target, whatever the refresh policies.")
    var refresh = false

    @Flag(
        help:
            "Also prove each provider's credentials with its free account call and show what is left (as `seopipe check`); exit 1 when refused, 3 when the plan needs more than is left."
    )
    var check = false

    func validate() throws {
        try validateDateRange(from: from, to: to)
        if check && (json || from != nil) {
            throw ValidationError("--check goes with a plan of one run, as text: leave out --json and --from")
        }
    }

    func run() async throws {
        let pipeline = try loadPipeline(file)
        if let from = from.flatMap(SnapshotDate.init) {
            try planBackfill(pipeline, from: from)
            return
        }
        let plans: [StagePlan]
        do {
            let freshness = refresh ? [:] : try await purchaseHistory(pipeline)
            plans = try Planner.plan(pipeline, registry: .builtin, freshness: freshness, refresh: refresh)
        } catch let exit as ExitCode {
            throw exit
        } catch {
            printError("error: \(error)")
            throw Exit.usage
        }
        if json {
            printJSON(plans)
            return
        }
        print("pipeline \(pipeline.name): \(plans.count) stages")
        let header = [
            "group", "stage", "provider", "endpoint", "targets", "chunks", "requests", "est. units", "est. USD",
        ]
        var rows = [header]
        for plan in plans {
            let targets = plan.targets.map {
                "\($0)" + (plan.refusedTargets > 0 ? " (+\(plan.refusedTargets) refused)" : "")
                    + (plan.dueTargets.map { due in due < (plan.targets ?? 0) ? " (\(due) due)" : "" } ?? "")
            }
            rows.append([
                "\(plan.group)", plan.id, plan.provider, plan.endpoint, targets ?? "from_sql (at run time)",
                plan.chunks.map(String.init) ?? "?", plan.requests.map(String.init) ?? "?",
                plan.estimatedUnits.map(formatNumber) ?? "?",
                plan.estimatedCostUSD.map { String(format: "%.4f", $0) } ?? "?",
            ])
        }
        printTable(rows)
        for plan in plans {
            guard let policy = plan.refresh, let due = plan.dueTargets, let all = plan.targets else { continue }
            var line =
                "stage \(plan.id) (refresh \(policy)): \(due) of \(all) targets due on \(pipeline.snapshot.resolve())"
            if let requests = plan.requestsWithoutPolicy, let units = plan.estimatedUnitsWithoutPolicy,
                let cost = plan.estimatedCostUSDWithoutPolicy
            {
                line +=
                    "; without the policy: \(requests) request\(requests == 1 ? "" : "s"), ~\(formatNumber(units)) units, "
                    + "~$\(String(format: "%.4f", cost))"
            }
            print(line)
        }
        for (name, config) in pipeline.providers.sorted(by: { $0.key < $1.key }) {
            let stages = plans.filter { $0.provider == name }
            guard !stages.isEmpty else { continue }
            let units = stages.compactMap(\.estimatedUnits).reduce(0, +)
            let cost = stages.compactMap(\.estimatedCostUSD).reduce(0, +)
            let unknown = stages.contains { $0.estimatedUnits == nil } ? " + from_sql stages" : ""
            var line =
                "provider \(name) (\(config.kind)): ~\(formatNumber(units)) units, ~$\(String(format: "%.4f", cost))"
                + "\(unknown), rate limit \(config.rateLimit)"
            if let max = config.budget.maxUnits {
                line +=
                    units > max
                    ? "; OVER the budget of \(formatNumber(max)) units" : "; budget \(formatNumber(max)) units"
            }
            if let max = config.budget.maxCostUSD {
                line += cost > max ? "; OVER the budget of $\(formatNumber(max))" : "; budget $\(formatNumber(max))"
            }
            print(line)
        }
        if check {
            let code = await checkAccounts(pipeline, plans: plans)
            if code != 0 { throw ExitCode(code) }
        }
    }

    /// When the targets of the pipeline's `refresh:` stages were last bought, from the warehouse (`--warehouse`, as
    /// `run` resolves it). Nothing is read without such a stage; a SQLite file that does not exist yet has bought
    /// nothing (and is not created).
    func purchaseHistory(_ pipeline: Pipeline) async throws -> [String: FreshnessIndex] {
        let stages = pipeline.stages.filter(\.refresh.isActive)
        guard !stages.isEmpty else { return [:] }
        let location = try resolveWarehouse(warehouse, pipeline: pipeline)
        if case .sqlite(let path) = location, !FileManager.default.fileExists(atPath: path) { return [:] }
        let store = try await migrated(location)
        defer { Task { await store.close() } }
        var history: [String: FreshnessIndex] = [:]
        for stage in stages {
            history[stage.id] = try await store.lastFetches(pipeline: pipeline.name, stageID: stage.id)
        }
        return history
    }
}

extension Plan {
    /// The backfill's dates, which stages cannot load past dates and why, which load the whole range in one
    /// request per target, and the estimated cost in all: the plan of every date's run, added up.
    func planBackfill(_ pipeline: Pipeline, from: SnapshotDate) throws {
        let last = to.flatMap(SnapshotDate.init) ?? pipeline.snapshot.resolve()
        guard from <= last else {
            printError("error: --to \(last) is before --from \(from)")
            throw Exit.usage
        }
        let backfill = Engine.BackfillPlan(pipeline, from: from, to: last, registry: .builtin)
        let dates = backfill.dates
        let past = dates.filter(backfill.pastDates.contains)
        let omissions = past.isEmpty ? [] : backfill.omissions
        var plans: [[StagePlan]] = []
        do {
            for date in dates {
                plans.append(try backfill.part(for: date).map { try Planner.plan($0, registry: .builtin) } ?? [])
            }
        } catch {
            printError("error: \(error)")
            throw Exit.usage
        }
        func total(_ value: (StagePlan) -> Double?) -> Double {
            plans.reduce(0) { $0 + $1.compactMap(value).reduce(0, +) }
        }
        let requests = total { $0.requests.map(Double.init) }
        let units = total(\.estimatedUnits)
        let cost = total(\.estimatedCostUSD)
        let partial = (try? Planner.plan(backfill.historical, registry: .builtin)) ?? []
        if json {
            printJSON(
                BackfillPlan(
                    pipeline: pipeline.name, from: from.description, to: last.description, dates: dates.count,
                    pastDates: past.count, omittedFromPastDates: omissions, stagesPerPastDate: partial.map(\.id),
                    rangeFetches: backfill.rangeFetches, estimatedRequests: Int(requests), estimatedUnits: units,
                    estimatedCostUSD: cost))
            return
        }
        print("backfill of \(pipeline.name): \(dates.count) run(s), one per date from \(from) to \(last)")
        if past.isEmpty {
            print("no past date: every stage runs")
        } else if omissions.isEmpty {
            print("every stage can load past dates (\(past.count) of them)")
        } else {
            print(
                "left out of the \(past.count) past date(s): these endpoints cannot return history, so they would "
                    + "load today's numbers under an old date")
            for omission in omissions { print("  \(omission.stage): \(omission.reason)") }
            print(
                "stages run for past dates: "
                    + (partial.isEmpty ? "none" : partial.map(\.id).joined(separator: ", ")))
        }
        for line in RangeFetchText.lines(backfill) { print(line) }
        let unknown = plans.joined().contains { $0.estimatedUnits == nil } ? " + from_sql stages" : ""
        print(
            "estimated in all: ~\(Int(requests)) requests, ~\(formatNumber(units)) units, "
                + "~$\(String(format: "%.4f", cost))\(unknown); per-run budgets apply to each date, per-day budgets to "
                + "the day the backfill runs")
    }
}

/// How `plan` and `run` say which stages a backfill fetches as one range.
enum RangeFetchText {
    static func lines(_ plan: Engine.BackfillPlan) -> [String] {
        guard !plan.rangeFetches.isEmpty, let first = plan.dates.first, let last = plan.dates.last else { return [] }
        return [
            "one request per target for all \(plan.dates.count) dates (\(first) to \(last)), in the run of \(first):"
        ]
            + plan.rangeFetches.map { fetch in
                guard let replaced = fetch.replaces else {
                    return
                        "  \(fetch.stage): \(fetch.endpoint), ~\(formatNumber(fetch.rangeUnitsPerTarget)) units a target"
                }
                return "  \(fetch.stage): \(fetch.endpoint) instead of \(replaced), cheaper: per target 1 request and "
                    + "~\(formatNumber(fetch.rangeUnitsPerTarget)) units instead of \(fetch.datedRequestsPerTarget) "
                    + "requests and ~\(formatNumber(fetch.datedUnitsPerTarget)) units"
            }
    }
}

/// `seopipe plan --from --to --json`.
struct BackfillPlan: Encodable {
    var pipeline: String
    var from: String
    var to: String
    var dates: Int
    var pastDates: Int
    var omittedFromPastDates: [Backfill.Omission]
    var stagesPerPastDate: [String]
    var rangeFetches: [Backfill.RangeFetch]
    var estimatedRequests: Int
    var estimatedUnits: Double
    var estimatedCostUSD: Double

    enum CodingKeys: String, CodingKey {
        case pipeline, from, to, dates
        case pastDates = "past_dates"
        case omittedFromPastDates = "omitted_from_past_dates"
        case stagesPerPastDate = "stages_per_past_date"
        case rangeFetches = "range_fetches"
        case estimatedRequests = "estimated_requests"
        case estimatedUnits = "estimated_units"
        case estimatedCostUSD = "estimated_cost_usd"
    }
}

/// Prints rows as left-aligned columns.
func printTable(_ rows: [[String]]) {
    guard let first = rows.first else { return }
    let widths = first.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
    for row in rows {
        print(
            row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces))
    }
}
