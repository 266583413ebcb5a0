package main

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// startSampler signs up a contestant of its own with one work, then reads GET /api/v1/contest
// and its 我的作品 every -sample until stop is closed: what everyone else sees during the crush.
func (r *runner) startSampler(ctx context.Context, stop <-chan struct{}, wg *sync.WaitGroup) {
	addr := ""
	if r.o.forwarded {
		addr = "192.0.2.1"
	}
	ct := &contestant{i: r.o.n, run: r, email: fmt.Sprintf("load-%s-sampler@example.org", r.o.run), form: newForm(r.o.run, r.o.n, r.salt),
		c: r.client(addr, newRecorder())}
	for _, step := range []func(context.Context) error{ct.landing, ct.signUp, ct.create} {
		if err := step(ctx); err != nil {
			fmt.Fprintf(r.log, "sampler: %v (sampling only the contest)\n", err)
			break
		}
	}
	r.firstSignUp, r.lastSignUp = time.Time{}, time.Time{}
	ct.c.tries = 1 // measure each answer as it comes
	sample := func(step, path string) {
		defer wg.Done()
		t := time.NewTicker(r.o.sample)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-stop:
				return
			case <-t.C:
			}
			start := time.Now()
			if _, err := ct.c.do(ctx, call{step: step, method: http.MethodGet, path: path}); err != nil {
				if ctx.Err() == nil {
					r.rec.fail(step, errCode(err))
				}
				continue
			}
			r.rec.time(step, time.Since(start))
		}
	}
	wg.Add(1)
	go sample(sampleContest, "/api/v1/contest")
	if ct.signedUp {
		wg.Add(1)
		go sample(sampleMyWorks, "/api/v1/submissions")
	}
}
