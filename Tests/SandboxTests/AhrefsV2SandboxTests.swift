import AsyncHTTPClient
import Foundation
import Sandbox
import Testing

@Suite("Ahrefs v2 sandbox", .serialized)
struct AhrefsV2SandboxTests {
    static let today = "2026-02-18"
    static let configuration = SandboxConfiguration(today: today)

    static func rows(_ target: String = "ahrefs.com", mode: String = "domain") -> [AhrefsV2Refdomain] {
        AhrefsV2Data.refdomains(target: target, mode: mode, date: Self.today)
    }

    // MARK: - Serving data

    @Test("serves refdomains equal to AhrefsV2Data with the seed's field set, key order and stats")
    func servesRefdomains() async throws {
        try await withSandbox(Self.configuration) { sandbox in
            let answer = try await callV2(sandbox, v2Query(target: "ahrefs.com", mode: "domain", [("output", "json")]))
            #expect(answer.headers["content-type"]?.hasPrefix("application/json") == true)
            let expected = Self.rows()
            #expect(try answer.v2Rows() == expected.map(V2Row.init))
            #expect((40...420).contains(expected.count))

            let stats = AhrefsV2Data.stats(target: "ahrefs.com", mode: "domain", date: Self.today)
            #expect(stats.refdomains == expected.count)
            #expect(
                try answer.decode(V2Response.self).stats
                    == .init(refdomains: stats.refdomains, ips: stats.ips, classC: stats.classC))

            // Exactly the seed example's fields, in its order, and the stats table after the rows.
            let first = try #require(expected.first)
            let object =
                #"{"refdomain":"\#(first.refdomain)","backlinks":\#(first.backlinks),"refpages":\#(first.refpages),"#
                + #""first_seen":"\#(first.firstSeen)","last_visited":"\#(first.lastVisited)","#
                + #""domain_rating":\#(first.domainRating)}"#
            #expect(answer.body.hasPrefix(#"{"refdomains":["# + object + ","))
            #expect(
                answer.body.hasSuffix(
                    #"],"stats":{"refdomains":\#(stats.refdomains),"ips":\#(stats.ips),"class_c":\#(stats.classC)}}"#))
            #expect(
                first.firstSeen.range(of: #"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"#, options: .regularExpression)
                    != nil)
        }
    }

    @Test("answers on /v2/ too, in every mode, and points the environment at /v2 with its token")
    func pathsModesAndEnvironment() async throws {
        try await withSandbox(Self.configuration) { sandbox in
            #expect(sandbox.environment["AHREFS_V2_BASE_URL"] == "http://127.0.0.1:\(sandbox.port)/v2")
            #expect(sandbox.environment["AHREFS_V2_TOKEN"] == SandboxConfiguration.defaultAhrefsV2Token)
            #expect(SandboxConfiguration.defaultAhrefsV2Token == "sandbox-ahrefs-v2-token")
            for mode in ["exact", "domain", "subdomains", "prefix"] {
                let answer = try await callV2(sandbox, v2Query(target: "ahrefs.com/api/", mode: mode), path: "/v2/")
                #expect(try answer.v2Rows() == Self.rows("ahrefs.com/api/", mode: mode).map(V2Row.init))
            }
            #expect(sandbox.usage().endpoints["v2"]?.chargedRequests == 4)
        }
    }

    @Test("accepts only the configured token")
    func customToken() async throws {
        try await withSandbox(SandboxConfiguration(today: Self.today, credentials: ["AHREFS_V2_TOKEN": "my-v2-token"]))
        { sandbox in
            #expect(sandbox.environment["AHREFS_V2_TOKEN"] == "my-v2-token")
            let refused = try await callV2(sandbox, v2Query())
            #expect(refused.errorMessage == "invalid token")
            let served = try await callV2(sandbox, v2Query(token: "my-v2-token"))
            #expect(try served.v2Rows().count == Self.rows().count)
        }
    }

