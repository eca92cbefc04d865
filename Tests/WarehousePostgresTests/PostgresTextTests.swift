import Foundation
import NIOCore
import SeopipeCore
import Testing

@testable import WarehousePostgres

@Suite("SQL text: statements and named parameters")
struct SQLTextTests {
    @Test(
        "splits a migration at top-level semicolons only",
        arguments: [
            ("CREATE TABLE a (x BIGINT);\nCREATE TABLE b (y TEXT);\n", 2),
            ("-- a; comment\nCREATE TABLE a (x TEXT DEFAULT ';');", 1),
            ("CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; SELECT 2; $body$ LANGUAGE sql;\nSELECT 1;", 2),
            ("/* nested /* ; */ ; */ SELECT \"odd;name\" FROM t;", 1),
            ("SELECT E'it\\'s; fine';", 1),
            ("SELECT 1;;\n\n;  -- trailing comment\n", 1),
            ("SELECT $1::int; SELECT 2", 2),
        ])
    func statements(sql: String, count: Int) {
        #expect(SQLText.statements(sql).count == count, "\(SQLText.statements(sql))")
    }

    @Test("keeps each statement's text intact")
    func statementText() {
        #expect(SQLText.statements("SELECT ';' AS a; SELECT 2") == ["SELECT ';' AS a", " SELECT 2"])
    }

    @Test("replaces :snapshot in code, not in strings, identifiers, comments or casts")
    func namedParameter() {
        let (sql, count) = SQLText.bindingNamedParameter(
            "SELECT ':snapshot', \":snapshot\", x::snapshot, :snapshot, :snapshots, (:snapshot) -- :snapshot\n/* :snapshot */",
            name: "snapshot", to: "$1::date")
        #expect(
            sql
                == "SELECT ':snapshot', \":snapshot\", x::snapshot, $1::date, :snapshots, ($1::date) -- :snapshot\n/* :snapshot */"
        )
        #expect(count == 2)
        #expect(SQLText.bindingNamedParameter("SELECT 1", name: "snapshot", to: "$1").count == 0)
        #expect(SQLText.bindingNamedParameter("a=:snapshot", name: "snapshot", to: "$1") == ("a=$1", 1))
    }

    @Test(
        "reads the first keyword past comments and parentheses",
        arguments: [
            ("SELECT 1", "select"), ("  -- hi\n/* x */ (select 1)", "select"),
            ("with a as (select 1) select * from a", "with"),
            ("DELETE FROM t", "delete"), ("'text'", nil), ("", nil),
        ] as [(String, String?)])
    func firstKeyword(sql: String, keyword: String?) {
        #expect(SQLText.firstKeyword(sql) == keyword)
    }

    @Test("drops trailing semicolons and comments so the query can be wrapped")
    func trailing() {
        #expect(SQLText.trimmingTrailingSemicolons("SELECT 1; -- done\n") == "SELECT 1")
        #expect(SQLText.trimmingTrailingSemicolons("SELECT ';' ;;") == "SELECT ';'")
    }
}

@Suite("COPY text encoding")
struct CopyTextEncoderTests {
    func encoded(_ values: [SQLValue]) -> String {
        var batch = TableBatch(table: "t", columns: values.indices.map { "c\($0)" }, keyColumns: [])
        batch.append(values)
        var buffer = ByteBuffer()
        CopyTextEncoder.encode(batch, rows: 0..<1, into: &buffer)
        return buffer.readString(length: buffer.readableBytes) ?? ""
    }

    @Test("escapes backslash, tab, newline and carriage return and writes NULL as \\N")
    func escaping() {
        #expect(
            encoded([.text("a\tb"), .text("c\nd\re"), .text("back\\slash"), .null, .text("\\N")])
                == "a\\tb\tc\\nd\\re\tback\\\\slash\t\\N\t\\\\N\n")
        #expect(encoded([.text("Ünïcödé 🚀"), .text(""), .text("'\"")]) == "Ünïcödé 🚀\t\t'\"\n")
    }

    @Test(
        "writes numbers as PostgreSQL reads them",
        arguments: [
            (SQLValue.integer(-42), "-42"), (.real(65), "65"), (.real(72.5), "72.5"), (.real(1e20), "1e+20"),
            (.real(.nan), "NaN"), (.real(-.infinity), "-Infinity"), (.real(-0.0), "0"),
        ])
    func numbers(value: SQLValue, text: String) {
        #expect(encoded([value]) == text + "\n")
    }

    @Test("a double written in place reads as its text form: whole, fractional, huge, tiny and random bit patterns")
    func realsInPlace() {
        var generator = SystemRandomNumberGenerator()
        let samples: [Double] =
            [
                0.1, -2.5, 1e15, -1e15, 999_999_999_999_999, 1e-300, .greatestFiniteMagnitude, .leastNonzeroMagnitude,
                123_456.789, .infinity,
            ]
            + (0..<2000).map { _ in Double(bitPattern: UInt64.random(in: 0...UInt64.max, using: &generator)) }
        for number in samples where !number.isNaN {
            var bytes: [UInt8] = []
            CopyTextEncoder.appendReal(number, to: &bytes)
            #expect(String(decoding: bytes, as: UTF8.self) == CopyTextEncoder.text(number), "\(number)")
        }
    }

    @Test("a bridged string is escaped as a native one is")
    func bridgedText() {
        let native = "tab\there/Ü\\"
        let bridged = NSString(string: native) as String
        #expect(encoded([.text(bridged)]) == encoded([.text(native)]))
        #expect(encoded([.text(bridged)]) == "tab\\there/Ü\\\\\n")
    }
}

