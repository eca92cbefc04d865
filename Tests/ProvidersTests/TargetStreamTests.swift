import Foundation
import Providers
import SeopipeCore
import Testing

/// Targets as a stream (issue 16): the same targets, order, refusals and chunks as the whole list, de-duplication
/// exact even when fingerprints collide, files read line by line.
@Suite("Target streams")
struct TargetStreamTests {
    let ahrefs = AhrefsV3Provider()
    var batchAnalysis: EndpointSpec { Fixtures.spec(.batchAnalysis) }

    /// A target file with duplicates in other spellings, comments, blank lines, CRLF endings and refused lines.
    static func lines(_ count: Int) -> [String] {
        (0..<count).flatMap { index -> [String] in
            var lines = ["site\(index).example.com"]
            if index % 7 == 0 { lines.append("  site\(index / 2).example.com ") }  // an earlier target again
            if index % 1000 == 0 { lines += ["", "# a comment", "not a domain!"] }
            return lines
        }
    }

    /// What the run did before streaming: the whole list read, normalized, de-duplicated, chunked at once.
    func whole(_ lines: [String], endpoint: EndpointSpec, driver: any ProviderDriver, context: RequestContext)
        -> (targets: [Target], refused: [TargetFailure], chunks: [Chunk])
    {
        let normalized = NormalizedTargets(lines, driver: driver, endpoint: endpoint)
        let chunks = driver.chunks(
            normalized.targets, size: endpoint.maxBatchSize, endpoint: endpoint, context: context)
        return (normalized.targets, normalized.refused, chunks)
    }

    func streamed(_ stream: TargetStream, size: Int, context: RequestContext) throws -> (
        targets: [Target], chunks: [Chunk]
    ) {
        var targets: [Target] = []
        var iterator = try stream.makeTargetIterator()
        while let target = try iterator.nextTarget() { targets.append(target) }
        var chunks: [Chunk] = []
        var chunkIterator = try stream.makeChunkIterator(size: size, context: context)
        while let chunk = try chunkIterator.nextChunk() { chunks.append(chunk) }
        return (targets, chunks)
    }

    @Test("a file of 120,000 lines streams to exactly the targets, refusals and chunks of the whole list")
    func sameAsWhole() throws {
        let folder = try TemporaryFolder()
        let lines = Self.lines(120_000)
        let file = try folder.write("targets.txt", lines.joined(separator: "\r\n") + "\n")
        let context = Fixtures.context(.batchAnalysis)
        let expected = whole(
            try TargetFile.read(file.path), endpoint: batchAnalysis, driver: ahrefs, context: context)
        let stream = try TargetStream(.file(file.path), driver: ahrefs, endpoint: batchAnalysis)
        #expect(stream.count == expected.targets.count)
        #expect(stream.count == 120_000, "the duplicates were dropped")
        #expect(stream.refused.map(\.target) == expected.refused.map(\.target))
        let got = try streamed(stream, size: batchAnalysis.maxBatchSize, context: context)
        #expect(got.targets == expected.targets)
        #expect(got.chunks == expected.chunks, "windows of a multiple of 100 chunk exactly as the whole list")
        #expect(try stream.chunkCount(size: batchAnalysis.maxBatchSize, context: context) == expected.chunks.count)
    }

    @Test("fingerprints sorted in runs on disk de-duplicate exactly as in memory")
    func spilledFingerprints() throws {
        let lines = Self.lines(30_000)
        let context = Fixtures.context(.batchAnalysis)
        let expected = whole(lines, endpoint: batchAnalysis, driver: ahrefs, context: context)
        // 30,000 targets in runs of 1,000: thirty sorted runs merged back.
        let stream = try TargetStream(
            .lines(lines), driver: ahrefs, endpoint: batchAnalysis, fingerprintRunLength: 1_000)
        #expect(stream.count == expected.targets.count)
        #expect(stream.count < lines.count, "the lines hold duplicates")
        let got = try streamed(stream, size: 100, context: context)
        #expect(got.targets == expected.targets)
        #expect(got.chunks == expected.chunks)
    }

    @Test("de-duplication stays exact when every target has the same fingerprint")
    func collisions() throws {
        let lines = Self.lines(3_000)
        let context = Fixtures.context(.batchAnalysis)
        let expected = whole(lines, endpoint: batchAnalysis, driver: ahrefs, context: context)
        let stream = try TargetStream(.lines(lines), driver: ahrefs, endpoint: batchAnalysis, fingerprint: { _ in 42 })
        #expect(stream.count == expected.targets.count)
        let got = try streamed(stream, size: 100, context: context)
        #expect(got.targets == expected.targets)
        #expect(got.chunks == expected.chunks)
    }

