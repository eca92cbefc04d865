import Foundation

/// The `/stats/` endpoints a batch query may name: the seed's list (seeds/analytics-batch-api.txt), in its order,
/// then the published paths it lacks (docs.sealmetrics.com/api/batch and /api/stats: `/stats/geo/countries`,
/// `/stats/operating-systems`, `/stats/contents`).
enum AnalyticsEndpoint: String, CaseIterable, Sendable {
    case overview = "/stats/overview"
    case pages = "/stats/pages"
    case sources = "/stats/sources"
    case mediums = "/stats/mediums"
    case campaigns = "/stats/campaigns"
    case terms = "/stats/terms"
    case referrers = "/stats/referrers"
    case countries = "/stats/countries"
    case devices = "/stats/devices"
    case browsers = "/stats/browsers"
    case os = "/stats/os"
    case conversions = "/stats/conversions"
    case microconversions = "/stats/microconversions"
    case funnel = "/stats/funnel"
    case landingPages = "/stats/landing-pages"
    case channels = "/stats/channels"
    case geoCountries = "/stats/geo/countries"
    case operatingSystems = "/stats/operating-systems"
    case contents = "/stats/contents"

    /// `page_size` the endpoint accepts (the published tables: up to 1000 for pages and countries, else 100).
    var pageSizes: ClosedRange<Int> {
        self == .pages || self == .geoCountries ? 1...1000 : 1...100
    }

    /// Rows a page holds without `page_size` (20 for conversions, else 50).
    var defaultPageSize: Int { self == .conversions ? 20 : 50 }

    /// Whether the sandbox serves data for it; the others pass validation and fail per query.
    var isServed: Bool {
        self == .overview || dimension != nil
    }

    /// The breakdown of a served list endpoint.
    var dimension: AnalyticsDimension? {
        AnalyticsDimension(endpoint: rawValue)
    }
}

/// The breakdowns the sandbox serves, each with its row key on the wire and its candidate values.
enum AnalyticsDimension: String, CaseIterable, Sendable {
    case pages, sources, mediums, campaigns, countries, devices, channels, conversions

    init?(endpoint: String) {
        guard endpoint.hasPrefix("/stats/") else { return nil }
        if endpoint == AnalyticsEndpoint.geoCountries.rawValue {
            self = .countries
            return
        }
        self.init(rawValue: String(endpoint.dropFirst("/stats/".count)))
    }

    /// The member naming the row's dimension value.
    var wireKey: String {
        switch self {
        case .pages: "page_path"
        case .sources: "utm_source"
        case .mediums: "utm_medium"
        case .campaigns: "utm_campaign"
        case .countries: "country"
        case .devices: "device_type"
        case .channels: "channel"
        case .conversions: "conversion_type"
        }
    }

    /// The account's values of this dimension with their base weights (positive), before the per-range shift.
    func candidates(account: String) -> [(key: String, weight: Double)] {
        let unit = { (parts: [String]) in
            SimulatedValues.unit(parts: ["analytics.dimension", rawValue, account] + parts)
        }
        /// Keeps the entries named in `always` and a hash-chosen share `keep` of the others, each weight
        /// shifted per account.
        let pick = {
            (entries: [(String, Double)], keep: Double, always: Set<String>) -> [(key: String, weight: Double)] in
            entries.compactMap { key, weight in
                guard always.contains(key) || unit(["has", key]) < keep else { return nil }
                return (key, weight * (0.4 + 1.2 * unit(["weight", key])))
            }
        }
        switch self {
        case .pages:
            return Self.pages(account: account, unit: unit)
        case .sources:
            return pick(Self.sourcesList, 0.7, ["google", "(direct)"])
        case .mediums:
            return pick(Self.mediumsList, 0.8, ["organic", "(none)", "referral"])
        case .campaigns:
            return pick(Self.campaignsList.map { ($0, 0.05 + pow(unit(["base", $0]), 2)) }, 0.55, [])
        case .countries:
            let home = Self.countriesList[Int(unit(["home"]) * 12)].0
            return pick(Self.countriesList.map { ($0.0, $0.0 == home ? $0.1 * 8 : $0.1) }, 0.85, ["US", home])
        case .devices:
            return [
                ("desktop", 0.45 + 0.3 * unit(["desktop"])), ("mobile", 0.3 + 0.35 * unit(["mobile"])),
                ("tablet", 0.02 + 0.06 * unit(["tablet"])),
            ]
        case .channels:
            return pick(Self.channelsList, 1, Set(Self.channelsList.map(\.0)))
        case .conversions:
            let chosen = pick(Self.conversionTypes.map { ($0.0, $0.1) }, 0.5, [])
            return chosen.isEmpty ? [("lead", 1)] : chosen
        }
    }

