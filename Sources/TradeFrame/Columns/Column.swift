/// A column of fixed-width values (`Double`, `Float`, `Int64`, `Int32` or `Bool`) in one contiguous buffer,
/// with an optional validity bitmap.
///
/// A column is an immutable value. Its buffer is reference-counted and shared by copies and by slices, so
/// ``slice(_:)`` copies nothing. Build one with ``ColumnBuilder`` or from a sequence.
public struct Column<Element: ColumnElement>: ColumnProtocol {
    /// TradeFrame's column (see ``ColumnProtocol``).
    public static var _seal: _ColumnSeal { _ColumnSeal() }

    @usableFromInline let storage: ColumnStorage<Element>
    @usableFromInline let offset: Int
    /// The number of rows.
    public let count: Int
    /// The validity bitmap, or `nil` when no row is null.
    public let validity: ValidityBitmap?

    init(storage: ContiguousArray<Element>, offset: Int = 0, count: Int? = nil, validity: ValidityBitmap? = nil) {
        self.init(storage: ColumnStorage(storage), offset: offset, count: count, validity: validity)
    }

    init(storage: ColumnStorage<Element>, offset: Int = 0, count: Int? = nil, validity: ValidityBitmap? = nil) {
        self.storage = storage
        self.offset = offset
        self.count = count ?? storage.count
        self.validity = validity
    }

    /// Creates a column with no nulls.
    ///
    /// - Parameter values: The rows.
    public init(_ values: some Sequence<Element>) {
        self.init(storage: ContiguousArray(values))
    }

    /// Creates a column where `nil` is a null row.
    ///
    /// - Parameter values: The rows.
    public init(_ values: some Sequence<Element?>) {
        var builder = ColumnBuilder<Element>(capacity: values.underestimatedCount)
        for value in values { builder.append(value) }
        self = builder.finish()
    }

    public var kind: ColumnKind { Element.columnKind }
    public var nullCount: Int { validity.nullCount }
    public var memoryFootprint: Int { count * MemoryLayout<Element>.stride + validity.footprint }

    /// The value at `index`, or `nil` for a null row.
    @inlinable
    public subscript(index: Int) -> Element? {
        if let validity, !validity.isValid(index) { return nil }
        return storage[offset &+ index]
    }

    /// The stored value at `index`; a null row holds ``ColumnElement/nullPlaceholder``.
    ///
    /// - Parameter index: A row in `0..<count`.
    /// - Returns: The raw value.
    @inlinable @inline(__always)
    public func value(at index: Int) -> Element { storage[offset &+ index] }

    /// All rows as optionals.
    public var values: [Element?] { (0..<count).map { self[$0] } }

