import ETRMShared
import Testing

@testable import Resilience

/// The timeout scheduler's heap keeps its invariants under random registrations and removals, and always
/// yields the earliest deadline first.
@Suite struct TimeoutHeapInvariantTests {
    @Test func heapStaysOrderedUnderRandomInsertsAndRemovals() async {
        withUnsafeCurrentTask { current in
            guard let current else {
                Issue.record("no current task")
                return
            }
            var generator = SeededGenerator(seed: 42)
            var state = TimeoutSchedulerState()
            var live: [TimeoutRegistration] = []
            for _ in 0..<2_000 {
                if live.isEmpty || generator.next() % 3 != 0 {
                    let deadline = Duration.milliseconds(Int64(generator.next() % 500))
                    live.append(state.insert(TimeoutWorkTask(task: current), deadline: deadline))
                } else {
                    let index = Int(generator.next() % UInt64(live.count))
                    state.remove(live.remove(at: index).slot)
                }
                state._checkInvariants()
                #expect(state.heap.count == live.count)
            }
            // Draining from the top gives the deadlines in order.
            var previous = Duration.zero
            while let first = state.heap.first {
                #expect(state.slots[first].deadline >= previous)
                previous = state.slots[first].deadline
                state.remove(first)
                state._checkInvariants()
            }
        }
    }
}
