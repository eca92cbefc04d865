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

/// How many rows of a stage's answers had a documented field, and how many of those had a value (not null):
/// compared with an earlier night's to see a field go empty (`seopipe_field_fill`).
public struct FieldFill: Sendable, Equatable {
    public var rows: Int
    public var filled: Int

    public init(rows: Int = 0, filled: Int = 0) {
        self.rows = rows
        self.filled = filled
    }

    /// Whether most rows had a value.
    public var mostlyFilled: Bool { rows > 0 && filled * 2 > rows }

    /// The rows a fill must count, on both dates, before it is compared: a field of a handful of rows (a stage of
    /// two domains) may legitimately be null on one night.
    public static let comparableRows = 10

    public static func + (lhs: FieldFill, rhs: FieldFill) -> FieldFill {
        FieldFill(rows: lhs.rows + rhs.rows, filled: lhs.filled + rhs.filled)
    }
}

/// A row's fields seopipe does not know, as a JSON object, and which row they came with (`seopipe_extra_fields`).
public struct ExtraFields: Sendable, Equatable {
    /// The row's key in its table: the target (url, domain, keyword), with the list's own key for a list row.
    public var rowKey: String
    public var json: String

    public init(rowKey: String, json: String) {
        self.rowKey = rowKey
        self.json = json
    }
}

/// Collects the drift of one answer while a provider decodes it. The decoder's field readers report what they read
/// (``read(_:present:filled:)``) and what had another type (``typeChanged(field:expected:found:)``, the value is
/// then loaded as null instead of failing the answer); each row is framed by ``beginRow()`` and
/// ``endRow(_:key:ignoring:)``, which finds the members nobody read and keeps them. One log serves one decode, on
/// one thread.
public final class SchemaDriftLog: @unchecked Sendable {
    /// The log of the decode running in this task, if any: without one, a field of another type fails the answer.
    @TaskLocal public static var current: SchemaDriftLog?

    private var found: [DriftObservation: Int] = [:]
    /// Each documented field read gets a slot the first time: a read costs one hash, the rest are array updates
    /// (the log sees every field of every row, 20,000 rows and 30 fields a chunk).
    private var slots: [String: Int] = [:]
    private var names: [String] = []
    /// Per slot: the row it was last read, last had a value, last was absent in (row numbers, from 1).
    private var readIn: [Int] = []
    private var filledIn: [Int] = []
    private var absentIn: [Int] = []
    /// Per slot: the rows that read it, those where it had a value, those where it was absent.
    private var readRows: [Int] = []
    private var filledRows: [Int] = []
    private var absentRows: [Int] = []
    /// The slots read in this row.
    private var rowSlots: [Int] = []
    /// The current row's number, counted from 1; reads outside a row (the envelope's) are not a row's.
    private var row = 0
    private var inRow = false
    private var rows = 0
    /// The unknown fields of each row that had some, when the decoder named the row.
    public private(set) var extras: [ExtraFields] = []

    public init() {}

    public func typeChanged(field: String, expected: String, found type: String) {
        found[
            DriftObservation(kind: .typeChanged, field: field, detail: "\(type), documented as \(expected)"), default: 0
        ] +=
            1
    }

    private func slot(_ key: String) -> Int {
        if let slot = slots[key] { return slot }
        let slot = names.count
        slots[key] = slot
        names.append(key)
        readIn.append(0)
        filledIn.append(0)
        absentIn.append(0)
        readRows.append(0)
        filledRows.append(0)
        absentRows.append(0)
        return slot
    }

    /// A documented field the decoder read: whether the row had it, and with a value (not null).
    public func read(_ key: String, present: Bool, filled: Bool) {
        guard inRow else { return }
        let slot = slot(key)
        if readIn[slot] != row {
            readIn[slot] = row
            rowSlots.append(slot)
        }
        if filled { filledIn[slot] = row }
        if !present { absentIn[slot] = row }
    }

    /// A field rows may leave out, read: it counts for the field's fill (``fill``), so a field that had values and
    /// went empty is drift, but a row without it does not make it missing.
    public func readFill(_ key: String, filled: Bool) {
        read(key, present: true, filled: filled)
    }

    /// A documented field the decoder read, as it arrived (nil: the row did not have it).
    public func read(_ key: String, _ value: JSONValue?) {
        read(key, present: value != nil, filled: value.map { $0 != .null } ?? false)
    }

    public func beginRow() {
        row += 1
        inRow = true
        rowSlots.removeAll(keepingCapacity: true)
    }

    /// Whether the decoder read `key` in this row.
    private func wasRead(_ key: String) -> Bool {
        inRow && (slots[key].map { readIn[$0] == row } ?? false)
    }

