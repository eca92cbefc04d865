import Foundation
import SeopipeCore

/// Requests to, and answers of, the endpoints Ahrefs publishes.
extension AhrefsV3Provider {
    public func makeRequest(for chunk: Chunk, endpoint: EndpointSpec, context: RequestContext) throws -> ProviderRequest
    {
        guard let which = Endpoint(rawValue: endpoint.name) else {
            throw ProviderDecodingError("ahrefs-v3 has no endpoint \(endpoint.name)")
        }
        let credential = ("Authorization", "Bearer \(context.provider.token.value)")
        let baseURL = context.provider.baseURL
        if which.isReference {
            return try .jsonPOST(
                baseURL: baseURL, path: endpoint.name, body: referenceBody(which, chunk: chunk, context: context),
                credential: credential)
        }
        if which == .batchAnalysis {
            var body: [String: any Sendable] = [
                "targets": chunk.targets.map { target -> [String: String] in
                    ["url": target.normalized, "mode": mode(of: target, context), "protocol": scheme(context)]
                },
                "select": Self.batchAnalysisEcho + selected(which, context),
            ]
            if let country = context.stage.params["country"] { body["country"] = country.description.lowercased() }
            if let volumeMode = context.stage.params["volume_mode"] { body["volume_mode"] = volumeMode.description }
            return try .jsonPOST(baseURL: baseURL, path: endpoint.name, body: body, credential: credential)
        }
        return .get(
            baseURL: baseURL, path: endpoint.name, query: query(which, chunk: chunk, context: context),
            credential: credential)
    }

    /// The query string of a published GET, parameters in the document's order.
    func query(_ which: Endpoint, chunk: Chunk, context: RequestContext) -> [(name: String, value: String)] {
        let params = context.stage.params
        let target = chunk.targets.first.map { [(name: "target", value: $0.normalized)] } ?? []
        let scope = chunk.targets.first.map { [("mode", mode(of: $0, context)), ("protocol", scheme(context))] } ?? []
        let market =
            [params["country"].map { ("country", $0.description.lowercased()) }]
            + [params["volume_mode"].map { ("volume_mode", $0.description) }]
        let date = [(name: "date", value: context.snapshotDate.description)]
        let range = [
            ("date_from", context.dates.lowerBound.description), ("date_to", context.dates.upperBound.description),
            ("history_grouping", "daily"),
        ]
        switch which {
        case .domainRating: return target + date
        case .siteMetrics: return target + date + scope + market.compactMap { $0 }
        case .backlinksStats: return target + date + scope
        case .domainRatingHistory: return target + range
        case .metricsHistory:
            let select = ["date"] + Self.metricsHistoryFields.map(\.name)
            return target + range + [("select", select.joined(separator: ","))] + scope + market.compactMap { $0 }
        case .refdomainsHistory: return target + range + scope
        case .keywordsOverview:
            return [
                ("select", (["keyword"] + selected(which, context)).joined(separator: ",")),
                ("country", params["country"]?.description.lowercased() ?? ""),
                ("keywords", chunk.targets.map(\.normalized).joined(separator: ",")),
            ]
        default: return target
        }
    }

    /// The stage's `mode`, else `subdomains` for a domain and `exact` for a URL.
    func mode(of target: Target, _ context: RequestContext) -> String {
        context.stage.params["mode"]?.description ?? (target.normalized.contains("://") ? "exact" : "subdomains")
    }

    func scheme(_ context: RequestContext) -> String { context.stage.params["protocol"]?.description ?? "both" }

