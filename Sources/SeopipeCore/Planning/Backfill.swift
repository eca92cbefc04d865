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

    /// A stage a backfill runs once, in the run of the range's first date, on an endpoint that answers every date of
    /// the range in one request per target (Ahrefs v3 `*-history`), instead of once per date.
    public struct RangeFetch: Sendable, Equatable, Codable {
        public var stage: String
        /// The endpoint that answers the range.
        public var endpoint: String
        /// The stage's own endpoint, which would have been asked once per date; nil when the stage names a range
        /// endpoint itself.
        public var replaces: String?
        /// Per target, over the whole range: requests and estimated units with the stage's own endpoint...
        public var datedRequestsPerTarget: Int
        public var datedUnitsPerTarget: Double
        /// ...and with the range endpoint.
        public var rangeUnitsPerTarget: Double

        enum CodingKeys: String, CodingKey {
            case stage, endpoint, replaces
            case datedRequestsPerTarget = "dated_requests_per_target"
            case datedUnitsPerTarget = "dated_units_per_target"
            case rangeUnitsPerTarget = "range_units_per_target"
        }
    }

    /// The stages of `pipeline` a backfill over `dates` fetches as one range: those on a range endpoint, and those
    /// whose endpoint has one (``EndpointSpec/history``) that costs no more units per target than asking each date.
    public static func rangeFetches(_ pipeline: Pipeline, dates: [SnapshotDate], registry: ProviderRegistry)
        -> [RangeFetch]
    {
        guard let first = dates.first, let last = dates.last else { return [] }
        let sample = [Target(original: "example.com", normalized: "example.com")]
        return pipeline.stages.compactMap { stage in
            guard let config = pipeline.providers[stage.provider], let driver = registry[config.kind],
                let endpoint = driver.endpoint(named: stage.endpoint), endpoint.currentOnly == nil
            else { return nil }
            var ranged = stage
            ranged.dateRange = first...last
            func unitsPerTarget(_ endpoint: EndpointSpec, _ stage: Stage) -> Double {
                let context = RequestContext(
                    stage: stage, provider: config, snapshotDate: last, options: pipeline.options)
                return driver.estimate(for: Chunk(index: 0, targets: sample), endpoint: endpoint, context: context)
                    .units
            }
            if endpoint.answersDateRange {
                let units = unitsPerTarget(endpoint, ranged)
                return RangeFetch(
                    stage: stage.id, endpoint: endpoint.name, replaces: nil, datedRequestsPerTarget: 1,
                    datedUnitsPerTarget: units, rangeUnitsPerTarget: units)
            }
            guard dates.count > 1, let name = endpoint.history, let history = driver.endpoint(named: name) else {
                return nil
            }
            ranged.endpoint = name
            let dated = Double(dates.count) * unitsPerTarget(endpoint, stage)
            let range = unitsPerTarget(history, ranged)
            guard range <= dated else { return nil }
            return RangeFetch(
                stage: stage.id, endpoint: name, replaces: endpoint.name, datedRequestsPerTarget: dates.count,
                datedUnitsPerTarget: dated, rangeUnitsPerTarget: range)
        }
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

extension ClosedRange<SnapshotDate> {
    /// How many dates the range holds.
    public var dayCount: Int { Backfill.dates(from: lowerBound, to: upperBound).count }
}
