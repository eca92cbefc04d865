import Foundation
import Sandbox
import Testing

@Suite("Ahrefs v3 sandbox data")
struct AhrefsV3DataTests {
    static let targets = (0..<400).map { "domain\($0).com" } + ["example.com", "Example.com", "a.b.c.example.org"]

    @Test("gives the same values for the same target and date")
    func deterministic() {
        for target in Self.targets.prefix(50) {
            #expect(
                AhrefsV3Data.domainMetrics(target: target, date: "2025-12-31")
                    == AhrefsV3Data.domainMetrics(target: target, date: "2025-12-31"))
            #expect(
                AhrefsV3Data.urlMetrics(url: "https://\(target)/", date: "2025-12-31")
                    == AhrefsV3Data.urlMetrics(url: "https://\(target)/", date: "2025-12-31"))
        }
    }

    @Test("hashes the target exactly as sent, without lower-casing it")
    func caseSensitive() {
        #expect(
            AhrefsV3Data.domainMetrics(target: "example.com", date: "2026-02-18")
                != AhrefsV3Data.domainMetrics(target: "Example.com", date: "2026-02-18"))
    }

    @Test("keeps values in realistic ranges and relations")
    func realistic() {
        for target in Self.targets {
            let metrics = AhrefsV3Data.domainMetrics(target: target, date: "2026-02-18")
            #expect((0...100).contains(metrics.domainRating))
            #expect(Double(String(format: "%.1f", metrics.domainRating)) == metrics.domainRating)
            #expect((0...5_000_000).contains(metrics.orgTraffic))
            #expect(metrics.orgKeywords >= 0)

            let stats = AhrefsV3Data.backlinksStats(target: target, date: "2026-02-18")
            #expect(stats.live > stats.liveRefdomains)
            #expect(stats.liveRefdomains >= 0)

            let rating = AhrefsV3Data.domainRating(target: target, date: "2026-02-18")
            #expect(rating.domainRating == metrics.domainRating)
            #expect(rating.ahrefsRank >= 1)

            let page = AhrefsV3Data.urlMetrics(url: "https://\(target)/blog", date: "2026-02-18")
            #expect((0...100).contains(page.urlRating))
            #expect(page.backlinks > page.referringDomains)

            let keyword = AhrefsV3Data.keywordOverview(keyword: "best \(target)", country: "de")
            #expect((0...100).contains(keyword.keywordDifficulty))
            #expect(keyword.cpc >= 0)
            #expect(Double(String(format: "%.2f", keyword.cpc)) == keyword.cpc)
            #expect(keyword.volume >= 0 && keyword.trafficPotential >= 0)
        }
        // Stronger domains get more traffic: compare the top and bottom quarter by Domain Rating.
        let sorted = Self.targets.map { AhrefsV3Data.domainMetrics(target: $0, date: "2026-02-18") }.sorted {
            $0.domainRating < $1.domainRating
        }
        let quarter = sorted.count / 4
        let weak = sorted.prefix(quarter).map(\.orgTraffic).reduce(0, +)
        let strong = sorted.suffix(quarter).map(\.orgTraffic).reduce(0, +)
        #expect(strong > weak * 10)
    }

    @Test("drifts at most about 5 percent from one day to the next")
    func smallDrift() {
        for target in Self.targets.prefix(100) {
            let today = AhrefsV3Data.backlinksStats(target: target, date: "2026-02-18")
            let tomorrow = AhrefsV3Data.backlinksStats(target: target, date: "2026-02-19")
            guard today.liveRefdomains >= 100 else { continue }
            let ratio = Double(tomorrow.liveRefdomains) / Double(today.liveRefdomains)
            #expect(ratio > 0.9 && ratio < 1.1, "\(target): \(today) -> \(tomorrow)")
        }
    }

    @Test("reports reserved .invalid and .test hosts as not in the index, and nothing else")
    func targetErrors() {
        for target in [
            "nope.invalid", "shop.example.test", "https://x.invalid/page", "HTTP://Y.TEST:8080/a?b", "z.invalid.",
        ] {
            #expect(AhrefsV3Data.targetError(domainOrURL: target) == "Domain not found in index", "\(target)")
        }
        for target in [
            "example.com", "invalid.com", "https://test.com/x.invalid", "testing.org", "https://a.com/?q=b.test",
        ] {
            #expect(AhrefsV3Data.targetError(domainOrURL: target) == nil, "\(target)")
        }
    }

    @Test("charges at least 50 units and 5 per row above that")
    func units() {
        #expect(AhrefsV3Data.units(chargedRows: 0) == 50)
        #expect(AhrefsV3Data.units(chargedRows: 10) == 50)
        #expect(AhrefsV3Data.units(chargedRows: 11) == 55)
        #expect(AhrefsV3Data.units(chargedRows: 100) == 500)
    }
}
