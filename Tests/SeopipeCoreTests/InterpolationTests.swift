import SeopipeCore
import Testing

@Suite("Interpolation of ${VAR} from the environment")
struct InterpolationTests {
    static let environment = [
        "AHREFS_API_TOKEN": "tok-123",
        "BASE": "https://api.example.com/v3",
        "EMPTY": "",
        "REFERENCE": "${BASE}",
    ]

    func expand(_ text: String) throws(Interpolation.Failure) -> String {
        try Interpolation.expand(text, environment: Self.environment)
    }

    @Test(
        "replaces ${VAR} with the variable's value",
        arguments: [
            ("${AHREFS_API_TOKEN}", "tok-123"),
            ("Bearer ${AHREFS_API_TOKEN}!", "Bearer tok-123!"),
            ("${BASE}/site-explorer", "https://api.example.com/v3/site-explorer"),
            ("${AHREFS_API_TOKEN}${AHREFS_API_TOKEN}", "tok-123tok-123"),
        ])
    func substitutes(text: String, expected: String) throws {
        #expect(try expand(text) == expected)
    }

    @Test("uses the value of ${VAR:-default} when the variable is set")
    func defaultIgnoredWhenSet() throws {
        #expect(try expand("${BASE:-https://fallback.example}") == "https://api.example.com/v3")
    }

    @Test("uses the default of ${VAR:-default} when the variable is unset")
    func defaultWhenUnset() throws {
        #expect(try expand("${SEOPIPE_WAREHOUSE:-sqlite:warehouse.db}") == "sqlite:warehouse.db")
    }

    @Test("uses the default when the variable is set but empty")
    func defaultWhenEmpty() throws {
        #expect(try expand("${EMPTY:-fallback}") == "fallback")
    }

    @Test("accepts an empty default")
    func emptyDefault() throws {
        #expect(try expand("a${UNSET:-}b") == "ab")
    }

    @Test("writes $$ as a literal dollar sign and does not expand what follows it")
    func dollarEscape() throws {
        #expect(try expand("$$") == "$")
        #expect(try expand("cost: $$5") == "cost: $5")
        #expect(try expand("$${AHREFS_API_TOKEN}") == "${AHREFS_API_TOKEN}")
    }

    @Test("keeps a lone $ that does not start a reference")
    func loneDollar() throws {
        #expect(try expand("price $5") == "price $5")
        #expect(try expand("ends with $") == "ends with $")
    }

    @Test("does not expand references inside a substituted value")
    func noRecursiveExpansion() throws {
        #expect(try expand("${REFERENCE}") == "${BASE}")
    }

    @Test("throws missingVariable naming an unset variable without default")
    func missingVariable() {
        #expect(throws: Interpolation.Failure.missingVariable("AHREFS_TOKEN_TYPO")) {
            try expand("Bearer ${AHREFS_TOKEN_TYPO}")
        }
    }

    @Test("treats an empty variable without default as missing, never as an empty value")
    func emptyIsMissing() {
        #expect(throws: Interpolation.Failure.missingVariable("EMPTY")) {
            try expand("${EMPTY}")
        }
    }

    @Test(
        "throws malformed for an unclosed or invalid reference",
        arguments: [
            "${AHREFS_API_TOKEN",
            "prefix ${",
            "${}",
            "${1ABC}",
            "${A-B}",
            "${A B}",
        ])
    func malformed(text: String) {
        let error = #expect(throws: Interpolation.Failure.self) { try expand(text) }
        guard case .malformed? = error else {
            Issue.record("expected .malformed for \(text), got \(String(describing: error))")
            return
        }
    }

    @Test(
        "returns text without $ unchanged",
        arguments: [
            "", "plain", "competitors-nightly", "{ braces } and : colons -", "ünïcödé 🚀",
        ])
    func unchanged(text: String) throws {
        #expect(try expand(text) == text)
    }
}
