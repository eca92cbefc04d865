import Foundation

/// How a failed request is retried: exponential backoff with jitter, `Retry-After` honoured up to a cap.
public struct RetryPolicy: Sendable, Hashable {
    /// Total attempts including the first one.
    public var maxAttempts: Int = 5
    public var baseDelay: Duration = .seconds(1)
    public var maxDelay: Duration = .seconds(60)
    /// The longest `Retry-After` we accept; longer values are capped so a night run cannot stall.
    public var maxRetryAfter: Duration = .seconds(60)

    public init(
        maxAttempts: Int = 5, baseDelay: Duration = .seconds(1), maxDelay: Duration = .seconds(60),
        maxRetryAfter: Duration = .seconds(60)
    ) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
    }

    /// The wait before attempt `attempt + 1` after attempt `attempt` (1-based) failed.
    ///
    /// Without `Retry-After`: "equal jitter" over `min(maxDelay, baseDelay * 2^(attempt-1))`, i.e. a value
    /// between half of it and all of it, so retries of many workers spread out but never collapse to zero.
    /// With `Retry-After`: at least what the server asked for (capped at `maxRetryAfter`), never less.
    /// - Parameter jitter: a number in `0..<1`; injected so the function stays pure and testable.
    public func delay(afterAttempt attempt: Int, retryAfter: Duration? = nil, jitter: Double) -> Duration {
        if let retryAfter {
            return min(max(retryAfter, .zero), maxRetryAfter)
        }
        let exponent = min(max(attempt - 1, 0), 30)
        let ceiling = min(maxDelay, baseDelay * (1 << exponent))
        let clampedJitter = min(max(jitter, 0), 1)
        return ceiling / 2 + (ceiling / 2) * clampedJitter
    }
}

extension Duration {
    /// Seconds as a Double, for logs and JSON.
    public var seconds: Double {
        let (s, attos) = components
        return Double(s) + Double(attos) / 1e18
    }

    /// Parses `250ms`, `1s`, `1.5s`, `2m`, `1h`; a bare number means seconds.
    public static func parse(_ text: String) -> Duration? {
        let text = text.trimmingCharacters(in: .whitespaces)
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            guard let value = Double(text.dropLast(suffix.count)) else { return nil }
            return fromSeconds(value * scale)
        }
        guard let value = Double(text) else { return nil }
        return fromSeconds(value)
    }

    /// A non-negative, finite number of seconds up to ten years; nil otherwise (never traps).
    public static func fromSeconds(_ seconds: Double) -> Duration? {
        guard seconds.isFinite, seconds >= 0, seconds <= 315_360_000 else { return nil }
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }
}
