import Foundation
import Providers
import SeopipeCore
import Testing

/// A backfill fetches a range endpoint's stage once for every date, instead of once per date, when that costs less.
@Suite("Backfill over a range endpoint")
struct BackfillRangeTests {
    let folder: TemporaryFolder

    init() throws { folder = try TemporaryFolder() }

    func pipeline(_ stages: String) throws -> Pipeline {
        let yaml = """
            name: history
            snapshot: "2026-12-01"
            providers:
              ahrefs:
                kind: ahrefs-v3
                base_url: https://api.ahrefs.com/v3
                token: t
            stages:
            \(stages)
            """
        let file = try folder.write("pipeline.yml", yaml)
        return try PipelineLoader(registry: .builtin, environment: [:]).load(file: file)
    }

    static let stages = """
          - id: rating
            provider: ahrefs
            endpoint: site-explorer/domain-rating
            targets: [a.com, b.com]
          - id: stats
            depends_on: [rating]
            provider: ahrefs
            endpoint: site-explorer/backlinks-stats
            targets: [a.com]
          - id: overview
            depends_on: [rating]
            provider: ahrefs
            endpoint: batch-analysis/batch-analysis
            targets: [a.com]
        """

    @Test("swaps a dated stage for its history endpoint over a range, with the cost per target of each")
    func picksHistory() throws {
        let pipeline = try pipeline(Self.stages)
        let dates = Backfill.dates(from: SnapshotDate("2026-11-01")!, to: SnapshotDate("2026-11-30")!)
        let fetches = Backfill.rangeFetches(pipeline, dates: dates, registry: .builtin)
        #expect(fetches.map(\.stage) == ["rating", "stats"], "batch-analysis has no history endpoint")
        let rating = try #require(fetches.first)
        #expect(rating.endpoint == "site-explorer/domain-rating-history")
        #expect(rating.replaces == "site-explorer/domain-rating")
        #expect(rating.datedRequestsPerTarget == 30)
        #expect(rating.datedUnitsPerTarget == 1500, "30 requests of at least 50 units")
        #expect(rating.rangeUnitsPerTarget == 60, "30 rows of 2 units")
        #expect(Backfill.rangeFetches(pipeline, dates: [dates[0]], registry: .builtin).isEmpty, "one date: no range")
    }

    @Test("the first date's run fetches the whole range; later dates leave the stage out and stop waiting on it")
    func parts() throws {
        let pipeline = try pipeline(Self.stages)
        let plan = Engine.BackfillPlan(
            pipeline, from: SnapshotDate("2026-11-28")!, to: SnapshotDate("2026-12-01")!, registry: .builtin)
        let first = try #require(plan.part(for: SnapshotDate("2026-11-28")!))
        let rating = try #require(first.stage("rating"))
        #expect(rating.endpoint == "site-explorer/domain-rating-history")
        #expect(rating.dateRange == SnapshotDate("2026-11-28")!...SnapshotDate("2026-12-01")!)
        #expect(first.stage("stats")?.endpoint == "site-explorer/refdomains-history")
        #expect(first.stage("overview") == nil, "batch-analysis cannot load a past date")

        #expect(plan.part(for: SnapshotDate("2026-11-29")!) == nil, "nothing else can load a past date")
        let today = try #require(plan.part(for: SnapshotDate("2026-12-01")!), "the snapshot date runs the rest")
        #expect(today.stages.map(\.id) == ["overview"])
        #expect(today.stage("overview")?.dependsOn == [], "its dependency was loaded in the first run")
    }

    @Test("a stage that names a history endpoint itself loads its snapshot date in a run, the range in a backfill")
    func namedHistory() throws {
        let pipeline = try pipeline(
            """
              - id: rating
                provider: ahrefs
                endpoint: site-explorer/domain-rating-history
                targets: [a.com]
            """)
        let plan = Engine.BackfillPlan(
            pipeline, from: SnapshotDate("2026-11-01")!, to: SnapshotDate("2026-11-03")!, registry: .builtin)
        #expect(plan.rangeFetches.map(\.replaces) == [nil])
        #expect(plan.part(for: SnapshotDate("2026-11-01")!)?.stage("rating")?.dateRange != nil)
        #expect(plan.part(for: SnapshotDate("2026-11-02")!) == nil)
    }

    @Test("a dated stage waiting on one that cannot load the past fetches no range either")
    func omittedStageFetchesNoRange() throws {
        let pipeline = try pipeline(
            """
              - id: overview
                provider: ahrefs
                endpoint: batch-analysis/batch-analysis
                targets: [a.com]
              - id: rating
                depends_on: [overview]
                provider: ahrefs
                endpoint: site-explorer/domain-rating
                targets: [a.com]
            """)
        let plan = Engine.BackfillPlan(
            pipeline, from: SnapshotDate("2026-11-01")!, to: SnapshotDate("2026-11-03")!, registry: .builtin)
        #expect(plan.omissions.map(\.stage) == ["overview", "rating"])
        #expect(plan.rangeFetches.isEmpty)
        #expect(plan.part(for: SnapshotDate("2026-11-01")!) == nil)
    }
}
