/// The lock a run holds for its whole life, so that one run per pipeline and warehouse goes at a time.
///
/// Each backend takes it its own way (a `flock` beside a SQLite file, a session advisory lock on PostgreSQL), and
/// either is released by the operating system or the server when its holder dies, so it never goes stale.
public protocol PipelineLock: Sendable {
    /// Gives the lock up; idempotent.
    func release() async
}

/// Why ``Warehouse/lockPipeline(_:holder:)`` did not give the lock.
public enum PipelineLockError: Error, Sendable, Equatable {
    /// Another run holds it; `holder` is what that run said about itself (run id, pid, since when).
    case held(holder: String)
    /// The lock cannot be taken at all (no permission beside the file, the server refused).
    case unavailable(String)
}
