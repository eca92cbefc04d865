import Foundation
import Testing

@testable import SeopipeCore

/// The answer parser (issue 16): what JSONSerialization accepts it reads to the same values, what RFC 8259 refuses
/// it refuses with a position.
@Suite("JSON answers")
struct JSONValueTests {
    func parse(_ text: String) throws -> JSONValue { try JSONValue.parse(Array(text.utf8)) }

    /// The same value in JSONSerialization's terms, for comparison.
    func foundation(_ value: JSONValue) -> NSObject {
        switch value {
        case .null: NSNull()
        case .bool(let bool): NSNumber(value: bool)
        case .integer(let int): NSNumber(value: int)
        case .double(let double): NSNumber(value: double)
        case .string(let string): NSString(string: string)
        case .array(let elements): NSArray(array: elements.map(foundation))
        case .object(let members):
            NSDictionary(
                dictionary: Dictionary(members.map { ($0.key, foundation($0.value)) }, uniquingKeysWith: { a, _ in a }))
        }
    }

    @Test("values, nesting, whitespace and member order as written")
    func values() throws {
        let value = try parse(#" { "b" : [1, -2, 3.5, -0.25e2, 1E3, true, false, null, "x"], "a": {}, "c": [] } "#)
        #expect(
            value
                == .object([
                    JSONMember(
                        key: "b",
                        value: .array([
                            .integer(1), .integer(-2), .double(3.5), .double(-25), .double(1000), .bool(true),
                            .bool(false), .null, .string("x"),
                        ])),
                    JSONMember(key: "a", value: .object([])), JSONMember(key: "c", value: .array([])),
                ]))
        #expect(value["a"] == .object([]))
        #expect(value["missing"] == nil)
        #expect(JSONValue.integer(1)["a"] == nil)
    }

    @Test("integers keep 64 bits; longer literals become doubles")
    func integers() throws {
        #expect(try parse("9223372036854775807") == .integer(Int64.max))
        #expect(try parse("-9223372036854775808") == .integer(Int64.min))
        #expect(try parse("123456789012345678") == .integer(123_456_789_012_345_678))
        #expect(try parse("9223372036854775808") == .double(9_223_372_036_854_775_808))
        #expect(try parse("0") == .integer(0))
        #expect(try parse("-0") == .integer(0))
        #expect(try parse("12.0") == .double(12))
    }

    @Test("strings: escapes, surrogate pairs, raw UTF-8, the same as JSONSerialization reads them")
    func strings() throws {
        let texts = [
            #""plain""#, #""a\"b\\c\/d\b\f\n\r\t""#, #""\u00e9\u0041\u20AC""#, #""\ud83d\ude00 emoji""#,
            "\"caf\u{E9} 日本語 😀\"", #""""#, #""mixed \u0000 zero""#,
        ]
        for text in texts {
            let parsed = try parse("[\(text)]")
            let expected = try JSONSerialization.jsonObject(with: Data("[\(text)]".utf8)) as! NSArray
            #expect(foundation(parsed) == expected, "\(text)")
        }
    }

    @Test("a DataForSEO-sized answer reads as JSONSerialization reads it")
    func largeAnswer() throws {
        let items = (0..<500).map { index in
            """
            {"url":"https://site\(index).example/p?q=\\"x\\"","rank":\(index),"first_seen":"2024-01-0\(index % 9 + 1) 10:00:00 +00:00",\
            "referring_links_tld":{"com":\(index * 3),"":1,"org":2.0},"lost_date":null,"ok":true,"share":0.\(index)}
            """
        }
        let text =
            #"{"status_code":20000,"tasks":[{"cost":0.0203,"result":[{"items":["# + items.joined(separator: ",")
            + "]}]}]}"
        let parsed = try parse(text)
        let expected = try JSONSerialization.jsonObject(with: Data(text.utf8)) as! NSDictionary
        #expect(foundation(parsed) == expected)
    }

