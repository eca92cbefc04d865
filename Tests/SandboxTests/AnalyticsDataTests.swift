import Foundation
import Sandbox
import Testing

@Suite("Analytics sandbox data, periods and plans")
struct AnalyticsDataTests {
    static let accounts = (0..<150).map { "account\($0)" } + ["my-site", "My-Site", "shop"]
    static let listEndpoints = [
        "/stats/pages", "/stats/sources", "/stats/mediums", "/stats/campaigns", "/stats/countries", "/stats/devices",
        "/stats/channels", "/stats/conversions",
    ]

    // MARK: - Periods

    @Test("resolves every period keyword on a Wednesday", arguments: AnalyticsBatchSandboxTests.expectedPeriods)
    func resolvesOnWednesday(_ period: String, _ start: String, _ end: String) {
        let range = AnalyticsData.resolve(period: period, today: "2026-02-18")
        #expect(range?.start == start)
        #expect(range?.end == end)
    }

    @Test(
        "resolves across year, leap-day and week boundaries",
        arguments: [
            ("2026-01-01", "yesterday", "2025-12-31", "2025-12-31"),
            ("2026-01-01", "last_week", "2025-12-22", "2025-12-28"),
            ("2026-01-01", "this_week", "2025-12-29", "2026-01-04"),
            ("2026-01-01", "last_quarter", "2025-10-01", "2025-12-31"),
            ("2026-01-01", "last_month", "2025-12-01", "2025-12-31"),
            ("2026-01-01", "7d", "2025-12-25", "2025-12-31"),
            ("2024-03-01", "last_month", "2024-02-01", "2024-02-29"),
            ("2024-03-01", "12m", "2023-03-02", "2024-02-29"),
            ("2024-05-15", "this_quarter", "2024-04-01", "2024-06-30"),
            ("2024-11-30", "qtd", "2024-10-01", "2024-11-30"),
            ("2026-02-16", "wtd", "2026-02-16", "2026-02-16"),  // a Monday
            ("2026-02-22", "wtd", "2026-02-16", "2026-02-22"),  // a Sunday
            ("2026-02-22", "this_week", "2026-02-16", "2026-02-22"),
        ])
    func resolvesBoundaries(_ today: String, _ period: String, _ start: String, _ end: String) {
        let range = AnalyticsData.resolve(period: period, today: today)
        #expect(range?.start == start, "\(period) on \(today)")
        #expect(range?.end == end, "\(period) on \(today)")
    }

    @Test("resolves nothing for an unknown keyword or a bad today")
    func resolvesNothing() {
        #expect(AnalyticsData.resolve(period: "31d", today: "2026-02-18") == nil)
        #expect(AnalyticsData.resolve(period: "Today", today: "2026-02-18") == nil)
        #expect(AnalyticsData.resolve(period: "today", today: "2026-02-30") == nil)
    }

    // MARK: - Plans

    @Test("plans the seed's example, a diamond and a chain in longest-chain groups")
    func plans() throws {
        let seed = try #require(
            AnalyticsData.plan([("overview", []), ("pages", []), ("sources", ["overview"])]))
        #expect(seed.executionOrder == ["overview", "pages", "sources"])
        #expect(seed.parallelGroups == [["overview", "pages"], ["sources"]])

        let diamond = try #require(AnalyticsData.plan([("d", ["b", "c"]), ("c", ["a"]), ("b", ["a"]), ("a", [])]))
        #expect(diamond.parallelGroups == [["a"], ["c", "b"], ["d"]])
        #expect(diamond.executionOrder == ["a", "c", "b", "d"])

        let chain = try #require(AnalyticsData.plan([("z", ["y"]), ("y", ["x"]), ("x", []), ("w", ["x", "z"])]))
        #expect(chain.parallelGroups == [["x"], ["y"], ["z"], ["w"]])

