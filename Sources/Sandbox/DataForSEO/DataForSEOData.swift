import Foundation

/// The scale of DataForSEO's `rank` metric, chosen per task with `rank_scale`.
public enum DataForSEORankScale: String, Sendable, CaseIterable {
    /// 0-100: the 0-1000 rank divided by ten, rounded.
    case oneHundred = "one_hundred"
    /// 0-1000, the default.
    case oneThousand = "one_thousand"

    /// A rank of the 0-1000 scale on this one.
    public func scaled(_ rank: Int) -> Int {
        switch self {
        case .oneThousand: rank
        case .oneHundred: Int((Double(rank) / 10).rounded())
        }
    }
}

/// One item of `backlinks/bulk_pages_summary/live`, field for field.
///
/// Its `Codable` form is the wire form (snake_case keys, nulls written out), so a test can decode an
/// item with a plain `JSONDecoder` (no key strategy: that would also rewrite the map keys) and compare it
/// with `DataForSEOData.pageSummary(target:date:)`.
public struct DataForSEOPageSummary: Sendable, Codable, Equatable {
    /// Always `backlinks_page_summary`.
    public var type: String
    /// The target exactly as sent (a domain, subdomain or page URL).
    public var url: String
    /// Rank of the target, 0-1000.
    public var rank: Int
    /// Rank of the target's registrable domain, 0-1000.
    public var mainDomainRank: Int
    public var backlinks: Int
    /// `yyyy-mm-dd hh:mm:ss +00:00`, or nil when the target has no backlinks.
    public var firstSeen: String?
    /// `yyyy-mm-dd hh:mm:ss +00:00` when a backlink was lost recently, else nil.
    public var lostDate: String?
    /// Average spam score of the backlinks, 0-100.
    public var backlinksSpamScore: Int
    public var brokenBacklinks: Int
    public var brokenPages: Int
    public var referringDomains: Int
    public var referringDomainsNofollow: Int
    public var referringMainDomains: Int
    public var referringMainDomainsNofollow: Int
    public var referringIPs: Int
    public var referringSubnets: Int
    public var referringPages: Int
    public var referringPagesNofollow: Int
    /// Links per top-level domain of the referring page (`com`, `org`, `de`...); sums to `backlinks`.
    public var referringLinksTLD: [String: Int]?
    /// Links per link type (`anchor`, `image`, `redirect`, `canonical`...); sums to `backlinks`.
    public var referringLinksTypes: [String: Int]?
    /// Links per link attribute (`nofollow`, `ugc`, `sponsored`...); a link may have none or several.
    public var referringLinksAttributes: [String: Int]?
    /// Links per platform type (`cms`, `blogs`, `news`, `unknown`...); sums to `backlinks`.
    public var referringLinksPlatformTypes: [String: Int]?
    /// Links per semantic location (`article`, `section`, `footer`, and `""` for none); sums to `backlinks`.
    public var referringLinksSemanticLocations: [String: Int]?
    /// Links per country code of the referring domain (`US`, `DE`, and `""` when unknown); sums to `backlinks`.
    public var referringLinksCountries: [String: Int]?

    public static let itemType = "backlinks_page_summary"

