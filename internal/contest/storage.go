package contest

import (
	"context"
	"io"
)

// Storage keeps files (consent scans now, videos later) under opaque keys chosen by the service;
// a key never contains a name supplied by a user. Two implementations exist: a local folder for
// the embedded default and an S3-compatible bucket for production.
type Storage interface {
	// Put stores size bytes from r under key, replacing any object there. A reader that ends
	// early or a failed write leaves no partial object visible under key.
	Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error
	// Get opens the object; the error has code ENotFound when there is none.
	Get(ctx context.Context, key string) (io.ReadCloser, error)
	// Delete removes the object; deleting a missing object is not an error.
	Delete(ctx context.Context, key string) error
	// Ping reports whether the storage is reachable and usable (for /readyz).
	Ping(ctx context.Context) error
}

// ObjectInfo describes a stored object, as a storage lists it.
type ObjectInfo struct {
	Key         string
	Size        int64
	ContentType string // "" when the storage keeps none (the local folder)
}

// ObjectLister is a storage that can list every object it holds, in key order; backups read
// the storage through it. fn is called once per object; an error from fn stops the listing
// and is returned.
type ObjectLister interface {
	List(ctx context.Context, fn func(ObjectInfo) error) error
}
