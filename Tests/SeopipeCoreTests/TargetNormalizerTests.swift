import Foundation
import Testing

@testable import SeopipeCore

/// The byte-level fast paths of target normalization (issue 16) answer exactly as the Unicode-aware general path.
@Suite("Target normalization fast paths")
struct TargetNormalizerTests {
    static let domains = [
        "example.com", "Example.COM", "  example.com\t", "https://Example.com/", "http://example.com//",
        "example.com.", "www.example.com", "WWW.Example.com", "sub.www.example.com", "a-b.example.co.uk", "-bad.com",
        "bad-.com", "under_score.com", "localhost", "", "   ", "https://", "example.com/page", "example.com?q=1",
        "exa mple.com", "example..com", ".example.com", String(repeating: "a", count: 64) + ".com",
        String(repeating: "a", count: 63) + ".com", String(repeating: "abcdefgh.", count: 30) + "com", "123.45",
        "xn--bcher-kva.example", "https://www.example.com", "\u{0B}example.com\u{0C}", "ex\u{7F}ample.com",
    ]

    @Test("ASCII domains normalize on their bytes exactly as the general path does", arguments: [false, true])
    func asciiDomainsAgree(stripWWW: Bool) {
        // Every listed case, and each with random bytes of trouble added.
        var generator = SystemRandomNumberGenerator()
        let noise = Array(" \t\r\n/.?-_:wW".utf8)
        var inputs = Self.domains
        for base in Self.domains {
            for _ in 0..<20 {
                var bytes = Array(base.utf8)
                let at = bytes.isEmpty ? 0 : Int.random(in: 0...bytes.count, using: &generator)
                bytes.insert(noise.randomElement(using: &generator)!, at: at)
                inputs.append(String(decoding: bytes, as: UTF8.self))
            }
        }
        for input in inputs {
            let fast = TargetNormalizer.asciiDomain(input, stripWWW: stripWWW)
            #expect(fast != nil, "ASCII takes the fast path: \(input)")
            #expect(
                describe(fast) == describe(TargetNormalizer.generalDomain(input, stripWWW: stripWWW)),
                "\(input.debugDescription)")
        }
        #expect(
            TargetNormalizer.asciiDomain("bücher.example", stripWWW: stripWWW) == nil, "non-ASCII goes the long way")
    }

    @Test("trimmed and contains answer as Foundation's trimming and String.contains")
    func trimmedAndContains() {
        for text in [
            "", " ", "a", " a ", "\t\na b\r\n", "\u{A0}x\u{A0}", " \u{A0}x", "x\u{2028}", "https://a/b", ":", ":/",
            "::/", ":/:/", "a:://", "x:/", "://",
        ] {
            #expect(TargetNormalizer.trimmed(text) == text.trimmingCharacters(in: .whitespacesAndNewlines))
            #expect(TargetNormalizer.contains(text, "://") == text.contains("://"))
            #expect(TargetNormalizer.contains(text, "a") == text.contains("a"))
        }
    }

    func describe(_ result: Result<String, TargetFailure>?) -> String {
        switch result {
        case .success(let text): "ok \(text)"
        case .failure(let failure): "refused \(failure.target): \(failure.message)"
        case nil: "nil"
        }
    }
}
