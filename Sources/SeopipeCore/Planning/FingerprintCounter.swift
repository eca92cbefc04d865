#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Counts the distinct 64-bit fingerprints of a stream and finds those met more than once, in bounded memory
/// (issue 16: exact de-duplication at 10M targets without holding them).
///
/// Fingerprints collect in a buffer of at most ``runLength``. A full buffer is sorted and written to a temporary
/// file as a run; ``finish()`` sorts the last buffer and merges it with the runs, each read back a block at a
/// time. A list of up to ``runLength`` targets never touches the disk; a longer one costs 8 bytes a target of
/// disk and ``runLength`` × 8 bytes plus a 64 KiB block a run of memory. The file is unlinked as soon as it is
/// created, so nothing is left behind, even by a killed process.
struct FingerprintCounter {
    /// 8 MiB of fingerprints: a million targets sort in memory.
    static let defaultRunLength = 1 << 20
    static let blockLength = 8192

    let runLength: Int
    private var buffer: [UInt64] = []
    private var spill: Int32 = -1
    /// Runs written so far: (first fingerprint's index in the file, count).
    private var runs: [(start: Int, count: Int)] = []
    private var spilled = 0

    init(runLength: Int = Self.defaultRunLength) {
        precondition(runLength > 0)
        self.runLength = runLength
    }

    mutating func add(_ fingerprint: UInt64) throws {
        if buffer.count == runLength { try writeRun() }
        buffer.append(fingerprint)
    }

    /// Distinct fingerprints, and the ones met more than once. Closes the spill file.
    mutating func finish() throws -> (distinct: Int, repeated: Set<UInt64>) {
        defer {
            if spill >= 0 { close(spill) }
            spill = -1
            runs = []
        }
        buffer.sort()
        var sources: [RunReader] = try runs.map { try RunReader(descriptor: spill, run: $0) }
        sources.append(RunReader(memory: buffer))
        buffer = []
        var distinct = 0
        var repeated = Set<UInt64>()
        var previous: UInt64?
        // A k-way merge by linear scan of the heads: k is the number of runs, a handful for millions of targets.
        while true {
            var smallest: Int?
            for index in sources.indices where sources[index].head != nil {
                if smallest == nil || sources[index].head! < sources[smallest!].head! { smallest = index }
            }
            guard let smallest else { break }
            let value = sources[smallest].head!
            try sources[smallest].advance()
            if value == previous {
                repeated.insert(value)
            } else {
                distinct += 1
                previous = value
            }
        }
        return (distinct, repeated)
    }

    private mutating func writeRun() throws {
        if spill < 0 { spill = try Self.makeSpillFile() }
        buffer.sort()
        let bytes = buffer.count * MemoryLayout<UInt64>.size
        let written = buffer.withUnsafeBytes { raw in
            Self.writeAll(spill, raw.baseAddress!, bytes, at: spilled * MemoryLayout<UInt64>.size)
        }
        guard written else { throw Self.failure("cannot write it") }
        runs.append((spilled, buffer.count))
        spilled += buffer.count
        buffer.removeAll(keepingCapacity: true)
    }

    private static func writeAll(_ descriptor: Int32, _ start: UnsafeRawPointer, _ count: Int, at offset: Int) -> Bool {
        var done = 0
        while done < count {
            let result = pwrite(descriptor, start + done, count - done, off_t(offset + done))
            if result < 0, errno == EINTR { continue }
            guard result > 0 else { return false }
            done += result
        }
        return true
    }

    private static func makeSpillFile() throws -> Int32 {
        let (descriptor, path) = try TemporaryFile.create(prefix: "seopipe-fingerprints")
        unlink(path)
        return descriptor
    }

    static func failure(_ what: String) -> TargetFileError {
        TargetFileError(path: "(temporary fingerprint file)", reason: "\(what): \(String(cString: strerror(errno)))")
    }

    /// One sorted run: the last buffer in memory, or a run of the spill file read a block at a time.
    private struct RunReader {
        private var block: [UInt64]
        private var position = 0
        private let descriptor: Int32
        private var next: Int
        private let end: Int
        private(set) var head: UInt64?

        init(memory: [UInt64]) {
            block = memory
            descriptor = -1
            next = 0
            end = 0
            head = memory.first
        }

        init(descriptor: Int32, run: (start: Int, count: Int)) throws {
            block = []
            self.descriptor = descriptor
            next = run.start
            end = run.start + run.count
            try refill()
        }

        mutating func advance() throws {
            position += 1
            if position < block.count {
                head = block[position]
            } else {
                try refill()
            }
        }

        private mutating func refill() throws {
            position = 0
            let count = min(FingerprintCounter.blockLength, end - next)
            guard count > 0 else {
                block = []
                head = nil
                return
            }
            block = [UInt64](repeating: 0, count: count)
            let bytes = count * MemoryLayout<UInt64>.size
            var done = 0
            try block.withUnsafeMutableBytes { raw in
                while done < bytes {
                    let result = pread(
                        descriptor, raw.baseAddress! + done, bytes - done,
                        off_t(next * MemoryLayout<UInt64>.size + done))
                    if result < 0, errno == EINTR { continue }
                    guard result > 0 else { throw FingerprintCounter.failure("cannot read it back") }
                    done += result
                }
            }
            next += count
            head = block[0]
        }
    }
}
