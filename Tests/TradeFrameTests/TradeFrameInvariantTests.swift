import ETRMShared
import Testing

@testable import TradeFrame

/// The kernels' structural invariants (`_checkInvariants()`, swift-collections' pattern), checked after
/// randomised use; debug builds also check them on every mutating path.
@Suite struct TradeFrameInvariantTests {
    @Test(arguments: [0, 1, 17, 4_095, 4_097, 20_000])
    func byteKeyTableHoldsEachDistinctValueOnce(rows: Int) {
        var generator = SeededGenerator(seed: UInt64(rows) &+ 11)
        // Few distinct values for some columns, mostly distinct for others (the table sizes for a sample first).
        let distinct = rows < 5_000 ? max(1, rows / 3) : rows
        let values = (0..<rows).map { _ in "id-\(generator.next() % UInt64(distinct))" }
        let column = StringColumn(values)
        var ids = [UInt64](repeating: .max, count: rows)
        let count = ids.withUnsafeMutableBufferPointer { buffer in
            ByteKeyTable.withTable(column, ids: buffer.baseAddress!, stride: 1) { table in
                table._checkInvariants()
                return table.count
            }
        }
        #expect(count == Set(values).count)
        // Equal values got equal ids, different values different ones.
        var idOf: [String: UInt64] = [:]
        for (value, id) in zip(values, ids) { #expect(idOf.updateValue(id, forKey: value).map { $0 == id } ?? true) }
        #expect(Set(idOf.values).count == idOf.count)
    }

    @Test func validityBitmapsAndTheirSlicesCountTheirNulls() {
        var generator = SeededGenerator(seed: 7)
        for length in [0, 1, 63, 64, 65, 200] {
            let flags = (0..<length).map { _ in generator.next() % 3 != 0 }
            let bitmap = ValidityBitmap(flags)
            bitmap._checkInvariants()
            #expect(bitmap.nullCount == flags.filter { !$0 }.count)
            guard length > 2 else { continue }
            let range = 1..<(length - 1)
            if let slice = bitmap.slice(range) {
                slice._checkInvariants()
                #expect(slice.nullCount == flags[range].filter { !$0 }.count)
                #expect((0..<range.count).allSatisfy { slice.isValid($0) == flags[range.lowerBound + $0] })
            } else {
                #expect(flags[range].allSatisfy { $0 })
            }
        }
    }
}
