import Foundation

/// Shared target normalization: lower-case hosts, strip what a provider does not want, reject the unusable.
public enum TargetNormalizer {
    /// A bare domain: scheme and trailing `/` stripped, lower-cased; URLs with a path are refused.
    /// - Parameter stripWWW: DataForSEO wants domains without `www.`; Ahrefs keeps it (it is a subdomain).
    public static func domain(_ raw: String, stripWWW: Bool = false) -> Result<String, TargetFailure> {
        asciiDomain(raw, stripWWW: stripWWW) ?? generalDomain(raw, stripWWW: stripWWW)
    }

    /// ``domain(_:stripWWW:)`` for any text, with Foundation's Unicode-aware string calls.
    static func generalDomain(_ raw: String, stripWWW: Bool) -> Result<String, TargetFailure> {
        var text = raw.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        for scheme in ["https://", "http://"] where text.hasPrefix(scheme) {
            text.removeFirst(scheme.count)
        }
        while text.hasSuffix("/") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        if stripWWW, text.hasPrefix("www.") { text.removeFirst(4) }
        guard !text.isEmpty else { return .failure(TargetFailure(target: raw, message: "empty target")) }
        if text.contains("/") || text.contains("?") {
            return .failure(
                TargetFailure(
                    target: raw, message: "`\(raw)` is a URL, not a domain; list pages in a URL endpoint's stage"))
        }
        let labels = text.split(separator: ".", omittingEmptySubsequences: false)
        let validLabels = labels.allSatisfy { label in
            !label.isEmpty && label.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" }
        }
        guard labels.count >= 2, validLabels, text.count <= 253 else {
            return .failure(TargetFailure(target: raw, message: "`\(raw)` is not a valid domain name"))
        }
        return .success(text)
    }

    /// `raw` without leading and trailing whitespace; ASCII whitespace cut on the bytes, Foundation only for what is
    /// not ASCII at either end.
    public static func trimmed(_ raw: String) -> String {
        let bytes = raw.utf8
        guard let first = bytes.first, let last = bytes.last else { return raw }
        if first >= 0x80 || last >= 0x80 { return raw.trimmingCharacters(in: .whitespacesAndNewlines) }
        guard isASCIISpace(first) || isASCIISpace(last) else { return raw }
        let start = bytes.firstIndex { !isASCIISpace($0) } ?? bytes.endIndex
        guard start != bytes.endIndex else { return "" }
        let end = bytes.lastIndex { !isASCIISpace($0) }!
        let text = String(raw[start...end])
        if let head = text.utf8.first, let tail = text.utf8.last, head >= 0x80 || tail >= 0x80 {
            return text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return text
    }

    /// Whether `text` holds `needle`, compared byte for byte (no Foundation): a plain loop over contiguous bytes,
    /// since the generic `firstRange(of:)` cost a few percent of a whole run's CPU, called once per target.
    public static func contains(_ text: String, _ needle: String) -> Bool {
        var text = text
        var needle = needle
        return text.withUTF8 { haystack in
            needle.withUTF8 { pattern in
                guard let first = pattern.first else { return true }
                guard haystack.count >= pattern.count else { return false }
                var start = 0
                while start <= haystack.count - pattern.count {
                    if haystack[start] == first {
                        var matched = 1
                        while matched < pattern.count, haystack[start + matched] == pattern[matched] { matched += 1 }
                        if matched == pattern.count { return true }
                    }
                    start += 1
                }
                return false
            }
        }
    }

    /// Space, tab, line feed, vertical tab, form feed or carriage return: the ASCII part of Foundation's
    /// `.whitespacesAndNewlines`.
    static func isASCIISpace(_ byte: UInt8) -> Bool { byte == 0x20 || (0x09...0x0D).contains(byte) }

    /// ``domain(_:stripWWW:)`` for the common case, an ASCII target, on its bytes (no Foundation string calls: a
    /// million targets normalize in a fraction of a second); the same answers. Nil for anything else (an
    /// internationalized name), which the general path handles.
    static func asciiDomain(_ raw: String, stripWWW: Bool) -> Result<String, TargetFailure>? {
        var bytes = Array(raw.utf8)
        guard bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
        var start = 0
        var end = bytes.count
        while start < end, isASCIISpace(bytes[start]) { start += 1 }
        while end > start, isASCIISpace(bytes[end - 1]) { end -= 1 }
        bytes = Array(bytes[start..<end])
        for index in bytes.indices where (0x41...0x5A).contains(bytes[index]) { bytes[index] += 0x20 }
        func hasPrefix(_ prefix: String) -> Bool { bytes.starts(with: prefix.utf8) }
        for scheme in ["https://", "http://"] where hasPrefix(scheme) { bytes.removeFirst(scheme.utf8.count) }
        while bytes.last == UInt8(ascii: "/") { bytes.removeLast() }
        if bytes.last == UInt8(ascii: ".") { bytes.removeLast() }
        if stripWWW, hasPrefix("www.") { bytes.removeFirst(4) }
        guard !bytes.isEmpty else { return .failure(TargetFailure(target: raw, message: "empty target")) }
        if bytes.contains(UInt8(ascii: "/")) || bytes.contains(UInt8(ascii: "?")) {
            return .failure(
                TargetFailure(
                    target: raw, message: "`\(raw)` is a URL, not a domain; list pages in a URL endpoint's stage"))
        }
        let labels = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        let validLabels = labels.allSatisfy { label in
            !label.isEmpty && label.count <= 63 && label.first != UInt8(ascii: "-") && label.last != UInt8(ascii: "-")
                && label.allSatisfy {
                    (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == UInt8(ascii: "-")
                }
        }
        guard labels.count >= 2, validLabels, bytes.count <= 253 else {
            return .failure(TargetFailure(target: raw, message: "`\(raw)` is not a valid domain name"))
        }
        return .success(String(decoding: bytes, as: UTF8.self))
    }

    /// An absolute http(s) URL: scheme and host lower-cased, fragment dropped, path and query kept.
    public static func url(_ raw: String) -> Result<String, TargetFailure> {
        let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard var components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty
        else {
            return .failure(TargetFailure(target: raw, message: "`\(raw)` is not an absolute http(s) URL"))
        }
        guard case .success(let normalizedHost) = domain(host) else {
            return .failure(TargetFailure(target: raw, message: "`\(raw)` has an invalid host"))
        }
        components.scheme = scheme
        components.host = normalizedHost
        components.fragment = nil
        guard let result = components.string else {
            return .failure(TargetFailure(target: raw, message: "`\(raw)` is not a valid URL"))
        }
        return .success(result)
    }

    /// A keyword: trimmed, inner whitespace collapsed, lower-cased.
    public static func keyword(_ raw: String) -> Result<String, TargetFailure> {
        let words = raw.lowercased().split(whereSeparator: { $0.isWhitespace })
        guard !words.isEmpty else { return .failure(TargetFailure(target: raw, message: "empty keyword")) }
        return .success(words.joined(separator: " "))
    }
}
