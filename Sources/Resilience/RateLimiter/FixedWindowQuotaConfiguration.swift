/// The settings of a ``FixedWindowQuota``: how many calls each window allows and how long a window lasts.
///
/// `FixedWindowQuotaConfiguration(limit: 10_000, window: .seconds(86_400))` is an ETRM vendor's "10 000
/// requests per day".
public struct FixedWindowQuotaConfiguration: Sendable {
    /// Calls allowed per window.
    public var limit: Int
    /// The window's length.
    public var window: Duration

    /// Creates a configuration.
    /// - Parameters:
    ///   - limit: Calls per window (at least 1).
    ///   - window: The window's length (positive); a day by default.
    public init(limit: Int = 10_000, window: Duration = .seconds(86_400)) {
        self.limit = limit
        self.window = window
    }

    func validate() throws(ResilienceError) {
        guard limit >= 1 else { throw .invalidConfiguration("quota limit must be at least 1 (got \(limit))") }
        guard window > .zero else { throw .invalidConfiguration("quota window must be positive (got \(window))") }
    }
}
