import ETRMShared

extension ValidationIssue.Code {
    /// The issue code for a structural JSON problem: the declared code of the same `snake_case` name.
    package init(_ code: JSONError.Code) {
        switch code {
        case .invalidUTF8: self = .invalidUTF8
        case .limitExceeded: self = .limitExceeded
        case .duplicateKey: self = .duplicateKey
        default: self = .invalidJSON
        }
    }
}

extension ValidationIssue {
    /// The issue for a structural JSON problem of a whole document, naming its byte offset.
    package init(_ error: JSONError) {
        self.init(code: Code(error.code), message: "\(error.message) (byte \(error.offset))")
    }
}
