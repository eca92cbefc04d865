import Foundation
import Testing

@testable import SeopipeCore

/// `Chunking.packed`: two limits at once (targets per chunk, groups per chunk), packed near the minimum.
@Suite("Packing targets under two limits")
struct PackedChunkingTests {
    /// A page URL target on `host`.
    static func page(_ host: String, _ n: Int) -> Target {
        let url = "https://\(host)/page-\(n)"
        return Target(original: url, normalized: url)
    }

    static func domain(_ name: String) -> Target { Target(original: name, normalized: name) }

    /// Groups by host for URLs; bare domains take no group slot (DataForSEO's rule).
    static func host(_ target: Target) -> String? {
        guard target.normalized.hasPrefix("https://") else { return nil }
        return String(target.normalized.dropFirst("https://".count).prefix { $0 != "/" })
    }

    static func pack(_ targets: [Target]) -> [Chunk] {
        Chunking.packed(targets, maxTargets: 1000, maxGroups: 100, group: host)
    }

    /// 5,000 URLs over 40 domains with a skewed (geometric) distribution, plus 300 single-URL domains.
    static let skewed: [Target] = {
        // Geometric weights: the biggest domain has ~750 URLs, the smallest a handful.
        let weights = (0..<40).map { pow(0.85, Double($0)) }
        let total = weights.reduce(0, +)
        var sizes = weights.map { max(1, Int(5000 * $0 / total)) }
        sizes[0] += 5000 - sizes.reduce(0, +)
        var targets: [Target] = []
        for (index, size) in sizes.enumerated() {
            targets += (0..<size).map { page("big\(index).example", $0) }
        }
        targets += (0..<300).map { page("single\($0).example", 0) }
        return targets
    }()

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var targets: [Target]
        var expectedChunks: Int
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "1000 bare domains are one chunk", targets: (0..<1000).map { domain("d\($0).com") }, expectedChunks: 1
        ),
        Case(name: "1001 targets are two chunks", targets: (0..<1001).map { domain("d\($0).com") }, expectedChunks: 2),
        Case(
            name: "100 page domains are one chunk", targets: (0..<100).map { page("h\($0).com", 0) }, expectedChunks: 1),
        Case(
            name: "101 page domains are two chunks", targets: (0..<101).map { page("h\($0).com", 0) }, expectedChunks: 2
        ),
        Case(
            name: "3500 pages of one domain are four chunks", targets: (0..<3500).map { page("one.com", $0) },
            expectedChunks: 4),
        Case(
            name: "pages and bare domains share chunks",
            targets: (0..<150).map { page("h\($0).com", 0) } + (0..<1700).map { domain("d\($0).com") },
            expectedChunks: 2),
        Case(
            name: "5000 URLs over 40 domains plus 300 single-URL domains reach the lower bound of 6",
            targets: skewed, expectedChunks: 6),
    ]

    @Test("packs into the expected number of chunks", arguments: cases)
    func chunkCounts(_ testCase: Case) {
        let chunks = Self.pack(testCase.targets)
        #expect(chunks.count == testCase.expectedChunks)
        Self.checkInvariants(chunks, of: testCase.targets)
    }

    @Test("never exceeds either limit and places every target exactly once", arguments: cases)
    func invariants(_ testCase: Case) {
        Self.checkInvariants(Self.pack(testCase.targets), of: testCase.targets)
    }

    static func checkInvariants(_ chunks: [Chunk], of targets: [Target]) {
        for chunk in chunks {
            #expect(chunk.targets.count <= 1000)
            #expect(!chunk.targets.isEmpty)
            #expect(Set(chunk.targets.compactMap(host)).count <= 100)
        }
        #expect(chunks.map(\.index) == Array(0..<chunks.count))
        let placed = chunks.flatMap(\.targets).map(\.normalized)
        #expect(placed.count == targets.count)
        #expect(Set(placed) == Set(targets.map(\.normalized)))
    }

    @Test("gives the same chunks for the same input, so resumed runs find their checkpoints")
    func deterministic() {
        let first = Self.pack(Self.skewed).map { $0.targets.map(\.normalized) }
        let second = Self.pack(Self.skewed).map { $0.targets.map(\.normalized) }
        #expect(first == second)
    }

    @Test("with a tighter target limit, still honours both limits")
    func smallerChunks() {
        let targets = (0..<250).map { Self.page("h\($0 % 30).com", $0) }
        let chunks = Chunking.packed(targets, maxTargets: 40, maxGroups: 5, group: Self.host)
        #expect(chunks.count >= 7, "250 / 40 rounds up to 7")
        for chunk in chunks {
            #expect(chunk.targets.count <= 40)
            #expect(Set(chunk.targets.compactMap(Self.host)).count <= 5)
        }
        #expect(chunks.flatMap(\.targets).count == 250)
    }

    @Test("an empty list is no chunks")
    func empty() {
        #expect(Self.pack([]).isEmpty)
    }
}
