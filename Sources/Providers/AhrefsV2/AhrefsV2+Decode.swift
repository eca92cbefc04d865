import Foundation
import SeopipeCore

extension AhrefsV2Provider {
    /// The documented fields of a `refdomains` row seopipe stores (all of them), and of its `stats` object.
    static let refdomainsFields = ["refdomain", "backlinks", "refpages", "first_seen", "last_visited", "domain_rating"]

    public func decode(
        _ response: HTTPResponseData, chunk: Chunk, endpoint: EndpointSpec, context: RequestContext, stamp: RowStamp
    ) throws -> ChunkPayload {
        guard let table = AhrefsV2Table(rawValue: endpoint.name) else {
            throw ProviderDecodingError("ahrefs-v2 has no table \(endpoint.name)")
        }
        let query = query(for: chunk, context: context, table: table)
        let target = SQLValue.text(query.target)
        let mode = SQLValue.text(query.mode)
        let date = SQLValue.text(stamp.snapshotDate.description)
        let fetchedAt = SQLValue.text(stamp.fetchedAt)
        let runID = SQLValue.text(stamp.runID)
        // A field the stage's `select` left out is not asked for, so its absence is not drift.
        let asked = query.select.isEmpty ? Set(Self.refdomainsFields) : Set(query.select)
        func field<T>(_ name: String, _ read: (String) throws(JSONFieldError) -> T?) throws(JSONFieldError) -> T? {
            asked.contains(name) ? try read(name) : nil
        }

        var rows = TableBatch(table.warehouseTable)
        var related: [TableBatch] = []
        let returned: Int
        do {
            let envelope = try JSONValue.parse(response.body)
            try envelope.requireObject("the answer")
            guard let items = try envelope.array("refdomains") else {
                throw ProviderDecodingError("response has no `refdomains` list")
            }
            returned = items.count
            if chunk.page == 0 {
                // The first page replaces the target's rows of this date, so a refreshed pull never keeps rows the
                // provider no longer returns; later pages add to it.
                rows.replaceColumns = ["target", "mode", "snapshot_date"]
                rows.replaceKeys = [[target, mode, date]]
            }
            for item in items {
                SchemaDriftLog.current?.beginRow()
                let refdomain = try item.string("refdomain")
                // A row's unknown fields are kept under its key in the table: target, mode and refdomain.
                defer {
                    SchemaDriftLog.current?.endRow(item, key: refdomain.map { "\(query.target) \(query.mode) \($0)" })
                }
                guard let refdomain else {
                    throw ProviderDecodingError("a refdomains row has no refdomain (select must include it)")
                }
                rows.append([
                    target, mode, date, .text(refdomain), fetchedAt, runID,
                    SQLValue(try field("backlinks", item.flexibleInt(_:))),
                    SQLValue(try field("refpages", item.flexibleInt(_:))),
                    try Self.w3c(try field("first_seen", item.string(_:)), field: "first_seen"),
                    try Self.w3c(try field("last_visited", item.string(_:)), field: "last_visited"),
                    SQLValue(try field("domain_rating", item.flexibleInt(_:))),
                ])
            }
            // `stats` of another type than an object: drift (no stats row), or a decoding error without a drift log.
            if let members = try envelope.members("stats") {
                let stats = JSONValue.object(members)
                var batch = TableBatch(Tables.refdomainsStats)
                batch.append([
                    target, mode, date, fetchedAt, runID, SQLValue(try stats.flexibleInt("refdomains")),
                    SQLValue(try stats.flexibleInt("ips")), SQLValue(try stats.flexibleInt("class_c")),
                ])
                related.append(batch)
            }
        } catch let error as ProviderDecodingError {
            throw error
        } catch {
            throw ProviderDecodingError("response is not the documented JSON (\(error))")
        }
        let units = AhrefsV2Provider.rowsCost(returned: returned, query: query)
        return ChunkPayload(rows: rows, related: related, targetFailures: [], units: Double(units))
    }

    /// Rows the request cost (seed): 1 a request, 1 a returned row, 5 for `where`, 5 for `having`.
    static func rowsCost(returned: Int, query: AhrefsV2Query) -> Int {
        1 + returned + (query.where.isEmpty ? 0 : 5) + (query.having.isEmpty ? 0 : 5)
    }

    /// W3C dates (`2013-08-08T23:04:54Z`) kept as ISO-8601 UTC text. Anything else is drift (stored as null) while
    /// a drift log collects, else a decoding error.
    static func w3c(_ text: String?, field: String = "date") throws -> SQLValue {
        guard let text else { return .null }
        let valid =
            text.count == 20 && text.hasSuffix("Z") && SnapshotDate(String(text.prefix(10))) != nil
            && Array(text)[10] == "T"
        guard valid else {
            if let log = SchemaDriftLog.current {
                log.typeChanged(field: field, expected: "a W3C date", found: "a string of another form")
                return .null
            }
            throw ProviderDecodingError("unexpected date `\(text)` (documented: W3C, e.g. 2013-08-08T23:04:54Z)")
        }
        return .text(text)
    }
}
