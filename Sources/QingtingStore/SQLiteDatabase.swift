import CSQLite

/// A thin, throwing wrapper over the system SQLite C API: one connection, prepared statements,
/// transactions. Errors carry SQLite's own message and the SQL that failed.
public final class SQLiteDatabase {
    public struct Failure: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    private var handle: OpaquePointer?
    public let path: String

    /// Opens (creating if needed) the database at `path`.
    public init(path: String) throws {
        self.path = path
        let rc = sqlite3_open_v2(path, &handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nil)
        guard rc == SQLITE_OK else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close(handle)
            handle = nil
            throw Failure(message: "\(path): \(message)")
        }
        sqlite3_busy_timeout(handle, 5000)
    }

    deinit { sqlite3_close(handle) }

    /// Runs SQL that returns no rows (several statements allowed).
    public func execute(_ sql: String) throws {
        var error: UnsafeMutablePointer<CChar>?
        guard sqlite3_exec(handle, sql, nil, nil, &error) == SQLITE_OK else {
            let message = error.map { String(cString: $0) } ?? "error"
            sqlite3_free(error)
            throw Failure(message: "\(path): \(message) (in: \(sql.prefix(80)))")
        }
    }

    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    public func prepare(_ sql: String) throws -> Statement {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw Failure(message: "\(path): \(String(cString: sqlite3_errmsg(handle))) (in: \(sql.prefix(80)))")
        }
        return Statement(statement, database: self)
    }

    /// The first column of the first row of a query, as an integer (0 when there is no row).
    public func integer(_ sql: String) throws -> Int {
        let s = try prepare(sql)
        return try s.step() ? s.int(0) : 0
    }

    fileprivate var lastError: String { String(cString: sqlite3_errmsg(handle)) }

    /// A prepared statement: bind (1-based), step, read columns (0-based), reset.
    public final class Statement {
        private let raw: OpaquePointer
        private let database: SQLiteDatabase

        fileprivate init(_ raw: OpaquePointer, database: SQLiteDatabase) {
            self.raw = raw
            self.database = database
        }

        deinit { sqlite3_finalize(raw) }

        private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

        public func bind(_ index: Int32, _ value: String?) {
            if let value { sqlite3_bind_text(raw, index, value, -1, Self.transient) } else { sqlite3_bind_null(raw, index) }
        }

        public func bind(_ index: Int32, _ value: Double?) {
            if let value { sqlite3_bind_double(raw, index, value) } else { sqlite3_bind_null(raw, index) }
        }

        public func bind(_ index: Int32, _ value: Int) { sqlite3_bind_int64(raw, index, Int64(value)) }

        /// Advances; true while there is a row.
        @discardableResult
        public func step() throws -> Bool {
            switch sqlite3_step(raw) {
            case SQLITE_ROW: return true
            case SQLITE_DONE: return false
            default: throw Failure(message: "\(database.path): \(database.lastError)")
            }
        }

        public func reset() {
            sqlite3_reset(raw)
            sqlite3_clear_bindings(raw)
        }

        public func string(_ column: Int32) -> String? {
            guard let text = sqlite3_column_text(raw, column) else { return nil }
            return String(cString: text)
        }

        public func int(_ column: Int32) -> Int { Int(sqlite3_column_int64(raw, column)) }
    }
}
