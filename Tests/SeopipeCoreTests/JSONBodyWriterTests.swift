import Foundation
import Testing

@testable import SeopipeCore

/// Request bodies are written by hand (issue 16), but their bytes are the checkpoint keys of committed chunks:
/// they must be exactly what `JSONSerialization` wrote before, or a resumed run would buy those chunks again.
@Suite("JSON request bodies")
struct JSONBodyWriterTests {
    static let options: JSONSerialization.WritingOptions = [.sortedKeys, .withoutEscapingSlashes]

    func foundation(_ value: Any) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: value, options: Self.options), as: UTF8.self)
    }

    func written(_ value: Any) throws -> String {
        String(decoding: try #require(JSONBodyWriter.serialize(value)), as: UTF8.self)
    }

    /// Every ASCII character, a few multi-byte ones, and combining marks, alone and in text.
    static let strings: [String] =
        (0..<128).map { String(UnicodeScalar(UInt8($0))) }
        + [
            "", "https://example.com/a b?q=\"x\"&y=\\z", "caf\u{E9}", "cafe\u{301}", "\u{2028}\u{2029}", "\u{FEFF}x",
            "日本語", "😀 emoji", "tab\there\nnewline\r\u{0}\u{1F}\u{7F}",
        ]

    @Test("every ASCII character and some Unicode: the same bytes as JSONSerialization, in a list and as values")
    func strings() throws {
        #expect(try written(Self.strings) == (try foundation(Self.strings)))
        for string in Self.strings {
            let object: [String: String] = ["k": string]
            #expect(try written(object) == (try foundation(object)), "\(Array(string.unicodeScalars))")
        }
    }

    @Test("the bodies the providers send: nested objects, lists of objects, integers, booleans, null")
    func providerShapes() throws {
        let ahrefs: [String: any Sendable] = [
            "targets": (0..<100).map {
                ["url": "site\($0).example.com/path?x=1", "mode": "subdomains", "protocol": "both"]
            },
            "select": ["index", "url", "mode", "protocol", "domain_rating"],
            "country": "us",
        ]
        let dataForSEO: [[String: any Sendable]] = [
            [
                "targets": ["a.example", "https://b.example/"], "tag": "pages#1", "include_subdomains": true,
                "rank_scale": "one_hundred",
            ]
        ]
        let analytics: [String: Any] = [
            "queries": [
                ["id": "q1", "endpoint": "/v1/x", "params": ["page": 2, "site": "a.example", "limit": -1]]
                    as [String: Any],
                ["id": "q2", "depends_on": ["q1"], "params": [:] as [String: Any], "none": NSNull()],
            ],
            "options": ["fail_fast": false, "parallel_limit": 5, "include_timing": true] as [String: Any],
        ]
        for body in [ahrefs, dataForSEO, analytics] as [Any] {
            #expect(try written(body) == (try foundation(body)))
        }
    }

    @Test("keys of lowercase letters and underscores sort as JSONSerialization sorts them; other keys step aside")
    func keyOrder() throws {
        // Every key of up to 3 characters over a, b, z and _: all their prefix and underscore orderings.
        let alphabet = ["a", "b", "z", "_"]
        var keys = alphabet
        for _ in 0..<2 { keys += keys.flatMap { key in alphabet.map { key + $0 } } }
        keys.append("")
        let object = Dictionary(keys.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        #expect(object.count > 80)
        #expect(try written(object) == (try foundation(object)))
        // Foundation sorts these as people read them (`a2` before `a10`, `A` next to `a`), not by their bytes.
        for key in ["a1", "a10", "A", "aB", "a-b", "caf\u{E9}"] {
            #expect(JSONBodyWriter.serialize(["b": 1, key: 2]) == nil, "\(key)")
        }
        let body = try ProviderRequest.jsonPOST(
            baseURL: "http://127.0.0.1:1", path: "x", body: ["a10": 1, "a2": 2, "a_b": 3],
            credential: ("Authorization", "Bearer t")
        ).http.body
        #expect(String(decoding: body, as: UTF8.self) == (try foundation(["a10": 1, "a2": 2, "a_b": 3])))
    }

    @Test("a value it does not write (a Double, an NSNumber) makes it step aside for JSONSerialization")
    func fallback() throws {
        #expect(JSONBodyWriter.serialize(["x": 1.5]) == nil)
        #expect(JSONBodyWriter.serialize([NSNumber(value: 3)]) == nil)
        #expect(JSONBodyWriter.serialize(["a": ["b": [0.25]]] as [String: Any]) == nil)
        #expect(JSONBodyWriter.serialize(["a": ["b": [1, true]]] as [String: Any]) != nil)
    }

    @Test("a JSON POST hashes the same bytes it sends")
    func requestHash() throws {
        let body: [String: any Sendable] = ["targets": ["a.example"], "tag": "s#1"]
        let request = try ProviderRequest.jsonPOST(
            baseURL: "http://127.0.0.1:1", path: "v3/x", body: body, credential: ("Authorization", "Bearer t"))
        let expected = Array(try JSONSerialization.data(withJSONObject: body, options: Self.options))
        #expect(request.http.body == expected)
        #expect(request.requestHash == StableHash.fnv1a64Hex(Array("POST v3/x\n".utf8) + expected))
    }
}
