package localfs

import (
	"context"
	"sync"

	"golang.org/x/sync/semaphore"
)

// keyedLocks are read-write locks by name, made on first use and dropped when no one holds or
// waits for them. The local folder belongs to one process, so locks in memory are enough.
// Waiting ends with the request: a part stalled on a slow line holds its lock, and a retry or
// a completion that waits behind it gives up when its own client goes.
type keyedLocks struct {
	mu sync.Mutex
	m  map[string]*keyedLock
}

// lockReaders bounds the holders of a shared lock; the exclusive lock takes them all. A
// semaphore is first come first served: a writer waiting keeps later readers out, as with
// sync.RWMutex.
const lockReaders = 1 << 20

type keyedLock struct {
	sem  *semaphore.Weighted
	refs int
}

func (k *keyedLocks) acquire(name string) *keyedLock {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.m == nil {
		k.m = make(map[string]*keyedLock)
	}
	l := k.m[name]
	if l == nil {
		l = &keyedLock{sem: semaphore.NewWeighted(lockReaders)}
		k.m[name] = l
	}
	l.refs++
	return l
}

func (k *keyedLocks) release(name string, l *keyedLock) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if l.refs--; l.refs == 0 {
		delete(k.m, name)
	}
}

// take waits for n of name's holds until ctx ends and returns their release.
func (k *keyedLocks) take(ctx context.Context, name string, n int64) (func(), error) {
	l := k.acquire(name)
	if err := l.sem.Acquire(ctx, n); err != nil {
		k.release(name, l)
		return nil, err
	}
	return func() { l.sem.Release(n); k.release(name, l) }, nil
}

// lock takes name exclusively and returns its unlock; ctx's error when ctx ends first.
func (k *keyedLocks) lock(ctx context.Context, name string) (func(), error) {
	return k.take(ctx, name, lockReaders)
}

// rlock takes name shared and returns its unlock; ctx's error when ctx ends first.
func (k *keyedLocks) rlock(ctx context.Context, name string) (func(), error) {
	return k.take(ctx, name, 1)
}
