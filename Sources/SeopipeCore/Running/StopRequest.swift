import Foundation

/// A request to stop a run early (SIGTERM, SIGINT): no new chunk starts, a chunk waiting to retry gives up,
/// a chunk whose request is in flight finishes and commits, and the run is recorded as interrupted.
public final class StopRequest: @unchecked Sendable {
    private let lock = NSLock()
    private var reason: String?
    private var waiters: [UUID: CheckedContinuation<Void, Never>] = [:]

    public init() {}

    /// The signals that ask a run to stop, by the name a stop request gives as its reason.
    public static let signals: [String: Int32] = ["SIGTERM": SIGTERM, "SIGINT": SIGINT]

    /// Asks the run to stop; returns false when a stop was asked for already.
    @discardableResult
    public func request(_ reason: String) -> Bool {
        let waiting: [CheckedContinuation<Void, Never>]? = lock.withLock {
            guard self.reason == nil else { return nil }
            self.reason = reason
            defer { waiters.removeAll() }
            return Array(waiters.values)
        }
        guard let waiting else { return false }
        for continuation in waiting { continuation.resume() }
        return true
    }

    /// Why the run is stopping (e.g. `SIGTERM`), or nil while it should go on.
    public var requested: String? { lock.withLock { reason } }

    /// Returns once a stop is requested (at once when it was already), or when the task is cancelled.
    public func wait() async {
        let id = UUID()
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let now = lock.withLock {
                    if reason != nil || Task.isCancelled { return true }
                    waiters[id] = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            lock.withLock { waiters.removeValue(forKey: id) }?.resume()
        }
    }

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
