/// Ids remembered for a window of time in rotating time buckets: the memory behind ``StreamDeduplicator``
/// and ``LatestEventDeduplicator``.
///
/// The window is cut into `bucketCount` buckets of `window / bucketCount`. An id lives in the bucket of the
/// moment it was last *touched*; when the clock enters a new bucket, buckets older than the window are
/// dropped whole. An id is therefore remembered for at least `window` and at most `window` plus one bucket.
struct WindowedIDMemory<ID: Hashable, Value> {
    private(set) var values: [ID: (value: Value, epoch: Int64)] = [:]
    private var buckets: [[ID]]
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

    func value(for id: ID) -> Value? { values[id]?.value }

    /// Remembers `id` with `value` in the current bucket.
    mutating func touch(_ id: ID, value: Value) {
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
