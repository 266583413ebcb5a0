package contest

import (
	"strings"
	"sync"
	"testing"
	"time"
)

func TestSignInGuard_BacksOffOneAccountAfterFreeFailures(t *testing.T) {
	var g signInGuard
	now := time.Date(2022, 5, 20, 15, 0, 0, 0, time.UTC)
	for i := 0; i < freeFailures; i++ {
		if d := g.attempt("a@example.org", now); d != 0 {
			t.Fatalf("attempt %d: wait %v, want none", i+1, d)
		}
	}
	g.attempt("a@example.org", now) // the sixth: counted, and it sets the wait
	if d := g.attempt("a@example.org", now); d != time.Second {
		t.Fatalf("after %d failures: wait %v, want 1s", freeFailures+1, d)
	}
	if d := g.attempt("b@example.org", now); d != 0 {
		t.Errorf("another account waits %v", d)
	}
	later := now.Add(time.Second)
	g.attempt("a@example.org", later)
	if d := g.attempt("a@example.org", later); d != 2*time.Second {
		t.Errorf("after one more failure: wait %v, want 2s (doubled)", d)
	}
	for i := range 30 {
		at := later.Add(time.Duration(i+1) * maxBackoff)
		g.attempt("a@example.org", at)
		if d := g.attempt("a@example.org", at); d > maxBackoff {
			t.Fatalf("wait %v past the cap %v", d, maxBackoff)
		}
	}
	g.succeed("a@example.org")
	if d := g.attempt("a@example.org", later.Add(time.Hour)); d != 0 {
		t.Errorf("after a success: wait %v, want none", d)
	}
	// An hour without attempts forgets the count.
	for range freeFailures + 3 {
		g.attempt("c@example.org", now)
	}
	if d := g.attempt("c@example.org", now.Add(2*time.Hour)); d != 0 {
		t.Errorf("after a quiet hour: wait %v, want none", d)
	}
}

func TestSignInGuard_ParallelGuessesAreCountedBeforeTheyAreChecked(t *testing.T) {
	var g signInGuard
	now := time.Date(2022, 5, 20, 15, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	let := 0
	var wg sync.WaitGroup
	for range 90 {
		wg.Go(func() {
			if g.attempt("a@example.org", now) == 0 {
				mu.Lock()
				let++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if let != freeFailures+1 {
		t.Errorf("%d of 90 simultaneous guesses let through, want %d", let, freeFailures+1)
	}
}

func TestSignInGuard_MemoryIsBounded(t *testing.T) {
	var g signInGuard
	now := time.Date(2022, 5, 20, 15, 0, 0, 0, time.UTC)
	huge := strings.Repeat("x", 1<<10) // a long made-up address costs a hash, not its length
	for i := range guardEntries + 10 {
		g.attempt(huge+string(rune(0x4e00+i%20000))+time.Duration(i).String(), now)
	}
	if n := len(g.failures); n > guardEntries {
		t.Errorf("%d accounts counted, want at most %d", n, guardEntries)
	}
}