    /// Every field in documentation order, as the wire keys.
    public static let fieldNames = CodingKeys.allCases.map(\.rawValue)

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case type
        case url
        case rank
        case mainDomainRank = "main_domain_rank"
        case backlinks
        case firstSeen = "first_seen"
        case lostDate = "lost_date"
        case backlinksSpamScore = "backlinks_spam_score"
        case brokenBacklinks = "broken_backlinks"
        case brokenPages = "broken_pages"
        case referringDomains = "referring_domains"
        case referringDomainsNofollow = "referring_domains_nofollow"
        case referringMainDomains = "referring_main_domains"
        case referringMainDomainsNofollow = "referring_main_domains_nofollow"
        case referringIPs = "referring_ips"
        case referringSubnets = "referring_subnets"
        case referringPages = "referring_pages"
        case referringPagesNofollow = "referring_pages_nofollow"
        case referringLinksTLD = "referring_links_tld"
        case referringLinksTypes = "referring_links_types"
        case referringLinksAttributes = "referring_links_attributes"
        case referringLinksPlatformTypes = "referring_links_platform_types"
        case referringLinksSemanticLocations = "referring_links_semantic_locations"
        case referringLinksCountries = "referring_links_countries"
    }

    public init(
        url: String,
        rank: Int = 0,
        mainDomainRank: Int = 0,
        backlinks: Int = 0,
        firstSeen: String? = nil,
        lostDate: String? = nil,
        backlinksSpamScore: Int = 0,
        brokenBacklinks: Int = 0,
        brokenPages: Int = 0,
        referringDomains: Int = 0,
        referringDomainsNofollow: Int = 0,
        referringMainDomains: Int = 0,
        referringMainDomainsNofollow: Int = 0,
        referringIPs: Int = 0,
        referringSubnets: Int = 0,
        referringPages: Int = 0,
        referringPagesNofollow: Int = 0,
        referringLinksTLD: [String: Int]? = nil,
        referringLinksTypes: [String: Int]? = nil,
        referringLinksAttributes: [String: Int]? = nil,
        referringLinksPlatformTypes: [String: Int]? = nil,
        referringLinksSemanticLocations: [String: Int]? = nil,
        referringLinksCountries: [String: Int]? = nil
    ) {
        type = Self.itemType
        self.url = url
        self.rank = rank
        self.mainDomainRank = mainDomainRank
        self.backlinks = backlinks
        self.firstSeen = firstSeen
        self.lostDate = lostDate
        self.backlinksSpamScore = backlinksSpamScore
        self.brokenBacklinks = brokenBacklinks
        self.brokenPages = brokenPages
        self.referringDomains = referringDomains
        self.referringDomainsNofollow = referringDomainsNofollow
        self.referringMainDomains = referringMainDomains
        self.referringMainDomainsNofollow = referringMainDomainsNofollow
        self.referringIPs = referringIPs
        self.referringSubnets = referringSubnets
        self.referringPages = referringPages
        self.referringPagesNofollow = referringPagesNofollow
        self.referringLinksTLD = referringLinksTLD
        self.referringLinksTypes = referringLinksTypes
        self.referringLinksAttributes = referringLinksAttributes
        self.referringLinksPlatformTypes = referringLinksPlatformTypes
        self.referringLinksSemanticLocations = referringLinksSemanticLocations
        self.referringLinksCountries = referringLinksCountries
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(type, forKey: .type)
        try container.encode(url, forKey: .url)
        try container.encode(rank, forKey: .rank)
        try container.encode(mainDomainRank, forKey: .mainDomainRank)
        try container.encode(backlinks, forKey: .backlinks)
        try container.encode(firstSeen, forKey: .firstSeen)
        try container.encode(lostDate, forKey: .lostDate)
        try container.encode(backlinksSpamScore, forKey: .backlinksSpamScore)
        try container.encode(brokenBacklinks, forKey: .brokenBacklinks)
        try container.encode(brokenPages, forKey: .brokenPages)
        try container.encode(referringDomains, forKey: .referringDomains)
        try container.encode(referringDomainsNofollow, forKey: .referringDomainsNofollow)
        try container.encode(referringMainDomains, forKey: .referringMainDomains)
        try container.encode(referringMainDomainsNofollow, forKey: .referringMainDomainsNofollow)
        try container.encode(referringIPs, forKey: .referringIPs)
        try container.encode(referringSubnets, forKey: .referringSubnets)
        try container.encode(referringPages, forKey: .referringPages)
        try container.encode(referringPagesNofollow, forKey: .referringPagesNofollow)
        try container.encode(referringLinksTLD, forKey: .referringLinksTLD)
        try container.encode(referringLinksTypes, forKey: .referringLinksTypes)
        try container.encode(referringLinksAttributes, forKey: .referringLinksAttributes)
        try container.encode(referringLinksPlatformTypes, forKey: .referringLinksPlatformTypes)
        try container.encode(referringLinksSemanticLocations, forKey: .referringLinksSemanticLocations)
        try container.encode(referringLinksCountries, forKey: .referringLinksCountries)
    }
}

