package contest

import "time"

// An outage is not a bug: when the database or the storage does not answer, or the disk is
// full, the adapters return one of these EUnavailable errors, so the client is told to wait
// (503 with Retry-After) instead of that the request was wrong or the server broken. Nothing
// half-done is recorded as done, so retrying the same request is always safe.

// Retry-After for each kind of outage: a busy or restarting database is back in seconds; a
// full disk needs someone to free space.
const (
	RetryDatabase    = 5 * time.Second
	RetryStorage     = 10 * time.Second
	RetryStorageFull = 60 * time.Second
)

// DatabaseUnavailable is the error for a database that does not answer now: refused or lost
// connections, timeouts, a pool with no free connection, SQLite locked past its busy timeout.
func DatabaseUnavailable(cause error) *Error {
	return Unavailable("系统繁忙，请稍后重试", RetryDatabase, cause)
}

// StorageUnavailable is the error for file storage that does not answer now (the object
// store is down or failing, the folder cannot be read or written).
func StorageUnavailable(cause error) *Error {
	return Unavailable("文件存储暂时无法访问，请稍后重试。已保存的内容不会丢失", RetryStorage, cause)
}

// StorageFull is the error for a write refused because the server's disk (or the object
// store's) is full. What was written of it is discarded whole; parts already stored stay, so
// an upload continues where it stopped once there is room.
func StorageFull(cause error) *Error {
	return Unavailable("服务器存储空间已满，暂时无法保存。已上传的内容不会丢失，请稍后重试", RetryStorageFull, cause)
}
