import SeopipeCore
import Testing

@Suite("Retry backoff")
struct RetryPolicyTests {
    let policy = RetryPolicy(
        maxAttempts: 5, baseDelay: .seconds(1), maxDelay: .seconds(60), maxRetryAfter: .seconds(60))

    @Test(
        "waits between half and all of base x 2^(attempt-1): jitter 0 gives half, jitter near 1 the whole",
        arguments: [
            (1, Duration.seconds(1)), (2, .seconds(2)), (3, .seconds(4)), (4, .seconds(8)), (6, .seconds(32)),
        ])
    func exponential(attempt: Int, ceiling: Duration) {
        #expect(policy.delay(afterAttempt: attempt, jitter: 0) == ceiling / 2)
        #expect(policy.delay(afterAttempt: attempt, jitter: 1) == ceiling)
        let nearlyFull = policy.delay(afterAttempt: attempt, jitter: 0.999_999)
        #expect(nearlyFull <= ceiling)
        #expect(nearlyFull >= ceiling * 0.999)
        #expect(policy.delay(afterAttempt: attempt, jitter: 0.5) == ceiling * 0.75)
    }

    @Test("keeps every jittered delay within [half, whole] of the ceiling and grows with the jitter")
    func jitterBounds() {
        for attempt in 1...8 {
            let ceiling = min(Duration.seconds(60), .seconds(1) * (1 << (attempt - 1)))
            var previous = Duration.zero
            for step in 0..<20 {
                let delay = policy.delay(afterAttempt: attempt, jitter: Double(step) / 20)
                #expect(delay >= ceiling / 2 && delay <= ceiling)
                #expect(delay >= previous)
                previous = delay
            }
        }
    }

    @Test("doubles the delay from one attempt to the next at the same jitter")
    func doubling() {
        for attempt in 1...5 {
            #expect(
                policy.delay(afterAttempt: attempt + 1, jitter: 0.3) == policy.delay(afterAttempt: attempt, jitter: 0.3)
                    * 2)
        }
    }

    @Test("caps the delay at maxDelay however many attempts failed", arguments: [7, 10, 31, 64, 1_000])
    func capped(attempt: Int) {
        #expect(policy.delay(afterAttempt: attempt, jitter: 1) == .seconds(60))
        #expect(policy.delay(afterAttempt: attempt, jitter: 0) == .seconds(30))
    }

    @Test("clamps jitter outside 0..<1 instead of going below half or above the ceiling")
    func clampsJitter() {
        #expect(policy.delay(afterAttempt: 2, jitter: -3) == .seconds(1))
        #expect(policy.delay(afterAttempt: 2, jitter: 7) == .seconds(2))
    }

    @Test("waits exactly the Retry-After the server asked for, whatever the jitter")
    func retryAfter() {
        #expect(policy.delay(afterAttempt: 1, retryAfter: .seconds(7), jitter: 0) == .seconds(7))
        #expect(policy.delay(afterAttempt: 1, retryAfter: .seconds(7), jitter: 0.9) == .seconds(7))
        // Even when it is longer than the exponential ceiling of that attempt.
        #expect(policy.delay(afterAttempt: 1, retryAfter: .seconds(45), jitter: 0) == .seconds(45))
    }

    @Test("caps Retry-After at maxRetryAfter so a night run cannot stall")
    func retryAfterCapped() {
        #expect(policy.delay(afterAttempt: 1, retryAfter: .seconds(3_600), jitter: 0) == .seconds(60))
        let strict = RetryPolicy(maxRetryAfter: .seconds(10))
        #expect(strict.delay(afterAttempt: 3, retryAfter: .seconds(11), jitter: 0.5) == .seconds(10))
    }

    @Test("treats a negative Retry-After as no wait")
    func negativeRetryAfter() {
        #expect(policy.delay(afterAttempt: 1, retryAfter: .seconds(-5), jitter: 0.5) == .zero)
    }
}

@Suite("Duration parsing")
struct DurationParseTests {
    @Test(
        "parses ms, s, m, h and bare seconds",
        arguments: [
            ("250ms", Duration.milliseconds(250)),
            ("1s", .seconds(1)),
            ("1.5s", .milliseconds(1_500)),
            ("2m", .seconds(120)),
            ("1h", .seconds(3_600)),
            ("3", .seconds(3)),
            ("0.25", .milliseconds(250)),
            ("0s", .zero),
            (" 60s ", .seconds(60)),
        ])
    func valid(text: String, expected: Duration) {
        #expect(Duration.parse(text) == expected)
    }

    @Test(
        "refuses what is not a non-negative duration",
        arguments: [
            "", "abc", "s", "ms", "-1s", "-3", "1x", "1 s", "5min", "1d", "one second", "1s2",
        ])
    func invalid(text: String) {
        #expect(Duration.parse(text) == nil)
    }

    @Test("reports seconds as a Double")
    func seconds() {
        #expect(Duration.milliseconds(1_500).seconds == 1.5)
        #expect(Duration.seconds(120).seconds == 120)
    }

    @Test("refuses an infinite or huge duration instead of crashing")
    func hugeValues() {
        // A conversion with Int64(...) would trap on infinity and on values beyond Int64.
        #expect(Duration.parse("inf") == nil)
        #expect(Duration.parse("1e30s") == nil)
        #expect(Duration.parse("nan") == nil)
        #expect(Duration.parse("-1s") == nil)
    }
}
