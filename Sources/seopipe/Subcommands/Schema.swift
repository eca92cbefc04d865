import ArgumentParser
import Foundation
import Providers
import SeopipeCore

struct Schema: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the data dictionary: every table, view and column of the warehouse and what it means.",
        discussion: """
            The same dictionary is in every migrated warehouse, in the tables seopipe_tables and seopipe_columns \
            (and as COMMENT ON in PostgreSQL, which psql's \\d+ and BI tools show). Types are those of the \
            warehouse given with --warehouse; without it, of a temporary SQLite warehouse. docs/warehouse.md \
            holds the --markdown output. With --warehouse, a column whose provider field drifted (another type, \
            or no longer sent) is marked, and fields a provider added are listed under their table (seopipe drift).
            """)

    @Flag(help: "Print Markdown (docs/warehouse.md's generated part) instead of a plain listing.")
    var markdown = false

    @Option(help: "Warehouse URL whose types to show: sqlite:PATH or postgres://USER@HOST:PORT/DB[?schema=NAME].")
    var warehouse: String?

    func run() async throws {
        let catalog: [CatalogColumn]
        var drift: [DriftRecord] = []
        if let warehouse {
            let store = try await migrated(try resolveWarehouse(warehouse, pipeline: nil))
            catalog = try await store.catalog()
            drift = try await store.drift(since: nil)
            await store.close()
        } else {
            let directory = FileManager.default.temporaryDirectory
                .appendingPathComponent("seopipe-schema-\(ProcessInfo.processInfo.processIdentifier)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let store = try await migrated(.sqlite(path: directory.appendingPathComponent("schema.db").path))
            catalog = try await store.catalog()
            await store.close()
        }
        print(
            markdown ? SchemaText.markdown(catalog, drift: drift) : SchemaText.plain(catalog, drift: drift),
            terminator: "")
    }
}

/// The data dictionary as text.
enum SchemaText {
    static let dictionary = ProviderRegistry.builtin.dataDictionary

    /// The drift a column's description gets: ` Drift: type_changed since 2026-11-21 (a string, documented as a
    /// number).`; empty without drift.
    static func mark(_ drift: [DriftRecord], table: String, column: String) -> String {
        drift.filter { $0.table == table && $0.field == column && $0.kind != .added }.map { record in
            " Drift: \(record.kind.rawValue) since \(SnapshotDate(record.firstSeen))"
                + (record.detail.isEmpty ? "." : " (\(record.detail)).")
        }.joined()
    }

    /// The fields providers added to a table's answers, as a sentence; empty when none.
    static func added(_ drift: [DriftRecord], table: String) -> String {
        let fields = Set(drift.filter { $0.table == table && $0.kind == .added }.map(\.field)).sorted()
        guard !fields.isEmpty else { return "" }
        return "Fields the provider added, kept per row in seopipe_extra_fields (seopipe drift): "
            + fields.map { "`\($0)`" }.joined(separator: ", ") + "."
    }

    static func plain(_ catalog: [CatalogColumn], drift: [DriftRecord] = []) -> String {
        let rows = dictionary.rows(for: catalog)
        var text = ""
        for table in rows.tables {
            text += "\(table[0]) (\(table[1])): \(table[2])\n"
            for column in rows.columns where column[0] == table[0] {
                text += "  \(column[1]) \(column[3]): \(column[4])\(mark(drift, table: table[0], column: column[1]))\n"
            }
            let extra = added(drift, table: table[0])
            if !extra.isEmpty { text += "  \(extra)\n" }
            text += "\n"
        }
        return text
    }

    static func markdown(_ catalog: [CatalogColumn], drift: [DriftRecord] = []) -> String {
        let rows = dictionary.rows(for: catalog)
        func cell(_ text: String) -> String { text.replacingOccurrences(of: "|", with: "\\|") }
        var text = ""
        let byName = Dictionary(rows.tables.map { ($0[0], $0) }, uniquingKeysWith: { first, _ in first })
        for section in dictionary.sections {
            // In the order the section lists them (views most useful first).
            let tables = section.entries.compactMap { byName[$0.name] }
            guard !tables.isEmpty else { continue }
            text += "## \(section.heading)\n\n"
            for table in tables {
                text += "### `\(table[0])` (\(table[1]))\n\n\(table[2])\n\n"
                text += "| column | type | meaning |\n|---|---|---|\n"
                for column in rows.columns where column[0] == table[0] {
                    let meaning = column[4] + mark(drift, table: table[0], column: column[1])
                    text += "| `\(column[1])` | \(cell(column[3])) | \(cell(meaning)) |\n"
                }
                let extra = added(drift, table: table[0])
                if !extra.isEmpty { text += "\n\(extra)\n" }
                text += "\n"
            }
        }
        return text
    }
}