/// The simulated DataForSEO Backlinks data: pure functions of (target, date), so tests can compute the
/// values the sandbox serves. The date is the sandbox's "today" (DataForSEO answers with current data).
///
/// Every value comes from a stable hash of the target exactly as sent (case-sensitive, like
/// `AhrefsV3Data`) with a per-date drift of a few percent, except `main_domain_rank`, which belongs to
/// the target's registrable domain (lower-cased). The bulk siblings agree with the page summary: a
/// target's `bulk_ranks` rank, `bulk_backlinks` backlinks and `bulk_referring_domains` counts are the
/// summary's. Hosts ending in `.invalid` are not in the index: zeros, null dates, null maps.
public enum DataForSEOData {
    /// The `bulk_pages_summary` item for `target` on `date`.
    public static func pageSummary(target: String, date: String) -> DataForSEOPageSummary {
        guard !isNotIndexed(target) else { return DataForSEOPageSummary(url: target) }
        let host = SimulatedValues.host(of: target)
        let mainDomainRank = self.mainDomainRank(registrableDomain: registrableDomain(of: host), date: date)
        let strength = self.strength(target: target, host: host)
        let isPage = target.contains("://")
        let unit = { (kind: String) in SimulatedValues.unit("dataforseo", kind, target) }
        let drift = { (kind: String, amplitude: Double) in
            SimulatedValues.drift("dataforseo_" + kind, target, date, amplitude: amplitude)
        }

        // Referring main domains grow with the target's strength; pages have far fewer than sites.
        let exponent =
            (isPage ? -0.3 : 0.3) + (isPage ? 3.4 : 4.7) * strength + 0.8 * (unit("referring_main_domains") - 0.5)
        let mainDomains = Int((pow(10, exponent) * drift("referring_main_domains", 0.04)).rounded())
        guard mainDomains > 0 else {
            return DataForSEOPageSummary(url: target, mainDomainRank: mainDomainRank)
        }
        let domains = max(
            mainDomains,
            Int(
                (Double(mainDomains) * (1 + 0.35 * unit("subdomain_share")) * drift("referring_domains", 0.01))
                    .rounded())
        )
        let pages = max(
            domains,
            Int(
                (Double(domains) * (1.1 + 19 * pow(unit("pages_per_domain"), 2)) * drift("referring_pages", 0.03))
                    .rounded())
        )
        let backlinks = max(
            pages,
            Int((Double(pages) * (1 + 0.8 * unit("links_per_page")) * drift("backlinks", 0.02)).rounded())
        )
        let ips = min(domains, max(1, Int((Double(domains) * (0.7 + 0.28 * unit("ips"))).rounded())))
        let subnets = min(ips, max(1, Int((Double(ips) * (0.55 + 0.4 * unit("subnets"))).rounded())))
        let nofollowShare = 0.05 + 0.35 * unit("nofollow")
        let domainsNofollow = min(domains, Int((Double(domains) * nofollowShare * drift("nofollow", 0.03)).rounded()))
        let mainDomainsNofollow = min(
            mainDomains, domainsNofollow, Int((Double(mainDomains) * nofollowShare * 0.9).rounded()))
        let pagesNofollow = min(pages, Int((Double(pages) * nofollowShare * drift("pages_nofollow", 0.03)).rounded()))
        let brokenBacklinks = min(
            backlinks,
            Int((Double(backlinks) * 0.08 * pow(unit("broken"), 2) * drift("broken", 0.05)).rounded())
        )
        let brokenPages: Int
        if isPage {
            brokenPages = brokenBacklinks > 0 && unit("page_broken") < 0.15 ? 1 : 0
        } else {
            brokenPages = min(
                brokenBacklinks,
                max(brokenBacklinks > 0 ? 1 : 0, Int(Double(brokenBacklinks) * 0.3 * unit("broken_pages")))
            )
        }
        let spam = Int(
            ((3 + 57 * pow(unit("backlinks_spam_score"), 2.2)) * drift("backlinks_spam_score", 0.05)).rounded())

        let dates = seenAndLost(target: target, date: date)
        // Counted per attribute: a link may carry several (nofollow and ugc) or none.
        var attributes: [String: Int] = ["nofollow": Int((Double(backlinks) * nofollowShare).rounded())]
        for (name, chance, share) in [
            ("ugc", 0.4, 0.08), ("sponsored", 0.3, 0.05), ("noopener", 0.35, 0.2), ("noreferrer", 0.3, 0.15),
        ] where unit("attribute_" + name) < chance {
            attributes[name] = Int(Double(backlinks) * share * unit("attribute_share_" + name))
        }
        attributes = attributes.filter { $0.value > 0 }

        return DataForSEOPageSummary(
            url: target,
            rank: rank(strength: strength, target: target, host: host, date: date),
            mainDomainRank: mainDomainRank,
            backlinks: backlinks,
            firstSeen: dates.firstSeen,
            lostDate: dates.lostDate,
            backlinksSpamScore: min(100, max(0, spam)),
            brokenBacklinks: brokenBacklinks,
            brokenPages: brokenPages,
            referringDomains: domains,
            referringDomainsNofollow: domainsNofollow,
            referringMainDomains: mainDomains,
            referringMainDomainsNofollow: mainDomainsNofollow,
            referringIPs: ips,
            referringSubnets: subnets,
            referringPages: pages,
            referringPagesNofollow: pagesNofollow,
            referringLinksTLD: split(
                backlinks, weights(target, "tld", Self.topLevelDomains, leading: 4, dominantWeight: 4)),
            referringLinksTypes: split(
                backlinks, weights(target, "types", Self.linkTypes, leading: 2, dominantWeight: 12)),
            referringLinksAttributes: attributes.isEmpty || unit("attributes_missing") < 0.1 ? nil : attributes,
            referringLinksPlatformTypes: unit("platform_types_missing") < 0.1
                ? nil : split(backlinks, weights(target, "platform", Self.platformTypes, leading: 1)),
            referringLinksSemanticLocations: unit("semantic_locations_missing") < 0.1
                ? nil : split(backlinks, weights(target, "semantic", Self.semanticLocations, leading: 2)),
            referringLinksCountries: unit("countries_missing") < 0.1
                ? nil : split(backlinks, weights(target, "countries", Self.countries, leading: 3))
        )
    }

