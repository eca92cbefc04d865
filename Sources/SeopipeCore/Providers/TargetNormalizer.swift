import Foundation

/// Shared target normalization: lower-case hosts, strip what a provider does not want, reject the unusable.
public enum TargetNormalizer {
    /// A bare domain: scheme and trailing `/` stripped, lower-cased; URLs with a path are refused.
    /// - Parameter stripWWW: DataForSEO wants domains without `www.`; Ahrefs keeps it (it is a subdomain).
    public static func domain(_ raw: String, stripWWW: Bool = false) -> Result<String, TargetFailure> {
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
