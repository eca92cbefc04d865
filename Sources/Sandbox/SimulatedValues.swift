import Foundation

/// Building blocks every simulated provider uses for its data: stable hashes of strings, numbers in
/// [0, 1) derived from them, and a per-date drift, so values are pure functions of (target, date).
enum SimulatedValues {
    /// FNV-1a 64 of the UTF-8 bytes.
    static func fnv1a64(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }

    /// A number in [0, 1) determined by the parts (joined with `|`); FNV-1a followed by a bit mixer so
    /// that near-identical strings still land far apart.
    static func unit(_ parts: String...) -> Double {
        self.unit(parts: parts)
    }

    /// `unit(_:)` for an array of parts.
    static func unit(parts: [String]) -> Double {
        var bits = fnv1a64(parts.joined(separator: "|"))
        bits ^= bits >> 33
        bits = bits &* 0xff51_afd7_ed55_8ccd
        bits ^= bits >> 33
        bits = bits &* 0xc4ce_b9fe_1a85_ec53
        bits ^= bits >> 33
        return Double(bits >> 11) / 9_007_199_254_740_992  // 2^53
    }

    /// A factor within `1 ± amplitude` for (kind, key, date): 60 % a slow wave over the calendar (period
    /// 30-90 days, phase per key) and 40 % day-to-day noise, so consecutive days move a little and
    /// different dates differ.
    static func drift(_ kind: String, _ key: String, _ date: String, amplitude: Double) -> Double {
        let day = CalendarDate(date).map { Double($0.daysSinceEpoch) } ?? Double(fnv1a64(date) % 100_000)
        let period = 30 + 60 * unit("period", kind, key)
        let phase = 2 * Double.pi * unit("phase", kind, key)
        let wave = sin(2 * Double.pi * day / period + phase)
        let noise = 2 * unit(kind, key, date) - 1
        return 1 + amplitude * (0.6 * wave + 0.4 * noise)
    }

    /// The host of a domain or URL target, lower-cased, without scheme, user info, port, path or
    /// trailing dots: `https://User@Blog.Example.com:8080/a?b` gives `blog.example.com`.
    static func host(of domainOrURL: String) -> String {
        var host = Substring(domainOrURL)
        if let scheme = host.range(of: "://") {
            host = host[scheme.upperBound...]
        }
        if let end = host.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) {
            host = host[..<end]
        }
        if let at = host.lastIndex(of: "@") {
            host = host[host.index(after: at)...]
        }
        if !host.hasPrefix("["), let colon = host.lastIndex(of: ":") {
            host = host[..<colon]
        }
        var name = host.lowercased()
        while name.hasSuffix(".") {
            name.removeLast()
        }
        return name
    }
}