    /// The English name of a country the sandbox serves (`/stats/geo/countries` rows carry `country_name`).
    static func countryName(_ code: String) -> String {
        countryNames[code] ?? code
    }

    private static let countryNames = [
        "US": "United States", "GB": "United Kingdom", "DE": "Germany", "IN": "India", "FR": "France", "ES": "Spain",
        "IT": "Italy", "CA": "Canada", "BR": "Brazil", "AU": "Australia", "NL": "Netherlands", "MX": "Mexico",
        "JP": "Japan", "PL": "Poland", "SE": "Sweden", "CH": "Switzerland", "BE": "Belgium", "PT": "Portugal",
        "AR": "Argentina", "TR": "Turkey", "ID": "Indonesia", "AT": "Austria", "IE": "Ireland", "CO": "Colombia",
        "KR": "South Korea", "PH": "Philippines", "DK": "Denmark", "NO": "Norway", "FI": "Finland", "CL": "Chile",
        "ZA": "South Africa", "NG": "Nigeria", "UA": "Ukraine", "SG": "Singapore", "VN": "Vietnam",
        "NZ": "New Zealand", "IL": "Israel", "AE": "United Arab Emirates", "RO": "Romania", "CZ": "Czechia",
    ]

    /// Relative value of one conversion of a type, which splits the revenue among types.
    static func conversionValue(_ type: String) -> Double {
        Self.conversionTypes.first { $0.0 == type }?.2 ?? 1
    }

    // MARK: - Candidate values

    private static let sourcesList: [(String, Double)] = [
        ("google", 1.0), ("(direct)", 0.6), ("bing", 0.08), ("facebook", 0.06), ("linkedin", 0.05),
        ("newsletter", 0.04), ("duckduckgo", 0.03), ("twitter", 0.03), ("chatgpt.com", 0.02), ("instagram", 0.02),
        ("reddit", 0.02), ("yahoo", 0.015), ("youtube", 0.015), ("ecosia", 0.01), ("github.com", 0.01),
        ("news.ycombinator.com", 0.01), ("perplexity.ai", 0.008), ("medium.com", 0.006), ("producthunt", 0.004),
        ("quora", 0.003),
    ]

    private static let mediumsList: [(String, Double)] = [
        ("organic", 1.0), ("(none)", 0.6), ("referral", 0.2), ("cpc", 0.15), ("social", 0.1), ("email", 0.06),
        ("display", 0.03), ("affiliate", 0.02),
    ]

    private static let campaignsList = [
        "brand-search", "generic-search", "retargeting", "newsletter-weekly", "newsletter-monthly", "spring-sale",
        "summer-sale", "black-friday", "cyber-monday", "product-launch", "webinar", "ebook-download",
        "partner-program", "social-awareness", "holiday-promo", "free-trial", "competitor-terms",
        "display-prospecting", "youtube-preroll", "podcast-sponsorship",
    ]

