/// One fact table a provider loads: its name, written once, its columns in load order and its upsert key.
///
/// The endpoint that loads it, the normalizer that fills it and its data-dictionary entry all take this value, so
/// the name cannot drift between them.
public struct TableSpec: Sendable, Hashable {
    public var name: String
    public var columns: [String]
    /// The upsert key: a re-load of the same key replaces the row.
    public var keyColumns: [String]

    public init(_ name: String, columns: [String], key: [String]) {
        self.name = name
        self.columns = columns
        self.keyColumns = key
    }
}

extension TableBatch {
    /// An empty batch for `table`.
    public init(_ table: TableSpec, reservingRows: Int = 0) {
        self.init(table: table.name, columns: table.columns, keyColumns: table.keyColumns, reservingRows: reservingRows)
    }
}

extension EndpointSpec {
    /// An endpoint whose rows load into `table`.
    public init(
        name: String, targetKind: TargetKind, table: TableSpec, parameters: [ParameterSpec], maxBatchSize: Int,
        currentOnly: String? = nil, answersDateRange: Bool = false, history: String? = nil
    ) {
        self.init(
            name: name, targetKind: targetKind, table: table.name, parameters: parameters, maxBatchSize: maxBatchSize,
            currentOnly: currentOnly, answersDateRange: answersDateRange, history: history)
    }
}
