import ArgumentParser
import Foundation
import SeopipeCore
import WarehousePostgres

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
            let holder =
                (try? String(contentsOfFile: path, encoding: .utf8))?
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

/// The lock a run holds for its whole life, whatever the backend: the file lock beside a SQLite warehouse, or a
/// session advisory lock on PostgreSQL.
enum PipelineRunLock {
    case file(RunLock)
    case postgres(PostgresRunLock)

    /// Takes the lock for `pipeline`, or prints who holds it and exits 4 (1 when it cannot be taken at all).
    static func acquire(_ location: WarehouseLocation, pipeline: String, holder: String) async throws -> Self {
        let held: String
        switch location {
        case .sqlite(let path):
            do {
                let lock = try RunLock.acquire(pipeline: pipeline, warehousePath: path)
                lock.describeHolder(holder + ", started \(Timestamp.now())")
                return .file(lock)
            } catch {
                switch error {
                case .held(let holder): held = holder
                case .unavailable(let message): throw unavailable(message)
                }
            }
        case .postgres(let url):
            let configuration: PostgresWarehouseConfiguration
            do {
                configuration = try PostgresWarehouseConfiguration(url: url)
            } catch {
                throw unavailable("\(error)")
            }
            do {
                return .postgres(try await PostgresRunLock.acquire(configuration, pipeline: pipeline, holder: holder))
            } catch {
                switch error {
                case .held(let holder): held = holder
                case .unavailable(let message): throw unavailable(message)
                }
            }
        }
        printError(
            "error: another run of pipeline \(pipeline) holds the lock on \(location) (\(held)); "
                + "not starting a second one")
        throw Exit.locked
    }

    private static func unavailable(_ message: String) -> ExitCode {
        printError("error: cannot take the run lock: \(message)")
        return Exit.failed
    }

    func release() async {
        switch self {
        case .file(let lock): withExtendedLifetime(lock) {}
        case .postgres(let lock): await lock.release()
        }
    }
}
