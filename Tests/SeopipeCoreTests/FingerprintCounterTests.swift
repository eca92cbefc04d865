import Testing

@testable import SeopipeCore

@Suite("Counting fingerprints in bounded memory")
struct FingerprintCounterTests {
    /// What a set of everything would answer.
    func expected(_ values: [UInt64]) -> (distinct: Int, repeated: Set<UInt64>) {
        var seen = Set<UInt64>()
        var repeated = Set<UInt64>()
        for value in values where !seen.insert(value).inserted { repeated.insert(value) }
        return (seen.count, repeated)
    }

    func counted(_ values: [UInt64], runLength: Int) throws -> (distinct: Int, repeated: Set<UInt64>) {
        var counter = FingerprintCounter(runLength: runLength)
        for value in values { try counter.add(value) }
        return try counter.finish()
    }

    @Test(
        "answers as a set would, in memory and across runs spilled to disk",
        arguments: [64, 1000, 1 << 20])
    func matchesASet(runLength: Int) throws {
        var generator = SystemRandomNumberGenerator()
        // Values from a small range repeat often, also across runs; the extremes of UInt64 are in.
        var values = (0..<20_000).map { _ in UInt64.random(in: 0..<12_000, using: &generator) }
        values += [0, .max, .max, 1 << 63, 0]
        values.shuffle(using: &generator)
        let answer = try counted(values, runLength: runLength)
        let reference = expected(values)
        #expect(answer.distinct == reference.distinct)
        #expect(answer.repeated == reference.repeated)
    }

    @Test("a run length's worth of distinct values, then all of them again in another order")
    func repeatsAcrossRuns() throws {
        let first = (0..<5000).map { UInt64($0) &* 0x9E37_79B9_7F4A_7C15 }
        let answer = try counted(first + first.reversed(), runLength: 5000)
        #expect(answer.distinct == 5000)
        #expect(answer.repeated == Set(first))
        let once = try counted(first, runLength: 64)
        #expect(once.distinct == 5000)
        #expect(once.repeated.isEmpty)
    }

    @Test("runs of one and two values: every value its own run")
    func tinyRuns() throws {
        let values: [UInt64] = [5, 3, 5, 9, 0, 3, 3, .max, 1, .max]
        for runLength in [1, 2, 3] {
            let answer = try counted(values, runLength: runLength)
            #expect(answer.distinct == 6)
            #expect(answer.repeated == [3, 5, .max])
        }
    }

    @Test("nothing to count")
    func empty() throws {
        let answer = try counted([], runLength: 3)
        #expect(answer.distinct == 0)
        #expect(answer.repeated.isEmpty)
    }
}
