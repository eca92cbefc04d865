import Foundation
import SeopipeCore

extension AhrefsV3Provider {
    public func decode(
        _ response: HTTPResponseData, chunk: Chunk, endpoint: EndpointSpec, context: RequestContext, stamp: RowStamp
    ) throws -> ChunkPayload {
        guard let which = Endpoint(rawValue: endpoint.name) else {
            throw ProviderDecodingError("ahrefs-v3 has no endpoint \(endpoint.name)")
        }
        guard which.isReference else {
            return try decodePublished(
                which, response: response, chunk: chunk, endpoint: endpoint, context: context, stamp: stamp)
        }
        let body = Data(response.body)
        var reference = ReferenceAnswer(which, chunk: chunk, stamp: stamp)
        let country = SQLValue.text(context.stage.params["country"]?.description.lowercased() ?? "")
        do {
            switch which {
            case .batchMetrics:
                try reference.load(AhrefsV3.DomainMetricsItem.self, from: body, echo: \.target) { item in
                    [
                        SQLValue(item.metrics?.orgKeywords), SQLValue(item.metrics?.orgTraffic),
                        SQLValue(item.metrics?.domainRating),
                    ]
                }
            case .batchBacklinksStats:
                try reference.load(AhrefsV3.BacklinksStatsItem.self, from: body, echo: \.target) { item in
                    [SQLValue(item.backlinksStats?.live), SQLValue(item.backlinksStats?.liveRefdomains)]
                }
            case .batchDomainRating:
                try reference.load(AhrefsV3.DomainRatingItem.self, from: body, echo: \.target) { item in
                    [SQLValue(item.domainRating), SQLValue(item.ahrefsRank)]
                }
            case .batchKeywordsOverview:
                try reference.load(AhrefsV3.KeywordOverviewItem.self, from: body, echo: \.keyword, keys: [country]) {
                    item in
                    [
                        SQLValue(item.volume), SQLValue(item.keywordDifficulty), SQLValue(item.cpc),
                        SQLValue(item.trafficPotential),
                    ]
                }
            default:
                try reference.load(AhrefsV3.URLMetricsItem.self, from: body, echo: \.echoed) { item in
                    [
                        SQLValue(item.urlRating), SQLValue(item.backlinks), SQLValue(item.referringDomains),
                        SQLValue(item.keywords), SQLValue(item.traffic),
                    ]
                }
            }
        } catch {
            throw ProviderDecodingError("response is not the documented JSON (\(Self.describe(error)))")
        }
        let units =
            response.header("x-api-units-cost-total").flatMap(Double.init)
            ?? estimatedUnits(targetCount: reference.batch.rowCount, endpoint: endpoint)
        return ChunkPayload(
            rows: reference.batch, targetFailures: reference.failures + reference.echoed.missing, units: units)
    }

    /// The body of a reference batch endpoint's request.
    func referenceBody(_ which: Endpoint, chunk: Chunk, context: RequestContext) -> [String: any Sendable] {
        let targets = chunk.targets.map(\.normalized)
        let date = context.snapshotDate.description
        switch which {
        case .batchMetrics:
            var body: [String: any Sendable] = ["targets": targets, "date": date]
            if let select = context.stage.params["select"] {
                body["select"] = Self.fields(select).joined(separator: ",")
            }
            return body
        case .batchKeywordsOverview:
            return ["keywords": targets, "country": context.stage.params["country"]?.description.lowercased() ?? ""]
        case .batchURLMetrics:
            return ["urls": targets, "date": date]
        default:
            return ["targets": targets, "date": date]
        }
    }

    static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let context): context.debugDescription
        case DecodingError.keyNotFound(let key, _): "missing field \(key.stringValue)"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            "unexpected type at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        default: "\(error)"
        }
    }
}

/// One answer of a reference batch endpoint (`{"results": [...]}`) turning into rows: each result matched to its
/// target by the target it echoes, a result's `error` recorded as that target's failure.
struct ReferenceAnswer {
    var batch: TableBatch
    var echoed: EchoedTargets
    var failures: [TargetFailure] = []
    let stamp: [SQLValue]

    init(_ endpoint: AhrefsV3Provider.Endpoint, chunk: Chunk, stamp: RowStamp) {
        batch = TableBatch(endpoint.table, reservingRows: chunk.targets.count)
        echoed = EchoedTargets(chunk.targets)
        self.stamp = [.text(stamp.snapshotDate.description), .text(stamp.fetchedAt), .text(stamp.runID)]
    }

    /// Decodes `body` as results of `Item` and appends a row per answered target: its key columns, `keys`, the
    /// stamp, then `values(item)`.
    mutating func load<Item: Decodable & AhrefsV3.ReferenceItem>(
        _: Item.Type, from body: Data, echo: (Item) -> String?, keys: [SQLValue] = [],
        values: (Item) -> [SQLValue]
    ) throws {
        for item in try JSONDecoder().decode(AhrefsV3.BatchResponse<Item>.self, from: body).results {
            guard let target = echoed.take(echo(item)) else { continue }
            if let error = item.error {
                failures.append(TargetFailure(target: target.normalized, message: error))
                continue
            }
            batch.append([.text(target.normalized), .text(target.original)] + keys + stamp + values(item))
        }
    }
}
