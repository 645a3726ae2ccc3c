internal import Foundation
import QingtingCore

extension ProfileState {
    /// The state as the store keeps it: JSON with sorted keys, numbers printed to round-trip, so
    /// equal states are equal bytes (what `rebuild --check` compares).
    public var encoded: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // A ProfileState holds only finite numbers, strings and containers: encoding cannot fail.
        return String(decoding: try! encoder.encode(self), as: UTF8.self)
    }

    /// A stored state read back.
    /// - Throws: `QingtingError(.store)` for text that is not a profile state.
    public static func decoded(_ text: String) throws -> ProfileState {
        do { return try JSONDecoder().decode(ProfileState.self, from: Data(text.utf8)) } catch {
            throw QingtingError(.store, "a stored profile state cannot be read (\(error.localizedDescription))")
        }
    }
}
