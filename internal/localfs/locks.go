package localfs

import "sync"

// keyedLocks are read-write locks by name, made on first use and dropped when no one holds or
// waits for them. The local folder belongs to one process, so locks in memory are enough.
type keyedLocks struct {
	mu sync.Mutex
	m  map[string]*keyedLock
}

type keyedLock struct {
	sync.RWMutex
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
		l = &keyedLock{}
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

// lock takes name exclusively and returns its unlock.
func (k *keyedLocks) lock(name string) func() {
	l := k.acquire(name)
	l.Lock()
	return func() { l.Unlock(); k.release(name, l) }
}

// rlock takes name shared and returns its unlock.
func (k *keyedLocks) rlock(name string) func() {
	l := k.acquire(name)
	l.RLock()
	return func() { l.RUnlock(); k.release(name, l) }
}
