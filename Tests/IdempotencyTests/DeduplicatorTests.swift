import Idempotency
import ResilienceTesting
import Testing

@Suite struct DeduplicatorTests {
    let clock = ManualClock()

    @Test func dropsDuplicatesWithinTheWindowAndCountsThem() throws {
        var deduplicator = try StreamDeduplicator<String, ManualClock>(clock: clock)
        let ids = ["T1", "T2", "T1", "T3", "T2", "T1"]
        let admitted = deduplicator.admitted(ids) { $0 }
        #expect(admitted == ["T1", "T2", "T3"])
        #expect(deduplicator.statistics.admitted == 3 && deduplicator.statistics.droppedDuplicates == 3)
    }

    /// Remembered for at least the window and at most one bucket (1 h) longer; a duplicate does not extend it.
    @Test func forgetsIdsOnceTheWindowHasPassed() throws {
        var deduplicator = try StreamDeduplicator<String, ManualClock>(clock: clock)
        let r1 = deduplicator.admit("T1")
        #expect(r1)
        clock.advance(by: .seconds(23 * 3600))
        let r2 = deduplicator.admit("T1")
        #expect(!r2)
        clock.advance(by: .seconds(3600 - 1))
        let r3 = deduplicator.admit("T1")
        #expect(!r3, "still inside 24 h of the first sighting")
        clock.advance(by: .seconds(3600 + 1))
        let r4 = deduplicator.admit("T1")
        #expect(r4, "25 h after the first sighting it is new again")
        #expect(deduplicator.trackedCount == 1)
    }

    @Test func memoryStaysBoundedAsTheClockRotates() throws {
        var deduplicator = try StreamDeduplicator<Int, ManualClock>(
            clock: clock, configuration: .init(window: .seconds(600), bucketCount: 10))
        for minute in 0..<120 {
            for index in 0..<100 {
                let r5 = deduplicator.admit(minute * 100 + index)
                #expect(r5)
            }
            clock.advance(by: .seconds(60))
        }
        #expect(deduplicator.trackedCount <= 1100)
        #expect(deduplicator.statistics.admitted == 12_000)
    }

    @Test func hardBoundForgetsTheOldestBucketEarly() throws {
        var deduplicator = try StreamDeduplicator<Int, ManualClock>(
            clock: clock, configuration: .init(window: .seconds(3600), bucketCount: 4, maximumTrackedIDs: 250))
        for index in 0..<400 {
            _ = deduplicator.admit(index)
            if index % 100 == 99 { clock.advance(by: .seconds(900)) }
        }
        #expect(deduplicator.trackedCount <= 250)
        #expect(deduplicator.statistics.forgottenEarly >= 150)
        let r6 = deduplicator.admit(0)
        #expect(r6, "the oldest ids were forgotten early")
        let r7 = deduplicator.admit(399)
        #expect(!r7)
    }

    @Test func rejectsInvalidConfiguration() {
        #expect(throws: IdempotencyError.self) {
            try StreamDeduplicator<Int, ManualClock>(clock: clock, configuration: .init(window: .zero))
        }
        #expect(throws: IdempotencyError.self) {
            try StreamDeduplicator<Int, ManualClock>(clock: clock, configuration: .init(bucketCount: 0))
        }
    }

    @Test func keepsTheLatestEventPerID() throws {
        var latest = try LatestEventDeduplicator<String, Int, ManualClock>(clock: clock)
        let r8 = latest.admit("T1", eventTime: 10)
        #expect(r8 == .first)
        let r9 = latest.admit("T1", eventTime: 10)
        #expect(r9 == .stale)
        let r10 = latest.admit("T1", eventTime: 5)
        #expect(r10 == .stale)
        let r11 = latest.admit("T1", eventTime: 11)
        #expect(r11 == .newer)
        let r12 = latest.admit("T2", eventTime: 1)
        #expect(r12 == .first)
        let statistics = latest.statistics
        #expect(statistics.first == 2 && statistics.newer == 1 && statistics.droppedStale == 2)
    }

    @Test func keepLatestOnABatch() {
        let batch = [("T1", 1), ("T2", 5), ("T1", 3), ("T3", 2), ("T2", 4), ("T1", 3)]
        let (kept, dropped) = LatestEventDeduplicator<String, Int, ManualClock>.keepLatest(
            batch, id: { $0.0 }, eventTime: { $0.1 })
        #expect(kept.map { "\($0.0)@\($0.1)" } == ["T2@5", "T1@3", "T3@2"])
        #expect(dropped == 3)
    }
}
