package contest

import (
	"context"
	"errors"
	"testing"
	"time"
)

// holdWorker occupies one of the pool's workers until the returned release is called.
func holdWorker(t *testing.T, p *passwordPool) (release func()) {
	t.Helper()
	running, done, returned := make(chan struct{}), make(chan struct{}), make(chan struct{})
	go func() {
		_ = p.run(context.Background(), func() { close(running); <-done })
		close(returned)
	}()
	<-running
	var released bool
	release = func() { // and wait until the worker is free
		if !released {
			released = true
			close(done)
			<-returned
		}
	}
	t.Cleanup(release)
	return release
}

// waitInLine waits until n hashes are in the pool's line.
func waitInLine(t *testing.T, p *passwordPool, n int64) {
	t.Helper()
	for p.waiting.Load() != n {
		time.Sleep(time.Millisecond)
	}
}

func TestPasswordPool_RunsNoMoreThanItsWorkersAndTheRestInArrivalOrder(t *testing.T) {
	p := newPasswordPool(4, 1, time.Minute, nil)
	release := holdWorker(t, p)
	order := make(chan int, 3)
	finished := make(chan error, 3)
	for i := range 3 {
		go func() { finished <- p.run(context.Background(), func() { order <- i }) }()
		waitInLine(t, p, int64(i+1))
	}
	select {
	case i := <-order:
		t.Fatalf("hash %d ran while the only worker was busy", i)
	default:
	}
	release()
	for want := range 3 {
		if err := <-finished; err != nil {
			t.Fatal(err)
		}
		if got := <-order; got != want {
			t.Fatalf("hash %d ran as number %d: want first come, first served", got, want)
		}
	}
}

func TestPasswordPool_PastTheDeadlineTheClientIsToldToComeBack(t *testing.T) {
	var waits []time.Duration
	p := newPasswordPool(4, 1, time.Millisecond, func(d time.Duration) { waits = append(waits, d) })
	holdWorker(t, p)
	ran := false
	err := p.run(context.Background(), func() { ran = true })
	if ErrorCode(err) != EUnavailable || RetryAfterOf(err) < time.Second {
		t.Fatalf("waiting past the deadline: %v (retry after %v), want unavailable with a Retry-After", err, RetryAfterOf(err))
	}
	if ran {
		t.Error("the hash ran after its client was told to come back")
	}
	if len(waits) != 2 { // the holder's (none) and the refused one's
		t.Errorf("ObserveHashWait called %d times, want once per hash (2)", len(waits))
	}
}

func TestPasswordPool_ALineLongerThanTheDeadlineIsRefusedAtOnce(t *testing.T) {
	p := newPasswordPool(4, 1, 10*time.Second, nil)
	p.record(time.Second) // one hash takes a second: ten in line fill the deadline
	holdWorker(t, p)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for i := range 10 {
		go func() { _ = p.run(ctx, func() {}) }()
		waitInLine(t, p, int64(i+1))
	}
	err := p.run(context.Background(), func() { t.Error("the eleventh hash ran") })
	if ErrorCode(err) != EUnavailable {
		t.Fatalf("the eleventh in line: %v, want unavailable at once", err)
	}
	if got := RetryAfterOf(err); got < 10*time.Second || got > 12*time.Second {
		t.Errorf("Retry-After %v, want about the line's length (11 s)", got)
	}
	if p.waiting.Load() != 10 {
		t.Errorf("%d in line after the refusal, want the 10 still waiting", p.waiting.Load())
	}
}

func TestPasswordPool_AClientThatLeavesStopsWaiting(t *testing.T) {
	p := newPasswordPool(4, 1, time.Minute, nil)
	holdWorker(t, p)
	ctx, cancel := context.WithCancel(context.Background())
	got := make(chan error, 1)
	go func() { got <- p.run(ctx, func() { t.Error("the hash of a client that left ran") }) }()
	waitInLine(t, p, 1)
	cancel()
	if err := <-got; !errors.Is(err, context.Canceled) {
		t.Fatalf("after the client left: %v, want context.Canceled", err)
	}
	if p.waiting.Load() != 0 {
		t.Errorf("%d still in line", p.waiting.Load())
	}
}
