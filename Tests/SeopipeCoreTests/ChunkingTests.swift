import SeopipeCore
import Testing

@Suite("Chunking targets into requests")
struct ChunkingTests {
    static func targets(_ count: Int) -> [Target] {
        (0..<count).map { Target(original: "Site\($0).com", normalized: "site\($0).com") }
    }

    @Test("splits 250 targets at size 100 into 100, 100 and 50, in order, indexed 0 to 2")
    func uneven() {
        let targets = Self.targets(250)
        let chunks = Chunking.chunks(targets, size: 100)
        #expect(chunks.map(\.targets.count) == [100, 100, 50])
        #expect(chunks.map(\.index) == [0, 1, 2])
        #expect(chunks.flatMap(\.targets) == targets)
        #expect(chunks[1].targets.first?.normalized == "site100.com")
        #expect(chunks[2].targets.last?.normalized == "site249.com")
    }

    @Test("splits an exact multiple into full chunks only", arguments: [(200, 100, 2), (300, 100, 3), (10, 5, 2)])
    func exactMultiple(count: Int, size: Int, expectedChunks: Int) {
        let chunks = Chunking.chunks(Self.targets(count), size: size)
        #expect(chunks.count == expectedChunks)
        #expect(chunks.allSatisfy { $0.targets.count == size })
        #expect(chunks.flatMap(\.targets) == Self.targets(count))
    }

    @Test("makes one chunk of one target")
    func single() {
        let chunks = Chunking.chunks(Self.targets(1), size: 100)
        #expect(chunks == [Chunk(index: 0, targets: Self.targets(1))])
    }

    @Test("makes one chunk per target at size 1")
    func sizeOne() {
        let targets = Self.targets(4)
        let chunks = Chunking.chunks(targets, size: 1)
        #expect(chunks.count == 4)
        #expect(chunks.map(\.index) == [0, 1, 2, 3])
        #expect(chunks.map { $0.targets } == targets.map { [$0] })
    }

    @Test("makes no chunks of no targets")
    func none() {
        #expect(Chunking.chunks([], size: 100).isEmpty)
    }
}
