import Foundation
import Sandbox
import Testing

@Suite("Ahrefs v2 data")
struct AhrefsV2DataTests {
    static let date = "2026-02-18"
    static let targets = ["ahrefs.com", "example.com", "https://www.example.org/blog/", "shop.example.net", "a.io"]

    @Test(
        "keeps rows realistic: unique names, ordered dates, backlinks >= refpages >= 1, DR 0-100, IPv4",
        arguments: targets)
    func rowsAreRealistic(target: String) {
        for mode in AhrefsV2Data.modes {
            let rows = AhrefsV2Data.refdomains(target: target, mode: mode, date: Self.date)
            #expect((40...420).contains(rows.count), "\(mode): \(rows.count) rows")
            #expect(Set(rows.map(\.refdomain)).count == rows.count)
            for row in rows {
                #expect(row.refdomain.contains("."))
                #expect(row.refdomain == row.refdomain.lowercased())
                #expect(row.backlinks >= row.refpages && row.refpages >= 1)
                #expect((0...100).contains(row.domainRating))
                #expect(row.firstSeen <= row.lastVisited)
                #expect(row.lastVisited < "2026-02-19")
                #expect(
                    row.firstSeen.range(of: #"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"#, options: .regularExpression)
                        != nil)
                let octets = row.ip.split(separator: ".").compactMap { Int($0) }
                #expect(octets.count == 4 && octets.allSatisfy { (0...255).contains($0) })
                #expect(row.url.hasPrefix("http"))
            }
            #expect(
                rows
                    == rows.sorted {
                        $0.domainRating != $1.domainRating
                            ? $0.domainRating > $1.domainRating : $0.refdomain < $1.refdomain
                    })
            let stats = AhrefsV2Data.stats(target: target, mode: mode, date: Self.date)
            #expect(stats.refdomains == rows.count)
            #expect(stats.ips < stats.refdomains && stats.classC < stats.ips)
            #expect(stats.ips == Set(rows.map(\.ip)).count)
        }
    }

    @Test("nests the modes: exact within prefix within domain within subdomains")
    func modesNest() {
        for target in Self.targets {
            func names(_ mode: String) -> Set<String> {
                Set(AhrefsV2Data.refdomains(target: target, mode: mode, date: Self.date).map(\.refdomain))
            }
            let exact = names("exact")
            let prefix = names("prefix")
            let domain = names("domain")
            let subdomains = names("subdomains")
            #expect(exact.count < domain.count)
            #expect(exact.isSubset(of: prefix) && prefix.isSubset(of: domain) && domain.isSubset(of: subdomains))
        }
        #expect(AhrefsV2Data.refdomains(target: "ahrefs.com", mode: "everything", date: Self.date).isEmpty)
    }

    @Test("names include blog and news sites and subdomains such as blog.example.net")
    func namesLookReal() {
        let names = Self.targets.flatMap {
            AhrefsV2Data.refdomains(target: $0, mode: "subdomains", date: Self.date).map(\.refdomain)
        }
        #expect(names.contains { $0.hasPrefix("blog.") })
        #expect(names.contains { $0.hasPrefix("news.") })
        #expect(names.contains { $0.contains("blog") && !$0.hasPrefix("blog.") })
        #expect(names.contains { $0.contains("news") && !$0.hasPrefix("news.") })
        #expect(names.contains { $0.split(separator: ".").count >= 3 && $0.hasSuffix(".co.uk") == false })
    }

    @Test("moves a few rows and counts from one day to the next, first_seen staying put for kept rows")
    func driftsSlowly() {
        let today = AhrefsV2Data.refdomains(target: "example.com", mode: "domain", date: "2026-02-18")
        let tomorrow = AhrefsV2Data.refdomains(target: "example.com", mode: "domain", date: "2026-02-19")
        let byName = Dictionary(uniqueKeysWithValues: today.map { ($0.refdomain, $0) })
        let kept = tomorrow.filter { byName[$0.refdomain] != nil }
        let changed = today.count + tomorrow.count - 2 * kept.count
        #expect(changed <= 12, "\(changed) rows added or removed")
        #expect(kept.allSatisfy { byName[$0.refdomain]?.firstSeen == $0.firstSeen })
        #expect(kept.allSatisfy { byName[$0.refdomain]?.ip == $0.ip })

        let monthLater = AhrefsV2Data.refdomains(target: "example.com", mode: "domain", date: "2026-03-18")
        #expect(Set(monthLater.map(\.refdomain)) != Set(today.map(\.refdomain)))
    }

    @Test("gives a referring domain the same Domain Rating on every target")
    func ratingBelongsToTheDomain() {
        var ratings: [String: Int] = [:]
        for target in Self.targets {
            for row in AhrefsV2Data.refdomains(target: target, mode: "subdomains", date: Self.date) {
                if let known = ratings[row.refdomain] { #expect(known == row.domainRating) }
                ratings[row.refdomain] = row.domainRating
            }
        }
    }
}
