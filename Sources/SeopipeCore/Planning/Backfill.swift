import Foundation

/// Loading a range of past dates (`seopipe run --from --to`, `seopipe plan --from --to`).
///
/// Only endpoints that take a date can answer for the past: Ahrefs v3's site-explorer batch endpoints (`date`)
/// and the analytics API (explicit periods). The others (Ahrefs Keywords Explorer, DataForSEO's bulk endpoints,
/// Ahrefs v2) answer with today's numbers whatever the date, so for a past date their stages, and the stages
/// that depend on them, are left out rather than loading today's numbers under an old date.
public enum Backfill {
    public struct Omission: Sendable, Equatable, Codable {
        public var stage: String
        public var reason: String
    }

    /// `from` through `to`, one date each, in order.
    public static func dates(from: SnapshotDate, to: SnapshotDate) -> [SnapshotDate] {
        var dates: [SnapshotDate] = []
        var date = from
        while date <= to {
            dates.append(date)
            date = date.adding(days: 1)
        }
        return dates
    }

    /// Whether `date` is in the past for this pipeline: before the date a run started now would stamp.
    public static func isPast(_ date: SnapshotDate, for pipeline: Pipeline, now: Date = Date()) -> Bool {
        date < pipeline.snapshot.resolve(now: now)
    }

    /// The stages that cannot load a past date, each with the reason, in execution order: those whose endpoint
    /// cannot answer for a past date, then those that depend on one of them.
    public static func omissions(_ pipeline: Pipeline, registry: ProviderRegistry) -> [Omission] {
        var omitted: [String: String] = [:]
        let order =
            (try? StageGraph(pipeline.stages.map { ($0.id, $0.dependsOn) }).executionOrder)
            ?? pipeline.stages.map(\.id)
        for id in order {
            guard let stage = pipeline.stage(id), let config = pipeline.providers[stage.provider],
                let endpoint = registry[config.kind]?.endpoint(named: stage.endpoint)
            else { continue }
            if let reason = endpoint.currentOnly {
                omitted[id] = "\(config.kind) \(stage.endpoint) \(reason)"
            } else if let dependency = stage.dependsOn.first(where: { omitted[$0] != nil }) {
                omitted[id] = "depends on `\(dependency)`, which cannot load past dates"
            }
        }
        return order.compactMap { id in omitted[id].map { Omission(stage: id, reason: $0) } }
    }

    /// `pipeline` without the stages `omissions` lists.
    public static func historical(_ pipeline: Pipeline, registry: ProviderRegistry) -> Pipeline {
        let omitted = Set(omissions(pipeline, registry: registry).map(\.stage))
        var copy = pipeline
        copy.stages.removeAll { omitted.contains($0.id) }
        return copy
    }
}

extension SnapshotDate {
    /// The date `days` days later (earlier when negative).
    public func adding(days: Int) -> SnapshotDate {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let start = calendar.date(from: DateComponents(year: year, month: month, day: day))!
        return SnapshotDate(calendar.date(byAdding: .day, value: days, to: start)!)
    }
}