    @Test("a packing provider packs window by window: every target once, every chunk within both limits")
    func packedWindows() throws {
        let driver = DataForSEOProvider()
        let endpoint = DataForSEOFixtures.spec(.pagesSummary)
        let context = DataForSEOFixtures.context(.pagesSummary)
        // 120,000 page URLs of 300 domains: more than two windows.
        let lines = (0..<120_000).map { "https://domain\($0 % 300).example/page-\($0)" }
        let stream = try TargetStream(.lines(lines), driver: driver, endpoint: endpoint)
        let got = try streamed(stream, size: endpoint.maxBatchSize, context: context)
        #expect(got.targets.count == 120_000)
        #expect(Set(got.chunks.flatMap(\.targets)).count == 120_000)
        #expect(got.chunks.flatMap(\.targets).count == 120_000)
        #expect(got.chunks.map(\.index) == Array(got.chunks.indices))
        for chunk in got.chunks {
            #expect(chunk.targets.count <= 1000)
            let domains = Set(chunk.targets.compactMap { URL(string: $0.normalized)?.host })
            #expect(domains.count <= 100)
        }
    }

    @Test("a file reads as TargetFile.read reads it: CR-only and Unicode line breaks, comments, no final newline")
    func lineBreaks() throws {
        let folder = try TemporaryFolder()
        let text = "a.example.com\rb.example.com\r\n# note\rc.example.com\u{2028}d.example.com\n  e.example.com"
        let file = try folder.write("targets.txt", text)
        let stream = try TargetStream(.file(file.path), driver: ahrefs, endpoint: batchAnalysis)
        var iterator = try stream.makeTargetIterator()
        var got: [String] = []
        while let target = try iterator.nextTarget() { got.append(target.original) }
        #expect(got == (try TargetFile.read(file.path)))
        #expect(got == ["a.example.com", "b.example.com", "c.example.com", "d.example.com", "e.example.com"])
    }

    @Test("a target file that is not UTF-8 fails, as before, instead of sending mangled targets")
    func notUTF8() throws {
        let folder = try TemporaryFolder()
        let file = folder.url.appendingPathComponent("latin1.txt")
        try Data([0x63, 0x61, 0x66, 0xE9, 0x2E, 0x63, 0x6F, 0x6D, 0x0A]).write(to: file)
        #expect(throws: TargetFileError.self) {
            try TargetStream(.file(file.path), driver: ahrefs, endpoint: batchAnalysis)
        }
    }

    @Test("canonically equal keywords are one target, as String equality has it")
    func canonicalEquality() throws {
        let keywords = Fixtures.spec(.keywordsOverview)
        let lines = ["caf\u{E9} near me", "cafe\u{301} near me", "tea"]
        let stream = try TargetStream(.lines(lines), driver: ahrefs, endpoint: keywords)
        #expect(stream.count == NormalizedTargets(lines, driver: ahrefs, endpoint: keywords).targets.count)
        #expect(stream.count == 2)
    }

    @Test("a from_sql answer spilled to a file reads back literally and streams as the same list would")
    func spilled() throws {
        let values =
            (0..<60_000).map { "site\($0 % 50_000).example.com" }
            + ["  padded.example.com ", "#not-a-comment.example.com", "", "caf\u{E9}.example", "a.example\nb.example"]
        let writer = try TargetSpill.Writer()
        for value in values { try writer.append(value) }
        var spill: TargetSpill? = try writer.finish()
        let path = spill!.path
        #expect(spill!.count == values.count)
        #expect(try spill!.values() == values, "kept as the query returned them: no trimming, no comments")

        let context = Fixtures.context(.batchAnalysis)
        let expected = whole(values, endpoint: batchAnalysis, driver: ahrefs, context: context)
        var stream: TargetStream? = try TargetStream(.spill(spill!), driver: ahrefs, endpoint: batchAnalysis)
        #expect(stream!.count == expected.targets.count)
        #expect(stream!.refused.map(\.target) == expected.refused.map(\.target))
        let got = try streamed(stream!, size: batchAnalysis.maxBatchSize, context: context)
        #expect(got.targets == expected.targets)
        #expect(got.chunks == expected.chunks)

        spill = nil
        #expect(FileManager.default.fileExists(atPath: path), "the stream still reads it")
        stream = nil
        #expect(!FileManager.default.fileExists(atPath: path), "deleted with the last reference")
    }

    @Test("a target file that cannot be read says which and why")
    func missingFile() throws {
        #expect {
            try TargetStream(.file("/nonexistent/targets.txt"), driver: ahrefs, endpoint: batchAnalysis)
        } throws: { error in
            "\(error)".contains("/nonexistent/targets.txt") && "\(error)".contains("No such file")
        }
    }
}
