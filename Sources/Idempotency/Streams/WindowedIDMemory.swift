/// Ids remembered for a window of time in rotating time buckets: the memory behind ``StreamDeduplicator``
/// and ``LatestEventDeduplicator``.
///
/// The window is cut into `bucketCount` buckets of `window / bucketCount`. An id lives in the bucket of the
/// moment it was last *touched*; when the clock enters a new bucket, buckets older than the window are
/// dropped whole. An id is therefore remembered for at least `window` and at most `window` plus one bucket.
///
/// Ids are held as ``ExactID``s, so `String` ids compare by their bytes.
struct WindowedIDMemory<ID: Hashable, Value> {
    private(set) var values: [ExactID<ID>: (value: Value, epoch: Int64)] = [:]
    private var buckets: [[ExactID<ID>]]
    private let bucketNanoseconds: Int64
    private let origin: Int64
    private var currentEpoch: Int64 = 0
    private let maximumCount: Int
    /// Ids forgotten before their window ended because the memory was full.
    private(set) var forgottenEarly = 0

    init(window: Duration, bucketCount: Int, maximumCount: Int, originNanoseconds: Int64) {
        buckets = Array(repeating: [], count: bucketCount + 1)
        bucketNanoseconds = max(1, window.clampedNanoseconds / Int64(bucketCount))
        origin = originNanoseconds
        self.maximumCount = maximumCount
    }

    /// Moves to the bucket of `nanoseconds` (time since the origin), dropping buckets that left the window.
    mutating func rotate(to nanoseconds: Int64) {
        let epoch = max(0, (nanoseconds - origin) / bucketNanoseconds)
        guard epoch > currentEpoch else { return }
        let steps = min(epoch - currentEpoch, Int64(buckets.count))
        for step in 1...steps {
            // The slot the new epoch reuses holds the epoch `buckets.count` earlier: out of the window.
            dropBucket(at: slot(currentEpoch + step))
        }
        currentEpoch = epoch
    }

    func value(for id: ID) -> Value? { values[ExactID(id)]?.value }

    /// Remembers `id` with `value` in the current bucket.
    mutating func touch(_ id: ID, value: Value) {
        let id = ExactID(id)
        let isNew = values.updateValue((value, currentEpoch), forKey: id) == nil
        buckets[slot(currentEpoch)].append(id)
        if isNew, values.count > maximumCount { forgetOldest() }
    }

    private func slot(_ epoch: Int64) -> Int { Int(epoch % Int64(buckets.count)) }

    private mutating func dropBucket(at slot: Int) {
        for id in buckets[slot] {
            // An id touched again later sits in a newer bucket too; only its newest touch counts.
            if let entry = values[id], slot == self.slot(entry.epoch) { values[id] = nil }
        }
        buckets[slot] = []
    }

    private mutating func forgetOldest() {
        for age in stride(from: buckets.count - 1, through: 0, by: -1) {
            let epoch = currentEpoch - Int64(age)
            guard epoch >= 0 else { continue }
            let slot = self.slot(epoch)
            guard !buckets[slot].isEmpty else { continue }
            let before = values.count
            dropBucket(at: slot)
            forgottenEarly += before - values.count
            if values.count <= maximumCount { return }
        }
    }
}

extension WindowedIDMemory: Sendable where ID: Sendable, Value: Sendable {}

/// A ``WindowedIDMemory`` that rotates on a clock: the state and the validated set-up both de-duplicators
/// share.
struct ClockedIDMemory<ID: Hashable, Value, C: Clock> where C.Duration == Duration {
    private let clock: C
    private let origin: C.Instant
    private(set) var memory: WindowedIDMemory<ID, Value>

    /// - Throws: ``IdempotencyError/Code/invalidArgument`` for a non-positive window, bucket count or bound.
    init(clock: C, window: Duration, bucketCount: Int, maximumTrackedIDs: Int) throws(IdempotencyError) {
        try IdempotencyRules.checkPositive(window, "window")
        guard bucketCount >= 1, maximumTrackedIDs >= 1 else {
            throw IdempotencyError(
                code: .invalidArgument, message: "bucketCount and maximumTrackedIDs must be at least 1")
        }
        self.clock = clock
        origin = clock.now
        memory = WindowedIDMemory(
            window: window, bucketCount: bucketCount, maximumCount: maximumTrackedIDs, originNanoseconds: 0)
    }

    /// Rotates to the clock's now and returns the value remembered for `id`, if any.
    mutating func lookUp(_ id: ID) -> Value? {
        memory.rotate(to: origin.duration(to: clock.now).clampedNanoseconds)
        return memory.value(for: id)
    }

    /// Remembers `id` with `value` in the current bucket.
    mutating func touch(_ id: ID, value: Value) { memory.touch(id, value: value) }
}

extension ClockedIDMemory: Sendable where ID: Sendable, Value: Sendable {}

/// An id compared exactly: a `String` or `Substring` id by its UTF-8 bytes, any other id by its own `==`.
///
/// Swift's `==` on strings is canonical equivalence: `"é"` as one scalar (U+00E9) equals `"e"` followed by a
/// combining acute accent (U+0065 U+0301). Trade ids are opaque bytes, and two different byte sequences are two
/// different trades, so the de-duplicators compare them as bytes, as TradeFrame does.
struct ExactID<ID: Hashable>: Hashable {
    let id: ID

    init(_ id: ID) { self.id = id }

    static func == (lhs: ExactID, rhs: ExactID) -> Bool {
        if let left = lhs.id as? String, let right = rhs.id as? String { return left.utf8.elementsEqual(right.utf8) }
        if let left = lhs.id as? Substring, let right = rhs.id as? Substring {
            return left.utf8.elementsEqual(right.utf8)
        }
        return lhs.id == rhs.id
    }

    func hash(into hasher: inout Hasher) {
        if var text = id as? String {
            text.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        } else if let text = id as? Substring {
            var copy = String(text)
            copy.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        } else {
            hasher.combine(id)
        }
    }
}

extension ExactID: Sendable where ID: Sendable {}
