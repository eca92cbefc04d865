import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The answer of a stage's `from_sql` query, written to a temporary file as the warehouse returns it, so a query
/// over millions of rows costs a file and not memory (issue 16). ``TargetStream`` reads it as often as it reads a
/// target file. Values are kept literally (not trimmed, a leading `#` is a value, not a comment) and separated by
/// NUL bytes, which neither warehouse's text can hold. The file is deleted when the last reference goes.
public final class TargetSpill: Sendable {
    public let path: String
    /// Values written (NULLs are skipped by the writer's caller).
    public let count: Int

    fileprivate init(path: String, count: Int) {
        self.path = path
        self.count = count
    }

    deinit { unlink(path) }

    /// Every value, in the order written: for tests and small answers.
    public func values() throws -> [String] {
        let file = try LineFile(path, literalValues: true)
        var values: [String] = []
        while let value = try file.nextTarget() { values.append(value) }
        return values
    }

    /// Writes values to a new temporary file (in `TMPDIR`, else `/tmp`). Not thread-safe: one writer, one task.
    public final class Writer {
        private let path: String
        private var handle: UnsafeMutablePointer<FILE>?
        private var count = 0

        public init() throws {
            let (descriptor, path) = try TemporaryFile.create(prefix: "seopipe-targets")
            guard let handle = fdopen(descriptor, "w") else {
                close(descriptor)
                unlink(path)
                throw TargetFileError(path: path, reason: "cannot open it: \(String(cString: strerror(errno)))")
            }
            self.path = path
            self.handle = handle
        }

        deinit {
            // Not finished (the query failed): nothing reads this file.
            if let handle {
                fclose(handle)
                unlink(path)
            }
        }

        public func append(_ value: String) throws {
            var value = value
            let written = value.withUTF8 { bytes in
                bytes.isEmpty ? 0 : fwrite(bytes.baseAddress, 1, bytes.count, handle)
            }
            guard written == value.utf8.count, fputc(0, handle) != EOF else {
                throw TargetFileError(path: path, reason: "cannot write it: \(String(cString: strerror(errno)))")
            }
            count += 1
        }

        /// Closes the file and hands it to the reader.
        public func finish() throws -> TargetSpill {
            guard let handle else { preconditionFailure("TargetSpill.Writer.finish() called twice") }
            self.handle = nil
            guard fclose(handle) == 0 else {
                let reason = String(cString: strerror(errno))
                unlink(path)
                throw TargetFileError(path: path, reason: "cannot write it: \(reason)")
            }
            return TargetSpill(path: path, count: count)
        }
    }
}

/// A new file of seopipe's in `TMPDIR`, else `/tmp`, created with `mkstemp` (mode 0600).
enum TemporaryFile {
    static func create(prefix: String) throws -> (descriptor: Int32, path: String) {
        let directory = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array((directory + "/" + prefix + "-XXXXXX").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        let path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        guard descriptor >= 0 else {
            throw TargetFileError(path: path, reason: "cannot create it: \(String(cString: strerror(errno)))")
        }
        return (descriptor, path)
    }
}
