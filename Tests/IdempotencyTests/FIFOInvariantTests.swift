import Testing

@testable import Idempotency

/// `FIFO`'s structural invariants after every step of a random workload, against an array as the model.
@Suite struct FIFOInvariantTests {
    @Test func matchesAnArrayUnderRandomAppendsPopsAndRemovals() {
        var generator = SystemRandomNumberGenerator()
        var queue = FIFO<Int>()
        var model: [Int] = []
        for step in 0..<5_000 {
            switch Int.random(in: 0..<10, using: &generator) {
            case 0..<5:
                queue.append(step)
                model.append(step)
            case 5..<9:
                #expect(queue.popFirst() == (model.isEmpty ? nil : model.removeFirst()))
            default:
                let divisor = Int.random(in: 2...7, using: &generator)
                queue.removeAll { $0 % divisor == 0 }
                model.removeAll { $0 % divisor == 0 }
            }
            queue._checkInvariants()
            #expect(queue.count == model.count)
        }
        while let next = queue.popFirst() { #expect(next == model.removeFirst()) }
        #expect(model.isEmpty)
    }
}
