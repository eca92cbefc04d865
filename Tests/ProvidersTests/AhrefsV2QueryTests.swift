import Testing

@testable import Providers
@testable import SeopipeCore

/// The exact GET query strings of Ahrefs v2 requests (seed: ahrefs-v2-api.txt, its examples' encodings).
@Suite("Ahrefs v2 query strings")
struct AhrefsV2QueryTests {
    static func query(
        target: String = "ahrefs.com", mode: String = "domain", select: [String] = [], where: [String] = [],
        having: [String] = [], orderBy: [String] = [], limit: Int = 1000, offset: Int = 0
    ) throws -> AhrefsV2Query {
        AhrefsV2Query(
            table: .refdomains, target: target, mode: mode, select: select,
            where: try `where`.map { try AhrefsV2Condition.parse($0, filter: .where, table: .refdomains).get() },
            having: try having.map { try AhrefsV2Condition.parse($0, filter: .having, table: .refdomains).get() },
            orderBy: orderBy, limit: limit, offset: offset)
    }

    @Test("a plain request carries the mandatory parameters, limit and output=json, in the seed's order")
    func plain() throws {
        #expect(
            try Self.query(limit: 3).queryString(token: "012345")
                == "token=012345&from=refdomains&target=ahrefs.com&mode=domain&limit=3&output=json")
    }

    @Test("where and having encode as in the seed's example: %3E, %22, a literal comma between conditions")
    func seedExample() throws {
        let query = try Self.query(
            mode: "exact", where: ["last_visited > 2013-11-01", "first_seen>\"2013-01-01\""], having: ["backlinks>10"])
        #expect(
            query.queryString(token: "T") == "token=T&from=refdomains&target=ahrefs.com&mode=exact"
                + "&where=last_visited%3E%222013-11-01%22,first_seen%3E%222013-01-01%22&having=backlinks%3E10"
                + "&limit=1000&output=json")
    }

    @Test(
        "functions encode their parentheses and quote their value",
        arguments: [
            ("substring(refdomain, ample)", "substring%28refdomain,%22ample%22%29"),
            ("subdomain(refdomain, \"example.com\")", "subdomain%28refdomain,%22example.com%22%29"),
            ("word(refdomain,news)", "word%28refdomain,%22news%22%29"),
        ])
    func functions(_ readable: String, _ encoded: String) throws {
        #expect(try Self.query(where: [readable]).queryString(token: "T").contains("&where=\(encoded)&"))
    }

    @Test(
        "every operator, with ':' written as '='",
        arguments: [
            ("backlinks = 5", "backlinks%3D5"), ("backlinks:5", "backlinks%3D5"),
            ("backlinks <> 5", "backlinks%3C%3E5"),
            ("backlinks < 5", "backlinks%3C5"), ("backlinks <= 5", "backlinks%3C%3D5"),
            ("backlinks > 5", "backlinks%3E5"),
            ("backlinks >= 5", "backlinks%3E%3D5"), ("refdomain = a.com", "refdomain%3D%22a.com%22"),
        ])
    func operators(_ readable: String, _ encoded: String) throws {
        #expect(try Self.query(where: [readable]).queryString(token: "T").contains("&where=\(encoded)&"))
    }

    @Test("string values escape backslash and double quote, then URL-encode")
    func escaping() throws {
        let condition = try AhrefsV2Condition.parse(#"refdomain = "a \"b\" \\ c""#, filter: .where, table: .refdomains)
            .get()
        #expect(condition.value == #"a "b" \ c"#)
        #expect(condition.description == #"refdomain="a \"b\" \\ c""#)
        #expect(
            try Self.query(where: [#"refdomain = "a \"b\" \\ c""#]).queryString(token: "T")
                .contains("&where=refdomain%3D%22a%20%5C%22b%5C%22%20%5C%5C%20c%22&"))
    }

    @Test("order_by encodes the colon; select lists columns")
    func orderAndSelect() throws {
        let text = try Self.query(
            select: ["refdomain", "domain_rating"], orderBy: ["domain_rating:desc", "refdomain"]
        )
        .queryString(token: "T")
        #expect(text.contains("&select=refdomain,domain_rating&"))
        #expect(text.contains("&order_by=domain_rating%3Adesc,refdomain&"))
    }

    @Test("offset is sent only past the first page")
    func offset() throws {
        #expect(!(try Self.query(offset: 0).queryString(token: "T")).contains("offset"))
        #expect(
            try Self.query(limit: 500, offset: 1000).queryString(token: "T").hasSuffix(
                "&limit=500&offset=1000&output=json"))
    }

    @Test(
        "exact and prefix targets are encoded twice: to the database form, then as a parameter",
        arguments: [
            ("exact", "example.com/a b/ü?q=1", "example.com%2Fa%2520b%2F%25C3%25BC%3Fq%3D1"),
            ("prefix", "example.com/blog/", "example.com%2Fblog%2F"),
            ("exact", "example.com/already%20encoded", "example.com%2Falready%2520encoded"),
            ("domain", "example.com", "example.com"),
            ("subdomains", "blog.example.com", "blog.example.com"),
        ])
    func targets(_ mode: String, _ target: String, _ encoded: String) throws {
        #expect(try Self.query(target: target, mode: mode).queryString(token: "T").contains("&target=\(encoded)&"))
    }

    @Test("the token is URL-encoded like any value")
    func token() throws {
        #expect(try Self.query().queryString(token: "a+b/c=").hasPrefix("token=a%2Bb%2Fc%3D&"))
    }

    @Test(
        "refuses conditions v2 would reject, with a reason",
        arguments: [
            ("domain_rating > 5", AhrefsV2Condition.Filter.where, "cannot use column"),
            ("url = a.com", .having, "cannot use column"),
            ("nosuch = 1", .where, "cannot use column"),
            ("contains(refdomain, a)", .where, "unknown function"),
            ("substring(backlinks, 5)", .where, "applies to text columns"),
            ("backlinks > many", .where, "whole number"),
            ("first_seen > yesterday", .where, "is a date"),
            ("refdomain = \"unclosed", .where, "not properly quoted"),
            ("refdomain", .where, "no operator"),
        ])
    func refusals(_ text: String, _ filter: AhrefsV2Condition.Filter, _ reason: String) {
        guard case .failure(let error) = AhrefsV2Condition.parse(text, filter: filter, table: .refdomains) else {
            Issue.record("`\(text)` was accepted")
            return
        }
        #expect(error.message.contains(reason), "\(error.message)")
    }
}

@Suite("Ahrefs v2 condition values")
struct AhrefsV2ConditionValueTests {
    @Test("a signed number is written as v2's -?[0-9]+")
    func signedNumbers() throws {
        #expect(
            try AhrefsV2Condition.parse("backlinks > +5", filter: .where, table: .refdomains).get().description
                == "backlinks>5")
        #expect(
            try AhrefsV2Condition.parse("backlinks > -5", filter: .where, table: .refdomains).get().description
                == "backlinks>-5")
    }
}
