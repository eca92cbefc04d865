import Foundation

/// The simulated Ahrefs v3 data: pure functions of (target, date), so tests can compute the values the
/// sandbox serves.
///
/// Every value is a stable per-target base (from an FNV-1a 64 hash of the exact string sent, never
/// lower-cased) times a small drift derived from the date: a slow wave plus day-to-day noise, within ±5 %
/// (±1.5 % for Domain Rating, ±2 % for URL Rating). Metrics are correlated the way real ones are: traffic
/// and keywords grow with Domain Rating, backlinks always exceed referring domains, Ahrefs Rank falls as
/// Domain Rating rises.
public enum AhrefsV3Data {
    /// Metrics for `site-explorer/batch/metrics`; `domainRating` has one decimal and matches `domainRating(target:date:)`.
    public static func domainMetrics(target: String, date: String) -> (
        orgKeywords: Int, orgTraffic: Int, domainRating: Double
    ) {
        let strength = domainStrength(target)
        let keywords = logScaled(
            strength, low: 1.0, span: 5.2, spread: 0.8, kind: "org_keywords", key: target, date: date, amplitude: 0.05
        )
        let traffic = logScaled(
            strength, low: 0.3, span: 6.3, spread: 0.8, kind: "org_traffic", key: target, date: date, amplitude: 0.05
        )
        return (keywords, min(5_000_000, traffic), domainRating(target: target, date: date).domainRating)
    }

    /// Live backlinks and live referring domains for `site-explorer/batch/backlinks-stats`; `live > liveRefdomains`.
    public static func backlinksStats(target: String, date: String) -> (live: Int, liveRefdomains: Int) {
        let strength = domainStrength(target)
        let refdomains = logScaled(
            strength, low: 0.4, span: 4.6, spread: 0.6, kind: "live_refdomains", key: target, date: date,
            amplitude: 0.05
        )
        let ratio = 1.5 + 40 * pow(unit("backlinks_ratio", target), 2)
        let live = Int((Double(refdomains) * ratio * drift("live", target, date, amplitude: 0.05)).rounded())
        return (max(refdomains + 1, live), refdomains)
    }

    /// Domain Rating (0-100, one decimal) and Ahrefs Rank (1 is the strongest site) for `site-explorer/batch/domain-rating`.
    public static func domainRating(target: String, date: String) -> (domainRating: Double, ahrefsRank: Int) {
        let base = 100 * domainStrength(target)
        let tenths = (base * 10 * drift("domain_rating", target, date, amplitude: 0.015)).rounded()
        let rating = min(1000, max(0, Int(tenths)))
        let rankScale = 0.85 + 0.3 * unit("ahrefs_rank", target, date)
        let rank = Int((pow(10, 8.3 * (1 - Double(rating) / 1000)) * rankScale).rounded())
        return (Double(rating) / 10, max(1, rank))
    }

    /// Keyword metrics for `keywords-explorer/batch/overview` (no date: keyword data is not dated there).
    /// `volume` and `trafficPotential` are rounded to two significant digits, `cpc` is in USD with two decimals.
    public static func keywordOverview(keyword: String, country: String) -> (
        volume: Int, keywordDifficulty: Int, cpc: Double, trafficPotential: Int
    ) {
        let popularity = pow(unit("volume", keyword), 1.4)
        let countryScale = 0.15 + 0.85 * unit("country", country)
        let localScale = 0.6 + 0.8 * unit("volume", keyword, country)
        let volume = twoSignificantDigits(pow(10, 1 + 4.8 * popularity) * countryScale * localScale)
        let difficulty =
            8 + 14 * log10(Double(max(volume, 1))) + 30 * (unit("keyword_difficulty", keyword, country) - 0.5)
        let cents = (pow(unit("cpc", keyword, country), 2) * 4000).rounded()
        let potential = Double(volume) * (0.5 + 2.5 * unit("traffic_potential", keyword, country))
        return (
            volume,
            min(100, max(0, Int(difficulty.rounded()))),
            cents / 100,
            twoSignificantDigits(potential)
        )
    }

