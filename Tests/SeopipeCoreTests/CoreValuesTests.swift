import Foundation
import SeopipeCore
import Testing

@Suite("Stable hashing")
struct StableHashTests {
    @Test("computes FNV-1a 64 as published (offset basis for empty input, test vector for \"a\")")
    func fnv1a() {
        #expect(StableHash.fnv1a64([]) == 0xcbf2_9ce4_8422_2325)
        #expect(StableHash.fnv1a64(Array("a".utf8)) == 0xaf63_dc4c_8601_ec8c)
        #expect(StableHash.fnv1a64(Array("foobar".utf8)) == 0x8594_4171_f739_67e8)
    }

    @Test("writes 128 bits as 32 lower-case hex digits, the first half the plain FNV-1a 64")
    func hex() {
        let text = StableHash.fnv1a64Hex(Array("a".utf8))
        #expect(text.count == 32)
        #expect(text.hasPrefix("af63dc4c8601ec8c"))
        #expect(text.allSatisfy { $0.isHexDigit && !$0.isUppercase })
        #expect(StableHash.fnv1a64Hex(Array("a".utf8)) != StableHash.fnv1a64Hex(Array("b".utf8)))
    }

    @Test("gives a migration's checksum from its SQL only")
    func migrationChecksum() {
        let one = MigrationFile(version: 1, name: "a", sql: "CREATE TABLE t (a)")
        let renamed = MigrationFile(version: 2, name: "b", sql: "CREATE TABLE t (a)")
        let edited = MigrationFile(version: 1, name: "a", sql: "CREATE TABLE t (a, b)")
        #expect(one.checksum == renamed.checksum)
        #expect(one.checksum != edited.checksum)
    }
}

@Suite("Did-you-mean suggestions")
struct SuggestionTests {
    @Test(
        "measures Levenshtein distance",
        arguments: [
            ("kitten", "sitting", 3), ("", "abc", 3), ("abc", "", 3), ("same", "same", 0), ("stagse", "stages", 2),
            ("flaw", "lawn", 2),
        ])
    func distance(a: String, b: String, expected: Int) {
        #expect(Suggestion.editDistance(a, b) == expected)
        #expect(Suggestion.editDistance(b, a) == expected)
    }

    @Test("suggests the closest known word, ignoring case, and nothing when all are far")
    func closest() {
        let keys = ["name", "description", "schedule", "warehouse", "snapshot", "providers", "options", "stages"]
        #expect(Suggestion.closest(to: "stagse", in: keys) == "stages")
        #expect(Suggestion.closest(to: "Provider", in: keys) == "providers")
        #expect(Suggestion.closest(to: "warehous", in: keys) == "warehouse")
        #expect(Suggestion.closest(to: "zzzzzz", in: keys) == nil)
        #expect(Suggestion.closest(to: "x", in: [String]()) == nil)
    }
}

@Suite("Warehouse locations")
struct WarehouseLocationTests {
    let directory = URL(fileURLWithPath: "/srv/seo")

    @Test(
        "resolves sqlite:PATH against a directory unless the path is absolute",
        arguments: [
            ("sqlite:warehouse.db", "/srv/seo/warehouse.db"),
            ("sqlite:data/w.db", "/srv/seo/data/w.db"),
            ("sqlite:/var/lib/w.db", "/var/lib/w.db"),
            ("sqlite:///var/lib/w.db", "/var/lib/w.db"),
            ("sqlite://w.db", "/srv/seo/w.db"),
        ])
    func sqlite(text: String, path: String) throws {
        #expect(try WarehouseLocation.parse(text, relativeTo: directory) == .sqlite(path: path))
    }

    @Test(
        "keeps a PostgreSQL URL as written and never shows its password",
        arguments: [
            ("postgres://etl:s3cret@db:5432/seo?schema=nightly", "postgres://etl:***@db:5432/seo?schema=nightly"),
            ("postgresql://etl@db/seo", "postgresql://etl@db/seo"),
            (
                "postgres://etl@db/seo?password=s3cret&sslmode=require",
                "postgres://etl@db/seo?password=***&sslmode=require"
            ),
        ])
    func postgres(text: String, shown: String) throws {
        let location = try WarehouseLocation.parse(text, relativeTo: directory)
        #expect(location == .postgres(url: text))
        #expect(location.description == shown)
        #expect(!"\(location)".contains("s3cret"))
    }

    @Test("refuses a PostgreSQL URL that cannot be read", arguments: ["postgres://h:99999/db", "postgres://h/a/b"])
    func invalidPostgres(text: String) {
        #expect(throws: WarehouseURLError.self) { try WarehouseLocation.parse(text) }
    }

