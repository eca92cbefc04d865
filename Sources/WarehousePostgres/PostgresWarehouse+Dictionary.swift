import PostgresNIO
import SeopipeCore

extension PostgresWarehouse {
    /// Writes the data dictionary into `seopipe_tables`, `seopipe_columns` and `COMMENT ON` when it differs from
    /// what the tables hold: one DO block, one round trip.
    func syncDictionary(_ dictionary: DataDictionary) async throws {
        let wanted = dictionary.rows(for: try await catalogLocked())
        let held = DataDictionary.Rows(
            tables: try await textRows(
                unsafeSQL: "SELECT table_name, kind, description FROM seopipe_tables ORDER BY table_name"
            )
            .map { $0.map { $0 ?? "" } },
            columns: try await textRows(
                unsafeSQL: "SELECT table_name, column_name, position, data_type, description FROM seopipe_columns "
                    + "ORDER BY table_name, position"
            ).map { $0.map { $0 ?? "" } })
        guard held != wanted else { return }
        func literal(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }
        var body = "DELETE FROM seopipe_tables; DELETE FROM seopipe_columns;\n"
        for row in wanted.tables {
            body += "INSERT INTO seopipe_tables VALUES (\(row.map(literal).joined(separator: ", ")));\n"
            body += "COMMENT ON \(row[1] == "view" ? "VIEW" : "TABLE") \(quoted(row[0])) IS \(literal(row[2]));\n"
        }
        for row in wanted.columns {
            body +=
                "INSERT INTO seopipe_columns VALUES (\(literal(row[0])), \(literal(row[1])), \(row[2]), "
                + "\(literal(row[3])), \(literal(row[4])));\n"
            body += "COMMENT ON COLUMN \(quoted(row[0])).\(quoted(row[1])) IS \(literal(row[4]));\n"
        }
        var tag = "seopipe"
        while body.contains("$\(tag)$") { tag += "_" }
        try await execute(unsafeSQL: "DO $\(tag)$ BEGIN\n\(body)END $\(tag)$")
    }
}
