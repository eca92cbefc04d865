import Foundation
import SeopipeCore

extension AhrefsV3Provider {
    public func decode(
        _ response: HTTPResponseData, chunk: Chunk, endpoint: EndpointSpec, context: RequestContext, stamp: RowStamp
    ) throws -> ChunkPayload {
        guard let which = Endpoint(rawValue: endpoint.name) else {
            throw ProviderDecodingError("ahrefs-v3 has no endpoint \(endpoint.name)")
        }
        var batch = TableBatch(which.table, reservingRows: chunk.targets.count)
        var failures: [TargetFailure] = []
        var echoed = EchoedTargets(chunk.targets)
        let date = SQLValue.text(stamp.snapshotDate.description)
        let fetchedAt = SQLValue.text(stamp.fetchedAt)
        let runID = SQLValue.text(stamp.runID)
        let country = SQLValue.text(context.stage.params["country"]?.description.lowercased() ?? "")

        let body = Data(response.body)
        let decoder = JSONDecoder()
        do {
            switch which {
            case .metrics:
                for item in try decoder.decode(AhrefsV3.BatchResponse<AhrefsV3.DomainMetricsItem>.self, from: body)
                    .results
                {
                    guard let target = echoed.take(item.target) else { continue }
                    if let error = item.error {
                        failures.append(TargetFailure(target: target.normalized, message: error))
                        continue
                    }
                    batch.append([
                        .text(target.normalized), .text(target.original), date, fetchedAt, runID,
                        SQLValue(item.metrics?.orgKeywords), SQLValue(item.metrics?.orgTraffic),
                        SQLValue(item.metrics?.domainRating),
                    ])
                }
            case .backlinksStats:
                for item in try decoder.decode(AhrefsV3.BatchResponse<AhrefsV3.BacklinksStatsItem>.self, from: body)
                    .results
                {
                    guard let target = echoed.take(item.target) else { continue }
                    if let error = item.error {
                        failures.append(TargetFailure(target: target.normalized, message: error))
                        continue
                    }
                    batch.append([
                        .text(target.normalized), .text(target.original), date, fetchedAt, runID,
                        SQLValue(item.backlinksStats?.live), SQLValue(item.backlinksStats?.liveRefdomains),
                    ])
                }
            case .domainRating:
                for item in try decoder.decode(AhrefsV3.BatchResponse<AhrefsV3.DomainRatingItem>.self, from: body)
                    .results
                {
                    guard let target = echoed.take(item.target) else { continue }
                    if let error = item.error {
                        failures.append(TargetFailure(target: target.normalized, message: error))
                        continue
                    }
                    batch.append([
                        .text(target.normalized), .text(target.original), date, fetchedAt, runID,
                        SQLValue(item.domainRating), SQLValue(item.ahrefsRank),
                    ])
                }
            case .keywordsOverview:
                for item in try decoder.decode(AhrefsV3.BatchResponse<AhrefsV3.KeywordOverviewItem>.self, from: body)
                    .results
                {
                    guard let target = echoed.take(item.keyword) else { continue }
                    if let error = item.error {
                        failures.append(TargetFailure(target: target.normalized, message: error))
                        continue
                    }
                    batch.append([
                        .text(target.normalized), .text(target.original), country, date, fetchedAt, runID,
                        SQLValue(item.volume), SQLValue(item.keywordDifficulty), SQLValue(item.cpc),
                        SQLValue(item.trafficPotential),
                    ])
                }
            case .urlMetrics:
                for item in try decoder.decode(AhrefsV3.BatchResponse<AhrefsV3.URLMetricsItem>.self, from: body).results
                {
                    guard let target = echoed.take(item.url ?? item.target) else { continue }
                    if let error = item.error {
                        failures.append(TargetFailure(target: target.normalized, message: error))
                        continue
                    }
                    batch.append([
                        .text(target.normalized), .text(target.original), date, fetchedAt, runID,
                        SQLValue(item.urlRating), SQLValue(item.backlinks), SQLValue(item.referringDomains),
                        SQLValue(item.keywords), SQLValue(item.traffic),
                    ])
                }
            }
        } catch {
            throw ProviderDecodingError("response is not the documented JSON (\(Self.describe(error)))")
        }
        failures += echoed.missing
        let units =
            response.header("x-api-units-cost-total").flatMap(Double.init)
            ?? estimatedUnits(targetCount: batch.rowCount, endpoint: endpoint)
        return ChunkPayload(rows: batch, targetFailures: failures, units: units)
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