    /// The `bulk_ranks` rank: the page summary's `rank`, on the 0-1000 scale or divided by ten for 0-100.
    public static func rank(target: String, date: String, scale: DataForSEORankScale = .oneThousand) -> Int {
        scale.scaled(pageSummary(target: target, date: date).rank)
    }

    /// The `bulk_backlinks` count: the page summary's `backlinks`.
    public static func backlinks(target: String, date: String) -> Int {
        pageSummary(target: target, date: date).backlinks
    }

    /// The `bulk_referring_domains` counts: the page summary's.
    public static func referringDomains(target: String, date: String) -> (
        referringDomains: Int, referringDomainsNofollow: Int, referringMainDomains: Int,
        referringMainDomainsNofollow: Int
    ) {
        let summary = pageSummary(target: target, date: date)
        return (
            summary.referringDomains, summary.referringDomainsNofollow, summary.referringMainDomains,
            summary.referringMainDomainsNofollow
        )
    }

    /// The `bulk_spam_score` score of the target itself (0-100; most sites score low).
    public static func spamScore(target: String, date: String) -> Int {
        guard !isNotIndexed(target) else { return 0 }
        let base = 1 + 80 * pow(SimulatedValues.unit("dataforseo", "spam_score", target), 2.5)
        let score = Int(
            (base * SimulatedValues.drift("dataforseo_spam_score", target, date, amplitude: 0.03)).rounded())
        return min(100, max(0, score))
    }

