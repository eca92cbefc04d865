import Foundation
import Testing

@testable import SeopipeCore

@Suite("Schema drift log: fill, extra fields, fields gone empty")
struct SchemaDriftLogTests {
    /// Reads `fields` of each row as a provider's decoder does, then ends the row under its `target`.
    static func decode(_ rows: [JSONValue], fields: [String], log: SchemaDriftLog) {
        for row in rows {
            log.beginRow()
            for field in fields { log.read(field, row[field]) }
            log.endRow(row, key: row["target"].flatMap { if case .string(let text) = $0 { text } else { nil } })
        }
    }

    static func row(_ json: String) throws -> JSONValue { try JSONValue.parse(Array(json.utf8)) }

    @Test("counts, per documented field, the rows that had it and the rows where it had a value")
    func fill() throws {
        let log = SchemaDriftLog()
        Self.decode(
            [
                try Self.row(#"{"target":"a.com","rank":1,"spam":null}"#),
                try Self.row(#"{"target":"b.com","rank":2}"#),
                try Self.row(#"{"target":"c.com","rank":null,"spam":4}"#),
            ], fields: ["target", "rank", "spam"], log: log)
        #expect(log.fill["rank"] == FieldFill(rows: 3, filled: 2))
        #expect(log.fill["spam"] == FieldFill(rows: 3, filled: 1))
        #expect(log.fill["target"] == FieldFill(rows: 3, filled: 3))
        // `spam` is absent from one row only: not missing; no row had an unknown field.
        #expect(log.observations.isEmpty)
        #expect(log.extras.isEmpty)
    }

    @Test("keeps each row's unknown members as a JSON object under the row's key, in the order they arrived")
    func extras() throws {
        let log = SchemaDriftLog()
        Self.decode(
            [
                try Self.row(#"{"zeta":[1,2.5,"x\"y"],"target":"a.com","rank":1,"alpha":{"n":null,"t":true}}"#),
                try Self.row(#"{"target":"b.com","rank":2}"#),
                try Self.row(#"{"rank":3,"velocity":1e-05}"#),
            ], fields: ["target", "rank"], log: log)
        // The row without a key reports its field but keeps nothing (it has no row to be joined to).
        #expect(
            log.extras == [ExtraFields(rowKey: "a.com", json: #"{"zeta":[1,2.5,"x\"y"],"alpha":{"n":null,"t":true}}"#)])
        #expect(
            log.observations.filter { $0.kind == .added }.map(\.field) == ["alpha", "velocity", "zeta"])
        // The kept text reads back as the same values.
        let kept = try JSONValue.parse(Array(log.extras[0].json.utf8))
        #expect(kept["zeta"] == .array([.integer(1), .double(2.5), .string("x\"y")]))
    }

    @Test("a field with a value in most rows on the date before and in few now went empty; other changes do not")
    func emptied() throws {
        let before = FieldFillRecord(
            snapshotDate: SnapshotDate("2026-11-20")!,
            fill: [
                "rank": FieldFill(rows: 10, filled: 10), "spam": FieldFill(rows: 10, filled: 2),
                "links": FieldFill(rows: 10, filled: 6), "gone": FieldFill(rows: 10, filled: 9),
                "few": FieldFill(rows: 10, filled: 10), "once": FieldFill(rows: 4, filled: 4),
            ])
        let now: [String: FieldFill] = [
            "rank": FieldFill(rows: 20, filled: 2),  // emptied
            "spam": FieldFill(rows: 20, filled: 0),  // was mostly empty already
            "links": FieldFill(rows: 20, filled: 12),  // still mostly filled
            "new": FieldFill(rows: 20, filled: 0),  // no history
            "gone": FieldFill(rows: 20, filled: 10),  // half the rows: no longer most
            "few": FieldFill(rows: 9, filled: 0),  // too few rows tonight to tell
            "once": FieldFill(rows: 20, filled: 0),  // too few rows the date before
        ]
        #expect(
            FieldFillRecord.emptied(now: now, before: before) == [
                DriftObservation(
                    kind: .missing, field: "gone",
                    detail: "empty in 10 of 20 rows; it had a value in 9 of 10 on 2026-11-20"),
                DriftObservation(
                    kind: .missing, field: "rank",
                    detail: "empty in 18 of 20 rows; it had a value in 10 of 10 on 2026-11-20"),
            ])
    }

    @Test("a read outside any row (the envelope) and an endRow without beginRow count no row's field as read")
    func outsideRows() throws {
        let log = SchemaDriftLog()
        log.read("cost", .integer(1))
        log.endRow(try Self.row(#"{"target":"a.com","cost":2}"#), key: "a.com")
        // `cost` was read before any row: in the row it is unknown.
        #expect(log.extras == [ExtraFields(rowKey: "a.com", json: #"{"target":"a.com","cost":2}"#)])
        #expect(log.fill.isEmpty)
    }
}
