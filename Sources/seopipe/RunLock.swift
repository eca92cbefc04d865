import Foundation

/// One run per pipeline and warehouse at a time: an exclusive `flock` on a file beside the warehouse.
/// The kernel releases it when the process ends, however it ends (kill -9 included), so it never goes stale.
final class RunLock {
    private let descriptor: Int32
    let path: String

    private init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
    }

    enum Failure: Error {
        /// Another process holds it; `holder` is what that process wrote into the lock file.
        case held(holder: String)
        case unavailable(String)
    }

    /// Takes the lock for `pipeline` on the warehouse at `warehousePath`, or fails at once.
    static func acquire(pipeline: String, warehousePath: String) throws(Failure) -> RunLock {
        let path = warehousePath + ".\(pipeline).lock"
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .unavailable("cannot open \(path): \(String(cString: strerror(errno)))") }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            close(descriptor)
            throw .held(holder: holder.isEmpty ? "unknown" : holder)
        }
        return RunLock(descriptor: descriptor, path: path)
    }

    /// Records who holds the lock, for the message the next contender prints.
    func describeHolder(_ text: String) {
        _ = ftruncate(descriptor, 0)
        let bytes = Array((text + "\n").utf8)
        _ = pwrite(descriptor, bytes, bytes.count, 0)
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
