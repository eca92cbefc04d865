/// Decoding helpers every provider's models share.
extension KeyedDecodingContainer {
    /// An integer that may arrive as `12`, `12.0` or null.
    func flexibleInt(_ key: Key) throws -> Int? {
        if let value = try? decodeIfPresent(Int.self, forKey: key) { return value }
        // Out-of-range numbers are treated as missing rather than trapping on conversion.
        if let value = try decodeIfPresent(Double.self, forKey: key), value.isFinite, abs(value) < 9e18 {
            return Int(value.rounded())
        }
        return nil
    }
}
