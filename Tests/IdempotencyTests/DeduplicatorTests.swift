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
            configuration: .init(window: .seconds(600), bucketCount: 10), clock: clock)
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
            configuration: .init(window: .seconds(3600), bucketCount: 4, maximumTrackedIDs: 250), clock: clock)
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
            try StreamDeduplicator<Int, ManualClock>(configuration: .init(window: .zero), clock: clock)
        }
        #expect(throws: IdempotencyError.self) {
            try StreamDeduplicator<Int, ManualClock>(configuration: .init(bucketCount: 0), clock: clock)
        }
    }

    @Test func keepsTheLatestEventPerID() throws {
        var latest = try LatestEventDeduplicator<String, Int, ManualClock>(clock: clock)
        let r8 = latest.admit("T1", eventTime: 10)
        #expect(r8 == .first)
        let r9 = latest.admit("T1", eventTime: 10)
        #expect(r9 == .newer, "an equal time: the later arrival wins")
        let r10 = latest.admit("T1", eventTime: 5)
        #expect(r10 == .stale)
        let r11 = latest.admit("T1", eventTime: 11)
        #expect(r11 == .newer)
        let r12 = latest.admit("T1", eventTime: 10)
        #expect(r12 == .stale, "older than the latest (11)")
        let r13 = latest.admit("T2", eventTime: 1)
        #expect(r13 == .first)
        let statistics = latest.statistics
        #expect(statistics.first == 2 && statistics.newer == 2 && statistics.droppedStale == 2)
    }

    @Test func keepLatestOnABatchBreaksTiesToTheLaterRecord() {
        let batch = [
            ("T1", 1, "a"), ("T2", 5, "b"), ("T1", 3, "c"), ("T3", 2, "d"), ("T2", 4, "e"), ("T1", 3, "f"),
            ("T3", 2, "g"),
        ]
        let (kept, dropped) = LatestEventDeduplicator<String, Int, ManualClock>.keepLatest(
            batch, id: { $0.0 }, eventTime: { $0.1 })
        #expect(kept.map { "\($0.0)@\($0.1)\($0.2)" } == ["T2@5b", "T1@3f", "T3@2g"])
        #expect(dropped == 4)
    }

    static let precomposed = "TR-caf\u{E9}"  // é as U+00E9
    static let decomposed = "TR-cafe\u{301}"  // e + U+0301 COMBINING ACUTE ACCENT

    @Test func canonicallyEquivalentIdsWithDifferentBytesAreDifferentIds() throws {
        #expect(Self.precomposed == Self.decomposed, "Swift's String == would merge them")
        #expect(!Self.precomposed.utf8.elementsEqual(Self.decomposed.utf8))

        var latest = try LatestEventDeduplicator<String, Int, ManualClock>(clock: clock)
        let first = latest.admit(Self.precomposed, eventTime: 10)
        let second = latest.admit(Self.decomposed, eventTime: 5)
        #expect(first == .first && second == .first, "an older time under another id is not stale")
        let again = latest.admit(Self.decomposed, eventTime: 4)
        #expect(again == .stale)

        var stream = try StreamDeduplicator<String, ManualClock>(clock: clock)
        #expect(stream.admitted([Self.precomposed, Self.decomposed, Self.precomposed]) { $0 }.count == 2)
        #expect(stream.trackedCount == 2 && stream.statistics.droppedDuplicates == 1)

        var substrings = try StreamDeduplicator<Substring, ManualClock>(clock: clock)
        let ids = [Self.precomposed.dropFirst(3), Self.decomposed.dropFirst(3), Self.decomposed.dropFirst(3)]
        #expect(substrings.admitted(ids) { $0 }.count == 2)

        let (kept, dropped) = LatestEventDeduplicator<String, Int, ManualClock>.keepLatest(
            [(Self.precomposed, 1), (Self.decomposed, 1)], id: { $0.0 }, eventTime: { $0.1 })
        #expect(kept.count == 2 && dropped == 0)
    }
}
