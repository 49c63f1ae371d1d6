import Testing

@testable import TradeFrame

@Suite struct RadixSortTests {
    /// Keys of `count` rows in order but for the disorder a shape names, from a seed.
    static func shapes(seed: UInt64, count: Int) -> [(name: String, keys: [UInt64], nearlySorted: Bool)] {
        var state = seed
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        let ascending = (0..<count).map { UInt64($0) * 3 }
        // Late re-sends: about 3 % of the rows repeat an earlier key somewhere after it.
        var resent = ascending
        for _ in 0..<count / 32 {
            let at = next(count)
            resent.insert(resent[next(at + 1)], at: at)
        }
        var firstOutlier = ascending
        firstOutlier[0] = UInt64(count) * 2
        var block = ascending
        block.replaceSubrange(count / 2..<count / 2 + 10, with: (0..<10).map { UInt64($0) })
        let equalRuns = (0..<count).map { UInt64($0 / 7) } + [0, 1, 1, 0]
        let random = (0..<count).map { _ in UInt64(next(1 << 30)) << 20 | UInt64(next(1 << 20)) }
        return [
            ("in order", ascending, true), ("late re-sends", resent, true),
            ("first row an outlier", firstOutlier, true),
            ("a block out of place", block, true), ("equal runs", equalRuns, true), ("random", random, false),
            ("descending", ascending.reversed(), false),
        ]
    }

    /// The stable order of `keys`: positions, ties in input order.
    static func reference(_ keys: [UInt64]) -> [Int] {
        keys.indices.sorted { keys[$0] != keys[$1] ? keys[$0] < keys[$1] : $0 < $1 }
    }

    @Test(arguments: [UInt64(3), 11, 2_024])
    func sortedRowsAreStableAndLeaveTheKeysSorted(seed: UInt64) {
        for shape in Self.shapes(seed: seed, count: 5_000) {
            var keys = shape.keys
            let rows = RadixSort.sortedRows(sorting: &keys)
            #expect(rows == Self.reference(shape.keys), "\(shape.name)")
            #expect(keys == shape.keys.sorted(), "\(shape.name)")
        }
    }

    @Test(arguments: [UInt64(5), 77])
    func keysNearlyInOrderAreMergedNotScattered(seed: UInt64) {
        for shape in Self.shapes(seed: seed, count: 4_000) {
            var keys = shape.keys
            let merged = RadixSort.mergingStragglers(&keys)
            #expect((merged != nil) == shape.nearlySorted, "\(shape.name)")
            if let merged {
                #expect(merged == Self.reference(shape.keys), "\(shape.name)")
                #expect(keys == shape.keys.sorted(), "\(shape.name)")
            } else {
                #expect(keys == shape.keys, "\(shape.name): refused keys are left as they were")
            }
        }
    }

    @Test func bigEndianWordsMatchTheBytesAtEveryLengthAndPlace() {
        let bytes: [UInt8] = (0..<24).map { UInt8(0xA0 + $0) }
        bytes.withUnsafeBufferPointer { buffer in
            for start in 0...bytes.count {
                for end in start...bytes.count {
                    var expected: UInt64 = 0
                    for (k, byte) in bytes[start..<min(end, start + 8)].enumerated() {
                        expected |= UInt64(byte) << UInt64(56 - 8 * k)
                    }
                    #expect(SortKeys.bigEndianWord(buffer, from: start, to: end) == expected, "\(start)..<\(end)")
                }
            }
        }
    }
}
