import Foundation

/// Values of the fields only Ahrefs' published endpoints answer, derived from the same per-target bases as the
/// reference endpoints' (a domain's Domain Rating, traffic and backlinks agree whichever endpoint is asked).
extension AhrefsV3Data {
    /// `site-explorer/metrics`: organic and paid search numbers; costs are USD cents.
    public struct SiteMetrics: Sendable, Equatable {
        public var orgKeywords: Int
        public var orgKeywords1To3: Int
        public var orgTraffic: Int
        public var orgCost: Int
        public var paidKeywords: Int
        public var paidPages: Int
        public var paidTraffic: Int
        public var paidCost: Int
    }

    public static func siteMetrics(target: String, date: String) -> SiteMetrics {
        let base = domainMetrics(target: target, date: date)
        let top = base.orgKeywords * (4 + Int(8 * unit("org_keywords_1_3", target))) / 100
        let centsPerVisit = 20 + 180 * unit("org_cost", target)
        let paidShare = pow(unit("paid_keywords", target), 3) * 0.05
        let paidKeywords = Int((Double(base.orgKeywords) * paidShare).rounded())
        let paidTraffic = Int(
            (Double(base.orgTraffic) * paidShare * drift("paid_traffic", target, date, amplitude: 0.1))
                .rounded())
        return SiteMetrics(
            orgKeywords: base.orgKeywords, orgKeywords1To3: top, orgTraffic: base.orgTraffic,
            orgCost: Int((Double(base.orgTraffic) * centsPerVisit).rounded()), paidKeywords: paidKeywords,
            paidPages: paidKeywords / 4, paidTraffic: paidTraffic,
            paidCost: Int((Double(paidTraffic) * centsPerVisit * 1.3).rounded()))
    }

    /// `site-explorer/backlinks-stats`: live and all-time backlinks and referring domains.
    public static func backlinksStatsAllTime(target: String, date: String) -> (
        live: Int, allTime: Int, liveRefdomains: Int, allTimeRefdomains: Int
    ) {
        let stats = backlinksStats(target: target, date: date)
        let lost = 1.4 + 2.6 * unit("all_time", target)
        return (
            stats.live, Int((Double(stats.live) * lost).rounded()), stats.liveRefdomains,
            Int((Double(stats.liveRefdomains) * (1 + (lost - 1) / 2)).rounded())
        )
    }

    /// `keywords-explorer/overview`: the documented fields beyond the reference's four.
    static func keywordDetails(keyword: String, country: String, today: String) -> [String: JSONOutput] {
        let overview = keywordOverview(keyword: keyword, country: country)
        let words = keyword.split(separator: " ")
        let parent = words.count > 2 ? words.suffix(2).joined(separator: " ") : keyword
        let parentVolume =
            parent == keyword ? overview.volume : keywordOverview(keyword: parent, country: country).volume
        let clicks = Int((Double(overview.volume) * (0.4 + 0.6 * unit("clicks", keyword, country))).rounded())
        let mobile = Int((40 + 40 * unit("mobile", keyword, country)).rounded())
        let organic = Int((45 + 30 * unit("organic_clicks", keyword, country)).rounded())
        let paid = Int((5 * unit("paid_clicks", keyword, country)).rounded())
        let intent = { (name: String) -> JSONOutput in .bool(unit("intent", name, keyword) < 0.35) }
        let features = ["snippet", "question", "image", "video", "sitelink", "ai_overview"]
            .filter { unit("serp_feature", $0, keyword) < 0.4 }
        let firstSeen = CalendarDate(daysSinceEpoch: 15_000 + Int(3000 * unit("first_seen", keyword))).text
        return [
            "keyword": .string(keyword),
            "volume": .int(overview.volume),
            "difficulty": .int(overview.keywordDifficulty),
            "cpc": .int(Int((overview.cpc * 100).rounded())),
            "traffic_potential": .int(overview.trafficPotential),
            "global_volume": .int(
                twoSignificantDigits(Double(overview.volume) * (1.5 + 4.5 * unit("global", keyword)))),
            "volume_monthly": .int(
                Int(
                    (Double(overview.volume) * drift("volume_monthly", keyword, today, amplitude: 0.2))
                        .rounded())),
            "parent_topic": .string(parent),
            "parent_volume": .int(parentVolume),
            "intents": .object(
                ["informational", "navigational", "commercial", "transactional", "branded", "local"].map {
                    ($0, intent($0))
                }),
            "clicks": .int(clicks),
            "cps": .fixed(units: Int((Double(clicks) / Double(max(overview.volume, 1)) * 100).rounded()), decimals: 2),
            "serp_features": .array(features.map(JSONOutput.string)),
            "serp_last_update": .string(today + "T04:00:00Z"),
            "first_seen": .string(firstSeen + "T00:00:00Z"),
            "volume_desktop_pct": .int(100 - mobile),
            "volume_mobile_pct": .int(mobile),
            "searches_pct_clicks_organic_only": .int(organic),
            "searches_pct_clicks_paid_only": .int(paid),
            "searches_pct_clicks_organic_and_paid": .int(min(100 - organic - paid, 10)),
        ]
    }

