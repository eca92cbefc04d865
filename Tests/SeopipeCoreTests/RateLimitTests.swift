import SeopipeCore
import Testing

@Suite("Rate limits")
struct RateLimitTests {
    @Test(
        "parses requests per second, minute and hour",
        arguments: [
            ("60/min", 60, Duration.seconds(60)),
            ("2/s", 2, .seconds(1)),
            ("1000/hour", 1_000, .seconds(3_600)),
            ("240/minute", 240, .seconds(60)),
            ("5/sec", 5, .seconds(1)),
            ("10/h", 10, .seconds(3_600)),
            ("60 / MIN", 60, .seconds(60)),
        ])
    func valid(text: String, requests: Int, per: Duration) throws {
        let limit = try #require(RateLimit.parse(text))
        #expect(limit == RateLimit(requests: requests, per: per))
    }

    @Test(
        "refuses what is not a positive whole count per known unit",
        arguments: [
            "", "60", "60/", "/min", "0/min", "-5/min", "1.5/s", "abc/min", "60/day", "60/min/s", "60 per min",
        ])
    func invalid(text: String) {
        #expect(RateLimit.parse(text) == nil)
    }

    @Test("spaces requests evenly: 60/min is one a second, 2/s one every 500 ms, 1000/hour one every 3.6 s")
    func interval() {
        #expect(RateLimit(requests: 60, per: .seconds(60)).interval == .seconds(1))
        #expect(RateLimit(requests: 2, per: .seconds(1)).interval == .milliseconds(500))
        #expect(RateLimit(requests: 1_000, per: .seconds(3_600)).interval == .milliseconds(3_600))
    }

    @Test("writes itself back in the pipeline syntax", arguments: ["60/min", "2/s", "1000/hour"])
    func roundTrip(text: String) throws {
        let limit = try #require(RateLimit.parse(text))
        #expect(limit.description == text)
        #expect(RateLimit.parse(limit.description) == limit)
    }
}

@Suite("Rate schedule")
struct RateScheduleTests {
    let base = ContinuousClock.now

    @Test("gives the first request its own instant and spaces the next ones by the interval")
    func spacing() {
        var schedule = RateSchedule(interval: .seconds(1))
        let slots = (0..<4).map { _ in schedule.reserve(now: base) }
        #expect(slots == [base, base + .seconds(1), base + .seconds(2), base + .seconds(3)])
        #expect(schedule.nextSlot == base + .seconds(4))
    }

    @Test("does not bank unused slots: a caller after a quiet period goes at its own now")
    func noBurstAfterIdle() {
        var schedule = RateSchedule(interval: .seconds(1))
        _ = schedule.reserve(now: base)
        let later = base + .seconds(30)
        #expect(schedule.reserve(now: later) == later)
        #expect(schedule.reserve(now: later) == later + .seconds(1))
    }

    @Test("keeps the spacing from an earlier booking when the caller arrives mid-interval")
    func midInterval() {
        var schedule = RateSchedule(interval: .milliseconds(500))
        _ = schedule.reserve(now: base)
        #expect(schedule.reserve(now: base + .milliseconds(200)) == base + .milliseconds(500))
    }

    @Test("pushes every later slot past the end of a pause, then spaces them again")
    func pause() {
        var schedule = RateSchedule(interval: .seconds(1))
        _ = schedule.reserve(now: base)
        _ = schedule.reserve(now: base)
        schedule.pause(until: base + .seconds(10))
        #expect(schedule.pausedUntil == base + .seconds(10))
        let slots = (0..<3).map { _ in schedule.reserve(now: base + .seconds(2)) }
        #expect(slots == [base + .seconds(10), base + .seconds(11), base + .seconds(12)])
    }

    @Test("holds even the first request of a fresh schedule until a pause ends")
    func pauseBeforeAnyRequest() {
        var schedule = RateSchedule(interval: .seconds(1))
        schedule.pause(until: base + .seconds(5))
        #expect(schedule.reserve(now: base) == base + .seconds(5))
        #expect(schedule.reserve(now: base) == base + .seconds(6))
    }

    @Test("keeps the longer of two overlapping pauses")
    func overlappingPauses() {
        var schedule = RateSchedule(interval: .seconds(1))
        schedule.pause(until: base + .seconds(20))
        schedule.pause(until: base + .seconds(5))
        #expect(schedule.pausedUntil == base + .seconds(20))
        #expect(schedule.reserve(now: base) == base + .seconds(20))
    }

    @Test("leaves slots already beyond a short pause where they are")
    func shortPause() {
        var schedule = RateSchedule(interval: .seconds(10))
        _ = schedule.reserve(now: base)
        schedule.pause(until: base + .seconds(3))
        #expect(schedule.reserve(now: base) == base + .seconds(10))
    }

    @Test("lets requests go at their own instant once a pause is over")
    func afterPause() {
        var schedule = RateSchedule(interval: .seconds(1))
        schedule.pause(until: base + .seconds(5))
        let later = base + .seconds(60)
        #expect(schedule.reserve(now: later) == later)
    }
}
