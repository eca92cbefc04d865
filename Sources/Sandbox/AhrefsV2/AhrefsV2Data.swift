import Foundation

/// One row of the simulated Ahrefs v2 `refdomains` table, every column. The API returns only the columns
/// the `having` filter knows (all but `url` and `ip`); `url` and `ip` serve `where` filters.
public struct AhrefsV2Refdomain: Sendable, Equatable {
    /// The page of the target the referring domain links to, within the target's scope for the mode.
    public var url: String
    /// IPv4 address of the referring domain, dotted.
    public var ip: String
    /// The referring domain (a host name, sometimes a subdomain such as `blog.example.net`).
    public var refdomain: String
    public var backlinks: Int
    public var refpages: Int
    /// W3C timestamp, `2013-08-08T23:04:54Z`.
    public var firstSeen: String
    /// W3C timestamp, never before `firstSeen` nor after the sandbox date.
    public var lastVisited: String
    /// Domain Rating of the referring domain, 0-100.
    public var domainRating: Int

    public init(
        url: String,
        ip: String,
        refdomain: String,
        backlinks: Int,
        refpages: Int,
        firstSeen: String,
        lastVisited: String,
        domainRating: Int
    ) {
        self.url = url
        self.ip = ip
        self.refdomain = refdomain
        self.backlinks = backlinks
        self.refpages = refpages
        self.firstSeen = firstSeen
        self.lastVisited = lastVisited
        self.domainRating = domainRating
    }
}

/// The simulated Ahrefs v2 `refdomains` data: pure functions of (target, mode, date), so tests can compute
/// what the sandbox serves. The date is the sandbox's "today" (`SandboxConfiguration.today`).
///
/// Each target (hashed as sent) has a stable pool of 120-450 referring domains with realistic, unique
/// names. A mode sees a nested share of the pool (subdomains ⊇ domain ⊇ prefix ⊇ exact: about 93 %, 82 %,
/// 65 % and 33 % of it on a given day, so 40-420 rows). Each referring domain is present in periodic
/// windows (long ones for most, a few weeks for the churning 12 %), so consecutive dates differ by a row
/// or two and `first_seen` is the start of the current window; `last_visited` follows a per-row crawl
/// cycle; counts and Domain Rating drift a little with the date.
public enum AhrefsV2Data {
    /// The modes of operation, as the `mode` parameter spells them.
    public static let modes = ["exact", "domain", "subdomains", "prefix"]

    /// Every row for the target, unfiltered, in the API's default order: `domain_rating` descending, then
    /// `refdomain` ascending (byte order). An unknown mode gives no rows.
    public static func refdomains(target: String, mode: String, date: String) -> [AhrefsV2Refdomain] {
        // A paged pull asks for the same table once per page; the rows are a pure function of the key.
        let key = "\(target)\u{0}\(mode)\u{0}\(date)"
        if let cached = self.cache.withLock({ $0[key] }) { return cached }
        let rows = computeRefdomains(target: target, mode: mode, date: date)
        self.cache.withLock { cache in
            if cache.count >= 64 { cache.removeAll() }
            cache[key] = rows
        }
        return rows
    }

    private static let cache = Locked<[String: [AhrefsV2Refdomain]]>([:])

    private static func computeRefdomains(target: String, mode: String, date: String) -> [AhrefsV2Refdomain] {
        guard let reach = self.reach(mode) else { return [] }
        let day = self.day(date)
        let scope = TargetScope(target)
        var rows: [AhrefsV2Refdomain] = []
        for candidate in pool(target) where candidate.scope < reach {
            guard let firstSeenDay = candidate.firstSeenDay(on: day) else { continue }
            let key = "\(target)|\(candidate.index)"
            let firstSeenSecond = Int(unit("first_seen_time", key, String(firstSeenDay)) * 86_400)
            let crawlCycle = 1 + Int(unit("crawl_cycle", key) * 40)
            let crawlPhase = Int(unit("crawl_phase", key) * Double(crawlCycle))
            let lastVisitedDay = max(firstSeenDay, day - floorMod(day + crawlPhase, crawlCycle))
            var lastVisitedSecond = Int(unit("last_visited_time", key, String(lastVisitedDay)) * 86_400)
            if lastVisitedDay == firstSeenDay { lastVisitedSecond = max(lastVisitedSecond, firstSeenSecond) }

            let refpagesBase = pow(10, 2.3 * pow(unit("refpages", key), 3))
            let refpages = max(1, Int((refpagesBase * drift("refpages", key, date, amplitude: 0.08)).rounded()))
            let ratio = 1 + 30 * pow(unit("backlinks_ratio", key), 4)
            let backlinks = max(
                refpages,
                Int((Double(refpages) * ratio * drift("backlinks", key, date, amplitude: 0.08)).rounded())
            )
            rows.append(
                AhrefsV2Refdomain(
                    url: scope.url(mode: mode, page: unit("url", key, mode)),
                    ip: candidate.ip,
                    refdomain: candidate.name,
                    backlinks: backlinks,
                    refpages: refpages,
                    firstSeen: W3CTimestamp(day: firstSeenDay, second: firstSeenSecond).text,
                    lastVisited: W3CTimestamp(day: lastVisitedDay, second: lastVisitedSecond).text,
                    domainRating: domainRating(refdomain: candidate.name, date: date)
                )
            )
        }
        return rows.sorted(by: defaultOrder)
    }

