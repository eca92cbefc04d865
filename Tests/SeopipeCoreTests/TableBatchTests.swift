import SeopipeCore
import Testing

@Suite("Table batches: repeated keys")
struct TableBatchKeyTests {
    func batch(_ keys: [(String, Int64?)]) -> TableBatch {
        var batch = TableBatch(table: "t", columns: ["value", "target", "day"], keyColumns: ["target", "day"])
        for (position, key) in keys.enumerated() {
            batch.append([.integer(Int64(position)), .text(key.0), key.1.map { .integer($0) } ?? .null])
        }
        return batch
    }

    @Test("tells a repeated key from keys that only share a column or differ in a value's type")
    func repeatedKeys() {
        #expect(!batch([]).hasRepeatedKeys)
        #expect(!batch([("a", 1), ("a", 2), ("b", 1), ("a", nil)]).hasRepeatedKeys)
        #expect(batch([("a", 1), ("b", 2), ("a", 1)]).hasRepeatedKeys)
        #expect(batch([("a", nil), ("a", nil)]).hasRepeatedKeys)
        var mixed = TableBatch(table: "t", columns: ["k"], keyColumns: ["k"])
        mixed.append([.text("1")])
        mixed.append([.integer(1)])
        #expect(!mixed.hasRepeatedKeys)
    }

    @Test("finds the one repeat among 50,000 distinct keys, wherever it is")
    func oneRepeatInMany() {
        let distinct = (0..<50_000).map { ("site\($0).example", Int64($0 % 7)) }
        #expect(!batch(distinct).hasRepeatedKeys)
        for position in [0, 24_999, 49_999] {
            #expect(batch(distinct + [distinct[position]]).hasRepeatedKeys)
        }
    }
}
