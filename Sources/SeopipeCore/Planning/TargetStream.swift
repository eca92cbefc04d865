import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A stage's targets as a stream: read, normalized, de-duplicated and chunked window by window, never held as a
/// whole, so a target file of millions of lines costs a few megabytes (issue 16).
///
/// Exact de-duplication without holding the targets takes two passes over the source. The first normalizes every
/// target and sorts a 64-bit fingerprint of each (``FingerprintCounter``: in memory up to a million targets, in
/// runs on disk beyond), noting the fingerprints met more than once.
/// The second yields each target in first-seen order; only a target whose fingerprint was met twice (a duplicate,
/// or, rarely, another target with the same fingerprint) is checked against the exact normalized values of that
/// kind seen so far. Memory: at most 8 MiB of fingerprints however long the list, plus the duplicated values.
///
/// Chunks come from the provider's own chunking, applied to consecutive windows of ``windowTargets`` targets (a
/// multiple of the chunk size): plain chunking gives exactly the chunks of the whole list; a packing provider
/// (DataForSEO) packs each window on its own.
public struct TargetStream: Sendable {
    public enum Source: Sendable {
        case lines([String])
        /// A target file: one target per line; blank lines and `#` comments ignored.
        case file(String)
        /// A `from_sql` answer: every value as the query returned it.
        case spill(TargetSpill)
    }

    public let source: Source
    public let driver: any ProviderDriver
    public let endpoint: EndpointSpec
    /// Distinct targets after normalization.
    public let count: Int
    /// Targets the provider's normalization refused, in source order.
    public let refused: [TargetFailure]
    private let repeated: Set<UInt64>
    private let fingerprint: @Sendable (String) -> UInt64

    /// Targets a window of chunking holds at most.
    public static let windowTargets = 50_000

    /// The first pass: counts distinct targets and collects the refused ones. The fingerprint is the string's own
    /// hash (stable within the process, which is all two passes need, and equal for canonically equal strings, as
    /// String equality is); `fingerprint` is for tests (a constant one makes every target collide), and so is
    /// `fingerprintRunLength` (fingerprints sorted in memory before runs spill to disk).
    public init(
        _ source: Source, driver: any ProviderDriver, endpoint: EndpointSpec,
        fingerprint: @escaping @Sendable (String) -> UInt64 = { UInt64(bitPattern: Int64($0.hashValue)) },
        fingerprintRunLength: Int? = nil
    ) throws {
        self.source = source
        self.driver = driver
        self.endpoint = endpoint
        self.fingerprint = fingerprint
        var counter = FingerprintCounter(runLength: fingerprintRunLength ?? FingerprintCounter.defaultRunLength)
        var refused: [TargetFailure] = []
        try Self.forEachLine(source) { raw in
            switch driver.normalize(raw, for: endpoint) {
            case .success(let normalized):
                try counter.add(fingerprint(normalized))
            case .failure(let failure):
                refused.append(failure)
            }
        }
        let (distinct, repeated) = try counter.finish()
        // Exact count: a repeated fingerprint may stand for several different targets.
        var extra = 0
        if !repeated.isEmpty {
            var values: [UInt64: Set<String>] = [:]
            try Self.forEachLine(source) { raw in
                guard case .success(let normalized) = driver.normalize(raw, for: endpoint) else { return }
                let print = fingerprint(normalized)
                guard repeated.contains(print) else { return }
                if values[print, default: []].insert(normalized).inserted, values[print]!.count > 1 { extra += 1 }
            }
        }
        self.count = distinct + extra
        self.refused = refused
        self.repeated = repeated
    }

    /// Every distinct target in first-seen order (the second pass); with `selection`, only those it selects (by
    /// normalized value: a stage's `refresh:` policy).
    public func makeTargetIterator(selection: DueSelection? = nil) throws -> TargetIterator {
        TargetIterator(lines: try LineIterator(source), stream: self, selection: selection)
    }

    /// Every chunk, window by window, numbered from 0 across windows.
    public func makeChunkIterator(size: Int, context: RequestContext, selection: DueSelection? = nil) throws
        -> ChunkIterator
    {
        ChunkIterator(targets: try makeTargetIterator(selection: selection), size: size, context: context)
    }

    /// Which of these targets are due on `snapshotDate` under `policy`, given when each was last bought; for `spread`,
    /// one pass collects the targets' stable hashes (8 bytes a target) to cut the slices.
    public func dueSelection(policy: RefreshPolicy, snapshotDate: SnapshotDate, index: FreshnessIndex) throws
        -> DueSelection
    {
        var hashes: [UInt64] = []
        if policy.spread {
            hashes.reserveCapacity(count)
            var targets = try makeTargetIterator()
            while let target = try targets.nextTarget() { hashes.append(TargetHash.of(target.normalized)) }
        }
        return DueSelection(policy: policy, snapshotDate: snapshotDate, index: index, targetHashes: hashes)
    }

    /// The distinct targets `selection` selects, counted in one pass.
    public func count(selection: DueSelection) throws -> Int {
        var targets = try makeTargetIterator(selection: selection)
        var count = 0
        while try targets.nextTarget() != nil { count += 1 }
        return count
    }

    /// Chunks the stage sends, counted without keeping them.
    public func chunkCount(size: Int, context: RequestContext, selection: DueSelection? = nil) throws -> Int {
        var chunks = try makeChunkIterator(size: size, context: context, selection: selection)
        var count = 0
        while try chunks.nextChunk() != nil { count += 1 }
        return count
    }