    @Test("returns only the selected columns, in the table's order")
    func select() async throws {
        try await withSandbox(Self.configuration) { sandbox in
            let answer = try await callV2(sandbox, v2Query([("select", "domain_rating,refdomain"), ("limit", "3")]))
            let expected = Self.rows().prefix(3)
            #expect(
                try answer.v2Rows()
                    == expected.map { V2Row(refdomain: $0.refdomain, domainRating: $0.domainRating) })
            let first = try #require(expected.first)
            #expect(answer.body.hasPrefix(#"{"refdomains":[{"refdomain":"\#(first.refdomain)","domain_rating":"#))

            let star = try await callV2(sandbox, v2Query([("select", "*"), ("limit", "3")]))
            #expect(try star.v2Rows() == expected.map(V2Row.init))
        }
    }

    @Test("the same target on two dates differs a little, the same date not at all")
    func datesChangeRows() async throws {
        let first = AhrefsV2Data.refdomains(target: "ahrefs.com", mode: "domain", date: "2026-02-18")
        let again = AhrefsV2Data.refdomains(target: "ahrefs.com", mode: "domain", date: "2026-02-18")
        let later = AhrefsV2Data.refdomains(target: "ahrefs.com", mode: "domain", date: "2026-03-18")
        #expect(first == again)
        #expect(first != later)
        let names = Set(first.map(\.refdomain))
        let laterNames = Set(later.map(\.refdomain))
        #expect(names.intersection(laterNames).count * 10 >= names.count * 8, "most rows stay")

        try await withSandbox(SandboxConfiguration(today: "2026-03-18")) { sandbox in
            let answer = try await callV2(sandbox, v2Query())
            #expect(try answer.v2Rows() == later.map(V2Row.init))
        }
    }

    // MARK: - Errors

    struct ErrorCase: Sendable, CustomTestStringConvertible {
        var query: String
        var error: String
        var testDescription: String { self.error }

        init(_ extra: [(String, String)], _ error: String) {
            self.query = v2Query(extra)
            self.error = error
        }

        init(raw query: String, _ error: String) {
            self.query = query
            self.error = error
        }
    }

    static let token = "token=" + SandboxConfiguration.defaultAhrefsV2Token

    static let errorCases: [ErrorCase] = [
        .init(raw: "from=refdomains&target=ahrefs.com&mode=domain", "token: mandatory parameter missing"),
        .init(raw: "\(token)&target=ahrefs.com&mode=domain", "from: mandatory parameter missing"),
        .init(raw: "\(token)&from=refdomains&mode=domain", "target: mandatory parameter missing"),
        .init(raw: "\(token)&from=refdomains&target=ahrefs.com", "mode: mandatory parameter missing"),
        .init(raw: "token=wrong&from=refdomains&target=ahrefs.com&mode=domain", "invalid token"),
        .init(raw: "\(token)&from=refdomains&target=%FF.com&mode=domain", "target: value is not valid UTF-8"),
        .init(raw: "\(token)&from=refdomains&target=ahrefs.com&mode=domain&date=2026-02-18", "date: unknown parameter"),
        .init(raw: "\(token)&from=refdomains&target=ahrefs.com&mode=domain&mode=exact", "mode: bad syntax"),
        .init(raw: "\(token)&from=backlinks&target=ahrefs.com&mode=domain", "from: table 'backlinks' not found"),
        .init(raw: "\(token)&from=refdomains&target=ahrefs.com&mode=site", "bad mode: 'site'"),
        .init(raw: "\(token)&from=refdomains&target=&mode=domain", "bad target: ''"),
        .init(raw: "\(token)&from=refdomains&target=ahrefs%20com&mode=domain", "bad target: 'ahrefs com'"),
        .init(raw: "\(token)&from=refdomains&target=localhost&mode=domain", "bad target: 'localhost'"),
        .init([("output", "xml")], "bad output: 'xml'"),
        .init([("select", "refdomain,url")], "select: column 'url' not found"),
        .init([("select", "ip")], "select: column 'ip' not found"),
        .init([("select", "anchor")], "select: column 'anchor' not found"),
        .init([("order_by", "refdomain:up")], "order_by: bad sorting direction 'up'"),
        .init([("order_by", "backlinks:desc:asc")], "order_by: bad syntax"),
        .init([("order_by", "backlinks,")], "order_by: bad syntax"),
        .init([("order_by", "url")], "order_by: column 'url' not found"),
        .init([("where", "backlinks>>10")], "where: bad syntax"),
        .init([("where", "refdomain=\"unterminated")], "where: bad syntax"),
        .init([("where", "domain_rating>10")], "where: column 'domain_rating' not found"),
        .init([("where", "anchor=\"x\"")], "where: column 'anchor' not found"),
        .init(
            [("where", "substring(backlinks,\"1\")")],
            "where: function 'substring' cannot be applied to column 'backlinks'"),
        .init([("where", "prefix(refdomain,\"a\")")], "where: unknown function 'prefix'"),
        .init([("where", #"refdomain="a\b""#)], #"where: value 'a\b' is not properly escaped"#),
        .init([("where", #"refdomain="a"b""#)], #"where: value 'a"b' is not properly escaped"#),
        .init([("where", "backlinks>\"ten\"")], "where: value 'ten' must be a int"),
        .init([("where", "first_seen>\"yesterday\"")], "where: value 'yesterday' must be a date"),
        .init([("having", "backlinks>>10")], "having: bad syntax"),
        .init([("having", "url=\"https://ahrefs.com/\"")], "having: column 'url' not found"),
        .init(
            [("having", "word(first_seen,\"2026\")")],
            "having: function 'word' cannot be applied to column 'first_seen'"),
        .init([("having", "prefix(refdomain,\"a\")")], "having: unknown function 'prefix'"),
        .init([("having", #"refdomain="a\b""#)], #"having: value 'a\b' is not properly escaped"#),
        .init([("having", "domain_rating>=high")], "having: value 'high' must be a int"),
        .init([("having", "last_visited<\"2026-02-30\"")], "having: value '2026-02-30' must be a date"),
        .init([("limit", "-1")], "limit: bad syntax"),
        .init([("offset", "ten")], "offset: bad syntax"),
    ]

    @Test("answers each documented error string with HTTP 200 and charges nothing", arguments: errorCases)
    func errors(_ errorCase: ErrorCase) async throws {
        try await withSandbox(Self.configuration) { sandbox in
            let answer = try await callV2(sandbox, errorCase.query)
            #expect(answer.status == 200)
            let escaped = errorCase.error.replacingOccurrences(of: "\\", with: "\\\\")
                .replacingOccurrences(of: "\"", with: "\\\"")
            #expect(answer.body == #"{"error":"\#(escaped)"}"#)
            #expect(answer.errorMessage == errorCase.error)
            let usage = sandbox.usage()
            #expect(usage.endpoints["v2"] == EndpointUsage(requests: 1, chargedRequests: 0, units: 0, targets: 0))
            #expect(usage.requestLog.first?.charged == false)
            #expect(usage.requestLog.first?.targetCount == 1)
        }
    }

    @Test("answers other methods with 405 and an unknown path with 404")
    func methodAndPath() async throws {
        try await withSandbox(Self.configuration) { sandbox in
            let post = try await call(sandbox, "/v2?" + v2Query(), method: "POST", token: nil, contentType: nil)
            #expect(post.status == 405)
            #expect(post.headers["allow"] == "GET")
            let unknown = try await callV2(sandbox, v2Query(), path: "/v2/refdomains")
            #expect(unknown.status == 404)
        }
    }

    // MARK: - Filters, order and paging

    struct FilterCase: Sendable, CustomTestStringConvertible {
        var parameter: String
        var condition: String
        var keeps: @Sendable (AhrefsV2Refdomain) -> Bool
        var testDescription: String { "\(self.parameter)=\(self.condition)" }
    }

    static let filterCases: [FilterCase] = [
        .init(parameter: "where", condition: "backlinks=1") { $0.backlinks == 1 },
        .init(parameter: "where", condition: "backlinks:1") { $0.backlinks == 1 },
        .init(parameter: "where", condition: "backlinks<>1") { $0.backlinks != 1 },
        .init(parameter: "where", condition: "refpages<3") { $0.refpages < 3 },
        .init(parameter: "where", condition: "refpages<=3") { $0.refpages <= 3 },
        .init(parameter: "where", condition: "backlinks>5") { $0.backlinks > 5 },
        .init(parameter: "where", condition: "backlinks>=5") { $0.backlinks >= 5 },
        .init(parameter: "where", condition: "backlinks>=\"5\"") { $0.backlinks >= 5 },
        .init(parameter: "where", condition: "refdomain<\"m\"") { $0.refdomain < "m" },
        .init(parameter: "where", condition: "first_seen>=\"2025-01-01\"") { $0.firstSeen >= "2025-01-01T00:00:00Z" },
        .init(parameter: "where", condition: "last_visited<\"2026-02-10T12:00:00Z\"") {
            $0.lastVisited < "2026-02-10T12:00:00Z"
        },
        .init(parameter: "where", condition: "ip>=\"128\"") { $0.ip >= "128" },
        .init(parameter: "where", condition: "substring(refdomain,\"blog\")") { $0.refdomain.contains("blog") },
        .init(parameter: "where", condition: "word(refdomain,\"blog\")") {
            $0.refdomain.split(whereSeparator: { !($0.isLetter || $0.isNumber) }).contains("blog")
        },
        .init(parameter: "where", condition: "substring(url,\"/blog\")") { $0.url.contains("/blog") },
        .init(parameter: "where", condition: "subdomain(refdomain,\"com\")") { $0.refdomain.hasSuffix(".com") },
        .init(parameter: "where", condition: "subdomain(url,\"ahrefs.com\")") { _ in true },
        .init(parameter: "having", condition: "domain_rating>=30") { $0.domainRating >= 30 },
        .init(parameter: "having", condition: "domain_rating<30,backlinks>1") {
            $0.domainRating < 30 && $0.backlinks > 1
        },
        .init(parameter: "having", condition: "word(refdomain,\"news\")") {
            $0.refdomain.split(whereSeparator: { !($0.isLetter || $0.isNumber) }).contains("news")
        },
    ]

    @Test(
        "filters rows with each operator and function, like the same predicate over AhrefsV2Data",
        arguments: filterCases)
    func filters(_ filter: FilterCase) async throws {
        try await withSandbox(Self.configuration) { sandbox in
            let expected = Self.rows("ahrefs.com", mode: "subdomains").filter(filter.keeps)
            #expect(!expected.isEmpty)
            let answer = try await callV2(
                sandbox, v2Query(target: "ahrefs.com", mode: "subdomains", [(filter.parameter, filter.condition)]))
            #expect(try answer.v2Rows() == expected.map(V2Row.init))
        }
    }

    @Test("word matches whole words, substring any part, subdomain the domain and its subdomains")
    func functionSemantics() async throws {
        try await withSandbox(Self.configuration) { sandbox in
            let all = Self.rows("ahrefs.com", mode: "subdomains")
            let wordRows = try await callV2(
                sandbox, v2Query(mode: "subdomains", [("where", "word(refdomain,\"blog\")")])
            ).v2Rows()
            let substringRows = try await callV2(
                sandbox, v2Query(mode: "subdomains", [("where", "substring(refdomain,\"BLOG\")")])
            ).v2Rows()
            #expect(wordRows.count < substringRows.count, "techblog.com is a substring match, not a word match")
            #expect(Set(wordRows.compactMap(\.refdomain)).isSubset(of: Set(substringRows.compactMap(\.refdomain))))

            let subdomain = try #require(all.first { $0.refdomain.hasPrefix("blog.") }?.refdomain)
            let parent = String(subdomain.dropFirst("blog.".count))
            let subdomainRows = try await callV2(
                sandbox, v2Query(mode: "subdomains", [("where", "subdomain(refdomain,\"\(parent)\")")])
            ).v2Rows()
            #expect(subdomainRows.map(\.refdomain).contains(subdomain))
            #expect(
                subdomainRows.allSatisfy { $0.refdomain == parent || $0.refdomain?.hasSuffix("." + parent) == true })
        }
    }

    @Test("applies where and having together and charges 11 rows plus the rows returned")
    func whereAndHaving() async throws {
        try await withSandbox(Self.configuration) { sandbox in
            let expected = Self.rows().filter { $0.refpages >= 2 && $0.domainRating <= 50 }
            let answer = try await callV2(
                sandbox, v2Query([("where", "refpages>=2"), ("having", "domain_rating<=50")]))
            #expect(try answer.v2Rows() == expected.map(V2Row.init))
            #expect(sandbox.usage().endpoints["v2"]?.units == 11 + expected.count)
        }
    }

    @Test("orders ascending and descending on two columns, ties in the default order")
    func orderBy() async throws {
        try await withSandbox(Self.configuration) { sandbox in
            let rows = Self.rows()
            let byBacklinksThenName = rows.sorted {
                $0.backlinks != $1.backlinks ? $0.backlinks > $1.backlinks : $0.refdomain < $1.refdomain
            }
            let first = try await callV2(sandbox, v2Query([("order_by", "backlinks:desc,refdomain:asc")]))
            #expect(try first.v2Rows() == byBacklinksThenName.map(V2Row.init))

            let byRatingThenSeen = rows.sorted {
                $0.domainRating != $1.domainRating
                    ? $0.domainRating < $1.domainRating
                    : ($0.firstSeen != $1.firstSeen ? $0.firstSeen > $1.firstSeen : $0.refdomain < $1.refdomain)
            }
            let second = try await callV2(sandbox, v2Query([("order_by", "domain_rating,first_seen:desc")]))
            #expect(try second.v2Rows() == byRatingThenSeen.map(V2Row.init))

            // The default order: domain_rating desc, then refdomain asc.
            #expect(rows == rows.sorted { ($0.domainRating, $1.refdomain) > ($1.domainRating, $0.refdomain) })
        }
    }

    @Test("limit and offset page through the filtered, ordered rows and the pages concatenate to all of them")
    func paging() async throws {
        try await withSandbox(Self.configuration) { sandbox in
            let filter: [(String, String)] = [("where", "backlinks>=2"), ("order_by", "refpages:desc")]
            let all = try await callV2(sandbox, v2Query(filter)).v2Rows()
            #expect(all.count > 25)
            var pages: [V2Row] = []
            var offset = 0
            while true {
                let page = try await callV2(sandbox, v2Query(filter + [("limit", "10"), ("offset", String(offset))]))
                    .v2Rows()
                pages += page
                offset += 10
                if page.count < 10 { break }
            }
            #expect(pages == all)
            let beyond = try await callV2(sandbox, v2Query([("offset", "100000")]))
            #expect(try beyond.v2Rows().isEmpty)
            let none = try await callV2(sandbox, v2Query([("limit", "0")]))
            #expect(try none.v2Rows().isEmpty)
        }
    }

    @Test("limit defaults to 1000, more than any target's rows")
    func defaultLimit() async throws {
        let target = "site33.com"
        let expected = Self.rows(target, mode: "subdomains")
        try #require(expected.count > 400)
        try await withSandbox(Self.configuration) { sandbox in
            let rows = try await callV2(sandbox, v2Query(target: target, mode: "subdomains")).v2Rows()
            #expect(rows == expected.map(V2Row.init))
            let capped = try await callV2(sandbox, v2Query(target: target, mode: "subdomains", [("limit", "400")]))
            #expect(try capped.v2Rows().count == 400)
        }
    }

    @Test("reads conditions URL-encoded exactly as in the seed's examples")
    func seedEncodings() async throws {
        try await withSandbox(Self.configuration) { sandbox in
            let base = v2Query()
            let rows = Self.rows()

            let dates = try await callV2(
                sandbox,
                base + "&limit=1000&output=json"
                    + "&where=last_visited%3E%222026-02-01%22,first_seen%3E%222024-01-01%22&having=backlinks%3E2")
            #expect(
                try dates.v2Rows()
                    == rows.filter {
                        $0.lastVisited > "2026-02-01" && $0.firstSeen > "2024-01-01" && $0.backlinks > 2
                    }.map(V2Row.init))

            let function = try await callV2(sandbox, base + "&where=substring%28url,%22blog%22%29")
            #expect(try function.v2Rows() == rows.filter { $0.url.contains("blog") }.map(V2Row.init))

            let order = try await callV2(sandbox, base + "&order_by=refpages%3Adesc")
            #expect(try order.v2Rows().map(\.refpages) == rows.map(\.refpages).sorted(by: >))

            let name = try #require(rows.last?.refdomain)
            for equals in ["%3D", "%3A", ":"] {
                let exact = try await callV2(sandbox, base + "&where=refdomain\(equals)%22\(name)%22")
                #expect(try exact.v2Rows().map(\.refdomain) == [name], "operator \(equals)")
            }
            let commaInQuotes = try await callV2(sandbox, base + "&where=refdomain%3C%3E%22a,b%22,backlinks%3E0")
            #expect(try commaInQuotes.v2Rows().count == rows.count)
            let plusIsSpace = try await callV2(sandbox, base + "&where=substring(refdomain,%22a+b%22)")
            #expect(try plusIsSpace.v2Rows().isEmpty)
        }
    }

    @Test("reads \\\" and \\\\ escapes inside quoted values")
    func escaping() async throws {
        try await withSandbox(Self.configuration) { sandbox in
            let rows = Self.rows()
            let escaped = try await callV2(sandbox, v2Query([("where", #"refdomain<>"a\"b\\c",backlinks>0"#)]))
            #expect(try escaped.v2Rows().count == rows.count)
            let onlyQuote = try await callV2(sandbox, v2Query([("where", #"substring(refdomain,"\"")"#)]))
            #expect(try onlyQuote.v2Rows().isEmpty)
            let onlyBackslash = try await callV2(sandbox, v2Query([("having", #"refdomain>="\\""#)]))
            #expect(try onlyBackslash.v2Rows().count == rows.filter { $0.refdomain >= "\\" }.count)
        }
    }

    // MARK: - Cost and usage

    @Test("charges 1 + returned rows + 5 for where + 5 for having, and counts one target a request")
    func cost() async throws {
        #expect(AhrefsV2Data.rowsCost(returnedRows: 0, hasWhere: false, hasHaving: false) == 1)
        #expect(AhrefsV2Data.rowsCost(returnedRows: 3, hasWhere: true, hasHaving: false) == 9)
        #expect(AhrefsV2Data.rowsCost(returnedRows: 3, hasWhere: false, hasHaving: true) == 9)
        #expect(AhrefsV2Data.rowsCost(returnedRows: 1000, hasWhere: true, hasHaving: true) == 1011)
        try await withSandbox(Self.configuration) { sandbox in
            _ = try await callV2(sandbox, v2Query([("limit", "3")]))
            _ = try await callV2(sandbox, v2Query([("limit", "3"), ("where", "backlinks>0")]))
            _ = try await callV2(sandbox, v2Query([("limit", "3"), ("having", "backlinks>0")]))
            _ = try await callV2(
                sandbox, v2Query([("limit", "0"), ("where", "backlinks>0"), ("having", "backlinks>0")]))
            _ = try await callV2(sandbox, v2Query([("limit", "3"), ("select", "url")]))
            let usage = sandbox.usage()
            #expect(
                usage.endpoints["v2"]
                    == EndpointUsage(requests: 5, chargedRequests: 4, units: 4 + 9 + 9 + 11, targets: 4))
            #expect(usage.requestLog.map(\.charged) == [true, true, true, true, false])
            #expect(usage.requestLog.allSatisfy { $0.targetCount == 1 && $0.endpoint == "v2" })
        }
    }

    @Test("logs the query as sent with the token redacted, and never the token")
    func tokenNeverLogged() async throws {
        try await withSandbox(Self.configuration) { sandbox in
            sandbox.setFaults([FaultRule(endpoint: "v2", fromRequest: 3, count: 1, status: 503)])
            let served = v2Query([("where", "backlinks>1")])
            _ = try await callV2(sandbox, served)
            _ = try await callV2(sandbox, "from=refdomains&" + Self.token + "&mode=nope&target=a.com")
            _ = try await callV2(sandbox, v2Query())
            let usage = sandbox.usage()
            let log = usage.requestLog
            #expect(log.map(\.status) == [200, 200, 503])
            let redacted = served.replacingOccurrences(
                of: "token=" + SandboxConfiguration.defaultAhrefsV2Token, with: "token=<redacted>")
            #expect(log.first?.query == redacted)
            #expect(log.first?.query?.contains("where=backlinks%3E1") == true)
            #expect(log[1].query == "from=refdomains&token=<redacted>&mode=nope&target=a.com")

            let encoder = JSONEncoder()
            let json = String(decoding: try encoder.encode(usage), as: UTF8.self)
            #expect(!json.contains(SandboxConfiguration.defaultAhrefsV2Token))
            #expect(
                try JSONDecoder().decode(SandboxUsage.self, from: Data(json.utf8)).requestLog.map(\.query)
                    == log.map(\.query))
            let report = try await call(sandbox, "/_sandbox/usage", method: "GET", token: nil, contentType: nil)
            #expect(!report.body.contains(SandboxConfiguration.defaultAhrefsV2Token))
            #expect(report.body.contains(#""query""#))
        }
    }

    // MARK: - Faults

    @Test("an ahrefs_v2_error fault answers HTTP 200 with its error string, uncharged, then serves")
    func v2ErrorFault() async throws {
        try await withSandbox(Self.configuration) { sandbox in
            sandbox.setFaults([
                FaultRule(endpoint: "v2", count: 1, dialect: SimulatedAhrefsV2.Fault(error: "no credit"))
            ])
            let refused = try await callV2(sandbox, v2Query())
            #expect(refused.status == 200)
            #expect(refused.body == #"{"error":"no credit"}"#)
            let served = try await callV2(sandbox, v2Query([("limit", "2")]))
            #expect(try served.v2Rows().count == 2)
            let usage = sandbox.usage()
            #expect(usage.requestLog.map(\.charged) == [false, true])
            #expect(usage.endpoints["v2"] == EndpointUsage(requests: 2, chargedRequests: 1, units: 3, targets: 1))
        }
    }

    @Test("a \"*\" v2 error rule leaves the other providers alone; a plain status rule still works on v2")
    func faultScope() async throws {
        try await withSandbox(Self.configuration) { sandbox in
            sandbox.setFaults([FaultRule(dialect: SimulatedAhrefsV2.Fault(error: "internal error"))])
            let v3 = try await call(sandbox, "/v3/site-explorer/batch/metrics", body: domainBody(["example.com"]))
            #expect(v3.status == 200)
            #expect(try await callV2(sandbox, v2Query()).errorMessage == "internal error")

            sandbox.setFaults([FaultRule(endpoint: "/v2", count: 1, status: 503, retryAfterSeconds: 5)])
            let unavailable = try await callV2(sandbox, v2Query())
            #expect(unavailable.status == 503)
            #expect(unavailable.headers["retry-after"] == "5")
            #expect(unavailable.errorMessage != nil)
            #expect(try await callV2(sandbox, v2Query()).status == 200)
        }
    }

    @Test("the faults control route takes ahrefs_v2_error without a status and refuses an empty one")
    func faultControlRoute() async throws {
        try await withSandbox(Self.configuration) { sandbox in
            let install = try await call(
                sandbox, "/_sandbox/faults", body: #"[{"endpoint":"v2","count":1,"ahrefs_v2_error":"no credit"}]"#,
                token: nil)
            #expect(install.status == 200)
            #expect(install.body.contains(#""ahrefs_v2_error" : "no credit""#))
            #expect(try await callV2(sandbox, v2Query()).errorMessage == "no credit")

            let empty = try await call(sandbox, "/_sandbox/faults", body: #"[{"ahrefs_v2_error":""}]"#, token: nil)
            #expect(empty.status == 400)
            let mixed = try await call(
                sandbox, "/_sandbox/faults", body: #"[{"ahrefs_v2_error":"no credit","dataforseo_status_code":40202}]"#,
                token: nil)
            #expect(mixed.status == 400)
        }
    }
}
