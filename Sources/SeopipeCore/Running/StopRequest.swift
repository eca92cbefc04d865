import Foundation

/// A request to stop a run early (SIGTERM, SIGINT): no new chunk starts, a chunk waiting to retry gives up,
/// a chunk whose request is in flight finishes and commits, and the run is recorded as interrupted.
public final class StopRequest: @unchecked Sendable {
    private let lock = NSLock()
    private var reason: String?

    public init() {}

    /// Asks the run to stop; returns false when a stop was asked for already.
    @discardableResult
    public func request(_ reason: String) -> Bool {
        lock.withLock {
            guard self.reason == nil else { return false }
            self.reason = reason
            return true
        }
    }

    /// Why the run is stopping (e.g. `SIGTERM`), or nil while it should go on.
    public var requested: String? { lock.withLock { reason } }

    /// Sleeps for `duration`, waking early (without throwing) once a stop is requested.
    func sleep(for duration: Duration) async throws {
        let deadline = ContinuousClock.now + duration
        while requested == nil {
            let left = deadline - ContinuousClock.now
            guard left > .zero else { return }
            try await Task.sleep(for: min(left, .milliseconds(50)))
        }
    }
}
