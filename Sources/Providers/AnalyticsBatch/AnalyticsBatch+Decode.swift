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
        let plan = Plan(context.stage)
        let names = Dictionary(uniqueKeysWithValues: items.map { ($0.id, $0.query.rawValue) })
        var batches: [Query: TableBatch] = [:]
        for query in plan.queries { batches[query] = Self.batch(for: query) }
        var failures: [TargetFailure] = []
        var continuing: [Continuing] = []
        let previousPage = chunk.cursor.map(Self.continuing) ?? []
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
                // The first page replaces the list for its account and dates; later pages add to it.
                if chunk.page == 0 { batch.replaceKeys.append(key) }
                let page = try ListPage(result, query: item.query, label: label)
                let size = page.pageSize ?? plan.pageSize(for: item.query)
                let before = chunk.page * size
                var rows = page.rows
                if let maxRows = plan.maxRows { rows = Array(rows.prefix(max(0, maxRows - before))) }
                let log = SchemaDriftLog.current
                let known = Self.knownListFields(item.query)
                for row in rows {
                    log?.beginRow()
                    guard let value = item.query.dimensionValue(in: row) else {
                        throw ProviderDecodingError("\(label): a row has no `\(dimension)`")
                    }
                    batch.append(
                        key + [.text(value)] + stampValues
                            + Self.listMetrics.map {
                                Self.number(Self.metric($0, of: row, query: item.query), metric: $0)
                            })
                    if let log {
                        log.endRow(key: "\(label) \(value)", unknown: Self.unknownMembers(of: row, known: known))
                    }
                }
                let first = rows.first.flatMap(item.query.dimensionValue).map { StableHash.fnv1a64Hex(Array($0.utf8)) }
                let previous = previousPage.first { $0.query == item.query && $0.group == item.group }?.first
                if let answered = page.page, answered != chunk.page + 1 {
                    failures.append(
                        TargetFailure(
                            target: label,
                            message:
                                "asked for page \(chunk.page + 1), the API answered page \(answered): stopped paging"))
                } else if let first, first == previous {
                    failures.append(
                        TargetFailure(
                            target: label,
                            message: "page \(chunk.page + 1) starts with the same row as page \(chunk.page): "
                                + "the API does not page this list; stopped paging"))
                } else if chunk.page + 1 >= Self.maxPages {
                    failures.append(
                        TargetFailure(target: label, message: "stopped after \(Self.maxPages) pages; set max_rows"))
                } else if item.query.isPaged, page.hasNext(page: chunk.page + 1, size: size),
                    plan.maxRows.map({ before + size < $0 }) ?? true
                {
                    continuing.append(Continuing(query: item.query, group: item.group, first: first))
                }
            } else {
                guard let data = result["data"] as? [String: Any] else {
                    throw ProviderDecodingError("\(label): `data` is not an object")
                }
                // The published answer groups the totals under `traffic` and `conversions`; the reference's is flat.
                let groups = [
                    data, data["traffic"] as? [String: Any] ?? [:], data["conversions"] as? [String: Any] ?? [:],
                ]
                let site = context.stage.params["site_domain"].flatMap(Self.siteDomain).map(SQLValue.text) ?? .null
                let log = SchemaDriftLog.current
                log?.beginRow()
                defer { log?.endRow(key: label, unknown: Self.unknownMembers(ofOverview: data)) }
                batch.append(
                    key + stampValues
                        + Self.overviewMetrics.map { metric in
                            // The number wherever it is; else a value of another type, which is drift (a group
                            // object of the same name, `conversions`, is not).
                            let values = groups.compactMap { $0[metric] }
                            let value = values.first { $0 is NSNumber } ?? values.first { !($0 is [String: Any]) }
                            log?.readFill("overview.\(metric)", filled: value.map { !($0 is NSNull) } ?? false)
                            return Self.number(value, metric: metric)
                        } + [site])
            }
            batches[item.query] = batch
        }
        let ordered = plan.queries.compactMap { batches[$0] }
        let total = ordered.reduce(0) { $0 + $1.rowCount }
        return ChunkPayload(
            rows: ordered[0], related: Array(ordered.dropFirst()), targetFailures: failures, units: 0, factRows: total,
            nextCursor: Self.cursor(continuing))
    }

    /// A metric of a list row under its published name or the name another form of the answer gives it
    /// (`/stats/conversions` counts as `count`). The read counts for the list's fill of the metric (a conversions row
    /// has only its count and revenue): the published forms of a list's rows differ (`/stats/pages` by `path` with
    /// `content_grouping`, `/stats/devices` as `by_device`), so a metric a row leaves out is empty rather than
    /// missing, and drift reports one that had values and went empty.
    static func metric(_ name: String, of row: [String: Any], query: Query) -> Any? {
        let value = row[name] ?? (query == .conversions && name == "conversions" ? row["count"] : nil)
        // Each list's fill is its own (`pages.bounce_rate`): lists of other lengths must not blur one another's.
        if query != .conversions || name == "conversions" || name == "revenue" {
            SchemaDriftLog.current?.readFill(
                "\(query.rawValue).\(name)", filled: value.map { !($0 is NSNull) } ?? false)
        }
        return value
    }

    /// The members a list's rows may carry as published: its dimension, the stored metrics and the fields
    /// docs.sealmetrics.com/api/stats names but seopipe does not store (not drift).
    static func knownListFields(_ query: Query) -> Set<String> {
        Set(query.dimensionKeys).union(listMetrics).union(unstoredListFields)
    }

    /// The members of a list row that are not `known`, sorted by name.
    static func unknownMembers(of row: [String: Any], known: Set<String>) -> [JSONMember] {
        row.filter { !known.contains($0.key) }.sorted { $0.key < $1.key }.map {
            JSONMember(key: $0.key, value: jsonValue($0.value))
        }
    }

    /// The members of an overview's `data` (and of its `traffic` and `conversions` groups) seopipe does not know.
    static func unknownMembers(ofOverview data: [String: Any]) -> [JSONMember] {
        let known = Set(overviewMetrics).union(unstoredOverviewFields)
        var unknown = data.filter { !known.contains($0.key) }
        for group in ["traffic", "conversions"] {
            guard let members = data[group] as? [String: Any] else { continue }
            for (key, value) in members where !known.contains(key) { unknown["\(group).\(key)"] = value }
        }
        return unknown.sorted { $0.key < $1.key }.map { JSONMember(key: $0.key, value: jsonValue($0.value)) }
    }

    /// A value `JSONSerialization` read, as a ``JSONValue`` (to keep it as JSON text). On Linux a boolean is an
    /// `NSNumber` of type `c`.
    static func jsonValue(_ value: Any) -> JSONValue {
        switch value {
        case let text as String: return .string(text)
        case let number as NSNumber:
            switch String(cString: number.objCType) {
            case "c", "B": return .bool(number.boolValue)
            case "d", "f": return .double(number.doubleValue)
            default: return .integer(number.int64Value)
            }
        case let list as [Any]: return .array(list.map(jsonValue))
        case let object as [String: Any]:
            return .object(
                object.sorted { $0.key < $1.key }.map { JSONMember(key: $0.key, value: jsonValue($0.value)) })
        default: return .null
        }
    }

    /// One page of a list query's result, in any of the forms the API documents: `data` as the rows with the
    /// paging members beside it, `data` as the endpoint's own page object (`{data: [rows], total, page, page_size,
    /// has_next, has_prev}`), or `/stats/devices`' `{by_device: [rows]}`.
    struct ListPage {
        var rows: [[String: Any]]
        var total: Int?
        var page: Int?
        var pageSize: Int?
        var next: Bool?

        init(_ result: [String: Any], query: Query, label: String) throws {
            var paging = result
            if result["data"] == nil || result["data"] is NSNull {
                // No rows: a page past the end may come back so.
                self.rows = []
            } else if let rows = result["data"] as? [[String: Any]] {
                self.rows = rows
            } else if let object = result["data"] as? [String: Any], let rows = object["data"] as? [[String: Any]] {
                self.rows = rows
                paging = object
            } else if query == .devices, let object = result["data"] as? [String: Any],
                let rows = object["by_device"] as? [[String: Any]]
            {
                self.rows = rows
                paging = [:]
                next = false
            } else {
                throw ProviderDecodingError(
                    "\(label): `data` is neither a list of rows nor a page of rows (`{\"data\": [...], \"has_next\": ...}`)"
                )
            }
            total = (paging["total"] as? NSNumber)?.intValue
            page = (paging["page"] as? NSNumber)?.intValue
            pageSize = (paging["page_size"] as? NSNumber).map(\.intValue).flatMap { $0 > 0 ? $0 : nil }
            if next == nil { next = paging["has_next"] as? Bool }
        }

        /// Whether a page follows page `page` (1-based) of `size` rows: not when `total` says this page reached it;
        /// else `has_next` when the answer has it; else (with `total`) yes; else whether this page came back full.
        /// An empty page ends the list.
        func hasNext(page: Int, size: Int) -> Bool {
            guard !rows.isEmpty else { return false }
            if let total, page * size >= total { return false }
            if let next { return next }
            return total != nil || rows.count >= size
        }
    }

    /// Counts as integers, rates and money as reals; anything else is NULL. (Foundation on Linux bridges the
    /// numbers 0 and 1 to Bool too, so a Bool check would lose them; metrics are never booleans.)
    /// A value of another type (a number sent as a string) is schema drift: recorded while a drift log collects.
    static func number(_ value: Any?, metric: String) -> SQLValue {
        guard let number = value as? NSNumber else {
            if let value, !(value is NSNull) {
                SchemaDriftLog.current?.typeChanged(field: metric, expected: "a number", found: typeName(of: value))
            }
            return .null
        }
        let double = number.doubleValue
        guard double.isFinite else { return .null }
        if metric == "bounce_rate" || metric == "revenue" { return .real(double) }
        return abs(double) < 9e18 ? .integer(Int64(double.rounded())) : .null
    }

    /// The JSON type of a value JSONSerialization read, as drift reports name it.
    static func typeName(of value: Any) -> String {
        switch value {
        case is String: "a string"
        case is [Any]: "an array"
        case is [String: Any]: "an object"
        case is Bool: "a boolean"
        default: "another type"
        }
    }
}
