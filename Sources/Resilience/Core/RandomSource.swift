import ETRMShared

/// The random numbers behind jitter: the system generator by default, or a seeded generator so that tests
/// (and reproductions of an incident) get the same delays every run.
///
/// One source may be shared by many concurrent calls; a seeded generator is kept behind a lock.
public struct RandomSource: RandomNumberGenerator, Sendable {
    private let box: (any LockedGenerator)?

    /// The system's cryptographically secure generator.
    public static var system: RandomSource { RandomSource(box: nil) }

    private init(box: (any LockedGenerator)?) { self.box = box }

    /// A source that draws from `generator` (for example a seeded one in tests).
    /// - Parameter generator: The generator; it is moved behind a lock shared by every copy of this source.
    public init(_ generator: some RandomNumberGenerator & Sendable) {
        self.box = LockedGeneratorBox(generator)
    }

    /// The next 64 random bits.
    /// - Returns: A uniformly distributed value.
    public mutating func next() -> UInt64 {
        if let box { return box.next() }
        var system = SystemRandomNumberGenerator()
        return system.next()
    }
}

private protocol LockedGenerator: Sendable {
    func next() -> UInt64
}

private final class LockedGeneratorBox<G: RandomNumberGenerator & Sendable>: LockedGenerator {
    private let generator: LockedState<G>
    init(_ generator: G) { self.generator = LockedState(generator) }
    func next() -> UInt64 { generator.withLock { $0.next() } }
}