    /// The `bulk_new_lost_backlinks` counts between `dateFrom` and `date` (both included); `dateFrom` nil
    /// means DataForSEO's default, one month before `date`. Longer windows give larger counts.
    public static func newLost(target: String, date: String, dateFrom: String? = nil) -> (
        newBacklinks: Int, lostBacklinks: Int
    ) {
        let backlinks = self.backlinks(target: target, date: date)
        guard backlinks > 0, let today = CalendarDate(date) else { return (0, 0) }
        let from = dateFrom.flatMap(CalendarDate.init) ?? today.oneMonthEarlier
        let days = Double(max(0, today.daysSinceEpoch - from.daysSinceEpoch) + 1)
        let unit = { (kind: String) in SimulatedValues.unit("dataforseo", kind, target) }
        let window = from.text + ".." + date
        let newRate = 0.0005 + 0.004 * unit("new_rate")
        let lostRate = newRate * (0.6 + 0.8 * unit("lost_ratio"))
        let newCount =
            Double(backlinks) * newRate * pow(days, 0.95)
            * SimulatedValues.drift("dataforseo_new", target, window, amplitude: 0.1)
        let lostCount =
            Double(backlinks) * lostRate * pow(days, 0.95)
            * SimulatedValues.drift("dataforseo_lost", target, window, amplitude: 0.1)
        return (Int(newCount.rounded()), Int(lostCount.rounded()))
    }

    /// The `bulk_new_lost_referring_domains` counts between `dateFrom` and `date` (both included), like
    /// ``newLost(target:date:dateFrom:)`` but over the referring domains: a main domain is new (lost) when its
    /// first (last) referring domain is, so those counts are at most the referring domains'.
    public static func newLostReferringDomains(target: String, date: String, dateFrom: String? = nil) -> (
        newReferringDomains: Int, lostReferringDomains: Int, newReferringMainDomains: Int,
        lostReferringMainDomains: Int
    ) {
        let domains = referringDomains(target: target, date: date)
        guard domains.referringDomains > 0, let today = CalendarDate(date) else { return (0, 0, 0, 0) }
        let from = dateFrom.flatMap(CalendarDate.init) ?? today.oneMonthEarlier
        let days = Double(max(0, today.daysSinceEpoch - from.daysSinceEpoch) + 1)
        let unit = { (kind: String) in SimulatedValues.unit("dataforseo", kind, target) }
        let window = from.text + ".." + date
        let newRate = 0.0003 + 0.002 * unit("new_domains_rate")
        let lostRate = newRate * (0.6 + 0.8 * unit("lost_domains_ratio"))
        func count(_ total: Int, _ rate: Double, _ kind: String) -> Int {
            let value =
                Double(total) * rate * pow(days, 0.95)
                * SimulatedValues.drift("dataforseo_" + kind, target, window, amplitude: 0.1)
            return min(total, Int(value.rounded()))
        }
        let newDomains = count(domains.referringDomains, newRate, "new_domains")
        let lostDomains = count(domains.referringDomains, lostRate, "lost_domains")
        let mainShare = Double(domains.referringMainDomains) / Double(domains.referringDomains)
        return (
            newDomains, lostDomains, min(newDomains, Int((Double(newDomains) * mainShare).rounded())),
            min(lostDomains, Int((Double(lostDomains) * mainShare).rounded()))
        )
    }

    /// USD charged for a served live bulk task: 0.02 + 0.00003 per target, rounded to 5 decimals.
    public static func taskCost(targets: Int) -> Double {
        Double(taskCostUnits(targets: targets)) / 100_000
    }