@Suite("PostgreSQL values as text")
struct PostgresValueTextTests {
    @Test(
        "renders dates and timestamps in the warehouse's ISO spelling",
        arguments: [
            (Int64(0), "2000-01-01T00:00:00Z"), (-1, "1999-12-31T23:59:59.999999Z"),
            (848_460_900_000_000, "2026-11-20T03:35:00Z"), (848_460_900_120_000, "2026-11-20T03:35:00.12Z"),
        ])
    func timestamps(microseconds: Int64, text: String) {
        #expect(PostgresText.timestamp(microseconds, zone: true) == text)
    }

    @Test(
        "renders days since 2000 as YYYY-MM-DD",
        arguments: [
            (Int32(0), "2000-01-01"), (-1, "1999-12-31"), (9820, "2026-11-20"), (60, "2000-03-01"),
        ])
    func dates(days: Int32, text: String) {
        #expect(PostgresText.date(days) == text)
    }

    @Test(
        "renders NUMERIC with its scale",
        arguments: [
            ([Int16]([12, 5000]), Int16(0), UInt16(0), Int16(6), "12.500000"),
            ([], 0, 0, 6, "0.000000"),
            ([500], -1, 0x4000, 2, "-0.05"),
            ([1, 0], 1, 0, 0, "10000"),
            ([1000], -2, 0, 6, "0.000010"),
            ([1, 2345, 6789], 1, 0, 4, "12345.6789"),
        ])
    func numeric(digits: [Int16], weight: Int16, sign: UInt16, scale: Int16, text: String) throws {
        var buffer = ByteBuffer()
        buffer.writeInteger(Int16(digits.count))
        buffer.writeInteger(weight)
        buffer.writeInteger(sign)
        buffer.writeInteger(scale)
        for digit in digits { buffer.writeInteger(digit) }
        #expect(try PostgresText.numeric(&buffer) == text)
    }
}

@Suite("PostgreSQL warehouse URLs")
struct PostgresConfigurationTests {
    let home = FileManager.default.temporaryDirectory.appendingPathComponent("seopipe-pgpass-\(UUID().uuidString)")

    @Test("reads host, port, user, database, schema and sslmode from the URL")
    func parts() throws {
        let configuration = try PostgresWarehouseConfiguration(
            url: "postgresql://etl:s%3Acret@db.example.com:6543/seo?schema=nightly&sslmode=require", environment: [:])
        #expect(configuration.host == "db.example.com")
        #expect(configuration.port == 6543)
        #expect(configuration.user == "etl")
        #expect(configuration.password == "s:cret")
        #expect(configuration.database == "seo")
        #expect(configuration.schema == "nightly")
        #expect(configuration.sslMode == .require)
        #expect(
            configuration.redactedURL == "postgresql://etl:***@db.example.com:6543/seo?schema=nightly&sslmode=require")
    }

    @Test("defaults like psql: PG* variables, then localhost:5432, the user's own database, sslmode prefer")
    func defaults() throws {
        let plain = try PostgresWarehouseConfiguration(url: "postgres://", environment: ["USER": "ana"])
        #expect(plain.host == "localhost" && plain.port == 5432 && plain.user == "ana" && plain.database == "ana")
        #expect(plain.sslMode == .prefer && plain.schema == nil && plain.password == nil)
        let fromEnvironment = try PostgresWarehouseConfiguration(
            url: "postgres://",
            environment: [
                "PGHOST": "db", "PGPORT": "5433", "PGUSER": "etl", "PGDATABASE": "seo", "PGSSLMODE": "disable",
            ])
        #expect(fromEnvironment.host == "db" && fromEnvironment.port == 5433 && fromEnvironment.user == "etl")
        #expect(fromEnvironment.database == "seo" && fromEnvironment.sslMode == .disable)
    }

    @Test("takes the password from the URL, else PGPASSWORD, else the password file")
    func passwordPrecedence() throws {
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: home) }
        let pgpass = home.appendingPathComponent(".pgpass")
        try """
        # host:port:database:user:password
        other:5432:*:etl:nope
        db:5432:seo:etl:from\\:file
        *:*:*:*:fallback
        """.write(to: pgpass, atomically: true, encoding: .utf8)
        chmod(pgpass.path, 0o600)
        func password(_ url: String, _ environment: [String: String] = [:]) throws -> String? {
            try PostgresWarehouseConfiguration(url: url, environment: environment, homeDirectory: home.path).password
        }
        #expect(try password("postgres://etl:inurl@db/seo", ["PGPASSWORD": "env"]) == "inurl")
        #expect(try password("postgres://etl@db/seo", ["PGPASSWORD": "env"]) == "env")
        #expect(try password("postgres://etl@db/seo") == "from:file")
        #expect(try password("postgres://etl@db:5433/seo") == "fallback")
        #expect(try password("postgres://etl@db/seo", ["PGPASSFILE": "/nonexistent"]) == nil)

        // Like libpq, a password file others may read is ignored.
        chmod(pgpass.path, 0o644)
        #expect(try password("postgres://etl@db/seo") == nil)
    }

    @Test(
        "refuses unknown parameters, sslmodes and schema names that need quoting",
        arguments: [
            "postgres://h/db?sslmod=disable", "postgres://h/db?sslmode=maybe", "postgres://h/db?schema=Seo",
            "postgres://h/db?schema=a;drop", "mysql://h/db",
        ])
    func invalid(url: String) {
        #expect(throws: PostgresWarehouseError.self) {
            try PostgresWarehouseConfiguration(url: url, environment: [:])
        }
    }
}
