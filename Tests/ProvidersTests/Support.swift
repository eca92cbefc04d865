import Foundation
import Providers
import SeopipeCore
import Testing

/// A temporary folder for pipeline and target files, removed when the value goes away.
final class TemporaryFolder {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "seopipe-providers-tests-\(UUID().uuidString)")
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

    static let stamp = RowStamp(
        snapshotDate: SnapshotDate("2026-02-18")!, fetchedAt: "2026-02-18T03:15:00Z", runID: "run-1")

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

/// Builders for the DataForSEO provider's inputs (Basic auth from `login` and `password`).
enum DataForSEOFixtures {
    static let login = "seo-team@example.com"
    static let password = "pw-FIXTURE-4d2e7b"
    static let baseURL = "https://api.dataforseo.com/v3"

    static func provider(login: String = login, password: String = password) -> ProviderConfig {
        ProviderConfig(
            name: "dataforseo", kind: "dataforseo", baseURL: baseURL,
            credentials: ["login": Secret(login), "password": Secret(password)],
            rateLimit: RateLimit(requests: 2000, per: .seconds(60)), retry: RetryPolicy(), budget: Budget())
    }

    static func spec(_ endpoint: DataForSEOProvider.Endpoint) -> EndpointSpec {
        DataForSEOProvider().endpoint(named: endpoint.rawValue)!
    }

    static func context(
        _ endpoint: DataForSEOProvider.Endpoint, params: [String: ParamValue] = [:],
        stageID: String = "strong_refdomains",
        login: String = login, password: String = password
    ) -> RequestContext {
        let stage = Stage(
            id: stageID, dependsOn: [], provider: "dataforseo", endpoint: endpoint.rawValue, targets: .list([]),
            params: params, table: spec(endpoint).table, location: Fixtures.location)
        return RequestContext(
            stage: stage, provider: provider(login: login, password: password),
            snapshotDate: SnapshotDate("2026-02-18")!)
    }

    /// A top-level envelope without tasks, the way DataForSEO reports an error of the whole call.
    static func topLevelError(_ code: Int, _ message: String) -> String {
        """
        {"version": "0.1.20240422", "status_code": \(code), "status_message": "\(message)", "time": "0 sec.",
         "cost": 0, "tasks_count": 0, "tasks_error": 0, "tasks": null}
        """
    }

    /// A top-level 20000 whose one task carries `code` (an error of that task only).
    static func taskError(_ code: Int, _ message: String) -> String {
        """
        {"version": "0.1.20240422", "status_code": 20000, "status_message": "Ok.", "time": "0.0120 sec.",
         "cost": 0, "tasks_count": 1, "tasks_error": 1,
         "tasks": [{"id": "04241333-1535-0576-0000-a7b281e5516b", "status_code": \(code),
           "status_message": "\(message)", "time": "0 sec.", "cost": 0, "result_count": 0,
           "path": ["v3", "backlinks", "bulk_pages_summary", "live"],
           "data": {"api": "backlinks", "function": "bulk_pages_summary", "targets": ["example.com"]},
           "result": null}]}
        """
    }

    /// A successful envelope around `items` (JSON text of the item objects), with the given task cost.
    static func success(function: String = "bulk_pages_summary", cost: Double = 0.02003, items: [String]) -> String {
        """
        {"version": "0.1.20240422", "status_code": 20000, "status_message": "Ok.", "time": "0.1566 sec.",
         "cost": \(cost), "tasks_count": 1, "tasks_error": 0,
         "tasks": [{"id": "04241333-1535-0576-0000-a7b281e5516b", "status_code": 20000, "status_message": "Ok.",
           "time": "0.0989 sec.", "cost": \(cost), "result_count": 1,
           "path": ["v3", "backlinks", "\(function)", "live"],
           "data": {"api": "backlinks", "function": "\(function)"},
           "result": [{"total_count": \(items.count), "items_count": \(items.count),
             "items": [\(items.joined(separator: ",\n"))]}]}]}
        """
    }
}

/// A parsed JSON value that keeps its JSON type: `true` is not `1`, `"1"` is not `1`.
indirect enum JSONValue: Decodable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    static func parse(_ bytes: [UInt8]) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
    }

    var string: String? {
        if case .string(let value) = self { value } else { nil }
    }
}