    /// The registrable ("main") domain of a host, used for the 100-domain limit on page URLs: the last two
    /// labels, or the last three when the second-to-last is co, com, org, net, ac, gov or edu
    /// (`blog.example.co.uk` gives `example.co.uk`), lower-cased and without `www.`. A URL is reduced to
    /// its host first.
    public static func registrableDomain(of host: String) -> String {
        var name = SimulatedValues.host(of: host)
        if name.hasPrefix("www.") { name.removeFirst(4) }
        // IP addresses have no registrable part.
        if name.hasPrefix("[") || name.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }) { return name }
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count > 2 else { return name }
        let keep = Self.secondLevelRegistries.contains(String(labels[labels.count - 2])) ? 3 : 2
        return labels.suffix(keep).joined(separator: ".")
    }

    // MARK: - Building blocks

    /// Second-level labels under which registrations happen one level deeper (`co.uk`, `com.au`).
    static let secondLevelRegistries: Set<String> = ["co", "com", "org", "net", "ac", "gov", "edu"]

    static let topLevelDomains = [
        "com", "org", "net", "de", "uk", "ru", "io", "fr", "nl", "info", "it", "pl", "es", "in", "ca", "au", "br",
        "jp", "edu", "gov",
    ]
    static let linkTypes = ["anchor", "image", "redirect", "canonical", "link", "meta", "alternate"]
    static let platformTypes = [
        "cms", "blogs", "news", "unknown", "ecommerce", "organization", "message-boards", "wikis",
    ]
    static let semanticLocations = ["article", "", "section", "footer", "header", "nav", "aside", "main"]
    static let countries = ["US", "DE", "GB", "", "FR", "NL", "CA", "IN", "RU", "JP", "AU", "BR", "ES", "IT", "PL"]

    /// USD cost in units of 0.00001 USD: 2000 + 3 per target.
    static func taskCostUnits(targets: Int) -> Int {
        2000 + 3 * max(0, targets)
    }

    /// Whether the target's host ends in `.invalid` (a reserved name that can never be indexed).
    static func isNotIndexed(_ target: String) -> Bool {
        SimulatedValues.host(of: target).hasSuffix(".invalid")
    }

    /// The registrable domain's stable strength in [0, 1), skewed so most sites are weak.
    static func mainDomainStrength(_ registrableDomain: String) -> Double {
        pow(SimulatedValues.unit("dataforseo", "main_domain_rank", registrableDomain), 1.6)
    }

    static func mainDomainRank(registrableDomain: String, date: String) -> Int {
        let value =
            1000 * mainDomainStrength(registrableDomain)
            * SimulatedValues.drift("dataforseo_main_domain_rank", registrableDomain, date, amplitude: 0.015)
        return min(1000, max(0, Int(value.rounded())))
    }

    /// The target's own strength: its main domain's for the main domain itself, less for a subdomain,
    /// much less for a single page.
    static func strength(target: String, host: String) -> Double {
        let registrable = registrableDomain(of: host)
        let main = mainDomainStrength(registrable)
        let unit = SimulatedValues.unit("dataforseo", "target_share", target)
        if target.contains("://") {
            return main * (0.15 + 0.6 * pow(unit, 1.5))
        }
        var bare = host
        if bare.hasPrefix("www.") { bare.removeFirst(4) }
        return bare == registrable ? main : main * (0.3 + 0.6 * unit)
    }

    /// The target's rank (0-1000): the main domain rank for the main domain itself, otherwise from its own
    /// strength.
    static func rank(strength: Double, target: String, host: String, date: String) -> Int {
        let registrable = registrableDomain(of: host)
        if !target.contains("://"), host == registrable {
            return mainDomainRank(registrableDomain: registrable, date: date)
        }
        let value = 1000 * strength * SimulatedValues.drift("dataforseo_rank", target, date, amplitude: 0.015)
        return min(1000, max(0, Int(value.rounded())))
    }

    /// `first_seen` (stable per target, between 2012 and the day before `date`) and `lost_date` (recent,
    /// for about two targets in three, moving with `date`), as `yyyy-mm-dd hh:mm:ss +00:00`.
    static func seenAndLost(target: String, date: String) -> (firstSeen: String, lostDate: String?) {
        let today = CalendarDate(date) ?? CalendarDate(daysSinceEpoch: Int(SimulatedValues.fnv1a64(date) % 20_000))
        let earliest = CalendarDate(daysSinceEpoch: 15_340)  // 2012-01-01
        let span = 4_900.0  // to mid-2025
        var firstDay = earliest.daysSinceEpoch + Int(SimulatedValues.unit("dataforseo", "first_seen", target) * span)
        if firstDay >= today.daysSinceEpoch {
            firstDay =
                today.daysSinceEpoch - 1 - Int(SimulatedValues.unit("dataforseo", "first_seen_late", target) * 60)
        }
        let firstSeen = timestamp(
            day: firstDay, seconds: SimulatedValues.unit("dataforseo", "first_seen_time", target))
        guard SimulatedValues.unit("dataforseo", "lost", target) >= 0.3 else { return (firstSeen, nil) }
        let lostDay = today.daysSinceEpoch - Int(SimulatedValues.unit("dataforseo", "lost_day", target, date) * 14)
        guard lostDay > firstDay else { return (firstSeen, nil) }
        return (
            firstSeen,
            timestamp(day: lostDay, seconds: SimulatedValues.unit("dataforseo", "lost_time", target, date))
        )
    }

    /// `yyyy-mm-dd hh:mm:ss +00:00` for a day since the epoch and a fraction of that day.
    static func timestamp(day: Int, seconds fraction: Double) -> String {
        let seconds = min(86_399, Int(fraction * 86_400))
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }
        return CalendarDate(daysSinceEpoch: day).text + " " + two(seconds / 3600) + ":" + two(seconds / 60 % 60)
            + ":" + two(seconds % 60) + " +00:00"
    }

    /// Stable weights per target for a map's keys: the first `leading` keys get heavier weights, the rest
    /// appear for some targets only. With `dominantWeight` the first key is always there, weighing that
    /// much to twice that much (a `leading` key weighs 0.2-1.7).
    static func weights(
        _ target: String, _ map: String, _ keys: [String], leading: Int, dominantWeight: Double? = nil
    ) -> [(String, Double)] {
        keys.enumerated().compactMap { index, key in
            let unit = SimulatedValues.unit("dataforseo", map, key, target)
            if index == 0, let dominantWeight { return (key, dominantWeight * (1 + unit)) }
            if index < leading { return unit < 0.15 ? nil : (key, 0.2 + 1.5 * unit) }
            return unit < 0.6 ? nil : (key, 0.05 + 0.4 * (unit - 0.6))
        }
    }

    /// Splits `total` over the weighted keys (largest remainder, so the counts sum to `total`), dropping
    /// keys that get nothing; nil when nothing is left.
    static func split(_ total: Int, _ weights: [(String, Double)]) -> [String: Int]? {
        let sum = weights.reduce(0) { $0 + $1.1 }
        guard total > 0, sum > 0 else { return nil }
        let shares = weights.map { Double(total) * $0.1 / sum }
        var counts = shares.map { Int($0.rounded(.down)) }
        let order = shares.indices.sorted { left, right in
            let a = shares[left] - Double(counts[left])
            let b = shares[right] - Double(counts[right])
            return a != b ? a > b : left < right
        }
        for index in order.prefix(total - counts.reduce(0, +)) {
            counts[index] += 1
        }
        var result: [String: Int] = [:]
        for (index, count) in counts.enumerated() where count > 0 {
            result[weights[index].0] = count
        }
        return result.isEmpty ? nil : result
    }
}
