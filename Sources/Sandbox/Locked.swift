import Foundation

/// A value guarded by a lock, safe to share between tasks.
///
/// `Synchronization.Mutex` would do the same job but needs macOS 15 while the package targets macOS 14,
/// so this small box over `NSLock` keeps the target portable.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) {
        self.value = value
    }

    /// Runs `body` with exclusive access to the value and returns its result.
    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