    @Test(
        "refuses what RFC 8259 refuses, with the byte where it went wrong",
        arguments: [
            ("", 0), ("[1,]", 3), ("{\"a\" 1}", 5), ("{a:1}", 1), ("[01]", 1), ("[1.]", 3), ("[1e]", 3), ("-", 1),
            ("[tru]", 1), ("\"open", 0), ("[\"\\x\"]", 4), ("[\"\\u12\"]", 6), ("[\"\\ud800\"]", 8),
            ("[\"a\u{1}\"]", 3),
            ("[1] 2", 4), ("[", 1), ("{\"a\":1", 6), ("[NaN]", 1),
        ])
    func refusals(text: String, offset: Int) throws {
        let error = #expect(throws: JSONParseError.self) { try parse(text) }
        #expect(error?.offset == offset, "\(text): \(String(describing: error))")
        // Foundation refuses these too, but for a trailing comma, which it reads leniently.
        if text != "[1,]" { #expect((try? JSONSerialization.jsonObject(with: Data(text.utf8))) == nil) }
    }

    @Test("invalid UTF-8 in a string is refused, and nesting has a limit instead of a stack overflow")
    func limits() throws {
        #expect(throws: JSONParseError.self) { try JSONValue.parse([0x22, 0x63, 0xE9, 0x22]) }
        #expect(throws: JSONParseError.self) {
            try JSONValue.parse(Array(String(repeating: "[", count: 100_000).utf8))
        }
        let deep = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        #expect(try parse(deep) != .null)
    }
    /// The same tree without the named members, at every depth.
    func removing(_ keys: [String], from value: JSONValue) -> JSONValue {
        switch value {
        case .object(let members):
            .object(
                members.filter { !keys.contains($0.key) }.map {
                    .init(key: $0.key, value: removing(keys, from: $0.value))
                }
            )
        case .array(let elements): .array(elements.map { removing(keys, from: $0) })
        default: value
        }
    }

    @Test("skipping members: the tree without them, at any depth, from the same bytes")
    func skipping() throws {
        let texts = [
            #"{"status_code":20000,"tasks":[{"status_code":20000,"data":{"targets":["a","b\"c"]},"result":[{"items":[{"x":1.5e3,"y":null,"z":[true,false,{}],"s":"caf\u00e9 \ud83d\ude00"}]}]}]}"#,
            #"{"result":[],"data":{},"keep":"x"}"#,
            #"[{"result":"only"},{"nested":{"result":{"deep":[[[]]]},"kept":-0.5}}]"#,
            #"{"result" : [ 1 , 2 ] , "status_code" : "40501"}"#,
        ]
        for text in texts {
            let full = try parse(text)
            let skipped = try JSONValue.parse(Array(text.utf8), skipping: ["result", "data"])
            #expect(skipped == removing(["result", "data"], from: full), "\(text)")
            #expect(skipped != full)
        }
    }

    @Test(
        "skipping members still refuses what is not JSON inside them",
        arguments: [
            #"{"result":[1,}"#, "{\"result\":\"a\u{1}\"}", #"{"result":tru}"#, #"{"result":{"a" 1}}"#,
            #"{"result":"\x"}"#, #"{"result":"\u12"}"#, #"{"result":[01]}"#, #"{"result":"open}"#, #"{"result":[}"#,
            #"{"result":{}} x"#,
        ])
    func skippingRefusals(text: String) {
        #expect(throws: JSONParseError.self) { try JSONValue.parse(Array(text.utf8), skipping: ["result"]) }
        #expect((try? JSONSerialization.jsonObject(with: Data(text.utf8))) == nil)
    }
}

extension JSONValueTests {
    @Test(
        "jsonText writes compact JSON that parses back to the same value",
        arguments: [
            #"{"a":1,"b":[true,false,null],"c":{"d":"e\"\\\n\u0001é/"},"f":-0.5,"g":1e-05,"h":12345678901234}"#,
            #"[]"#, #"{}"#, #""text""#, #"9223372036854775807"#, #"1.7976931348623157e308"#,
        ])
    func jsonTextRoundTrips(text: String) throws {
        let value = try parse(text)
        #expect(try parse(value.jsonText) == value)
        #expect(!value.jsonText.contains(" "))
    }
}