    /// Decodes an answer of a published endpoint into rows of its table.
    func decodePublished(
        _ which: Endpoint, response: HTTPResponseData, chunk: Chunk, endpoint: EndpointSpec,
        context: RequestContext, stamp: RowStamp
    ) throws -> ChunkPayload {
        guard let object = try? JSONValue.parse(response.body), case .object = object else {
            throw ProviderDecodingError("the answer is not a JSON object")
        }
        let spec = which.table
        var batch = TableBatch(spec, reservingRows: chunk.targets.count)
        var echoed = EchoedTargets(chunk.targets)
        let fetchedAt = SQLValue.text(stamp.fetchedAt)
        let runID = SQLValue.text(stamp.runID)
        let date = SQLValue.text(stamp.snapshotDate.description)
        let country = context.stage.params["country"].map { SQLValue.text($0.description.lowercased()) } ?? .null
        func member(_ name: String) throws -> JSONValue {
            guard let value = object[name], case .object = value else {
                throw ProviderDecodingError("the answer has no `\(name)` of the documented type")
            }
            return value
        }
        /// A list of objects.
        func objects(_ name: String) throws -> [JSONValue] {
            guard case .array(let items)? = object[name],
                items.allSatisfy({ if case .object = $0 { true } else { false } })
            else { throw ProviderDecodingError("the answer has no `\(name)` of the documented type") }
            return items
        }
        func keyed(_ target: Target, date: SQLValue) -> [SQLValue] {
            [.text(target.normalized), .text(target.original), date, fetchedAt, runID]
        }
        let scope: (Target) -> [SQLValue] = { target in
            [.text(mode(of: target, context)), .text(scheme(context))]
        }
        let single = chunk.targets.first.map { Target(original: $0.original, normalized: $0.normalized) }
        var rows = 0

        switch which {
        case .batchAnalysis:
            let items = try objects("targets")
            let asked = Set(selected(which, context))
            for (position, item) in items.enumerated() {
                SchemaDriftLog.current?.beginRow()
                // Each answer echoes its target's url; `index` (its position in the request) is the fallback.
                let byIndex = item["index"]?.exactInt.flatMap { chunk.targets.indices.contains($0) ? $0 : nil }
                guard
                    let target = echoed.take(item["url"]?.stringValue)
                        ?? echoed.take(chunk.targets[safe: byIndex ?? position]?.normalized)
                else { continue }
                // Only a row that stands for a target is read whole, so only such a row can show drift.
                defer {
                    SchemaDriftLog.current?.endRow(item, key: target.normalized, ignoring: Self.batchAnalysisEchoSet)
                }
                batch.append(
                    keyed(target, date: date) + [
                        .text(item["mode"]?.stringValue ?? mode(of: target, context)),
                        .text(item["protocol"]?.stringValue ?? scheme(context)), country,
                    ] + Self.batchAnalysisFields.map { $0.value(in: item, asked: asked.contains($0.name)) })
                rows += 1
            }
        case .domainRating:
            let rating = try member("domain_rating")
            if let target = echoed.take(single?.normalized) {
                // The one object is the row: its members nobody reads are added fields.
                SchemaDriftLog.current?.beginRow()
                defer { SchemaDriftLog.current?.endRow(rating, key: target.normalized) }
                batch.append(
                    keyed(target, date: date) + [
                        AhrefsV3Field("domain_rating", .number).value(in: rating),
                        AhrefsV3Field("ahrefs_rank", .integer).value(in: rating),
                    ])
                rows = 1
            }
        case .siteMetrics, .backlinksStats:
            let metrics = try member("metrics")
            let fields = which == .siteMetrics ? Self.siteMetricsFields : Self.backlinksStatsFields
            if let target = echoed.take(single?.normalized) {
                SchemaDriftLog.current?.beginRow()
                defer { SchemaDriftLog.current?.endRow(metrics, key: target.normalized) }
                let market = which == .siteMetrics ? [country] : []
                batch.append(keyed(target, date: date) + scope(target) + market + fields.map { $0.value(in: metrics) })
                rows = 1
            }
        case .domainRatingHistory, .metricsHistory, .refdomainsHistory:
            let (list, fields): (String, [AhrefsV3Field]) =
                switch which {
                case .domainRatingHistory: ("domain_ratings", [AhrefsV3Field("domain_rating", .number)])
                case .metricsHistory: ("metrics", Self.metricsHistoryFields)
                default: ("refdomains", [AhrefsV3Field("refdomains", .integer, units: 5)])
                }
            let items = try objects(list)
            guard let target = echoed.take(single?.normalized) else { break }
            let range = context.dates
            for item in items {
                // A history row's own date is its snapshot date; rows outside the range asked for are not loaded.
                guard let text = item["date"]?.stringValue, let day = SnapshotDate(String(text.prefix(10))),
                    range.contains(day)
                else { continue }
                SchemaDriftLog.current?.beginRow()
                defer { SchemaDriftLog.current?.endRow(item, key: "\(target.normalized) \(day)", ignoring: ["date"]) }
                let market = which == .metricsHistory ? [country] : []
                let prefix = which == .domainRatingHistory ? [] : scope(target) + market
                batch.append(keyed(target, date: .text(day.description)) + prefix + fields.map { $0.value(in: item) })
                rows += 1
            }
        case .keywordsOverview:
            let items = try objects("keywords")
            let asked = Set(selected(which, context))
            for item in items {
                SchemaDriftLog.current?.beginRow()
                guard let target = echoed.take(item["keyword"]?.stringValue.map { $0.lowercased() }) else { continue }
                defer { SchemaDriftLog.current?.endRow(item, key: target.normalized, ignoring: ["keyword"]) }
                let values = Self.keywordFields.map { field -> SQLValue in
                    let value = field.value(in: item, asked: asked.contains(field.name))
                    // Ahrefs' cpc is in USD cents; the column holds US dollars.
                    if field.name == "cpc", case .integer(let cents) = value { return .real(Double(cents) / 100) }
                    return value
                }
                batch.append(
                    [.text(target.normalized), .text(target.original), country, date, fetchedAt, runID] + values)
                rows += 1
            }
        default:
            throw ProviderDecodingError("\(which.rawValue) is not a published endpoint")
        }
        // A keyword Ahrefs has no data for leaves a visible gap. A history with no row for the range is an answer.
        let failures = which.isHistory ? [] : echoed.missing
        let rowUnits = rowUnits(which, context: context)
        let units =
            (response.header("x-api-units-cost-total-actual") ?? response.header("x-api-units-cost-total"))
            .flatMap(Double.init) ?? Self.charge(rows: rows, rowUnits: rowUnits)
        return ChunkPayload(rows: batch, targetFailures: failures, units: units)
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
