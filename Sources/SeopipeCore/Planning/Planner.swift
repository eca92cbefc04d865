import Foundation

/// What `seopipe plan` shows for one stage before anything is spent.
public struct StagePlan: Sendable, Codable {
    public var id: String
    public var provider: String
    public var endpoint: String
    public var group: Int
    public var dependsOn: [String]
    /// nil when targets come from `from_sql` and are only known at run time.
    public var targets: Int?
    /// Targets refused before sending (invalid, or duplicates after normalization are not counted).
    public var refusedTargets: Int
    public var chunks: Int?
    public var requests: Int?
    public var estimatedUnits: Double?
    public var estimatedCostUSD: Double?
    public var table: String
    /// The stage's `refresh:` policy (`every 7d, spread`); nil when it buys every target every night.
    public var refresh: String?
    /// With a policy: the targets due on the plan's date (the other counts are for those), and what buying every
    /// target would take instead.
    public var dueTargets: Int?
    public var requestsWithoutPolicy: Int?
    public var estimatedUnitsWithoutPolicy: Double?
    public var estimatedCostUSDWithoutPolicy: Double?

    enum CodingKeys: String, CodingKey {
        case id, provider, endpoint, group, targets, chunks, requests, table, refresh
        case dependsOn = "depends_on"
        case refusedTargets = "refused_targets"
        case estimatedUnits = "estimated_units"
        case estimatedCostUSD = "estimated_cost_usd"
        case dueTargets = "due_targets"
        case requestsWithoutPolicy = "requests_without_policy"
        case estimatedUnitsWithoutPolicy = "estimated_units_without_policy"
        case estimatedCostUSDWithoutPolicy = "estimated_cost_usd_without_policy"
    }
}

/// Plans a pipeline: parallel groups, targets, chunks, requests and estimated units per stage.
public enum Planner {
    /// `freshness`: when each policy stage's targets were last bought (by stage id; a stage missing from it has
    /// bought nothing yet); `refresh`: plan `run --refresh`, which buys every target.
    public static func plan(
        _ pipeline: Pipeline, registry: ProviderRegistry, freshness: [String: FreshnessIndex] = [:],
        refresh: Bool = false
    ) throws -> [StagePlan] {
        let graph = try StageGraph(pipeline.stages.map { ($0.id, $0.dependsOn) })
        var groupOf: [String: Int] = [:]
        for (index, group) in graph.parallelGroups.enumerated() { for id in group { groupOf[id] = index } }
        return try graph.executionOrder.map { id in
            let stage = pipeline.stage(id)!
            let config = pipeline.providers[stage.provider]!
            let driver = registry[config.kind]!
            let endpoint = driver.endpoint(named: stage.endpoint)!
            var plan = StagePlan(
                id: id, provider: stage.provider, endpoint: stage.endpoint, group: groupOf[id]!,
                dependsOn: stage.dependsOn, targets: nil, refusedTargets: 0, chunks: nil, requests: nil,
                estimatedUnits: nil, estimatedCostUSD: nil, table: stage.table)
            let source: TargetStream.Source
            switch stage.targets {
            case .list(let items): source = .lines(items)
            case .file(let path): source = .file(path)
            case .sql: return plan
            }
            // Streamed as the run streams them: counts, never the list.
            let stream = try TargetStream(source, driver: driver, endpoint: endpoint)
            plan.refusedTargets = stream.refused.count
            // The same chunks the run will send, so the estimate is per real request.
            let snapshotDate = pipeline.snapshot.resolve()
            let context = RequestContext(
                stage: stage, provider: config, snapshotDate: snapshotDate, options: pipeline.options)
            func estimate(_ selection: DueSelection?) throws -> (
                chunks: Int, requests: Int, units: Double, cost: Double
            ) {
                var chunks = try stream.makeChunkIterator(
                    size: config.chunkSize(for: endpoint), context: context, selection: selection)
                var (chunkCount, requests, units, cost) = (0, 0, 0.0, 0.0)
                while let chunk = try chunks.nextChunk() {
                    chunkCount += 1
                    // Paged endpoints: every page the stage's own bound allows, as full pages (an upper bound).
                    for request in [chunk] + driver.plannedPages(after: chunk, endpoint: endpoint, context: context) {
                        let estimate = driver.estimate(for: request, endpoint: endpoint, context: context)
                        requests += 1
                        units += estimate.units
                        cost += estimate.costUSD
                    }
                }
                return (chunkCount, requests, units, cost)
            }
            let all = try estimate(nil)
            plan.targets = stream.count
            (plan.chunks, plan.requests, plan.estimatedUnits, plan.estimatedCostUSD) = all
            if stage.refresh.isActive {
                plan.refresh = stage.refresh.description
                guard !refresh, stream.count > 0 else {
                    plan.dueTargets = stream.count
                    return plan
                }
                let selection = try stream.dueSelection(
                    policy: stage.refresh, snapshotDate: snapshotDate, index: freshness[id] ?? FreshnessIndex())
                plan.dueTargets = try stream.count(selection: selection)
                (plan.requestsWithoutPolicy, plan.estimatedUnitsWithoutPolicy, plan.estimatedCostUSDWithoutPolicy) =
                    (all.requests, all.units, all.cost)
                (plan.chunks, plan.requests, plan.estimatedUnits, plan.estimatedCostUSD) = try estimate(selection)
            }
            return plan
        }
    }
}

/// Target files: one target per line; blank lines and `#` comments ignored.
public enum TargetFile {
    public static func read(_ path: String) throws -> [String] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return text.split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
    }
}

/// A stage's targets after normalization: de-duplicated in first-seen order, and those refused.
public struct NormalizedTargets: Sendable {
    public var targets: [Target] = []
    public var refused: [TargetFailure] = []

    /// Normalizes with the provider's rules; a target that normalizes to one already seen is dropped.
    public init(_ raw: [String], driver: any ProviderDriver, endpoint: EndpointSpec) {
        var seen: Set<String> = []
        for target in raw {
            switch driver.normalize(target, for: endpoint) {
            case .success(let normalized):
                if seen.insert(normalized).inserted { targets.append(Target(original: target, normalized: normalized)) }
            case .failure(let failure):
                refused.append(failure)
            }
        }
    }
}

extension ProviderConfig {
    /// Targets per request: the endpoint's maximum, or the configured `batch_size` when lower.
    public func chunkSize(for endpoint: EndpointSpec) -> Int {
        min(endpoint.maxBatchSize, batchSize ?? endpoint.maxBatchSize)
    }
}