    /// `batch-analysis/batch-analysis`: every selectable field of a target on `date`, for a domain (`domain` and
    /// `subdomains` modes) or a URL (`exact`, `prefix`).
    static func batchAnalysis(target: String, mode: String, date: String) -> [String: JSONOutput] {
        let isPage = mode == "exact" || mode == "prefix"
        let rating = domainRating(target: SimulatedValues.host(of: target), date: date)
        let site = siteMetrics(target: SimulatedValues.host(of: target), date: date)
        var backlinks: Int
        var refdomains: Int
        var keywords = site.orgKeywords
        var traffic = site.orgTraffic
        var urlRating = 0
        if isPage {
            let page = urlMetrics(url: target, date: date)
            (backlinks, refdomains, keywords, traffic, urlRating) = (
                page.backlinks, page.referringDomains, page.keywords, page.traffic, page.urlRating
            )
        } else {
            let stats = backlinksStats(target: target, date: date)
            (backlinks, refdomains) = (stats.live, stats.liveRefdomains)
            urlRating = Int((rating.domainRating * 0.8).rounded())
        }
        func share(_ total: Int, _ kind: String, _ low: Double, _ high: Double) -> Int {
            Int((Double(total) * (low + (high - low) * unit(kind, target))).rounded())
        }
        let dofollow = share(backlinks, "dofollow", 0.6, 0.9)
        let refDofollow = share(refdomains, "ref_dofollow", 0.7, 0.95)
        let buckets = [0.06, 0.12, 0.14, 0.28].map { Int((Double(keywords) * $0).rounded()) }
        let cost = Double(site.orgCost) / Double(max(site.orgTraffic, 1))
        let lastOctet = 1 + Int(253 * unit("ip", target))
        return [
            "ahrefs_rank": .int(rating.ahrefsRank),
            "domain_rating": .fixed(units: Int((rating.domainRating * 10).rounded()), decimals: 1),
            "url_rating": .int(urlRating),
            "backlinks": .int(backlinks),
            "backlinks_dofollow": .int(dofollow),
            "backlinks_nofollow": .int(backlinks - dofollow),
            "backlinks_internal": .int(share(backlinks, "internal", 0.5, 3)),
            "backlinks_redirect": .int(share(backlinks, "redirect", 0.01, 0.05)),
            "refdomains": .int(refdomains),
            "refdomains_dofollow": .int(refDofollow),
            "refdomains_nofollow": .int(refdomains - refDofollow),
            "refips": .int(share(refdomains, "refips", 0.85, 0.95)),
            "refips_subnets": .int(share(refdomains, "subnets", 0.6, 0.8)),
            "linked_domains": .int(share(refdomains, "linked", 0.05, 0.4)),
            "linked_domains_dofollow": .int(share(refdomains, "linked_dofollow", 0.03, 0.3)),
            "outgoing_links": .int(share(refdomains, "outgoing", 0.2, 2)),
            "outgoing_links_dofollow": .int(share(refdomains, "outgoing_dofollow", 0.1, 1.5)),
            "org_keywords": .int(keywords),
            "org_keywords_1_3": .int(buckets[0]),
            "org_keywords_4_10": .int(buckets[1]),
            "org_keywords_11_20": .int(buckets[2]),
            "org_keywords_21_50": .int(buckets[3]),
            "org_keywords_51_plus": .int(keywords - buckets.reduce(0, +)),
            "org_traffic": .int(traffic),
            "org_traffic_top_by_country": .array([
                .array([.string("us"), .int(share(traffic, "top_country", 0.3, 0.7))])
            ]),
            "org_cost": .int(Int((Double(traffic) * cost).rounded())),
            "paid_keywords": .int(isPage ? 0 : site.paidKeywords),
            "paid_ads": .int(isPage ? 0 : site.paidPages * 2),
            "paid_traffic": .int(isPage ? 0 : site.paidTraffic),
            "paid_cost": .int(isPage ? 0 : site.paidCost),
            "ip": .string("203.0.113.\(lastOctet)"),
        ]
    }

    /// Rows of a history answer: the dates from `from` through `to` at daily, weekly (Mondays) or monthly (the
    /// 1st) grouping.
    static func historyDates(from: CalendarDate, to: CalendarDate, grouping: String) -> [CalendarDate] {
        var dates: [CalendarDate] = []
        var day = from
        while !(to < day) {
            let weekday = (day.daysSinceEpoch + 3) % 7  // 0 = Monday (1970-01-01 was a Thursday)
            if grouping == "daily" || (grouping == "weekly" && weekday == 0) || (grouping == "monthly" && day.day == 1)
            {
                dates.append(day)
            }
            day = day.adding(days: 1)
        }
        return dates
    }
}
