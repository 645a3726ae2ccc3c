import QingtingCore

/// Runs `body`, turning a database error into `QingtingError(.store)` naming the file at `path`
/// (an engine error passes through): the one place the stores translate GRDB's errors.
func storeErrors<T>(_ path: String, _ body: () throws -> T) throws -> T {
    do { return try body() } catch var e as QingtingError {
        // A store error of the engine's own (a sealed value that does not open) names the file too.
        if e.code == .store, e.location == nil { e.location = path }
        throw e
    } catch {
        throw QingtingError(.store, "\(error)", location: path)
    }
}