    /// Ends a row: its members the decoder did not read (except `ignoring`: documented fields seopipe does not
    /// store) are added fields, kept under `key` (the row's key in its table) when there is one.
    public func endRow(_ row: JSONValue, key: String?, ignoring: Set<String> = []) {
        guard case .object(let members) = row else { return endRow(key: key, unknown: []) }
        var unknown: [JSONMember] = []
        for member in members where !wasRead(member.key) && !ignoring.contains(member.key) { unknown.append(member) }
        endRow(key: key, unknown: unknown)
    }

    /// Ends a row whose unknown members the decoder found itself.
    public func endRow(key: String?, unknown: [JSONMember]) {
        rows += 1
        // A row never begun read nothing.
        if !inRow { rowSlots.removeAll(keepingCapacity: true) }
        inRow = false
        for slot in rowSlots {
            readRows[slot] += 1
            if filledIn[slot] == row { filledRows[slot] += 1 }
            if absentIn[slot] == row { absentRows[slot] += 1 }
        }
        for member in unknown {
            found[DriftObservation(kind: .added, field: member.key, detail: member.value.typeName), default: 0] += 1
        }
        if let key, !unknown.isEmpty {
            extras.append(ExtraFields(rowKey: key, json: JSONValue.object(unknown).jsonText))
        }
    }

    /// Per documented field: the rows that read it, and how many had a value.
    public var fill: [String: FieldFill] {
        var fill: [String: FieldFill] = [:]
        for (slot, name) in names.enumerated() where readRows[slot] > 0 {
            fill[name] = FieldFill(rows: readRows[slot], filled: filledRows[slot])
        }
        return fill
    }

    /// What the answer showed: each observation once; a documented field is missing when no row had it.
    public var observations: [DriftObservation] {
        var all = Set(found.keys)
        for (slot, name) in names.enumerated() where rows > 0 && absentRows[slot] == rows {
            all.insert(DriftObservation(kind: .missing, field: name, detail: ""))
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

/// `seopipe_extra_fields`: the fields a provider sent that seopipe does not know, per row, as a JSON object,
/// written with the chunk's rows in its transaction.
public enum ExtraFieldsTable {
    public static let table = TableSpec(
        "seopipe_extra_fields",
        columns: [
            "pipeline", "stage_id", "snapshot_date", "row_key", "endpoint", "table_name", "extra", "request_hash",
            "run_id", "fetched_at",
        ],
        key: ["pipeline", "stage_id", "snapshot_date", "row_key"])

    /// The rows keeping `extras`, which the answer to the chunk `requestHash` of a stage's endpoint (loading
    /// `table`) carried. `replacing`: the date was run before, so the chunk's earlier entries go first, also those
    /// of rows that carry no unknown field any more (a first run of a date has none to delete, and skips it).
    public static func batch(
        _ extras: [ExtraFields], pipeline: String, stageID: String, endpoint: String, table: String,
        requestHash: String, replacing: Bool, stamp: RowStamp
    ) -> TableBatch {
        var batch = TableBatch(Self.table, reservingRows: extras.count)
        let date = SQLValue.text(stamp.snapshotDate.description)
        for extra in extras {
            batch.append([
                .text(pipeline), .text(stageID), date, .text(extra.rowKey), .text(endpoint), .text(table),
                .text(extra.json), .text(requestHash), .text(stamp.runID), .text(stamp.fetchedAt),
            ])
        }
        if replacing {
            batch.replaceColumns = ["pipeline", "stage_id", "snapshot_date", "request_hash"]
            batch.replaceKeys = [[.text(pipeline), .text(stageID), date, .text(requestHash)]]
        }
        return batch
    }
}

/// A stage's field fill of one snapshot date, as `seopipe_field_fill` keeps it.
public struct FieldFillRecord: Sendable, Equatable {
    public var snapshotDate: SnapshotDate
    public var fill: [String: FieldFill]

    public init(snapshotDate: SnapshotDate, fill: [String: FieldFill]) {
        self.snapshotDate = snapshotDate
        self.fill = fill
    }

    /// The fields that had a value in most rows on the earlier date and in few rows now: a documented field that
    /// stopped arriving while still being sent (null), or sent by only some rows. One observation each.
    public static func emptied(now: [String: FieldFill], before: FieldFillRecord) -> [DriftObservation] {
        now.compactMap { field, current -> DriftObservation? in
            guard let earlier = before.fill[field], earlier.rows >= FieldFill.comparableRows, earlier.mostlyFilled,
                current.rows >= FieldFill.comparableRows, !current.mostlyFilled
            else { return nil }
            return DriftObservation(
                kind: .missing, field: field,
                detail:
                    "empty in \(current.rows - current.filled) of \(current.rows) rows; it had a value in \(earlier.filled) of \(earlier.rows) on \(before.snapshotDate)"
            )
        }.sorted { $0.field < $1.field }
    }
}
