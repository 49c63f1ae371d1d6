/// How ``WireJSONDecoder`` and ``WireJSONEncoder`` spell a `CodingKey` in JSON.
public struct WireJSONKeyStyle: Sendable, Hashable {
    let convertsToSnakeCase: Bool

    /// Keys as the `CodingKey` spells them. The canonical models spell their wire keys in snake_case already.
    public static let asWritten = WireJSONKeyStyle(convertsToSnakeCase: false)
    /// camelCase Swift names written in the wire's snake_case: `tradeID` ↔ `trade_id`, `volumeMWh` ↔
    /// `volume_m_wh`, `deliveryStart` ↔ `delivery_start`. Decoding looks a key up by its snake_case form, so a
    /// name with an acronym round-trips; `allKeys` (for dictionaries) lists the JSON keys in camelCase.
    public static let snakeCase = WireJSONKeyStyle(convertsToSnakeCase: true)

    /// The JSON spelling of `key`.
    func json(_ key: String) -> String {
        guard convertsToSnakeCase else { return key }
        let characters = Array(key)
        var out = ""
        for (index, character) in characters.enumerated() {
            guard character.isUppercase else {
                out.append(character)
                continue
            }
            let afterLower = index > 0 && (characters[index - 1].isLowercase || characters[index - 1].isNumber)
            let endsAcronym =
                index > 0 && characters[index - 1].isUppercase && index + 1 < characters.count
                && characters[index + 1].isLowercase
            if afterLower || endsAcronym { out.append("_") }
            out += character.lowercased()
        }
        return out
    }

    /// The `CodingKey` spelling of the JSON key `key` (for `allKeys`).
    func swift(_ key: String) -> String {
        guard convertsToSnakeCase else { return key }
        let parts = key.split(separator: "_", omittingEmptySubsequences: true)
        guard let first = parts.first else { return key }
        return String(first) + parts.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }
}
