extension IdempotencyStore {
    /// Checks a response before a store keeps it, as every store must: a status of 100 to 599, at most
    /// ``StoredResponse/maximumHeaderFieldCount`` header fields, names that are HTTP tokens, values without
    /// control characters, and at most ``StoredResponse/maximumHeaderFieldBytes`` per field.
    ///
    /// A store of your own calls it at the start of ``complete(_:token:response:ttl:)`` so that it refuses what
    /// the package's stores refuse, without copying the rules.
    ///
    /// - Parameter response: The response to store.
    /// - Throws: ``IdempotencyError/Code/invalidArgument`` naming the offending part.
    public static func checkResponse(_ response: StoredResponse) throws(IdempotencyError) {
        try IdempotencyRules.checkResponse(response)
    }
}
