import Foundation
import Providers
import SeopipeCore
import Testing

/// A temporary folder for pipeline and target files, removed when the value goes away.
final class TemporaryFolder {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("seopipe-providers-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    @discardableResult
    func write(_ relativePath: String, _ text: String) throws -> URL {
        let file = url.appendingPathComponent(relativePath)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: file, atomically: true, encoding: .utf8)
        return file
    }
}

/// Builders for the values a provider receives from the runner.
enum Fixtures {
    static let token = "tok-FIXTURE-8f3a9c"
    static let location = SourceLocation(file: "pipeline.yml", line: 1, column: 1)

    static func provider(token: String = token, baseURL: String = "https://api.ahrefs.com/v3") -> ProviderConfig {
        ProviderConfig(
            name: "ahrefs", kind: "ahrefs-v3", baseURL: baseURL, token: Secret(token),
            rateLimit: RateLimit(requests: 60, per: .seconds(60)), retry: RetryPolicy(), budget: Budget())
    }

    static func context(
        _ endpoint: AhrefsV3Provider.Endpoint, params: [String: ParamValue] = [:], date: String = "2026-02-18",
        token: String = token
    ) -> RequestContext {
        let driver = AhrefsV3Provider()
        let stage = Stage(
            id: "stage", dependsOn: [], provider: "ahrefs", endpoint: endpoint.rawValue, targets: .list([]),
            params: params, table: driver.endpoint(named: endpoint.rawValue)?.table ?? "", location: location)
        return RequestContext(stage: stage, provider: provider(token: token), snapshotDate: SnapshotDate(date)!)
    }

    static func spec(_ endpoint: AhrefsV3Provider.Endpoint) -> EndpointSpec {
        AhrefsV3Provider().endpoint(named: endpoint.rawValue)!
    }

    /// A chunk whose targets are already normalized the way the provider would.
    static func chunk(_ targets: [String], index: Int = 0) -> Chunk {
        Chunk(index: index, targets: targets.map { Target(original: $0, normalized: $0) })
    }

    static func chunk(_ pairs: [(original: String, normalized: String)], index: Int = 0) -> Chunk {
        Chunk(index: index, targets: pairs.map { Target(original: $0.original, normalized: $0.normalized) })
    }

    static let stamp = RowStamp(snapshotDate: SnapshotDate("2026-02-18")!, fetchedAt: "2026-02-18T03:15:00Z", runID: "run-1")

    static func response(status: Int = 200, headers: [(String, String)] = [], _ body: String) -> HTTPResponseData {
        HTTPResponseData(status: status, headers: headers.map { (name: $0.0, value: $0.1) }, body: Array(body.utf8))
    }
}

extension TableBatch {
    /// Row `index` as a column-name dictionary, for readable expectations.
    func record(_ index: Int) -> [String: SQLValue] {
        Dictionary(uniqueKeysWithValues: zip(columns, row(index)))
    }

    /// The row whose `column` is `.text(value)`.
    func record(where column: String, is value: String) -> [String: SQLValue]? {
        (0..<rowCount).map(record).first { $0[column] == .text(value) }
    }
}
