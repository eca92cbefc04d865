extension SimulatedDataForSEO {
    /// DataForSEO reports most errors in an HTTP 200 body: a rule with `statusCode` answers a top-level envelope
    /// with that `status_code` and no tasks; one with `taskStatusCode` answers a top-level 20000 whose task carries
    /// that code. Such rules match DataForSEO endpoints only, answer with HTTP `status` (200 unless set) and charge
    /// nothing. JSON: `{"dataforseo_status_code": 40202}`, `{"dataforseo_task_status_code": 40501}`.
    public struct Fault: FaultDialect {
        /// Answer a top-level envelope with this `status_code` (e.g. 40202 rate limit, 40200 payment required,
        /// 40203 cost limit, 50000 internal error), tasks `[]`, cost 0.
        public var statusCode: Int?
        /// Answer top-level 20000 with the task carrying this `status_code`, result null, cost 0. Ignored when
        /// `statusCode` is set.
        public var taskStatusCode: Int?

        public init(statusCode: Int? = nil, taskStatusCode: Int? = nil) {
            self.statusCode = statusCode
            self.taskStatusCode = taskStatusCode
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case statusCode = "dataforseo_status_code"
            case taskStatusCode = "dataforseo_task_status_code"
        }

        public static var keys: [String] { CodingKeys.allCases.map(\.stringValue) }
        public static var summary: String { "a DataForSEO status code" }

        public var kind: String? { (statusCode ?? taskStatusCode).map { "dataforseo \($0)" } }

        public var valueProblems: [String] {
            var problems: [String] = []
            if let code = statusCode, !(10000...60000).contains(code) {
                problems.append("dataforseo_status_code must be a DataForSEO status code 10000-60000, got \(code)")
            }
            if let code = taskStatusCode, !(10000...60000).contains(code) {
                problems.append(
                    "dataforseo_task_status_code must be a DataForSEO status code 10000-60000, got \(code)")
            }
            return problems
        }

        public func ruleProblems(status: Int) -> [String] { [] }
    }
}
