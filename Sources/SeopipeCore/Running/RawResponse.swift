import Foundation

/// `seopipe_raw_responses`: a committed chunk's answer as the provider sent it, for stages that ask for it with
/// `load: { raw_responses: true }` (audits, fields seopipe does not map yet). It travels with the chunk's rows, so
/// it commits (or rolls back) with them and a re-run of the date replaces it.
enum RawResponse {
    static let table = "seopipe_raw_responses"
    static let columns = [
        "pipeline", "snapshot_date", "stage_id", "request_hash", "chunk_index", "provider", "endpoint", "http_status",
        "fetched_at", "run_id", "body",
    ]
    static let keyColumns = ["pipeline", "snapshot_date", "stage_id", "request_hash"]
    static let redaction = "[REDACTED]"

    static func batch(
        _ response: HTTPResponseData, key: ChunkKey, chunkIndex: Int, provider: ProviderConfig, endpoint: String,
        stamp: RowStamp
    ) -> TableBatch {
        var batch = TableBatch(table: table, columns: columns, keyColumns: keyColumns, reservingRows: 1)
        let secrets = provider.credentials.values.map(\.value)
        batch.append([
            .text(key.pipeline), .text(key.snapshotDate.description), .text(key.stageID), .text(key.requestHash),
            .integer(Int64(chunkIndex)), .text(provider.name), .text(endpoint), .integer(Int64(response.status)),
            .text(stamp.fetchedAt), .text(stamp.runID), .text(redactedJSON(response.body, secrets: secrets)),
        ])
        return batch
    }

    /// The body as JSON text with every credential (as written, and as JSON escapes it) replaced by `[REDACTED]`.
    /// A body that is not JSON, or no longer is after redaction, is kept as one JSON string, so the column always
    /// holds JSON (PostgreSQL's JSONB refuses anything else).
    static func redactedJSON(_ body: [UInt8], secrets: [String]) -> String {
        var text = String(decoding: body, as: UTF8.self)
        for secret in secrets where !secret.isEmpty {
            // Inside a JSON string, `\` and `"` are always escaped and `/` may be (`\/`).
            let escaped = secret.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(
                of: "\"", with: "\\\"")
            for form in [escaped.replacingOccurrences(of: "/", with: "\\/"), escaped, secret] {
                text = text.replacingOccurrences(of: form, with: redaction)
            }
        }
        // JSONB cannot hold U+0000; JSON text never needs it raw.
        if !text.contains("\u{0}"),
            (try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])) != nil
        {
            return text
        }
        return jsonString(text.replacingOccurrences(of: "\u{0}", with: ""))
    }

    private static func jsonString(_ text: String) -> String {
        let data =
            (try? JSONSerialization.data(withJSONObject: [text], options: [.withoutEscapingSlashes]))
            ?? Data("[\"\"]".utf8)
        return String(decoding: data.dropFirst().dropLast(), as: UTF8.self)
    }
}
