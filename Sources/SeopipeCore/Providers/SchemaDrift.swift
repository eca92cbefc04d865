import Foundation

/// A way a provider's answer differs from its documented shape (issue 18): a field it added, a documented field
/// that no longer arrives, or a field of another type.
public struct DriftObservation: Sendable, Hashable {
    public enum Kind: String, Sendable, CaseIterable {
        case added
        case missing
        case typeChanged = "type_changed"
    }

    public var kind: Kind
    public var field: String
    /// What arrived: the JSON type of an added field or of a changed one (`a string, documented as a number`);
    /// empty for a missing field.
    public var detail: String

    public init(kind: Kind, field: String, detail: String) {
        self.kind = kind
        self.field = field
        self.detail = detail
    }
}

/// Collects the drift of one answer while a provider decodes it. The decoder's field readers report what they read
/// (``read(_:present:)``) and what had another type (``typeChanged(field:expected:found:)``, the value is then
/// loaded as null instead of failing the answer); each row is framed by ``beginRow()`` and ``endRow(_:ignoring:)``,
/// which finds the members nobody read. One log serves one decode, on one thread.
public final class SchemaDriftLog: @unchecked Sendable {
    /// The log of the decode running in this task, if any: without one, a field of another type fails the answer.
    @TaskLocal public static var current: SchemaDriftLog?

    private var found: [DriftObservation: Int] = [:]
    private var readInRow: Set<String> = []
    private var absentInRow: Set<String> = []
    private var absentRows: [String: Int] = [:]
    private var rows = 0

    public init() {}

    public func typeChanged(field: String, expected: String, found type: String) {
        found[
            DriftObservation(kind: .typeChanged, field: field, detail: "\(type), documented as \(expected)"), default: 0
        ] +=
            1
    }

    /// A documented field the decoder read, and whether the row had it (null counts as present).
    public func read(_ key: String, present: Bool) {
        readInRow.insert(key)
        if !present { absentInRow.insert(key) }
    }

    public func beginRow() {
        readInRow.removeAll(keepingCapacity: true)
        absentInRow.removeAll(keepingCapacity: true)
    }

    /// Ends a row: its members the decoder did not read (except `ignoring`: documented fields seopipe does not
    /// store) are added fields.
    public func endRow(_ row: JSONValue, ignoring: Set<String> = []) {
        rows += 1
        for key in absentInRow { absentRows[key, default: 0] += 1 }
        guard case .object(let members) = row else { return }
        for member in members where !readInRow.contains(member.key) && !ignoring.contains(member.key) {
            found[DriftObservation(kind: .added, field: member.key, detail: member.value.typeName), default: 0] += 1
        }
    }

    /// What the answer showed: each observation once; a documented field is missing when no row had it.
    public var observations: [DriftObservation] {
        var all = Set(found.keys)
        for (field, count) in absentRows where rows > 0 && count == rows {
            all.insert(DriftObservation(kind: .missing, field: field, detail: ""))
        }
        return all.sorted { ($0.field, $0.kind.rawValue, $0.detail) < ($1.field, $1.kind.rawValue, $1.detail) }
    }
}

/// A drift observation as the warehouse keeps it: once per provider, endpoint, field and kind, with the first and
/// the latest date it was seen (`seopipe_schema_drift`).
public struct DriftRecord: Sendable, Equatable {
    public var pipeline: String
    public var stageID: String
    public var provider: String
    public var endpoint: String
    public var table: String
    public var kind: DriftObservation.Kind
    public var field: String
    public var detail: String
    public var firstSeen: Date
    public var lastSeen: Date
    public var runID: String

    public init(
        pipeline: String, stageID: String, provider: String, endpoint: String, table: String,
        kind: DriftObservation.Kind, field: String, detail: String, firstSeen: Date, lastSeen: Date, runID: String
    ) {
        self.pipeline = pipeline
        self.stageID = stageID
        self.provider = provider
        self.endpoint = endpoint
        self.table = table
        self.kind = kind
        self.field = field
        self.detail = detail
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
        self.runID = runID
    }
}