    /// The `stats` table for the target: referring domains (the row count of `refdomains`), distinct IP
    /// addresses and distinct class C networks (`a.b.c.*`) among them, over the whole unfiltered row set.
    public static func stats(target: String, mode: String, date: String) -> (refdomains: Int, ips: Int, classC: Int) {
        self.stats(of: self.refdomains(target: target, mode: mode, date: date))
    }

    /// Rows a served request costs: 1 for the request, 1 per returned row, 5 more when `where` is given and
    /// 5 more when `having` is given (reference: seeds/ahrefs-v2-refdomains.txt).
    public static func rowsCost(returnedRows: Int, hasWhere: Bool, hasHaving: Bool) -> Int {
        1 + returnedRows + (hasWhere ? 5 : 0) + (hasHaving ? 5 : 0)
    }

    // MARK: - Shared with the handler

    /// The default order: `domain_rating` descending, then `refdomain` ascending in byte order.
    static func defaultOrder(_ left: AhrefsV2Refdomain, _ right: AhrefsV2Refdomain) -> Bool {
        if left.domainRating != right.domainRating { return left.domainRating > right.domainRating }
        return left.refdomain.utf8.lexicographicallyPrecedes(right.refdomain.utf8)
    }

    static func stats(of rows: [AhrefsV2Refdomain]) -> (refdomains: Int, ips: Int, classC: Int) {
        let networks = Set(rows.map { $0.ip[..<($0.ip.lastIndex(of: ".") ?? $0.ip.endIndex)] })
        return (rows.count, Set(rows.map(\.ip)).count, networks.count)
    }

    // MARK: - The pool of referring domains

    /// A referring domain that may link to the target, before mode and date pick the rows.
    private struct Candidate {
        var index: Int
        var name: String
        var ip: String
        /// Below a mode's reach, the candidate is in that mode's share of the pool.
        var scope: Double
        /// Presence cycle in days: present while `(day + phase) mod period < alive`.
        var period: Int
        var phase: Int
        var alive: Int

        /// The first day of the presence window containing `day`, or nil when absent that day.
        func firstSeenDay(on day: Int) -> Int? {
            let position = AhrefsV2Data.floorMod(day + phase, period)
            return position < alive ? day - position : nil
        }
    }

    /// The target's pool: 120-450 candidates with unique names, sharing IP addresses and class C networks
    /// the way hosting does (about 3 addresses per network, 2 names per network).
    private static func pool(_ target: String) -> [Candidate] {
        let size = 120 + Int(330 * pow(unit("pool_size", target), 1.2))
        let networkCount = max(2, size / 2)
        var taken: Set<String> = [SimulatedValues.host(of: target)]
        var pool: [Candidate] = []
        pool.reserveCapacity(size)
        for index in 0..<size {
            let key = "\(target)|\(index)"
            var attempt = 0
            var name = refdomainName(key: key, attempt: attempt)
            while taken.contains(name) {
                attempt += 1
                name = refdomainName(key: key, attempt: attempt)
            }
            taken.insert(name)

            let network = Int(unit("network", key) * Double(networkCount))
            let networkKey = "\(target)|network|\(network)"
            var first = 11 + Int(unit("octet1", networkKey) * 212)
            if first == 127 { first = 128 }
            let octets = [
                first,
                Int(unit("octet2", networkKey) * 256),
                Int(unit("octet3", networkKey) * 256),
                2 + Int(unit("octet4", key) * 3),
            ]

            let churns = unit("churn", key) < 0.12
            let period =
                churns ? 30 + Int(unit("period", key) * 150) : 400 + Int(unit("period", key) * 2600)
            let aliveShare = churns ? 0.35 + 0.4 * unit("alive", key) : 0.96 + 0.04 * unit("alive", key)
            pool.append(
                Candidate(
                    index: index,
                    name: name,
                    ip: octets.map(String.init).joined(separator: "."),
                    scope: unit("scope", key),
                    period: period,
                    phase: Int(unit("phase", key) * Double(period)),
                    alive: max(1, Int((aliveShare * Double(period)).rounded()))
                )
            )
        }
        return pool
    }

