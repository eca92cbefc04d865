import Foundation
import SeopipeCore

extension AhrefsV2Provider {
    struct RefdomainsResponse: Decodable {
        var refdomains: [Row]?
        var stats: Stats?

        struct Row: Decodable {
            var refdomain: String?
            var backlinks: Int?
            var refpages: Int?
            var firstSeen: String?
            var lastVisited: String?
            var domainRating: Int?

            init(from decoder: any Decoder) throws {
                let c = try decoder.container(keyedBy: CodingKeys.self)
                refdomain = try c.decodeIfPresent(String.self, forKey: .refdomain)
                backlinks = try c.flexibleInt(.backlinks)
                refpages = try c.flexibleInt(.refpages)
                firstSeen = try c.decodeIfPresent(String.self, forKey: .firstSeen)
                lastVisited = try c.decodeIfPresent(String.self, forKey: .lastVisited)
                domainRating = try c.flexibleInt(.domainRating)
            }

            enum CodingKeys: String, CodingKey {
                case refdomain, backlinks, refpages
                case firstSeen = "first_seen"
                case lastVisited = "last_visited"
                case domainRating = "domain_rating"
            }
        }

        struct Stats: Decodable {
            var refdomains: Int?
            var ips: Int?
            var classC: Int?

            init(from decoder: any Decoder) throws {
                let c = try decoder.container(keyedBy: CodingKeys.self)
                refdomains = try c.flexibleInt(.refdomains)
                ips = try c.flexibleInt(.ips)
                classC = try c.flexibleInt(.classC)
            }

            enum CodingKeys: String, CodingKey {
                case refdomains, ips
                case classC = "class_c"
            }
        }
    }

    public func decode(
        _ response: HTTPResponseData, chunk: Chunk, endpoint: EndpointSpec, context: RequestContext, stamp: RowStamp
    ) throws -> ChunkPayload {
        guard let table = AhrefsV2Table(rawValue: endpoint.name) else {
            throw ProviderDecodingError("ahrefs-v2 has no table \(endpoint.name)")
        }
        let decoded: RefdomainsResponse
        do {
            decoded = try JSONDecoder().decode(RefdomainsResponse.self, from: Data(response.body))
        } catch {
            throw ProviderDecodingError("response is not the documented JSON (\(error))")
        }
        guard let items = decoded.refdomains else {
            throw ProviderDecodingError("response has no `refdomains` list")
        }
        let query = query(for: chunk, context: context, table: table)
        let target = SQLValue.text(query.target)
        let mode = SQLValue.text(query.mode)
        let date = SQLValue.text(stamp.snapshotDate.description)
        let fetchedAt = SQLValue.text(stamp.fetchedAt)
        let runID = SQLValue.text(stamp.runID)

        var rows = TableBatch(table.warehouseTable, reservingRows: items.count)
        if chunk.page == 0 {
            // The first page replaces the target's rows of this date, so a refreshed pull never keeps rows the
            // provider no longer returns; later pages add to it.
            rows.replaceColumns = ["target", "mode", "snapshot_date"]
            rows.replaceKeys = [[target, mode, date]]
        }
        for item in items {
            guard let refdomain = item.refdomain else {
                throw ProviderDecodingError("a refdomains row has no refdomain (select must include it)")
            }
            rows.append([
                target, mode, date, .text(refdomain), fetchedAt, runID, SQLValue(item.backlinks),
                SQLValue(item.refpages), try Self.w3c(item.firstSeen), try Self.w3c(item.lastVisited),
                SQLValue(item.domainRating),
            ])
        }
        var related: [TableBatch] = []
        if let stats = decoded.stats {
            var batch = TableBatch(Tables.refdomainsStats)
            batch.append([
                target, mode, date, fetchedAt, runID, SQLValue(stats.refdomains), SQLValue(stats.ips),
                SQLValue(stats.classC),
            ])
            related.append(batch)
        }
        let units = AhrefsV2Provider.rowsCost(returned: items.count, query: query)
        return ChunkPayload(rows: rows, related: related, targetFailures: [], units: Double(units))
    }

    /// Rows the request cost (seed): 1 a request, 1 a returned row, 5 for `where`, 5 for `having`.
    static func rowsCost(returned: Int, query: AhrefsV2Query) -> Int {
        1 + returned + (query.where.isEmpty ? 0 : 5) + (query.having.isEmpty ? 0 : 5)
    }

    /// W3C dates (`2013-08-08T23:04:54Z`) kept as ISO-8601 UTC text; anything else is a decoding error.
    static func w3c(_ text: String?) throws -> SQLValue {
        guard let text else { return .null }
        let valid =
            text.count == 20 && text.hasSuffix("Z") && SnapshotDate(String(text.prefix(10))) != nil
            && Array(text)[10] == "T"
        guard valid else {
            throw ProviderDecodingError("unexpected date `\(text)` (documented: W3C, e.g. 2013-08-08T23:04:54Z)")
        }
        return .text(text)
    }
}
