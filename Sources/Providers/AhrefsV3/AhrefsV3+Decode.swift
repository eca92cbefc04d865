import Foundation
import SeopipeCore

extension AhrefsV3Provider {
    /// The warehouse columns of each endpoint's table, keys first; every documented field typed.
    static func layout(_ endpoint: Endpoint) -> (table: String, columns: [String], key: [String]) {
        let stamp = ["snapshot_date", "fetched_at", "run_id"]
        switch endpoint {
        case .metrics:
            return (
                "ahrefs_domain_metrics",
                ["target", "target_original"] + stamp + ["org_keywords", "org_traffic", "domain_rating"],
                ["target", "snapshot_date"]
            )
        case .backlinksStats:
            return (
                "ahrefs_backlinks_stats",
                ["target", "target_original"] + stamp + ["live", "live_refdomains"],
                ["target", "snapshot_date"]
            )
        case .domainRating:
            return (
                "ahrefs_domain_rating",
                ["target", "target_original"] + stamp + ["domain_rating", "ahrefs_rank"],
                ["target", "snapshot_date"]
            )
        case .keywordsOverview:
            return (
                "ahrefs_keyword_overview",
                ["keyword", "keyword_original", "country"] + stamp
                    + ["volume", "keyword_difficulty", "cpc", "traffic_potential"],
                ["keyword", "country", "snapshot_date"]
            )
        case .urlMetrics:
            return (
                "ahrefs_url_metrics",
                ["url", "url_original"] + stamp
                    + ["url_rating", "backlinks", "referring_domains", "keywords", "traffic"],
                ["url", "snapshot_date"]
            )
        }
    }

    public func decode(
        _ response: HTTPResponseData, chunk: Chunk, endpoint: EndpointSpec, context: RequestContext, stamp: RowStamp
    ) throws -> ChunkPayload {
        guard let which = Endpoint(rawValue: endpoint.name) else {
            throw ProviderDecodingError("ahrefs-v3 has no endpoint \(endpoint.name)")
        }
        let layout = Self.layout(which)
        var batch = TableBatch(
            table: layout.table, columns: layout.columns, keyColumns: layout.key,
            reservingRows: chunk.targets.count)
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
