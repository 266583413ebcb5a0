package contest

import (
	"crypto/sha256"
	"sync"
	"time"
)

// Guessing one account's password is slowed down per account, not per address: a campus
// behind one NAT signs in many accounts from one address, while a guesser tries one account
// from many. Each attempt is counted before its password is checked (so parallel guesses do
// not slip past the count); after freeFailures in a row, each further attempt on the account
// must wait twice as long as the last (1 s, 2 s, 4 s … at most maxBackoff, so that a stranger
// cannot lock an account for long); a right password clears the count, and an hour without
// attempts forgets it. Each replica counts on its own.
const (
	freeFailures = 5
	maxBackoff   = time.Minute
	forgetAfter  = time.Hour
	// guardEntries bounds the memory the counts take under a spray of made-up addresses.
	guardEntries = 100_000
)

// signInGuard counts sign-in attempts per account (by a hash of the normalized email, so that a
// huge made-up address costs no more memory than a real one).
type signInGuard struct {
	mu       sync.Mutex
	failures map[[sha256.Size]byte]failedSignIns
}

type failedSignIns struct {
	n     int
	last  time.Time
	until time.Time // no attempt before this
}

// attempt counts an attempt on the account and returns 0, or how long the account must still
// wait (the attempt is then refused and not counted).
func (g *signInGuard) attempt(email string, now time.Time) time.Duration {
	g.mu.Lock()
	defer g.mu.Unlock()
	key := sha256.Sum256([]byte(email))
	f := g.failures[key]
	if now.Before(f.until) {
		return f.until.Sub(now)
	}
	if now.Sub(f.last) > forgetAfter {
		f = failedSignIns{}
	}
	if g.failures == nil || len(g.failures) >= guardEntries {
		g.failures = g.forget(now)
	}
	f.n++
	f.last = now
	if f.n > freeFailures {
		f.until = now.Add(backoff(f.n))
	}
	g.failures[key] = f
	return 0
}

// succeed clears the account's count: its last attempt had the right password.
func (g *signInGuard) succeed(email string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	delete(g.failures, sha256.Sum256([]byte(email)))
}

// refund takes back an attempt whose password was never checked (the server was too busy, or
// the client left): a contestant retrying through a crush does not lock their own account.
func (g *signInGuard) refund(email string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	key := sha256.Sum256([]byte(email))
	f, ok := g.failures[key]
	if !ok {
		return
	}
	f.n--
	f.until = time.Time{}
	if f.n > freeFailures {
		f.until = f.last.Add(backoff(f.n))
	}
	g.failures[key] = f
}

// forget keeps the counts that are still recent; the others start again from zero.
func (g *signInGuard) forget(now time.Time) map[[sha256.Size]byte]failedSignIns {
	kept := map[[sha256.Size]byte]failedSignIns{}
	for k, f := range g.failures {
		if now.Before(f.until) || now.Sub(f.last) <= forgetAfter && len(kept) < guardEntries/2 {
			kept[k] = f
		}
	}
	return kept
}

// backoff is the wait after n attempts in a row, n > freeFailures: doubling from a second.
func backoff(n int) time.Duration {
	return min(time.Second<<min(n-freeFailures-1, 20), maxBackoff)
}

// errSignInBackoff says how long to wait.
func errSignInBackoff(d time.Duration) error {
	return Errorf(ETooManyRequests, "该账号登录失败次数过多，请%d秒后再试", int(d.Seconds())+1)
}
