/// One typed value bound to a SQL parameter.
public enum SQLValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)

    public init(_ value: Int?) { self = value.map { .integer(Int64($0)) } ?? .null }
    public init(_ value: Double?) { self = value.map { .real($0) } ?? .null }
    public init(_ value: String?) { self = value.map { .text($0) } ?? .null }
}

/// Rows for one fact table, stored flat (row-major) so large loads do not allocate per row.
public struct TableBatch: Sendable {
    public var table: String
    public var columns: [String]
    /// The upsert key: a re-load of the same key replaces the row.
    public var keyColumns: [String]
    public private(set) var values: [SQLValue]
    /// For child tables: before loading, delete every row whose `replaceColumns` match one of `replaceKeys`,
    /// so a parent's children are replaced as a whole (a map that lost a key loses that row).
    public var replaceColumns: [String] = []
    public var replaceKeys: [[SQLValue]] = []

    public init(table: String, columns: [String], keyColumns: [String], reservingRows: Int = 0) {
        precondition(Set(keyColumns).isSubset(of: columns), "key columns must be columns")
        self.table = table
        self.columns = columns
        self.keyColumns = keyColumns
        self.values = []
        values.reserveCapacity(reservingRows * columns.count)
    }

    public var rowCount: Int { columns.isEmpty ? 0 : values.count / columns.count }

    /// Appends one row; `row` must have one value per column, in column order.
    public mutating func append(_ row: [SQLValue]) {
        precondition(row.count == columns.count, "row has \(row.count) values for \(columns.count) columns")
        values.append(contentsOf: row)
    }

    /// Appends one row without an intermediate array: `fill` receives the storage and must add exactly one row.
    public mutating func appendRow(_ fill: (inout [SQLValue]) -> Void) {
        let before = values.count
        fill(&values)
        precondition(values.count - before == columns.count, "appended a partial row")
    }

    /// Appends every row of `other`, which must have the same columns in the same order.
    public mutating func append(rowsOf other: TableBatch) {
        precondition(other.columns == columns, "appended a batch with other columns")
        values.append(contentsOf: other.values)
    }

    /// Whether two rows share a key (the upsert then keeps the last).
    public var hasRepeatedKeys: Bool {
        let positions = keyColumns.compactMap { columns.firstIndex(of: $0) }
        let width = columns.count
        func sameKey(_ first: Int, _ second: Int) -> Bool {
            positions.allSatisfy { values[first * width + $0] == values[second * width + $0] }
        }
        // Rows by the hash of their key, compared exactly only when hashes meet: no array built per row.
        var firstRow: [Int: Int] = .init(minimumCapacity: rowCount)
        var sharingHash: [Int: [Int]] = [:]
        for row in 0..<rowCount {
            var hasher = Hasher()
            for position in positions { hasher.combine(values[row * width + position]) }
            let hash = hasher.finalize()
            guard let earlier = firstRow[hash] else {
                firstRow[hash] = row
                continue
            }
            if sameKey(earlier, row) { return true }
            let others = sharingHash[hash, default: []]
            if others.contains(where: { sameKey($0, row) }) { return true }
            sharingHash[hash] = others + [row]
        }
        return false
    }

    public func row(_ index: Int) -> ArraySlice<SQLValue> {
        values[(index * columns.count)..<((index + 1) * columns.count)]
    }
}
