extension SimulatedAhrefsV2 {
    /// Ahrefs v2 reports its errors as `{"error": "<string>"}`, read from the body whatever the HTTP status: a
    /// rule carrying this answers that body ("no credit", "internal error"...) with HTTP `status` (200 unless set),
    /// matches the v2 endpoint only and charges nothing. JSON: `{"ahrefs_v2_error": "no credit"}`.
    public struct Fault: FaultDialect {
        /// E.g. "no credit", "internal error" or "internal billing error" (the reference's error strings).
        public var error: String

        public init(error: String) {
            self.error = error
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case error = "ahrefs_v2_error"
        }

        public static var keys: [String] { CodingKeys.allCases.map(\.stringValue) }
        public static var summary: String { "ahrefs_v2_error" }

        public var kind: String? { "ahrefs_v2 \(error)" }

        public var valueProblems: [String] {
            error.isEmpty ? ["ahrefs_v2_error must not be empty (e.g. \"no credit\")"] : []
        }

        public func ruleProblems(status: Int) -> [String] { [] }
    }
}
