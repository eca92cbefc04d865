import Foundation
import SeopipeCore

extension DataForSEOProvider {
    public func decode(
        _ response: HTTPResponseData, chunk: Chunk, endpoint: EndpointSpec, context: RequestContext, stamp: RowStamp
    ) throws -> ChunkPayload {
        guard let which = Endpoint(rawValue: endpoint.name) else {
            throw ProviderDecodingError("dataforseo has no endpoint \(endpoint.name)")
        }
        let body = Data(response.body)
        var echoed = EchoedTargets(chunk.targets)
        let date = SQLValue.text(stamp.snapshotDate.description)
        let fetchedAt = SQLValue.text(stamp.fetchedAt)
        let runID = SQLValue.text(stamp.runID)
        var failures: [TargetFailure] = []
        let cost: Double
        var rows: TableBatch
        var related: [TableBatch] = []

        do {
            if which == .pagesSummary {
                let envelope = try JSONDecoder().decode(Envelope<PageSummaryItem>.self, from: body)
                cost = Self.cost(of: envelope)
                rows = TableBatch(which.table, reservingRows: chunk.targets.count)
                var breakdown = TableBatch(Tables.pageSummaryBreakdown)
                for item in Self.items(envelope) {
                    guard let target = echoed.take(item.url) else { continue }
                    let url = target.normalized
                    rows.append([
                        .text(url), .text(target.original), date, fetchedAt, runID, SQLValue(item.rank),
                        SQLValue(item.mainDomainRank), SQLValue(item.backlinks), try Self.timestamp(item.firstSeen),
                        try Self.timestamp(item.lostDate), SQLValue(item.backlinksSpamScore),
                        SQLValue(item.brokenBacklinks), SQLValue(item.brokenPages), SQLValue(item.referringDomains),
                        SQLValue(item.referringDomainsNofollow), SQLValue(item.referringMainDomains),
                        SQLValue(item.referringMainDomainsNofollow), SQLValue(item.referringIPs),
                        SQLValue(item.referringSubnets), SQLValue(item.referringPages),
                        SQLValue(item.referringPagesNofollow),
                        .text(context.stage.params["rank_scale"]?.description ?? "one_thousand"),
                    ])
                    // Every count map, one row per key (the empty key "" kept as the API sends it).
                    for (field, counts) in item.maps {
                        for (key, count) in (counts ?? [:]).sorted(by: { $0.key < $1.key }) {
                            breakdown.append([
                                .text(url), date, .text(field), .text(key), .integer(Int64(count)),
                                fetchedAt, runID,
                            ])
                        }
                    }
                    // A re-run replaces a page's breakdown as a whole, even when a map lost keys or became null.
                    breakdown.replaceKeys.append([.text(url), date])
                }
                breakdown.replaceColumns = ["url", "snapshot_date"]
                related = [breakdown]
            } else {
                let envelope = try JSONDecoder().decode(Envelope<BulkItem>.self, from: body)
                cost = Self.cost(of: envelope)
                rows = TableBatch(which.table, reservingRows: chunk.targets.count)
                for item in Self.items(envelope) {
                    guard let target = echoed.take(item.target) else { continue }
                    var row: [SQLValue] = [.text(target.normalized), .text(target.original), date, fetchedAt, runID]
                    switch which {
                    case .ranks:
                        let scale = context.stage.params["rank_scale"]?.description ?? "one_thousand"
                        row += [SQLValue(item.rank), .text(scale)]
                    case .backlinks: row += [SQLValue(item.backlinks)]
                    case .referringDomains:
                        row += [
                            SQLValue(item.referringDomains), SQLValue(item.referringMainDomains),
                            SQLValue(item.referringDomainsNofollow), SQLValue(item.referringMainDomainsNofollow),
                        ]
                    case .spamScore: row += [SQLValue(item.spamScore)]
                    case .newLostBacklinks:
                        row += [
                            SQLValue(context.stage.params["date_from"]?.description), SQLValue(item.newBacklinks),
                            SQLValue(item.lostBacklinks),
                        ]
                    case .newLostReferringDomains:
                        row += [
                            SQLValue(context.stage.params["date_from"]?.description),
                            SQLValue(item.newReferringDomains), SQLValue(item.lostReferringDomains),
                            SQLValue(item.newReferringMainDomains), SQLValue(item.lostReferringMainDomains),
                        ]
                    case .pagesSummary: break
                    }
                    rows.append(row)
                }
            }
        } catch let error as ProviderDecodingError {
            throw error
        } catch {
            throw ProviderDecodingError("response is not the documented JSON (\(error))")
        }
        failures += echoed.missing
        return ChunkPayload(rows: rows, related: related, targetFailures: failures, units: 0, costUSD: cost)
    }

    typealias Envelope = DataForSEO.Envelope
    typealias PageSummaryItem = DataForSEO.PageSummaryItem
    typealias BulkItem = DataForSEO.BulkItem

    static func items<Item>(_ envelope: Envelope<Item>) -> [Item] {
        (envelope.tasks ?? []).flatMap { ($0.result ?? []).flatMap { $0.items ?? [] } }
    }

    /// What was charged: the tasks' costs (the top-level `cost` is their sum).
    static func cost<Item>(of envelope: Envelope<Item>) -> Double {
        let tasks = envelope.tasks ?? []
        return tasks.isEmpty ? (envelope.cost ?? 0) : tasks.reduce(0) { $0 + ($1.cost ?? 0) }
    }

    /// `yyyy-mm-dd hh:mm:ss +00:00` to ISO-8601 UTC; null stays NULL; anything else is a decoding error.
    static func timestamp(_ text: String?) throws -> SQLValue {
        guard let text else { return .null }
        guard let utc = ProviderDates.utcTimestamp(text) else {
            throw ProviderDecodingError("unexpected date `\(text)` (documented: yyyy-mm-dd hh:mm:ss +00:00)")
        }
        return .text(utc)
    }
}