    /// Page metrics for `site-explorer/batch/url-metrics`; `urlRating` is 0-100, `backlinks > referringDomains`.
    public static func urlMetrics(url: String, date: String) -> (
        urlRating: Int, backlinks: Int, referringDomains: Int, keywords: Int, traffic: Int
    ) {
        let strength = pow(unit("url_strength", url), 1.7)
        let rating = Int((100 * strength * drift("url_rating", url, date, amplitude: 0.02)).rounded())
        let refdomains = logScaled(
            strength, low: 0.2, span: 3.6, spread: 0.6, kind: "referring_domains", key: url, date: date, amplitude: 0.05
        )
        let ratio = 1.2 + 25 * pow(unit("url_backlinks_ratio", url), 2)
        let backlinks = Int(
            (Double(refdomains) * ratio * drift("backlinks", url, date, amplitude: 0.05)).rounded())
        let keywords = logScaled(
            strength, low: 0.3, span: 3.5, spread: 0.8, kind: "keywords", key: url, date: date, amplitude: 0.05
        )
        let traffic = logScaled(
            strength, low: 0.1, span: 4.6, spread: 0.8, kind: "traffic", key: url, date: date, amplitude: 0.05
        )
        return (min(100, max(0, rating)), max(refdomains + 1, backlinks), refdomains, keywords, traffic)
    }

    /// The per-target error the API reports instead of data: "Domain not found in index" for hosts ending
    /// in `.invalid` or `.test` (reserved names that can never be indexed); nil for everything else.
    public static func targetError(domainOrURL: String) -> String? {
        let name = SimulatedValues.host(of: domainOrURL)
        // A name without a dot (the reference's own example, `invalid-domain`) is no domain the index can hold.
        let unindexed = name.hasSuffix(".invalid") || name.hasSuffix(".test") || !name.contains(".")
        return unindexed ? "Domain not found in index" : nil
    }

    /// Units charged for a served batch request: `max(50, 5 × rows charged)`.
    public static func units(chargedRows: Int) -> Int {
        max(50, 5 * chargedRows)
    }

    // MARK: - Building blocks

    /// FNV-1a 64 of the UTF-8 bytes (see `SimulatedValues`).
    static func fnv1a64(_ text: String) -> UInt64 {
        SimulatedValues.fnv1a64(text)
    }

    /// A number in [0, 1) determined by the parts (see `SimulatedValues.unit`).
    static func unit(_ parts: String...) -> Double {
        SimulatedValues.unit(parts: parts)
    }

    /// A factor within `1 ± amplitude` for (kind, key, date) (see `SimulatedValues.drift`).
    static func drift(_ kind: String, _ key: String, _ date: String, amplitude: Double) -> Double {
        SimulatedValues.drift(kind, key, date, amplitude: amplitude)
    }

    /// A domain's stable strength in [0, 1): its Domain Rating / 100 before drift. Skewed so most
    /// domains are weak, as on the real web.
    static func domainStrength(_ target: String) -> Double {
        pow(unit("domain_rating", target), 1.6)
    }

    /// `10^(low + span × strength ± spread/2) × drift`, rounded: a count that grows with strength.
    static func logScaled(
        _ strength: Double,
        low: Double,
        span: Double,
        spread: Double,
        kind: String,
        key: String,
        date: String,
        amplitude: Double
    ) -> Int {
        let exponent = low + span * strength + spread * (unit(kind, key) - 0.5)
        return Int((pow(10, exponent) * drift(kind, key, date, amplitude: amplitude)).rounded())
    }

    /// Rounds to two significant digits (14 321 → 14 000, 8 149 → 8 100), as keyword tools report volumes.
    static func twoSignificantDigits(_ value: Double) -> Int {
        guard value >= 100 else { return Int(value.rounded()) }
        var scale = 1.0
        while value / scale >= 100 {
            scale *= 10
        }
        return Int((value / scale).rounded() * scale)
    }
}
