import Foundation
import SeopipeCore

extension AnalyticsBatchProvider {
    static func batch(for query: Query) -> TableBatch {
        var batch = TableBatch(query.table)
        // A list is replaced as a whole for its account and dates: a row that dropped out does not linger.
        if query.dimension != nil { batch.replaceColumns = keyColumns }
        return batch
    }

    public func decode(
        _ response: HTTPResponseData, chunk: Chunk, endpoint: EndpointSpec, context: RequestContext, stamp: RowStamp
    ) throws -> ChunkPayload {
        guard let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
            let results = object["results"] as? [String: Any]
        else { throw ProviderDecodingError("the batch response has no `results` object") }
        let items = try items(of: chunk, context: context)
        let names = Dictionary(uniqueKeysWithValues: items.map { ($0.id, $0.query.rawValue) })
        var batches: [Query: TableBatch] = [:]
        for query in Plan(context.stage).queries { batches[query] = Self.batch(for: query) }
        var failures: [TargetFailure] = []
        let date = SQLValue.text(stamp.snapshotDate.description)

        for item in items {
            let label = "\(item.account) \(item.period) \(item.query.rawValue)"
            guard let result = results[item.id] as? [String: Any] else {
                failures.append(TargetFailure(target: label, message: "missing from the batch response"))
                continue
            }
            let status = result["status"] as? String ?? ""
            guard status == "success" else {
                let error = result["error"] as? [String: Any]
                var message = "\(error?["code"] as? String ?? status): \(error?["message"] as? String ?? "")"
                // Name the dependency by its query, not by the id we made up for the API. Only quoted ids are
                // replaced: `…G1` is a prefix of `…G10`.
                for (id, name) in names { message = message.replacingOccurrences(of: "'\(id)'", with: "'\(name)'") }
                failures.append(
                    TargetFailure(target: label, message: status == "skipped" ? "skipped (\(message))" : message))
                continue
            }
            let key: [SQLValue] = [
                .text(item.account), .text(item.start.description), .text(item.end.description), date,
            ]
            let stampValues: [SQLValue] = [.text(item.period), .text(stamp.fetchedAt), .text(stamp.runID)]
            var batch = batches[item.query]!
            if let dimension = item.query.dimension {
                batch.replaceKeys.append(key)
                guard let rows = result["data"] as? [[String: Any]] else {
                    throw ProviderDecodingError("\(label): `data` is not a list of rows")
                }
                for row in rows {
                    guard let value = row[dimension].map({ "\($0)" }) else {
                        throw ProviderDecodingError("\(label): a row has no `\(dimension)`")
                    }
                    batch.append(
                        key + [.text(value)] + stampValues + Self.listMetrics.map { Self.number(row[$0], metric: $0) })
                }
            } else {
                guard let data = result["data"] as? [String: Any] else {
                    throw ProviderDecodingError("\(label): `data` is not an object")
                }
                let site = context.stage.params["site_domain"].flatMap(Self.siteDomain).map(SQLValue.text) ?? .null
                batch.append(
                    key + stampValues + Self.overviewMetrics.map { Self.number(data[$0], metric: $0) } + [site])
            }
            batches[item.query] = batch
        }
        let ordered = Plan(context.stage).queries.compactMap { batches[$0] }
        let total = ordered.reduce(0) { $0 + $1.rowCount }
        return ChunkPayload(
            rows: ordered[0], related: Array(ordered.dropFirst()), targetFailures: failures, units: 0, factRows: total)
    }

    /// Counts as integers, rates and money as reals; anything else is NULL. (Foundation on Linux bridges the
    /// numbers 0 and 1 to Bool too, so a Bool check would lose them; metrics are never booleans.)
    static func number(_ value: Any?, metric: String) -> SQLValue {
        guard let number = value as? NSNumber else { return .null }
        let double = number.doubleValue
        guard double.isFinite else { return .null }
        if metric == "bounce_rate" || metric == "revenue" { return .real(double) }
        return abs(double) < 9e18 ? .integer(Int64(double.rounded())) : .null
    }
}
