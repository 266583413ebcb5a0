package contest

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/bcrypt"
	"golang.org/x/sync/semaphore"
)

// passwordPool runs the password hashes (bcrypt: about a quarter of a second of one core each
// at cost 12) a few at a time: as many as there are cores. Run all at once, 500 contestants
// signing up at the deadline made every hash take minutes and starved every other request of
// CPU; through the pool each hash takes its own time, the rest of the site keeps its cores'
// share, and the others wait in line, first come first served (semaphore.Weighted is FIFO).
//
// The line has a deadline: a hash that would wait longer than maxWait is answered at once with
// 503 unavailable and a Retry-After estimated from the line's length, so a client waits
// outside (and retries) instead of holding a connection nobody serves. A client that goes away
// leaves the line.
type passwordPool struct {
	cost    int
	workers int64
	maxWait time.Duration
	observe func(time.Duration) // each hash's wait for a worker; never nil
	sem     *semaphore.Weighted

	waiting atomic.Int64 // hashes in line, not yet running

	mu   sync.Mutex
	mean time.Duration // a moving mean of one hash; 0 until the first is done
}

func newPasswordPool(cost, workers int, maxWait time.Duration, observe func(time.Duration)) *passwordPool {
	if observe == nil {
		observe = func(time.Duration) {}
	}
	return &passwordPool{cost: cost, workers: int64(workers), maxWait: maxWait, observe: observe,
		sem: semaphore.NewWeighted(int64(workers))}
}

// errPoolBusy tells the client to come back when the line has shortened.
func errPoolBusy(retryAfter time.Duration) error {
	retryAfter = max(time.Second, retryAfter.Round(time.Second))
	return Unavailable(fmt.Sprintf("注册登录人数较多，请%d秒后重试", int(retryAfter/time.Second)), retryAfter, nil)
}

// hash returns the bcrypt hash of password.
func (p *passwordPool) hash(ctx context.Context, password string) (string, error) {
	var hash []byte
	var err error
	if perr := p.run(ctx, func() { hash, err = bcrypt.GenerateFromPassword([]byte(password), p.cost) }); perr != nil {
		return "", perr
	}
	if err != nil {
		return "", Internal(err)
	}
	return string(hash), nil
}

// matches reports whether password is the one hash was made from.
func (p *passwordPool) matches(ctx context.Context, hash []byte, password string) (bool, error) {
	var ok bool
	err := p.run(ctx, func() { ok = bcrypt.CompareHashAndPassword(hash, []byte(password)) == nil })
	return ok, err
}

// run waits for a worker and runs fn on it; it returns an unavailable error when the wait is or
// would be longer than maxWait, and ctx's error when the client went away.
func (p *passwordPool) run(ctx context.Context, fn func()) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("waiting for a password hash: %w", err)
	}
	if p.sem.TryAcquire(1) { // a worker is free and nobody is in line
		p.observe(0)
	} else if err := p.queue(ctx); err != nil {
		return err
	}
	defer p.sem.Release(1)
	began := time.Now()
	fn()
	p.record(time.Since(began))
	return nil
}

// queue waits in line for a worker.
func (p *passwordPool) queue(ctx context.Context) error {
	ahead := p.waiting.Add(1)
	if est := p.estimate(ahead); est > p.maxWait {
		p.waiting.Add(-1)
		return errPoolBusy(est)
	}
	start := time.Now()
	wait, cancel := context.WithTimeout(ctx, p.maxWait)
	err := p.sem.Acquire(wait, 1)
	cancel()
	p.waiting.Add(-1)
	p.observe(time.Since(start))
	switch {
	case err == nil && ctx.Err() == nil:
		return nil
	case err == nil:
		p.sem.Release(1) // the client left just as a worker came free
		return fmt.Errorf("waiting for a password hash: %w", ctx.Err())
	case ctx.Err() != nil:
		return fmt.Errorf("waiting for a password hash: %w", ctx.Err())
	}
	return errPoolBusy(p.estimate(p.waiting.Load() + 1))
}

// estimate is how long the n-th hash in line will wait while every worker is busy: the hashes
// ahead of it and the running ones, one hash's time each, across the workers (an upper bound:
// the running ones are partly done). Zero until a hash has been timed.
func (p *passwordPool) estimate(n int64) time.Duration {
	p.mu.Lock()
	mean := p.mean
	p.mu.Unlock()
	rounds := (n + p.workers - 1) / p.workers
	return time.Duration(rounds) * mean
}

// record adds one hash's time to the moving mean (weight 1/8: the machine's load changes).
func (p *passwordPool) record(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.mean == 0 {
		p.mean = d
		return
	}
	p.mean += (d - p.mean) / 8
}