    /// ISO 3166-1 alpha-2 codes with a global weight; one of the first twelve is the account's home market.
    private static let countriesList: [(String, Double)] = [
        ("US", 1.0), ("GB", 0.3), ("DE", 0.3), ("IN", 0.25), ("FR", 0.2), ("ES", 0.2), ("IT", 0.15), ("CA", 0.15),
        ("BR", 0.12), ("AU", 0.1), ("NL", 0.1), ("MX", 0.1), ("JP", 0.08), ("PL", 0.06), ("SE", 0.05),
        ("CH", 0.04), ("BE", 0.04), ("PT", 0.04), ("AR", 0.04), ("TR", 0.04), ("ID", 0.04), ("AT", 0.03),
        ("IE", 0.03), ("CO", 0.03), ("KR", 0.03), ("PH", 0.03), ("DK", 0.02), ("NO", 0.02), ("FI", 0.02),
        ("CL", 0.02), ("ZA", 0.02), ("NG", 0.02), ("UA", 0.02), ("SG", 0.02), ("VN", 0.02), ("NZ", 0.02),
        ("IL", 0.02), ("AE", 0.02), ("RO", 0.02), ("CZ", 0.02),
    ]

    private static let channelsList: [(String, Double)] = [
        ("Organic Search", 1.0), ("Direct", 0.5), ("Referral", 0.15), ("Social", 0.12), ("Paid Search", 0.1),
        ("Email", 0.06), ("Display", 0.02),
    ]

    /// Conversion types with a frequency weight and the relative value of one conversion.
    private static let conversionTypes: [(String, Double, Double)] = [
        ("lead", 1.0, 1.0), ("purchase", 0.6, 3.0), ("signup", 0.8, 0.5), ("contact_form", 0.5, 0.5),
        ("newsletter_subscription", 0.9, 0.1), ("demo_request", 0.2, 1.5), ("download", 0.4, 0.2),
    ]

    private static let sections = [
        "blog", "products", "docs", "guides", "news", "features", "solutions", "resources", "help", "case-studies",
    ]

    private static let words = [
        "seo", "analytics", "guide", "pricing", "tips", "growth", "marketing", "content", "strategy", "tools",
        "report", "best", "practices", "checklist", "email", "privacy", "cookieless", "tracking", "conversion",
        "funnel", "dashboard", "api", "integration", "launch", "update", "tutorial", "beginners", "advanced",
        "local", "ecommerce", "b2b", "saas", "compare", "alternatives", "review", "setup", "metrics", "traffic",
        "keywords", "campaigns",
    ]

    /// `/`, a few fixed pages and 20-190 generated ones (`/blog/privacy-tracking-guide`), home the heaviest.
    private static func pages(account: String, unit: ([String]) -> Double) -> [(key: String, weight: Double)] {
        var pages: [(key: String, weight: Double)] = [("/", 0.6 + 0.8 * unit(["home"]))]
        var seen: Set<String> = ["/"]
        for path in ["/pricing", "/about", "/contact", "/features", "/signup", "/login"] {
            pages.append((path, 0.02 + 0.15 * unit(["fixed", path])))
            seen.insert(path)
        }
        let generated = 20 + Int(unit(["count"]) * 170)
        var index = 0
        while pages.count < 7 + generated, index < 4 * generated {
            func pick(_ list: [String], _ part: String) -> String {
                list[Int(unit(["page", String(index), part]) * Double(list.count))]
            }
            let wordCount = 2 + Int(unit(["page", String(index), "length"]) * 2)
            var slugWords: [String] = []
            for position in 0..<wordCount {
                let word = pick(Self.words, "word\(position)")
                if !slugWords.contains(word) { slugWords.append(word) }
            }
            let slug = slugWords.joined(separator: "-")
            let path = "/" + pick(Self.sections, "section") + "/" + slug
            index += 1
            guard seen.insert(path).inserted else { continue }
            pages.append((path, 0.001 + 0.1 * pow(unit(["weight", path]), 3)))
        }
        return pages
    }
}
