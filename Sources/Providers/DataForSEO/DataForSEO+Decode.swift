import Foundation
import SeopipeCore

extension DataForSEOProvider {
    public func decode(
        _ response: HTTPResponseData, chunk: Chunk, endpoint: EndpointSpec, context: RequestContext, stamp: RowStamp
    ) throws -> ChunkPayload {
        guard let which = Endpoint(rawValue: endpoint.name) else {
            throw ProviderDecodingError("dataforseo has no endpoint \(endpoint.name)")
        }
        var echoed = EchoedTargets(chunk.targets)
        let date = SQLValue.text(stamp.snapshotDate.description)
        let fetchedAt = SQLValue.text(stamp.fetchedAt)
        let runID = SQLValue.text(stamp.runID)
        var failures: [TargetFailure] = []
        let cost: Double
        var rows: TableBatch
        var related: [TableBatch] = []

        do {
            let envelope = try JSONValue.parse(response.body)
            try envelope.requireObject("the answer")
            cost = try Self.cost(of: envelope)
            let items = try Self.items(envelope)
            rows = TableBatch(which.table, reservingRows: chunk.targets.count)
            if which == .pagesSummary {
                let scale = SQLValue.text(context.stage.params["rank_scale"]?.description ?? "one_thousand")
                // A page has a few dozen breakdown rows; reserving for them spares the copies (and the fresh pages
                // of memory) of a growing batch. Untouched reserved memory costs nothing.
                var breakdown = TableBatch(Tables.pageSummaryBreakdown, reservingRows: items.count * 32)
                for item in items {
                    SchemaDriftLog.current?.beginRow()
                    guard let target = echoed.take(try item.string("url")) else { continue }
                    // Only a row that stands for a target is read whole, so only such a row can show drift.
                    defer {
                        SchemaDriftLog.current?.endRow(item, key: target.normalized, ignoring: Self.unstoredItemFields)
                    }
                    let url = SQLValue.text(target.normalized)
                    let firstSeen = try Self.timestamp(try item.string("first_seen"))
                    let lostDate = try Self.timestamp(try item.string("lost_date"))
                    var counts: [SQLValue] = []
                    counts.reserveCapacity(Self.pageSummaryCounts.count)
                    for field in Self.pageSummaryCounts { counts.append(SQLValue(try item.flexibleInt(field))) }
                    rows.appendRow { values in
                        values += [url, .text(target.original), date, fetchedAt, runID]
                        // The two dates sit between `backlinks` and `backlinks_spam_score`, as the table has them.
                        values += counts[0..<3]
                        values += [firstSeen, lostDate]
                        values += counts[3...]
                        values.append(scale)
                    }
                    // Every count map, one row per key (the empty key "" kept as the API sends it).
                    for field in Self.pageSummaryMaps {
                        let counts = try Self.counts(try item.members(field), field: field)
                        let dimension = SQLValue.text(field)
                        for (key, count) in counts.sorted(by: { $0.key < $1.key }) {
                            breakdown.appendRow { values in
                                values.append(url)
                                values.append(date)
                                values.append(dimension)
                                values.append(.text(key))
                                values.append(.integer(Int64(count)))
                                values.append(fetchedAt)
                                values.append(runID)
                            }
                        }
                    }
                    // A re-run replaces a page's breakdown as a whole, even when a map lost keys or became null.
                    breakdown.replaceKeys.append([url, date])
                }
                breakdown.replaceColumns = ["url", "snapshot_date"]
                related = [breakdown]
            } else {
                for item in items {
                    SchemaDriftLog.current?.beginRow()
                    guard let target = echoed.take(try item.string("target")) else { continue }
                    defer {
                        SchemaDriftLog.current?.endRow(item, key: target.normalized, ignoring: Self.unstoredItemFields)
                    }
                    var row: [SQLValue] = [.text(target.normalized), .text(target.original), date, fetchedAt, runID]
                    switch which {
                    case .ranks:
                        let scale = context.stage.params["rank_scale"]?.description ?? "one_thousand"
                        row += [SQLValue(try item.flexibleInt("rank")), .text(scale)]
                    case .backlinks: row += [SQLValue(try item.flexibleInt("backlinks"))]
                    case .referringDomains:
                        row += [
                            SQLValue(try item.flexibleInt("referring_domains")),
                            SQLValue(try item.flexibleInt("referring_main_domains")),
                            SQLValue(try item.flexibleInt("referring_domains_nofollow")),
                            SQLValue(try item.flexibleInt("referring_main_domains_nofollow")),
                        ]
                    case .spamScore: row += [SQLValue(try item.flexibleInt("spam_score"))]
                    case .newLostBacklinks:
                        row += [
                            SQLValue(context.stage.params["date_from"]?.description),
                            SQLValue(try item.flexibleInt("new_backlinks")),
                            SQLValue(try item.flexibleInt("lost_backlinks")),
                        ]
                    case .newLostReferringDomains:
                        row += [
                            SQLValue(context.stage.params["date_from"]?.description),
                            SQLValue(try item.flexibleInt("new_referring_domains")),
                            SQLValue(try item.flexibleInt("lost_referring_domains")),
                            SQLValue(try item.flexibleInt("new_referring_main_domains")),
                            SQLValue(try item.flexibleInt("lost_referring_main_domains")),
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

    /// Documented item fields no table stores: not drift when they arrive.
    static let unstoredItemFields: Set<String> = ["type"]

    /// bulk_pages_summary's counts in the table's column order (the dates go after `backlinks`).
    static let pageSummaryCounts = [
        "rank", "main_domain_rank", "backlinks", "backlinks_spam_score", "broken_backlinks", "broken_pages",
        "referring_domains", "referring_domains_nofollow", "referring_main_domains",
        "referring_main_domains_nofollow", "referring_ips", "referring_subnets", "referring_pages",
        "referring_pages_nofollow",
    ]

    /// The six nested count maps by their documented field names.
    static let pageSummaryMaps = [
        "referring_links_tld", "referring_links_types", "referring_links_attributes",
        "referring_links_platform_types", "referring_links_semantic_locations", "referring_links_countries",
    ]

    /// A `{"key": count}` map whose counts may arrive as integers or decimals; null counts are left out.
    static func counts(_ members: [JSONMember]?, field: String) throws(JSONFieldError) -> [String: Int] {
        var counts: [String: Int] = [:]
        for member in members ?? [] {
            if let value = try member.value.flexibleInt(key: "\(field).\(member.key)") { counts[member.key] = value }
        }
        return counts
    }

    /// Every task's every result's items, each an object.
    static func items(_ envelope: JSONValue) throws(JSONFieldError) -> [JSONValue] {
        var items: [JSONValue] = []
        for task in try envelope.array("tasks") ?? [] {
            try task.requireObject("tasks[]")
            for result in try task.array("result") ?? [] {
                try result.requireObject("result[]")
                for item in try result.array("items") ?? [] {
                    try item.requireObject("items[]")
                    items.append(item)
                }
            }
        }
        return items
    }

    /// What was charged: the tasks' costs (the top-level `cost` is their sum).
    static func cost(of envelope: JSONValue) throws(JSONFieldError) -> Double {
        let tasks = try envelope.array("tasks") ?? []
        guard !tasks.isEmpty else { return try envelope.double("cost") ?? 0 }
        var total = 0.0
        for task in tasks { total += try task.double("cost") ?? 0 }
        return total
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
