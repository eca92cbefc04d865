import Foundation

/// Parses `Retry-After`: delta-seconds or an HTTP date. Every provider classifies its 429 and 5xx answers with it.
public enum RetryAfter {
    public static func parse(_ value: String?, now: Date = Date()) -> Duration? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if let seconds = Double(value) {
            // Network input: clamp absurd values to a day (the retry policy caps it much lower anyway).
            guard seconds.isFinite, seconds >= 0 else { return nil }
            return Duration.fromSeconds(min(seconds, 86_400))
        }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: value) else { return nil }
        return Duration.fromSeconds(min(max(0, date.timeIntervalSince(now)), 86_400))
    }
}