    /// Calls `body` with the rows' raw values (null rows hold placeholders).
    ///
    /// - Parameter body: A closure over a buffer of exactly ``count`` values.
    /// - Returns: What `body` returns.
    /// - Throws: What `body` throws.
    @inlinable
    public func withUnsafeValues<R, E: Error>(_ body: (UnsafeBufferPointer<Element>) throws(E) -> R) throws(E) -> R {
        let result: Result<R, E> = storage.withUnsafeBufferPointer { buffer in
            let rows = UnsafeBufferPointer(rebasing: buffer[offset..<offset + count])
            do throws(E) {
                return .success(try body(rows))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    public func isNull(_ index: Int) -> Bool { !validity.valid(index) }

    public func slice(_ range: Range<Int>) -> Column<Element> {
        Column(
            storage: storage, offset: offset + range.lowerBound, count: range.count,
            validity: validity?.slice(range))
    }

    public func gathering(_ indices: UnsafeBufferPointer<Int>) -> Column<Element> {
        let result = ContiguousArray<Element>(filling: indices.count) { target, initialized in
            withUnsafeValues { source in
                for position in indices.indices {
                    let index = indices[position]
                    (target.baseAddress! + position).initialize(
                        to: index >= 0 ? source[index] : Element.nullPlaceholder)
                }
            }
            initialized = indices.count
        }
        return Column(storage: result, validity: validity.gathering(indices))
    }

    public func appending(contentsOf others: [any ColumnProtocol]) throws(TradeFrameError) -> Column<Element> {
        let typed = try castAll(others, to: Column<Element>.self)
        var storage = ContiguousArray<Element>()
        storage.reserveCapacity(typed.reduce(count) { $0 + $1.count })
        for part in [self] + typed {
            part.withUnsafeValues { storage.append(contentsOf: $0) }
        }
        let validity = Optional<ValidityBitmap>.concatenating(
            ([self] + typed).map { ($0.validity, $0.count) })
        return Column(storage: storage, validity: validity)
    }

    public func text(at index: Int) -> String? { self[index]?.columnText }

    public func writeJSON(at index: Int, into buffer: inout [UInt8]) {
        guard let value = self[index] else {
            buffer.append(contentsOf: "null".utf8)
            return
        }
        if let double = value as? Double, !double.isFinite {
            buffer.append(contentsOf: "null".utf8)
        } else if let float = value as? Float, !float.isFinite {
            buffer.append(contentsOf: "null".utf8)
        } else {
            buffer.append(contentsOf: value.columnText.utf8)
        }
    }

    /// `transform` applied to each valid row; null rows stay null.
    ///
    /// - Parameter transform: The function, called once per valid row.
    /// - Returns: A column of the results (a `Bool` result is a mask for ``TradeFrame/filter(_:)``).
    /// - Throws: What `transform` throws.
    public func map<T: ColumnElement, E: Error>(_ transform: (Element) throws(E) -> T) throws(E) -> Column<T> {
        var result = ContiguousArray<T>(repeating: T.nullPlaceholder, count: count)
        try withUnsafeValues { (source) throws(E) in
            try result.withUnsafeMutableBufferPointer { (target) throws(E) in
                for row in 0..<source.count where validity.valid(row) {
                    target[row] = try transform(source[row])
                }
            }
        }
        return Column<T>(storage: result, validity: validity)
    }
}

extension Column: Equatable {
    /// Columns are equal when they have the same rows and nulls (placeholders under nulls are ignored).
    public static func == (lhs: Column, rhs: Column) -> Bool {
        guard lhs.count == rhs.count else { return false }
        for row in 0..<lhs.count where lhs[row] != rhs[row] { return false }
        return true
    }
}

extension Column: CustomStringConvertible {
    public var description: String {
        "\(Element.columnKind)[" + (0..<count).map { text(at: $0) ?? "null" }.joined(separator: ", ") + "]"
    }
}

/// Appends values into a growable buffer and finishes into an immutable ``Column``.
public struct ColumnBuilder<Element: ColumnElement>: Sendable {
    @usableFromInline var storage: ContiguousArray<Element> = []
    @usableFromInline var validity: ValidityBuilder?
    @usableFromInline let capacity: Int

    /// Creates a builder that reserves room for `capacity` rows.
    ///
    /// - Parameter capacity: Expected number of rows.
    public init(capacity: Int = 0) {
        self.capacity = capacity
        storage.reserveCapacity(capacity)
    }

    /// The number of rows appended so far.
    public var count: Int { storage.count }

    /// Appends a value.
    ///
    /// - Parameter value: The row's value.
    @inlinable @inline(__always)
    public mutating func append(_ value: Element) {
        storage.append(value)
        validity?.append(true)
    }

    /// Appends a value, or a null row for `nil`.
    ///
    /// - Parameter value: The row's value, or `nil` for a null row.
    @inlinable @inline(__always)
    public mutating func append(_ value: Element?) {
        if let value { append(value) } else { appendNull() }
    }

    /// Appends a null row.
    @inlinable
    public mutating func appendNull() {
        if validity == nil { validity = ValidityBuilder(validRows: storage.count, capacity: capacity) }
        storage.append(Element.nullPlaceholder)
        validity?.append(false)
    }

    /// Appends values, none of them null, copying the buffer at once.
    ///
    /// - Parameter values: The rows' values.
    @inlinable
    public mutating func append(contentsOf values: UnsafeBufferPointer<Element>) {
        storage.append(contentsOf: values)
        validity?.appendValid(values.count)
    }

    /// Appends every row of `column`, its values and its nulls, copying its buffer and validity at once.
    ///
    /// - Parameter column: The rows to append.
    public mutating func append(contentsOf column: Column<Element>) {
        if column.validity != nil && validity == nil {
            validity = ValidityBuilder(validRows: storage.count, capacity: Swift.max(capacity, storage.count))
        }
        column.withUnsafeValues { storage.append(contentsOf: $0) }
        validity?.append(contentsOf: column.validity, count: column.count)
    }

    /// Finishes the column.
    ///
    /// - Returns: An immutable column of the appended rows.
    public func finish() -> Column<Element> {
        Column(storage: storage, validity: validity?.finishOptional())
    }
}
