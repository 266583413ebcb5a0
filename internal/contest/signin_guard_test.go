package contest

import (
	"testing"
	"time"
)

func TestSignInGuard_BacksOffOneAccountAfterFreeFailures(t *testing.T) {
	var g signInGuard
	now := time.Date(2022, 5, 20, 15, 0, 0, 0, time.UTC)
	for i := 0; i < freeFailures-1; i++ {
		g.fail("a@example.org", now)
		if d := g.wait("a@example.org", now); d != 0 {
			t.Fatalf("after %d failures: wait %v, want none", i+1, d)
		}
	}
	g.fail("a@example.org", now) // the fifth
	if d := g.wait("a@example.org", now); d != time.Second {
		t.Fatalf("after %d failures: wait %v, want 1s", freeFailures, d)
	}
	if d := g.wait("b@example.org", now); d != 0 {
		t.Errorf("another account waits %v", d)
	}
	later := now.Add(time.Second)
	g.fail("a@example.org", later)
	if d := g.wait("a@example.org", later); d != 2*time.Second {
		t.Errorf("after one more failure: wait %v, want 2s (doubled)", d)
	}
	for i := 0; i < 30; i++ {
		g.fail("a@example.org", later)
	}
	if d := g.wait("a@example.org", later); d != maxBackoff {
		t.Errorf("after many failures: wait %v, want the cap %v", d, maxBackoff)
	}
	g.succeed("a@example.org")
	if d := g.wait("a@example.org", later); d != 0 {
		t.Errorf("after a success: wait %v, want none", d)
	}
}

func TestSignInGuard_MemoryIsBounded(t *testing.T) {
	var g signInGuard
	now := time.Date(2022, 5, 20, 15, 0, 0, 0, time.UTC)
	for i := 0; i < guardEntries+10; i++ {
		g.fail(string(rune(0x4e00+i%20000))+time.Duration(i).String(), now)
	}
	if n := len(g.failures); n > guardEntries {
		t.Errorf("%d accounts counted, want at most %d", n, guardEntries)
	}
}