    /// Share of the pool each mode reaches.
    private static func reach(_ mode: String) -> Double? {
        switch mode {
        case "exact": 0.35
        case "prefix": 0.7
        case "domain": 0.88
        case "subdomains": 1.0
        default: nil
        }
    }

    private static let stems = [
        "green", "pixel", "daily", "tech", "global", "smart", "open", "blue", "north", "urban", "digital",
        "garden", "travel", "food", "health", "market", "media", "city", "local", "cloud", "data", "home", "web",
        "craft", "design", "photo", "music", "sport", "auto", "money", "eco", "bright", "star", "river",
        "mountain", "ocean", "solar", "rapid", "prime", "happy", "wild", "golden", "silver", "stone", "maple",
        "cedar", "code", "dev", "seo", "link", "rank", "growth", "startup", "fashion", "style", "family", "pet",
        "wine", "coffee", "chef", "bike", "yoga", "book", "learn", "science", "space", "game", "movie", "art",
        "soft", "baidu", "info", "shop", "finance", "crypto", "legal",
    ]
    private static let tails = [
        "hub", "lab", "spot", "zone", "works", "world", "guide", "tips", "central", "insider", "review",
        "journal", "times", "post", "wire", "digest", "corner", "base", "point", "press", "sphere", "nest",
        "forge", "line", "path", "mag", "today", "life", "land", "place", "store", "now", "geek", "pro", "ly",
    ]
    private static let topLevelDomains = [
        "com", "com", "com", "com", "com", "com", "com", "net", "net", "org", "org", "io", "co", "info", "de",
        "co.uk", "fr", "es", "it", "nl", "ru", "com.au", "ca", "pl", "jp", "in", "com.br", "us", "blog", "news",
    ]
    private static let hostLabels = ["forum", "shop", "docs", "en", "m", "wiki"]

    /// A realistic referring domain name for the pool slot, varied by `attempt` until unique.
    private static func refdomainName(key: String, attempt: Int) -> String {
        func pick(_ list: [String], _ kind: String) -> String {
            list[min(list.count - 1, Int(unit(kind, key, String(attempt)) * Double(list.count)))]
        }
        // After a few collisions, a number makes the name unique.
        let stem = pick(stems, "stem") + (attempt > 3 ? String(attempt) : "")
        let tail = pick(tails, "tail")
        let tld = pick(topLevelDomains, "tld")
        let number = String(10 + Int(unit("number", key, String(attempt)) * 9990))
        let pattern = unit("pattern", key, String(attempt))
        let label: String
        switch pattern {
        case ..<0.38: label = stem + tail
        case ..<0.48: label = stem + "-" + tail
        case ..<0.56: label = "blog." + stem + tail
        case ..<0.62: label = "news." + stem + tail
        case ..<0.67: label = stem + "blog"
        case ..<0.72: label = stem + "news"
        case ..<0.76: label = stem + "-news"
        case ..<0.80: label = stem + "-blog"
        case ..<0.86: label = number + stem
        case ..<0.92: label = pick(hostLabels, "host_label") + "." + stem + tail
        default: label = stem + tail + number
        }
        return label + "." + tld
    }

    // MARK: - Building blocks

    /// Domain Rating of a referring domain on a date: a property of the name (the same on every target),
    /// skewed low as on the real web, drifting ±2 %.
    private static func domainRating(refdomain: String, date: String) -> Int {
        let base = 100 * pow(unit("domain_rating", refdomain), 1.4)
        let rating = (base * drift("domain_rating", refdomain, date, amplitude: 0.02)).rounded()
        return min(100, max(0, Int(rating)))
    }

    /// Days since 1970-01-01 of a `YYYY-MM-DD` date (a hash-derived day for anything else).
    private static func day(_ date: String) -> Int {
        CalendarDate(date)?.daysSinceEpoch ?? Int(SimulatedValues.fnv1a64(date) % 20_000)
    }