        let unknownIgnored = try #require(AnalyticsData.plan([("a", ["ghost"])]))
        #expect(unknownIgnored.parallelGroups == [["a"]])
        #expect(AnalyticsData.plan([])?.executionOrder == [])
    }

    @Test("returns no plan for a cycle")
    func cycles() {
        #expect(AnalyticsData.plan([("a", ["a"])]) == nil)
        #expect(AnalyticsData.plan([("a", ["b"]), ("b", ["a"])]) == nil)
        #expect(AnalyticsData.plan([("x", []), ("a", ["c"]), ("b", ["a"]), ("c", ["b", "x"])]) == nil)
    }

    // MARK: - Data

    @Test("gives the same values for the same account and range, and hashes the account as sent")
    func deterministic() {
        let one = AnalyticsData.overview(account: "my-site", start: "2026-01-01", end: "2026-01-31")
        #expect(one == AnalyticsData.overview(account: "my-site", start: "2026-01-01", end: "2026-01-31"))
        #expect(one != AnalyticsData.overview(account: "My-Site", start: "2026-01-01", end: "2026-01-31"))
        #expect(one != AnalyticsData.overview(account: "my-site", start: "2026-01-02", end: "2026-02-01"))
        for endpoint in Self.listEndpoints {
            #expect(
                AnalyticsData.rows(
                    endpoint: endpoint, account: "shop", start: "2026-01-01", end: "2026-01-31", pageSize: 50)
                    == AnalyticsData.rows(
                        endpoint: endpoint, account: "shop", start: "2026-01-01", end: "2026-01-31", pageSize: 50))
        }
    }

    @Test("keeps the overview realistic: fixed decimals, engaged within entrances, bounce rate from both")
    func realisticOverview() {
        for account in Self.accounts {
            let overview = AnalyticsData.overview(account: account, start: "2026-01-01", end: "2026-01-31")
            #expect(overview.entrances >= 500)
            #expect(overview.pageViews >= overview.entrances)
            #expect((0...overview.entrances).contains(overview.engagedEntrances))
            #expect(overview.conversions <= overview.entrances)
            #expect(overview.microconversions <= overview.entrances)
            #expect(
                overview.bounceRate
                    == (1000 * Double(overview.entrances - overview.engagedEntrances) / Double(overview.entrances))
                    .rounded() / 10)
            #expect(overview.revenue == (overview.revenue * 100).rounded() / 100)
            #expect(overview.conversions > 0 || overview.revenue == 0)
        }
    }

    @Test("values grow with the number of days in the range")
    func scalesWithDays() {
        for account in Self.accounts.prefix(40) {
            let day = AnalyticsData.overview(account: account, start: "2026-01-10", end: "2026-01-10").entrances
            let week = AnalyticsData.overview(account: account, start: "2026-01-04", end: "2026-01-10").entrances
            let year = AnalyticsData.overview(account: account, start: "2025-01-11", end: "2026-01-10").entrances
            #expect(Double(week) / Double(day) > 5.3 && Double(week) / Double(day) < 9)
            #expect(Double(year) / Double(week) > 41 && Double(year) / Double(week) < 65)
        }
    }

    @Test("breakdowns split the overview: entrances of all rows sum to its entrances, conversions and revenue too")
    func breakdownsSum() {
        for account in Self.accounts.prefix(60) {
            let (start, end) = ("2026-01-01", "2026-03-31")
            let overview = AnalyticsData.overview(account: account, start: start, end: end)
            for endpoint in [
                "/stats/pages", "/stats/sources", "/stats/mediums", "/stats/countries", "/stats/devices",
                "/stats/channels",
            ] {
                let rows = AnalyticsData.rows(
                    endpoint: endpoint, account: account, start: start, end: end, pageSize: .max)
                #expect(rows.map(\.entrances).reduce(0, +) == overview.entrances, "\(endpoint) of \(account)")
                for row in rows {
                    #expect(row.entrances > 0)
                    #expect((0...row.entrances).contains(row.engagedEntrances))
                    #expect(row.pageViews >= row.entrances)
                    #expect((0...100).contains(row.bounceRate))
                }
            }
            let campaigns = AnalyticsData.rows(
                endpoint: "/stats/campaigns", account: account, start: start, end: end, pageSize: .max)
            #expect(campaigns.map(\.entrances).reduce(0, +) < overview.entrances)
            let conversions = AnalyticsData.rows(
                endpoint: "/stats/conversions", account: account, start: start, end: end, pageSize: .max)
            #expect(conversions.map(\.conversions).reduce(0, +) == overview.conversions)
            let cents = conversions.map { Int(($0.revenue * 100).rounded()) }.reduce(0, +)
            #expect(cents == Int((overview.revenue * 100).rounded()))
            #expect(conversions.allSatisfy { $0.entrances == 0 && $0.conversions > 0 })
        }
    }

    @Test("rows come by entrances descending then key ascending, at most pageSize of them")
    func ordering() {
        for endpoint in Self.listEndpoints {
            let rows = AnalyticsData.rows(
                endpoint: endpoint, account: "account7", start: "2025-01-01", end: "2025-12-31", pageSize: 100)
            #expect(rows.count <= 100)
            #expect(Set(rows.map(\.key)).count == rows.count, "\(endpoint) keys are unique")
            let measure = { (row: AnalyticsRow) in endpoint == "/stats/conversions" ? row.conversions : row.entrances }
            for (earlier, later) in zip(rows, rows.dropFirst()) {
                #expect(
                    measure(earlier) > measure(later) || (measure(earlier) == measure(later) && earlier.key < later.key)
                )
            }
            #expect(
                AnalyticsData.rows(
                    endpoint: endpoint, account: "account7", start: "2025-01-01", end: "2025-12-31", pageSize: 3)
                    == Array(rows.prefix(3)))
        }
        #expect(
            AnalyticsData.rows(
                endpoint: "/stats/overview", account: "a", start: "2026-01-01", end: "2026-01-01", pageSize: 5
            ).isEmpty)
        #expect(
            AnalyticsData.rows(
                endpoint: "/stats/browsers", account: "a", start: "2026-01-01", end: "2026-01-01", pageSize: 5
            ).isEmpty)
    }

    @Test("a range that is not two real dates in order gives zeros")
    func badRange() {
        let overview = AnalyticsData.overview(account: "a", start: "2026-02-02", end: "2026-02-01")
        #expect(overview == AnalyticsOverview(dateRange: .init(start: "2026-02-02", end: "2026-02-01")))
        #expect(AnalyticsData.rows(endpoint: "/stats/pages", account: "a", start: "x", end: "y", pageSize: 5).isEmpty)
    }
}
