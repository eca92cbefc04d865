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
        var reference = ReferenceAnswer(which, chunk: chunk, stamp: stamp)
        let country = SQLValue.text(context.stage.params["country"]?.description.lowercased() ?? "")
        do {
            switch which {
            case .batchMetrics:
                // A field the stage's `select` left out is not asked for: not read, so its absence is not drift.
                let asked = context.stage.params["select"].map { Set(Self.fields($0)) }
                func wanted(_ name: String) -> Bool { asked?.contains(name) ?? true }
                try reference.load(response.body, echo: ["target"]) { item in
                    let metrics = JSONValue.object(try item.members("metrics") ?? [])
                    return [
                        SQLValue(wanted("org_keywords") ? try metrics.flexibleInt("org_keywords") : nil),
                        SQLValue(wanted("org_traffic") ? try metrics.flexibleInt("org_traffic") : nil),
                        SQLValue(wanted("domain_rating") ? try metrics.double("domain_rating") : nil),
                    ]
                }
            case .batchBacklinksStats:
                try reference.load(response.body, echo: ["target"]) { item in
                    let stats = JSONValue.object(try item.members("backlinks_stats") ?? [])
                    return [
                        SQLValue(try stats.flexibleInt("live")), SQLValue(try stats.flexibleInt("live_refdomains")),
                    ]
                }
            case .batchDomainRating:
                try reference.load(response.body, echo: ["target"]) { item in
                    // DESIGN.md section 8: `{"domain_rating": {"domain_rating": 65.0, "ahrefs_rank": 1234}}`, or flat.
                    // The nested form's inner `domain_rating` is the one read (and the outer member counts as read).
                    if case .object(let nested)? = item["domain_rating"] {
                        let rating = JSONValue.object(nested)
                        return [
                            SQLValue(try rating.double("domain_rating")),
                            SQLValue(try rating.flexibleInt("ahrefs_rank")),
                        ]
                    }
                    return [SQLValue(try item.double("domain_rating")), SQLValue(try item.flexibleInt("ahrefs_rank"))]
                }
            case .batchKeywordsOverview:
                try reference.load(response.body, echo: ["keyword"], keys: [country]) { item in
                    [
                        SQLValue(try item.flexibleInt("volume")), SQLValue(try item.flexibleInt("keyword_difficulty")),
                        SQLValue(try item.double("cpc")), SQLValue(try item.flexibleInt("traffic_potential")),
                    ]
                }
            default:
                // The page a result answers: its `url`, else its `target`.
                try reference.load(response.body, echo: ["url", "target"]) { item in
                    [
                        SQLValue(try item.flexibleInt("url_rating")), SQLValue(try item.flexibleInt("backlinks")),
                        SQLValue(try item.flexibleInt("referring_domains")), SQLValue(try item.flexibleInt("keywords")),
                        SQLValue(try item.flexibleInt("traffic")),
                    ]
                }
            }
        } catch let error as JSONFieldError {
            throw ProviderDecodingError("response is not the documented JSON (\(error))")
        } catch let error as JSONParseError {
            throw ProviderDecodingError("response is not the documented JSON (\(error))")
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
}

/// One answer of a reference batch endpoint (`{"results": [...]}`) turning into rows: each result matched to its
/// target by the target it echoes, a result's `error` recorded as that target's failure.
struct ReferenceAnswer {
    /// Members that are not metrics: the target a result echoes (a url-metrics result may name its page twice),
    /// and `error`, which only comes with a failed target. Read without the drift log, never "missing".
    static let unstored: Set<String> = ["error", "url", "target", "keyword"]
    var batch: TableBatch
    var echoed: EchoedTargets
    var failures: [TargetFailure] = []
    let stamp: [SQLValue]

    init(_ endpoint: AhrefsV3Provider.Endpoint, chunk: Chunk, stamp: RowStamp) {
        batch = TableBatch(endpoint.table, reservingRows: chunk.targets.count)
        echoed = EchoedTargets(chunk.targets)
        self.stamp = [.text(stamp.snapshotDate.description), .text(stamp.fetchedAt), .text(stamp.runID)]
    }

    /// Reads `body`'s `results` and appends a row per answered target: its key columns, `keys`, the stamp, then
    /// `values(item)`. A result's `error` is that target's failure. `echo`: the members a result may name its
    /// target by, in order (a url-metrics result by `url`, else `target`).
    mutating func load(
        _ body: [UInt8], echo: [String], keys: [SQLValue] = [], values: (JSONValue) throws -> [SQLValue]
    ) throws {
        let envelope = try JSONValue.parse(body)
        try envelope.requireObject("the answer")
        guard let results = try envelope.array("results") else {
            throw ProviderDecodingError("response has no `results` list")
        }
        for item in results {
            try item.requireObject("a result")
            SchemaDriftLog.current?.beginRow()
            var named: String?
            for name in echo where named == nil { named = item[name]?.stringValue }
            guard let target = echoed.take(named) else { continue }
            // `error` only comes with a failed target: read without the drift log, it is never "missing".
            if let error = item["error"]?.stringValue {
                failures.append(TargetFailure(target: target.normalized, message: error))
                continue
            }
            let row = try values(item)
            // Only a row that stands for a target is read whole, so only such a row can show drift.
            SchemaDriftLog.current?.endRow(item, key: target.normalized, ignoring: Self.unstored)
            batch.append([.text(target.normalized), .text(target.original)] + keys + stamp + row)
        }
    }
}
