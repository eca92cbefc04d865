import Foundation
import Testing

@testable import SeopipeCore

@Suite("Raw responses")
struct RawResponseTests {
    @Test("credentials are redacted as written and as JSON escapes them; the result is still JSON")
    func redaction() throws {
        let body = #"{"echo":"tok\/en-1","url":"https://x/?token=tok/en-1&x=1","n":1}"#
        let text = RawResponse.redactedJSON(Array(body.utf8), secrets: ["tok/en-1", ""])
        #expect(!text.contains("tok/en-1") && !text.contains(#"tok\/en-1"#), "\(text)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["echo"] as? String == "[REDACTED]")
        #expect(object["url"] as? String == "https://x/?token=[REDACTED]&x=1")
        #expect(object["n"] as? Int == 1)
    }

    @Test("a body that is not JSON is kept as one JSON string, without NUL")
    func notJSON() throws {
        let text = RawResponse.redactedJSON(Array("<html>oops\u{0} secret</html>".utf8), secrets: ["secret"])
        let value = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]) as? String
        #expect(value == "<html>oops [REDACTED]</html>")
    }

    @Test("the batch is keyed like the chunk checkpoint")
    func batchKey() {
        let provider = ProviderConfig(
            name: "ahrefs", kind: "ahrefs-v3", baseURL: "http://x", credentials: ["token": Secret("abc123")],
            rateLimit: RateLimit(requests: 1, per: .seconds(1)), retry: RetryPolicy(), budget: Budget())
        let key = ChunkKey(pipeline: "p", snapshotDate: SnapshotDate("2026-11-20")!, stageID: "s", requestHash: "h")
        let batch = RawResponse.batch(
            HTTPResponseData(status: 200, headers: [], body: Array(#"{"t":"abc123"}"#.utf8)), key: key, chunkIndex: 3,
            provider: provider, endpoint: "e",
            stamp: RowStamp(
                snapshotDate: SnapshotDate("2026-11-20")!, fetchedAt: "2026-11-20T01:00:00Z", runID: "r"))
        #expect(batch.table == "seopipe_raw_responses")
        #expect(batch.keyColumns == ["pipeline", "snapshot_date", "stage_id", "request_hash"])
        #expect(
            Array(batch.row(0)) == [
                .text("p"), .text("2026-11-20"), .text("s"), .text("h"), .integer(3), .text("ahrefs"), .text("e"),
                .integer(200), .text("2026-11-20T01:00:00Z"), .text("r"), .text(#"{"t":"[REDACTED]"}"#),
            ])
    }
}