    static func floorMod(_ value: Int, _ modulus: Int) -> Int {
        let remainder = value % modulus
        return remainder < 0 ? remainder + modulus : remainder
    }

    private static func unit(_ parts: String...) -> Double {
        SimulatedValues.unit(parts: ["ahrefs_v2"] + parts)
    }

    private static func drift(_ kind: String, _ key: String, _ date: String, amplitude: Double) -> Double {
        SimulatedValues.drift("ahrefs_v2_" + kind, key, date, amplitude: amplitude)
    }
}

/// The target as the `url` column sees it: scheme, host and path, to build pages within the mode's scope.
private struct TargetScope {
    var scheme: String
    var host: String
    var path: String

    private static let pages = [
        "", "blog/", "about", "pricing", "contact", "blog/seo-checklist", "blog/link-building-guide",
        "docs/getting-started", "tools/", "news/2025/product-launch", "products/widget", "careers",
        "case-studies/", "resources/ebook",
    ]
    private static let subdomains = ["blog", "docs", "shop", "help", "app"]

    init(_ target: String) {
        var rest = Substring(target)
        if let separator = rest.range(of: "://") {
            scheme = rest[..<separator.lowerBound].lowercased()
            rest = rest[separator.upperBound...]
        } else {
            scheme = "https"
        }
        let pathStart = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        host = SimulatedValues.host(of: String(rest[..<pathStart]))
        path = String(rest[pathStart...])
    }

    /// A page of the target for the mode: the target itself for `exact`, a page under its path for
    /// `prefix`, a page of the host for `domain`, sometimes of a subdomain for `subdomains`. `page` in [0, 1).
    func url(mode: String, page: Double) -> String {
        let origin = scheme + "://" + host
        switch mode {
        case "exact":
            return origin + (path.isEmpty ? "/" : path)
        case "prefix":
            let base = path.isEmpty ? "/" : path
            let slug = Self.pick(Self.pages, page)
            return origin + base + (base.hasSuffix("/") || slug.isEmpty ? "" : "/") + slug
        case "subdomains" where page < 0.3:
            let scaled = page / 0.3
            return scheme + "://" + Self.pick(Self.subdomains, scaled) + "." + host + "/"
                + Self.pick(Self.pages, (scaled * 7).truncatingRemainder(dividingBy: 1))
        default:
            return origin + "/" + Self.pick(Self.pages, page)
        }
    }

    private static func pick(_ list: [String], _ unit: Double) -> String {
        list[min(list.count - 1, max(0, Int(unit * Double(list.count))))]
    }
}

/// A W3C timestamp in UTC, `YYYY-MM-DDTHH:MM:SSZ`, as Ahrefs v2 writes and compares dates.
struct W3CTimestamp: Sendable, Equatable, Comparable {
    /// Seconds since 1970-01-01T00:00:00Z.
    var seconds: Int

    init(day: Int, second: Int) {
        seconds = day * 86_400 + min(86_399, max(0, second))
    }

    /// Parses `YYYY-MM-DD` (midnight UTC) or `YYYY-MM-DDTHH:MM:SSZ`; nothing else.
    init?(_ text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count == 10 || bytes.count == 20,
            let date = CalendarDate(String(decoding: bytes[0..<10], as: UTF8.self))
        else { return nil }
        var second = 0
        if bytes.count == 20 {
            guard bytes[10] == UInt8(ascii: "T"), bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
                bytes[19] == UInt8(ascii: "Z")
            else { return nil }
            var parts: [Int] = []
            for start in [11, 14, 17] {
                let pair = bytes[start..<(start + 2)]
                guard pair.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else { return nil }
                parts.append(pair.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) })
            }
            guard parts[0] < 24, parts[1] < 60, parts[2] < 60 else { return nil }
            second = parts[0] * 3600 + parts[1] * 60 + parts[2]
        }
        self.init(day: date.daysSinceEpoch, second: second)
    }

    var text: String {
        let second = AhrefsV2Data.floorMod(seconds, 86_400)
        let day = (seconds - second) / 86_400
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }
        return CalendarDate(daysSinceEpoch: day).text + "T" + two(second / 3600) + ":" + two(second / 60 % 60) + ":"
            + two(second % 60) + "Z"
    }

    static func < (left: W3CTimestamp, right: W3CTimestamp) -> Bool {
        left.seconds < right.seconds
    }
}
