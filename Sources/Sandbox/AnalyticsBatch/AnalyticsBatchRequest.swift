import Foundation

/// A batch the whole of which is refused: HTTP 400 `validation_error` with this message.
struct AnalyticsBatchRejection: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

/// One query of a batch, as sent; its `params` are checked only when it runs.
struct AnalyticsBatchQuery: Sendable {
    var id: String
    var endpoint: AnalyticsEndpoint
    var params: [String: JSONInput]
    var dependsOn: [String]
}

/// A batch that passed validation, with its plan.
struct AnalyticsBatchRequest: Sendable {
    static let maxQueries = 50
    static let fields = ["queries", "options"]
    static let queryFields = ["id", "endpoint", "params", "depends_on"]
    static let optionFields = ["fail_fast", "parallel_limit", "include_timing"]

    var queries: [AnalyticsBatchQuery]
    var failFast = false
    var parallelLimit = 5
    var includeTiming = true
    var executionOrder: [String] = []
    var parallelGroups: [[String]] = []

    /// Validates a body: the shape of the seed's request, ids, endpoints, dependencies and options.
    /// The first problem found is the answer.
    init(parsing object: [String: JSONInput]) throws(AnalyticsBatchRejection) {
        try Self.refuseUnknown(object, allowed: Self.fields, in: "the request")

        guard let value = object["queries"] else {
            throw AnalyticsBatchRejection("queries is required (an array of 1-\(Self.maxQueries) queries)")
        }
        guard case .array(let items) = value else {
            throw AnalyticsBatchRejection("queries must be an array, got \(value.typeName)")
        }
        guard !items.isEmpty else { throw AnalyticsBatchRejection("queries must not be empty") }
        guard items.count <= Self.maxQueries else {
            throw AnalyticsBatchRejection(
                "queries has \(items.count) queries; a batch takes at most \(Self.maxQueries)")
        }

        var queries: [AnalyticsBatchQuery] = []
        var positions: [String: Int] = [:]
        for (position, item) in items.enumerated() {
            let query = try Self.query(item, at: position)
            if let earlier = positions[query.id] {
                throw AnalyticsBatchRejection(
                    "duplicate query id \"\(query.id)\" (queries[\(earlier)] and queries[\(position)])")
            }
            positions[query.id] = position
            queries.append(query)
        }
        for (position, query) in queries.enumerated() {
            for dependency in query.dependsOn where positions[dependency] == nil {
                throw AnalyticsBatchRejection("queries[\(position)].depends_on names unknown query \"\(dependency)\"")
            }
        }
        self.queries = queries

        if let value = object["options"] {
            guard case .object(let options) = value else {
                throw AnalyticsBatchRejection("options must be an object, got \(value.typeName)")
            }
            try Self.refuseUnknown(options, allowed: Self.optionFields, in: "options")
            if let flag = options["fail_fast"] {
                failFast = try Self.bool(flag, "options.fail_fast")
            }
            if let limit = options["parallel_limit"] {
                guard case .number(let number) = limit, number == number.rounded(), (1...10).contains(number) else {
                    throw AnalyticsBatchRejection(
                        "options.parallel_limit must be an integer from 1 to 10, got \(Self.describe(limit))")
                }
                parallelLimit = Int(number)
            }
            if let flag = options["include_timing"] {
                includeTiming = try Self.bool(flag, "options.include_timing")
            }
        }

        let graph = queries.map { (id: $0.id, dependsOn: $0.dependsOn) }
        if let cycle = AnalyticsData.dependencyCycle(graph) {
            throw AnalyticsBatchRejection("circular dependency: \(cycle.joined(separator: " -> "))")
        }
        guard let plan = AnalyticsData.plan(graph) else {
            throw AnalyticsBatchRejection("circular dependency")
        }
        executionOrder = plan.executionOrder
        parallelGroups = plan.parallelGroups
    }

