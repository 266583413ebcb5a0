package contest

import (
	"crypto/sha256"
	"strconv"
	"sync"
	"time"
)

// Mailed links are limited so that nobody can flood a mailbox or the mail server: a password
// reset per address and per client address, a verification or a change of address per account.
// Each key may be used limit times in a window; the window starts at its first use. Each
// replica counts on its own (as the sign-in guard does), so with n replicas the real bound is
// n times as high: still a handful of mails, not a flood.
const (
	resetsPerAddress  = 3  // reset mails asked for one address in an hour
	resetsPerClient   = 20 // reset mails asked from one client address in an hour (a campus NAT)
	mailsPerAccount   = 5  // verification and change-of-address mails one account asks in an hour
	accountMailWindow = time.Hour
)

// mailLimit counts uses per key (a hash of it, so that a made-up key of any size costs the
// same memory) in fixed windows.
type mailLimit struct {
	mu   sync.Mutex
	uses map[[sha256.Size]byte]mailUses
}

type mailUses struct {
	n     int
	start time.Time
}

// allow counts a use of key and returns 0, or, when key has had limit uses in the window,
// how long until it may be used again (the use is then not counted).
func (l *mailLimit) allow(key string, limit int, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	h := sha256.Sum256([]byte(key))
	u := l.uses[h]
	if now.Sub(u.start) >= accountMailWindow {
		u = mailUses{start: now}
	}
	if u.n >= limit {
		return u.start.Add(accountMailWindow).Sub(now)
	}
	if l.uses == nil || len(l.uses) >= guardEntries {
		l.uses = l.forget(now)
	}
	u.n++
	l.uses[h] = u
	return 0
}

// forget drops the windows that have ended.
func (l *mailLimit) forget(now time.Time) map[[sha256.Size]byte]mailUses {
	kept := map[[sha256.Size]byte]mailUses{}
	for k, u := range l.uses {
		if now.Sub(u.start) < accountMailWindow && len(kept) < guardEntries/2 {
			kept[k] = u
		}
	}
	return kept
}

// errMailLimit says how long to wait before asking for another mail.
func errMailLimit(d time.Duration) error {
	return &Error{Code: ETooManyRequests, Message: "请求过于频繁，请" + minutes(d) + "后再试", RetryAfter: d}
}

// minutes is a wait in whole minutes, at least one, in Chinese.
func minutes(d time.Duration) string {
	m := int((d + time.Minute - 1) / time.Minute)
	return strconv.Itoa(max(m, 1)) + "分钟"
}
