import Foundation
import Sandbox
import Testing

@Suite("DataForSEO sandbox data")
struct DataForSEODataTests {
    static let date = "2026-02-18"
    static let targets =
        (0..<300).map { "site\($0).com" } + (0..<100).map { "blog.site\($0).net" }
        + (0..<300).map { "https://site\($0).com/page-\($0)" } + ["dataforseo.com", "https://dataforseo.com/about-us"]

    @Test("gives the same values for the same target and date, and hashes the target as sent")
    func deterministic() {
        for target in Self.targets.prefix(40) {
            #expect(
                DataForSEOData.pageSummary(target: target, date: Self.date)
                    == DataForSEOData.pageSummary(target: target, date: Self.date))
        }
        #expect(
            DataForSEOData.pageSummary(target: "https://example.com/A", date: Self.date)
                != DataForSEOData.pageSummary(target: "https://example.com/a", date: Self.date))
    }

    @Test("keeps counts consistent and in realistic ranges")
    func realistic() throws {
        let pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} \\+00:00$"
        var nullMaps = 0
        var emptyKeys = 0
        var noBacklinks = 0
        for target in Self.targets {
            let item = DataForSEOData.pageSummary(target: target, date: Self.date)
            #expect(item.type == "backlinks_page_summary")
            #expect(item.url == target)
            #expect((0...1000).contains(item.rank))
            #expect((0...1000).contains(item.mainDomainRank))
            #expect((0...100).contains(item.backlinksSpamScore))
            #expect(item.backlinks >= item.referringPages)
            #expect(item.referringPages >= item.referringDomains)
            #expect(item.referringDomains >= item.referringMainDomains)
            #expect(item.referringMainDomains >= 0)
            #expect(item.referringIPs <= item.referringDomains)
            #expect(item.referringSubnets <= item.referringIPs)
            #expect(item.referringDomainsNofollow <= item.referringDomains)
            #expect(item.referringMainDomainsNofollow <= item.referringMainDomains)
            #expect(item.referringPagesNofollow <= item.referringPages)
            #expect(item.brokenBacklinks <= item.backlinks)
            #expect(item.brokenPages <= max(item.brokenBacklinks, 0))
            if !target.contains("://") {
                #expect(item.rank <= item.mainDomainRank + 20, "\(target)")
            }

            guard item.backlinks > 0 else {
                noBacklinks += 1
                #expect(item.firstSeen == nil)
                #expect(item.referringLinksTLD == nil)
                continue
            }
            let firstSeen = try #require(item.firstSeen)
            #expect(firstSeen.range(of: pattern, options: .regularExpression) != nil)
            #expect(String(firstSeen.prefix(10)) < Self.date)
            if let lost = item.lostDate {
                #expect(lost.range(of: pattern, options: .regularExpression) != nil)
                #expect(lost > firstSeen)
                #expect(String(lost.prefix(10)) <= Self.date)
            }
            let summed: [[String: Int]?] = [
                item.referringLinksTLD, item.referringLinksTypes, item.referringLinksPlatformTypes,
                item.referringLinksSemanticLocations, item.referringLinksCountries,
            ]
            for map in summed {
                guard let map else {
                    nullMaps += 1
                    continue
                }
                #expect(map.values.reduce(0, +) == item.backlinks)
                #expect(map.values.allSatisfy { $0 > 0 })
            }
            #expect(item.referringLinksTLD?["com"] != nil)
            #expect(item.referringLinksTypes?["anchor"] != nil)
            #expect(
                Set((item.referringLinksTypes ?? [:]).keys).isSubset(of: [
                    "anchor", "image", "link", "meta", "canonical", "alternate", "redirect",
                ]))
            if let attributes = item.referringLinksAttributes {
                #expect(attributes.values.allSatisfy { $0 > 0 && $0 <= item.backlinks })
            } else {
                nullMaps += 1
            }
            if item.referringLinksSemanticLocations?[""] != nil || item.referringLinksCountries?[""] != nil {
                emptyKeys += 1
            }
        }
        #expect(nullMaps > 20)
        #expect(emptyKeys > 20)
        #expect(noBacklinks < Self.targets.count / 4)
    }

    @Test("drifts only a few percent from one day to the next")
    func smallDrift() {
        for target in Self.targets.prefix(200) {
            let today = DataForSEOData.pageSummary(target: target, date: "2026-02-18")
            let tomorrow = DataForSEOData.pageSummary(target: target, date: "2026-02-19")
            if today.backlinks >= 1000 {
                let ratio = Double(tomorrow.backlinks) / Double(today.backlinks)
                #expect(ratio > 0.85 && ratio < 1.15, "\(target): \(today.backlinks) -> \(tomorrow.backlinks)")
            }
            #expect(abs(today.mainDomainRank - tomorrow.mainDomainRank) <= 1 + today.mainDomainRank / 30)
            #expect(today.firstSeen == tomorrow.firstSeen || today.backlinks == 0 || tomorrow.backlinks == 0)
        }
    }

    @Test("the siblings agree with the page summary")
    func siblingsAgree() {
        for target in Self.targets.prefix(100) + Self.targets.suffix(50) {
            let summary = DataForSEOData.pageSummary(target: target, date: Self.date)
            #expect(DataForSEOData.rank(target: target, date: Self.date) == summary.rank)
            #expect(
                DataForSEOData.rank(target: target, date: Self.date, scale: .oneHundred)
                    == Int((Double(summary.rank) / 10).rounded()))
            #expect(DataForSEOData.backlinks(target: target, date: Self.date) == summary.backlinks)
            let referring = DataForSEOData.referringDomains(target: target, date: Self.date)
            #expect(referring.referringDomains == summary.referringDomains)
            #expect(referring.referringMainDomains == summary.referringMainDomains)
            #expect((0...100).contains(DataForSEOData.spamScore(target: target, date: Self.date)))
        }
        // The main domain itself ranks as its main domain.
        let main = DataForSEOData.pageSummary(target: "dataforseo.com", date: Self.date)
        #expect(main.rank == main.mainDomainRank)
        let page = DataForSEOData.pageSummary(target: "https://dataforseo.com/about-us", date: Self.date)
        #expect(page.mainDomainRank == main.mainDomainRank)
    }

    @Test("new and lost backlinks grow with the window; date_from defaults to one month earlier")
    func newLost() {
        var grew = 0
        for target in Self.targets.prefix(50) {
            let day = DataForSEOData.newLost(target: target, date: Self.date, dateFrom: Self.date)
            let year = DataForSEOData.newLost(target: target, date: Self.date, dateFrom: "2025-02-18")
            #expect(day.newBacklinks >= 0 && day.lostBacklinks >= 0)
            if year.newBacklinks > day.newBacklinks { grew += 1 }
            #expect(
                DataForSEOData.newLost(target: target, date: Self.date, dateFrom: nil).newBacklinks
                    == DataForSEOData.newLost(target: target, date: Self.date, dateFrom: "2026-01-18").newBacklinks)
        }
        #expect(grew > 40)
        #expect(DataForSEOData.newLost(target: "x.invalid", date: Self.date, dateFrom: nil) == (0, 0))
    }

    @Test("reports .invalid hosts as not in the index: zeros, null dates and maps")
    func notIndexed() {
        for target in ["nothing.invalid", "https://www.nothing.invalid/page", "NOTHING.INVALID"] {
            #expect(DataForSEOData.pageSummary(target: target, date: Self.date) == DataForSEOPageSummary(url: target))
            #expect(DataForSEOData.rank(target: target, date: Self.date) == 0)
            #expect(DataForSEOData.spamScore(target: target, date: Self.date) == 0)
        }
        #expect(DataForSEOData.pageSummary(target: "invalid.com", date: Self.date).mainDomainRank > 0)
    }

    @Test(
        "a task costs 0.02 USD plus 0.00003 per target",
        arguments: [(1, 0.02003), (2, 0.02006), (100, 0.023), (1000, 0.05)])
    func taskCost(targets: Int, cost: Double) {
        #expect(DataForSEOData.taskCost(targets: targets) == cost)
    }

    @Test(
        "reduces hosts to registrable domains",
        arguments: [
            ("example.com", "example.com"), ("www.example.com", "example.com"), ("blog.example.com", "example.com"),
            ("a.b.example.com", "example.com"), ("x.co.uk", "x.co.uk"), ("www.shop.x.co.uk", "x.co.uk"),
            ("example.com.au", "example.com.au"), ("uni.ac.jp", "uni.ac.jp"), ("dept.uni.edu.au", "uni.edu.au"),
            ("Example.COM.", "example.com"), ("https://www.Example.com:8443/a?b", "example.com"),
            ("co.uk", "co.uk"), ("192.168.0.1", "192.168.0.1"),
        ])
    func registrableDomain(host: String, expected: String) {
        #expect(DataForSEOData.registrableDomain(of: host) == expected)
    }

    @Test("encodes the page summary with the wire keys and nulls written out")
    func wireForm() throws {
        let summary = DataForSEOData.pageSummary(target: "dataforseo.com", date: Self.date)
        let data = try JSONEncoder().encode(DataForSEOPageSummary(url: "gone.invalid"))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(Set(object.keys) == Set(DataForSEOPageSummary.fieldNames))
        #expect(object["referring_links_tld"] is NSNull)
        let roundTrip = try JSONDecoder().decode(DataForSEOPageSummary.self, from: JSONEncoder().encode(summary))
        #expect(roundTrip == summary)
    }
}