    private static func query(_ item: JSONInput, at position: Int) throws(AnalyticsBatchRejection)
        -> AnalyticsBatchQuery
    {
        let name = "queries[\(position)]"
        guard case .object(let query) = item else {
            throw AnalyticsBatchRejection("\(name) must be an object, got \(item.typeName)")
        }
        try Self.refuseUnknown(query, allowed: Self.queryFields, in: name)

        guard let idValue = query["id"] else { throw AnalyticsBatchRejection("\(name).id is required") }
        guard case .string(let id) = idValue else {
            throw AnalyticsBatchRejection("\(name).id must be a string, got \(idValue.typeName)")
        }
        guard Self.isAlphanumeric(id) else {
            throw AnalyticsBatchRejection(
                "\(name).id must be non-empty and alphanumeric (A-Z, a-z, 0-9 only), got \(Self.quoted(id))")
        }

        guard let endpointValue = query["endpoint"] else {
            throw AnalyticsBatchRejection("\(name).endpoint is required")
        }
        guard case .string(let path) = endpointValue else {
            throw AnalyticsBatchRejection("\(name).endpoint must be a string, got \(endpointValue.typeName)")
        }
        guard path.hasPrefix("/stats/") else {
            throw AnalyticsBatchRejection("\(name).endpoint must start with /stats/, got \(Self.quoted(path))")
        }
        guard let endpoint = AnalyticsEndpoint(rawValue: path) else {
            throw AnalyticsBatchRejection(
                "\(name).endpoint \(Self.quoted(path)) is not a /stats/ endpoint; available: "
                    + AnalyticsEndpoint.allCases.map(\.rawValue).joined(separator: ", "))
        }

        guard let paramsValue = query["params"] else {
            throw AnalyticsBatchRejection("\(name).params is required (an object)")
        }
        guard case .object(let params) = paramsValue else {
            throw AnalyticsBatchRejection("\(name).params must be an object, got \(paramsValue.typeName)")
        }

        var dependsOn: [String] = []
        if let value = query["depends_on"] {
            guard case .array(let entries) = value else {
                throw AnalyticsBatchRejection(
                    "\(name).depends_on must be an array of query ids, got \(value.typeName)")
            }
            for (index, entry) in entries.enumerated() {
                guard case .string(let dependency) = entry else {
                    throw AnalyticsBatchRejection(
                        "\(name).depends_on[\(index)] must be a string, got \(entry.typeName)")
                }
                guard !dependsOn.contains(dependency) else {
                    throw AnalyticsBatchRejection(
                        "\(name).depends_on names \(Self.quoted(dependency)) more than once")
                }
                dependsOn.append(dependency)
            }
        }
        return AnalyticsBatchQuery(id: id, endpoint: endpoint, params: params, dependsOn: dependsOn)
    }

    // MARK: - Helpers

    /// A-Z, a-z and 0-9 only, at least one character.
    static func isAlphanumeric(_ text: String) -> Bool {
        !text.isEmpty
            && text.utf8.allSatisfy { byte in
                (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                    || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
            }
    }

    static func refuseUnknown(
        _ object: [String: JSONInput], allowed: [String], in place: String
    ) throws(AnalyticsBatchRejection) {
        let unknown = object.keys.filter { !allowed.contains($0) }.sorted()
        guard !unknown.isEmpty else { return }
        throw AnalyticsBatchRejection(
            "unknown field\(unknown.count == 1 ? "" : "s") \(unknown.map(Self.quoted).joined(separator: ", ")) in "
                + "\(place); allowed: \(allowed.joined(separator: ", "))")
    }

    private static func bool(_ value: JSONInput, _ name: String) throws(AnalyticsBatchRejection) -> Bool {
        guard case .bool(let flag) = value else {
            throw AnalyticsBatchRejection("\(name) must be a boolean, got \(value.typeName)")
        }
        return flag
    }

    /// `"text"` with JSON escapes, for messages.
    static func quoted(_ text: String) -> String {
        JSONOutput.string(text).text
    }

    /// A value as a message shows it: numbers and strings as written, other types by name.
    static func describe(_ value: JSONInput) -> String {
        switch value {
        case .number(let number):
            number == number.rounded() && abs(number) < 1e15 ? String(Int(number)) : String(number)
        case .string(let text): quoted(text)
        default: value.typeName
        }
    }
}
