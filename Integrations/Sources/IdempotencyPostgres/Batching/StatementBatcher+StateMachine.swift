extension StatementBatcher {
    /// The batcher's queue without its side effects: which requests wait, which go into the next batch, and how
    /// many flushers run.
    ///
    /// A batch takes waiting requests in arrival order, at most ``maximumBatchSize`` of them and at most one per
    /// key (a statement may change a row only once); a request whose key is already in the batch keeps its place
    /// for the next one.
    struct StateMachine {
        struct Entry {
            var id: Int
            var key: [UInt8]
            var request: Request
        }

        let maximumBatchSize: Int
        let maximumFlushers: Int
        private(set) var waiting: [Entry] = []
        private(set) var flushers = 0

        init(maximumBatchSize: Int, maximumFlushers: Int) {
            precondition(maximumBatchSize >= 1 && maximumFlushers >= 1)
            self.maximumBatchSize = maximumBatchSize
            self.maximumFlushers = maximumFlushers
        }

        /// Queues a request; returns whether the caller must start a flusher (fewer than the maximum run).
        mutating func submit(id: Int, key: [UInt8], request: Request) -> Bool {
            waiting.append(Entry(id: id, key: key, request: request))
            guard flushers < maximumFlushers else { return false }
            flushers += 1
            return true
        }

        /// The next batch for a flusher, or nil when nothing waits (the flusher then stops).
        mutating func nextBatch() -> [Entry]? {
            guard !waiting.isEmpty else {
                flushers -= 1
                return nil
            }
            var keys = Set<[UInt8]>()
            var batch: [Entry] = []
            var rest: [Entry] = []
            for entry in waiting {
                if batch.count < maximumBatchSize, keys.insert(entry.key).inserted {
                    batch.append(entry)
                } else {
                    rest.append(entry)
                }
            }
            waiting = rest
            return batch
        }

        /// Removes a request that has not gone into a batch yet; returns whether it was waiting.
        mutating func cancel(id: Int) -> Bool {
            guard let index = waiting.firstIndex(where: { $0.id == id }) else { return false }
            waiting.remove(at: index)
            return true
        }
    }
}
