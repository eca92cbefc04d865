import Foundation

/// A request rate: `60/min`, `2/s`, `1000/hour`.
public struct RateLimit: Sendable, Hashable, CustomStringConvertible {
    public var requests: Int
    public var per: Duration

    public init(requests: Int, per: Duration) {
        self.requests = requests
        self.per = per
    }

    public static func parse(_ text: String) -> RateLimit? {
        let parts = text.replacingOccurrences(of: " ", with: "").split(separator: "/")
        guard parts.count == 2, let count = Int(parts[0]), count > 0 else { return nil }
        let per: Duration
        switch parts[1].lowercased() {
        case "s", "sec", "second": per = .seconds(1)
        case "m", "min", "minute": per = .seconds(60)
        case "h", "hour": per = .seconds(3600)
        default: return nil
        }
        return RateLimit(requests: count, per: per)
    }

    /// The even spacing between two requests.
    public var interval: Duration { per / requests }

    public var description: String {
        switch per {
        case .seconds(1): "\(requests)/s"
        case .seconds(60): "\(requests)/min"
        default: "\(requests)/hour"
        }
    }
}

/// The pure scheduling state behind ``RateLimiter``: evenly spaced slots plus a shared pause.
///
/// Slots are spaced `interval` apart (no bursts), so a provider's per-minute limit holds over any window.
/// A pause (from a `Retry-After`) pushes every later slot past its end: no worker sends during the wait.
public struct RateSchedule: Sendable {
    public var interval: Duration
    /// The earliest instant the next request may go out.
    public private(set) var nextSlot: ContinuousClock.Instant?
    public private(set) var pausedUntil: ContinuousClock.Instant?

    public init(interval: Duration) { self.interval = interval }

    /// Books the next slot at or after `now`; returns the instant the caller may send.
    public mutating func reserve(now: ContinuousClock.Instant) -> ContinuousClock.Instant {
        var slot = max(now, nextSlot ?? now)
        if let pausedUntil, pausedUntil > slot { slot = pausedUntil }
        nextSlot = slot + interval
        return slot
    }

    /// Holds every request not yet sent until `until`.
    public mutating func pause(until: ContinuousClock.Instant) {
        pausedUntil = max(pausedUntil ?? until, until)
        if let nextSlot, nextSlot < until { self.nextSlot = until }
    }
}

/// One per provider, shared by every stage that uses it.
public actor RateLimiter {
    private var schedule: RateSchedule
    private let clock = ContinuousClock()

    public init(_ limit: RateLimit) { schedule = RateSchedule(interval: limit.interval) }

    /// Waits for this caller's slot.
    public func acquire() async throws {
        let slot = schedule.reserve(now: clock.now)
        if slot > clock.now { try await clock.sleep(until: slot) }
        // A pause may have started while we slept (another worker got a 429): honour it too.
        while let pausedUntil = schedule.pausedUntil, pausedUntil > clock.now {
            let slot = schedule.reserve(now: clock.now)
            try await clock.sleep(until: slot)
        }
    }

    /// Called on `Retry-After`: no request of this provider leaves before `duration` has passed.
    public func pause(for duration: Duration) {
        schedule.pause(until: clock.now + duration)
    }
}

/// Lets one request probe a provider before many go at once: at the start of a run and after any failed
/// answer (429, 5xx, connection error). Concurrency resumes only once a probe succeeds, so a bad token
/// costs one request, not `parallel_limit`, and no burst lands inside a `Retry-After` window.
public actor ProviderGate {
    private var open = false
    private var probing = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    public init() {}

    /// Returns when this caller may send.
    public func enter() async {
        while true {
            if open { return }
            if !probing {
                probing = true
                return
            }
            await withCheckedContinuation { waiters.append($0) }
        }
    }

    /// Reports how a request that passed ``enter()`` ended.
    public func report(success: Bool) {
        if success {
            open = true
        } else {
            // Back to one probe at a time until a request succeeds again.
            open = false
        }
        probing = false
        let woken = waiters
        waiters.removeAll()
        for waiter in woken { waiter.resume() }
    }
}
