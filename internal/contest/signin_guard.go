package contest

import (
	"fmt"
	"sync"
	"time"
)

// Guessing one account's password is slowed down per account, not per address: a campus
// behind one NAT signs in many accounts from one address, while a guesser tries one account
// from many. After freeFailures wrong passwords in a row, each further attempt on the account
// waits twice as long as the last (1 s, 2 s, 4 s … at most maxBackoff); a right password,
// once let through, clears the count. Each replica counts on its own.
const (
	freeFailures = 5
	maxBackoff   = 15 * time.Minute
	// guardEntries bounds the memory the counts take under a spray of made-up addresses.
	guardEntries = 100_000
)

// signInGuard counts failed sign-ins per account (by normalized email).
type signInGuard struct {
	mu       sync.Mutex
	failures map[string]failedSignIns
}

type failedSignIns struct {
	n     int
	until time.Time // no attempt before this
}

// wait returns how long the account must still wait before an attempt; 0 when it may try.
func (g *signInGuard) wait(email string, now time.Time) time.Duration {
	g.mu.Lock()
	defer g.mu.Unlock()
	if f, ok := g.failures[email]; ok && now.Before(f.until) {
		return f.until.Sub(now)
	}
	return 0
}

// fail records a wrong password for the account.
func (g *signInGuard) fail(email string, now time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.failures == nil || len(g.failures) >= guardEntries {
		g.failures = g.forget(now)
	}
	f := g.failures[email]
	f.n++
	if f.n >= freeFailures {
		f.until = now.Add(min(time.Second<<min(f.n-freeFailures, 20), maxBackoff))
	}
	g.failures[email] = f
}

// succeed clears the account's count.
func (g *signInGuard) succeed(email string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	delete(g.failures, email)
}

// forget keeps the counts that still hold an account back; the others start again from zero.
func (g *signInGuard) forget(now time.Time) map[string]failedSignIns {
	kept := map[string]failedSignIns{}
	for email, f := range g.failures {
		if now.Before(f.until) {
			kept[email] = f
		}
	}
	return kept
}

// errSignInBackoff says how long to wait.
func errSignInBackoff(d time.Duration) error {
	wait := "1分钟"
	if d < time.Minute {
		wait = fmt.Sprintf("%d秒", int(d.Seconds())+1)
	} else if d > time.Minute {
		wait = fmt.Sprintf("%d分钟", int(d.Minutes())+1)
	}
	return Errorf(ETooManyRequests, "该账号登录失败次数过多，请%s后再试", wait)
}
