import Foundation
import SeopipeCore
import Synchronization

/// One run per pipeline and SQLite warehouse at a time: an exclusive `flock` on `WAREHOUSE.PIPELINE.lock` beside the
/// database file. The kernel releases it when the process ends, however it ends (kill -9 included), so it never
/// goes stale; the holder writes who it is into the file for the message the next contender prints.
final class FileRunLock: PipelineLock {
    private let descriptor: Int32
    private let released = Mutex(false)
    let path: String

    private init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
    }

    /// Takes the lock for `pipeline` on the warehouse at `warehousePath`, or fails at once.
    static func acquire(pipeline: String, warehousePath: String, holder: String) throws(PipelineLockError)
        -> FileRunLock
    {
        let path = warehousePath + ".\(pipeline).lock"
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .unavailable("cannot open \(path): \(String(cString: strerror(errno)))") }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let holder =
                (try? String(contentsOfFile: path, encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            close(descriptor)
            throw .held(holder: holder.isEmpty ? "unknown" : holder)
        }
        let lock = FileRunLock(descriptor: descriptor, path: path)
        lock.describeHolder(holder + ", started \(Timestamp.now())")
        return lock
    }

    /// Records who holds the lock, for the message the next contender prints.
    private func describeHolder(_ text: String) {
        _ = ftruncate(descriptor, 0)
        let bytes = Array((text + "\n").utf8)
        _ = pwrite(descriptor, bytes, bytes.count, 0)
    }

    func release() async {
        unlock()
    }

    private func unlock() {
        let first = released.withLock { released in
            defer { released = true }
            return !released
        }
        guard first else { return }
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }

    deinit {
        unlock()
    }
}

extension SQLiteWarehouse {
    public nonisolated func lockPipeline(_ pipeline: String, holder: String) async throws(PipelineLockError)
        -> any PipelineLock
    {
        try FileRunLock.acquire(pipeline: pipeline, warehousePath: path, holder: holder)
    }
}
