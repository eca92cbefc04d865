extension SimulatedAnalyticsBatch {
    /// The analytics Batch API answers an accepted batch with 200 and reports errors per query: a rule carrying
    /// this lets the batch run as usual (validated, served, charged) except that the query `queryID` (or, when
    /// nil, the first query in execution order) fails with the error code `queryError`, its dependents being
    /// skipped as usual; nothing fails when the batch has no query with that id. Such rules match the `batch`
    /// endpoint only (not `batch/validate`, not other providers); their `status` must be 200. A refused batch
    /// (401, 400) still counts as a request the rule has seen.
    /// JSON: `{"analytics_query_error": "internal_error", "analytics_query_id": "pages"}`.
    public struct Fault: FaultDialect {
        /// The error `code` one query of the batch fails with, e.g. "internal_error", "validation_error",
        /// "rate_limit_exceeded".
        public var queryError: String?
        /// The id of the query that fails; nil means the first query in execution order. Needs `queryError`.
        public var queryID: String?

        public init(queryError: String?, queryID: String? = nil) {
            self.queryError = queryError
            self.queryID = queryID
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case queryError = "analytics_query_error"
            case queryID = "analytics_query_id"
        }

        public static var keys: [String] { CodingKeys.allCases.map(\.stringValue) }
        public static var summary: String { "analytics_query_error" }

        public var kind: String? { queryError.map { "analytics \($0)" } }

        public var valueProblems: [String] {
            if let code = queryError, code.isEmpty {
                return ["analytics_query_error must not be empty (e.g. \"internal_error\")"]
            }
            return []
        }

        public func ruleProblems(status: Int) -> [String] {
            var problems: [String] = []
            if queryID != nil, queryError == nil {
                problems.append("analytics_query_id needs analytics_query_error (the code the query fails with)")
            }
            if status != 200 {
                problems.append("status must be 200 (or left out) with analytics_query_error: the batch answers 200")
            }
            return problems
        }
    }
}
