import Foundation
import Providers
import SeopipeCore
import Testing

@Suite("Shared decoding: echoed targets and Retry-After")
struct SharedDecodingTests {
    static func targets(_ pairs: [(original: String, normalized: String)]) -> [Target] {
        pairs.map { Target(original: $0.original, normalized: $0.normalized) }
    }

    @Test("a result echoing a target gets the target's original; unanswered targets are reported, sorted")
    func matchesAndReportsMissing() {
        var echoed = EchoedTargets(
            Self.targets([("https://Moz.com", "moz.com"), ("ahrefs.com", "ahrefs.com"), ("b.com", "b.com")]))
        #expect(echoed.take("moz.com") == Target(original: "https://Moz.com", normalized: "moz.com"))
        #expect(
            echoed.missing == [
                TargetFailure(target: "ahrefs.com", message: "missing from the provider's response"),
                TargetFailure(target: "b.com", message: "missing from the provider's response"),
            ])
    }

    @Test("a second result for the same target, an unknown target and a result without one match nothing")
    func ignoresRepeatsAndStrangers() {
        var echoed = EchoedTargets(Self.targets([("moz.com", "moz.com")]))
        #expect(echoed.take("moz.com") != nil)
        #expect(echoed.take("moz.com") == nil)
        #expect(echoed.take("other.com") == nil)
        #expect(echoed.take(nil) == nil)
        #expect(echoed.missing.isEmpty)
    }

    @Test("two originals that normalize alike are one target, the first original kept")
    func duplicatesKeepTheFirstOriginal() {
        var echoed = EchoedTargets(
            Self.targets([("WWW.Moz.com", "moz.com"), ("moz.com", "moz.com")]), missingMessage: "not answered")
        #expect(echoed.take("moz.com")?.original == "WWW.Moz.com")
        #expect(echoed.missing.isEmpty)
        let untouched = EchoedTargets(Self.targets([("a.com", "a.com")]), missingMessage: "not answered")
        #expect(untouched.missing == [TargetFailure(target: "a.com", message: "not answered")])
    }

    @Test(
        "Retry-After in seconds or as an HTTP date; nonsense is ignored",
        arguments: [
            ("2", Duration.seconds(2)), (" 1.5 ", .milliseconds(1500)), ("Fri, 04 Dec 2026 12:00:30 GMT", .seconds(30)),
            ("Fri, 04 Dec 2026 11:00:00 GMT", .zero), ("-1", nil), ("soon", nil), ("", nil),
        ] as [(String, Duration?)])
    func retryAfter(value: String, expected: Duration?) throws {
        let now = try #require(ISO8601DateFormatter().date(from: "2026-12-04T12:00:00Z"))
        #expect(RetryAfter.parse(value, now: now) == expected)
    }

    @Test("an absurd Retry-After is capped at a day")
    func retryAfterIsCapped() {
        #expect(RetryAfter.parse("99999999") == .seconds(86_400))
        #expect(RetryAfter.parse(nil) == nil)
    }
}