    /// The distinct targets, in first-seen order.
    public struct TargetIterator {
        var lines: LineIterator
        let stream: TargetStream
        let selection: DueSelection?
        var exact = Set<String>()

        /// The next distinct target; nil at the end.
        public mutating func nextTarget() throws -> Target? {
            while let raw = try lines.nextLine() {
                guard case .success(let normalized) = stream.driver.normalize(raw, for: stream.endpoint) else {
                    continue
                }
                if stream.repeated.contains(stream.fingerprint(normalized)), !exact.insert(normalized).inserted {
                    continue
                }
                if let selection, !selection.isDue(normalized) { continue }
                return Target(original: raw, normalized: normalized)
            }
            return nil
        }
    }

    /// The stage's chunks: the provider's chunking of one window of targets at a time.
    public struct ChunkIterator {
        var targets: TargetIterator
        let size: Int
        let context: RequestContext
        var pending: [Chunk] = []
        var next = 0
        var index = 0

        init(targets: TargetIterator, size: Int, context: RequestContext) {
            self.targets = targets
            self.size = max(1, size)
            self.context = context
        }

        /// Targets a window holds: a multiple of the chunk size, about ``TargetStream/windowTargets``.
        var window: Int { max(size, TargetStream.windowTargets / size * size) }

        /// The next chunk; nil at the end.
        public mutating func nextChunk() throws -> Chunk? {
            while next == pending.count {
                pending.removeAll(keepingCapacity: true)
                next = 0
                var window: [Target] = []
                window.reserveCapacity(min(self.window, targets.stream.count))
                while window.count < self.window, let target = try targets.nextTarget() { window.append(target) }
                guard !window.isEmpty else { return nil }
                let stream = targets.stream
                pending = stream.driver.chunks(window, size: size, endpoint: stream.endpoint, context: context)
                for position in pending.indices {
                    pending[position].index = index
                    index += 1
                }
            }
            defer { next += 1 }
            return pending[next]
        }
    }

    static func forEachLine(_ source: Source, _ body: (String) throws -> Void) throws {
        var lines = try LineIterator(source)
        while let line = try lines.nextLine() { try body(line) }
    }
}

/// The raw targets of a source, one at a time: a list's items, a target file's lines (trimmed; blank lines and
/// `#` comments skipped) or a spilled `from_sql` answer's values, read with `getdelim` so no file is held whole.
public struct LineIterator {
    private let list: [String]?
    private var position = 0
    private let file: LineFile?

    init(_ source: TargetStream.Source) throws {
        switch source {
        case .lines(let lines):
            list = lines
            file = nil
        case .file(let path):
            list = nil
            file = try LineFile(path)
        case .spill(let spill):
            list = nil
            file = try LineFile(spill.path, literalValues: true)
        }
    }

    mutating func nextLine() throws -> String? {
        if let list {
            guard position < list.count else { return nil }
            defer { position += 1 }
            return list[position]
        }
        return try file?.nextTarget()
    }
}

/// An open target file; closed when the last iterator holding it goes.
final class LineFile {
    private let handle: UnsafeMutablePointer<FILE>
    private let path: String
    /// A ``TargetSpill``: NUL-separated values, returned as they are.
    private let literalValues: Bool
    private var buffer: UnsafeMutablePointer<CChar>?
    private var capacity = 0

    init(_ path: String, literalValues: Bool = false) throws {
        guard let handle = fopen(path, "r") else {
            throw TargetFileError(path: path, reason: String(cString: strerror(errno)))
        }
        self.handle = handle
        self.path = path
        self.literalValues = literalValues
    }

    deinit {
        free(buffer)
        fclose(handle)
    }

    /// Targets of a line that held other line breaks (CR, VT, FF, U+2028...), as `TargetFile.read` splits them.
    private var split: [String] = []

    func nextTarget() throws -> String? {
        while true {
            if !split.isEmpty { return split.removeFirst() }
            let length = getdelim(&buffer, &capacity, literalValues ? 0 : 0x0A, handle)
            guard length >= 0, let buffer else {
                if ferror(handle) != 0 { throw TargetFileError(path: path, reason: "read error") }
                return nil
            }
            if literalValues {
                // Every value ends with its NUL; the writer only writes valid UTF-8.
                let value = UnsafeRawBufferPointer(start: buffer, count: length - 1)
                return String(decoding: value, as: UTF8.self)
            }
            // ASCII whitespace trimmed on the bytes; Foundation trims what is left at the ends only when that is
            // not ASCII (a no-break space, say).
            var bytes = UnsafeRawBufferPointer(start: buffer, count: length)[...]
            while let first = bytes.first, TargetNormalizer.isASCIISpace(first) { bytes = bytes.dropFirst() }
            while let last = bytes.last, TargetNormalizer.isASCIISpace(last) { bytes = bytes.dropLast() }
            guard var text = String(validating: bytes, as: UTF8.self) else {
                throw TargetFileError(path: path, reason: "a line is not valid UTF-8")
            }
            // Other line breaks inside (a CR-only file, U+2028): one target per line, as before.
            if bytes.contains(where: { (0x0A...0x0D).contains($0) || $0 >= 0x80 }), text.contains(where: \.isNewline) {
                split = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
                    .filter { !$0.isEmpty && !$0.hasPrefix("#") }
                continue
            }
            if let first = bytes.first, let last = bytes.last, first >= 0x80 || last >= 0x80 {
                text = text.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            if text.isEmpty || text.hasPrefix("#") { continue }
            return text
        }
    }
}

/// A target file that cannot be read.
public struct TargetFileError: Error, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "cannot read target file \(path): \(reason)" }
}