    @Test("refuses what is not a warehouse URL", arguments: ["warehouse.db", "sqlite:", "mysql://h/db", ""])
    func invalid(text: String) {
        do {
            _ = try WarehouseLocation.parse(text)
            Issue.record("\(text) must be refused")
        } catch {
            guard case .invalid = error else {
                Issue.record("expected invalid, got \(error)")
                return
            }
        }
    }
}

@Suite("Budget tracking")
struct BudgetTrackerTests {
    @Test("books requests until the next one would cross max_units")
    func units() async {
        let tracker = BudgetTracker(Budget(maxUnits: 1_000))
        #expect(await tracker.reserve(units: 500, costUSD: 0) == .granted)
        #expect(await tracker.reserve(units: 500, costUSD: 0) == .granted)
        #expect(await tracker.reserve(units: 1, costUSD: 0) == .overBudget)
    }

    @Test("frees a reservation when it is settled, counting what was actually charged")
    func settle() async {
        let tracker = BudgetTracker(Budget(maxUnits: 1_000))
        #expect(await tracker.reserve(units: 800, costUSD: 0) == .granted)
        await tracker.settle(reservedUnits: 800, reservedCostUSD: 0, chargedUnits: 300, chargedCostUSD: 0)
        #expect(await tracker.spentUnits == 300)
        #expect(await tracker.reserve(units: 700, costUSD: 0) == .granted)
        #expect(await tracker.reserve(units: 1, costUSD: 0) == .overBudget)
    }

    @Test("charges nothing for a request that failed, so its reservation is spent again")
    func failedRequest() async {
        let tracker = BudgetTracker(Budget(maxUnits: 100))
        #expect(await tracker.reserve(units: 100, costUSD: 0) == .granted)
        await tracker.settle(reservedUnits: 100, reservedCostUSD: 0, chargedUnits: 0, chargedCostUSD: 0)
        #expect(await tracker.reserve(units: 100, costUSD: 0) == .granted)
    }

    @Test("stops before crossing max_cost_usd and never limits without a budget")
    func cost() async {
        let tracker = BudgetTracker(Budget(maxCostUSD: 1))
        #expect(await tracker.reserve(units: 1_000_000, costUSD: 0.6) == .granted)
        #expect(await tracker.reserve(units: 0, costUSD: 0.6) == .overBudget)
        let unlimited = BudgetTracker(Budget())
        #expect(await unlimited.reserve(units: 1e12, costUSD: 1e6) == .granted)
    }

    @Test("after the provider says money ran out, refuses every further request with its message")
    func exhausted() async {
        let tracker = BudgetTracker(Budget())
        #expect(await tracker.reserve(units: 0, costUSD: 0.02) == .granted)
        await tracker.exhaust("DataForSEO 40200: Payment required.")
        await tracker.exhaust("a later message does not replace the first")
        #expect(await tracker.reserve(units: 0, costUSD: 0.02) == .exhausted("DataForSEO 40200: Payment required."))
    }
}

@Suite("Pipeline errors")
struct PipelineErrorTests {
    @Test("describes itself as file:line:column: error: message, then the hint on its own line")
    func description() {
        let location = SourceLocation(file: "pipelines/nightly.yml", line: 12, column: 5)
        let error = PipelineError(.unknownKey, at: location, "unknown key `stagse`", hint: "did you mean `stages`?")
        #expect(
            error.description
                == "pipelines/nightly.yml:12:5: error: unknown key `stagse`\n  hint: did you mean `stages`?")
        let bare = PipelineError(.invalidValue, at: location, "bad")
        #expect(bare.description == "pipelines/nightly.yml:12:5: error: bad")
        #expect(PipelineValidationError([error, bare]).description == error.description + "\n" + bare.description)
    }

    @Test("redacts a secret wherever it is printed")
    func secret() {
        let secret = Secret("sk-very-secret")
        #expect("\(secret)" == "<redacted>")
        #expect(String(reflecting: secret) == "<redacted>")
        #expect(!"\([secret])".contains("sk-very-secret"))
    }
}

@Suite("Table batches")
struct TableBatchTests {
    @Test("stores rows flat and hands them back by index")
    func rows() {
        var batch = TableBatch(table: "t", columns: ["a", "b"], keyColumns: ["a"])
        #expect(batch.rowCount == 0)
        batch.append([.text("x"), .integer(1)])
        batch.appendRow { $0.append(contentsOf: [.text("y"), .null]) }
        #expect(batch.rowCount == 2)
        #expect(Array(batch.row(0)) == [.text("x"), .integer(1)])
        #expect(Array(batch.row(1)) == [.text("y"), .null])
    }

    @Test("maps optional values to NULL")
    func optionals() {
        #expect(SQLValue(Int?.none) == .null)
        #expect(SQLValue(Int?.some(3)) == .integer(3))
        #expect(SQLValue(Double?.some(1.5)) == .real(1.5))
        #expect(SQLValue(String?.none) == .null)
    }
}
