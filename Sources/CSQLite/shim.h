// The system SQLite (libsqlite3-dev), imported into Swift as CSQLite.
#include <sqlite3.h>
