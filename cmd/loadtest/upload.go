package main

import (
	"context"
	"fmt"
	"net/http"
	"sync"
)

// uploadJSON is an upload's plan.
type uploadJSON struct {
	ID        string
	PartSize  int64             `json:"part_size"`
	PartCount int               `json:"part_count"`
	PartsDone []struct{ N int } `json:"parts_done"`
}

type partTarget struct {
	N       int
	Method  string
	URL     string
	Headers map[string]string
}

// upload sends the video with the resumable protocol: open (or resume), ask where each part
// goes, send the missing parts (three at a time, as the browser does), complete.
func (ct *contestant) upload(ctx context.Context) error {
	v := ct.video
	var up uploadJSON
	start := map[string]any{"name": fmt.Sprintf("作品%d.mp4", ct.i+1), "size": v.size(), "type": "video/mp4", "last_modified": ct.run.started.UnixMilli()}
	if _, err := ct.c.do(ctx, call{step: stepUpload, method: http.MethodPost, path: "/api/v1/submissions/" + ct.submission + "/video/uploads",
		body: start, idempotent: true, out: &up}); err != nil {
		return err
	}
	sums, composite := v.plan(up.PartSize, up.PartCount)
	done := map[int]bool{}
	for _, p := range up.PartsDone {
		done[p.N] = true
	}
	var todo []map[string]any
	for n := 1; n <= up.PartCount; n++ {
		if !done[n] {
			todo = append(todo, map[string]any{"n": n, "sha256": sums[n-1]})
		}
	}
	for len(todo) > 0 {
		batch := todo[:min(len(todo), 100)]
		todo = todo[len(batch):]
		if err := ct.sendParts(ctx, v, up, batch); err != nil {
			return err
		}
	}
	var sub submissionJSON
	if _, err := ct.c.do(ctx, call{step: stepUpload, method: http.MethodPost, path: "/api/v1/uploads/" + up.ID + "/complete",
		body: map[string]string{"checksum": composite}, idempotent: true, out: &sub}); err != nil {
		return err
	}
	ct.uploaded = true
	return nil
}

// sendParts asks where a batch of parts goes and sends them, three at a time.
func (ct *contestant) sendParts(ctx context.Context, v video, up uploadJSON, batch []map[string]any) error {
	var targets struct{ Parts []partTarget }
	if _, err := ct.c.do(ctx, call{step: stepUpload, method: http.MethodPost, path: "/api/v1/uploads/" + up.ID + "/parts",
		body: map[string]any{"parts": batch}, idempotent: true, out: &targets}); err != nil {
		return err
	}
	sem := make(chan struct{}, 3)
	var mu sync.Mutex
	var first error
	var wg sync.WaitGroup
	for _, t := range targets.Parts {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			off := int64(t.N-1) * up.PartSize
			body := v.part(off, min(up.PartSize, v.size()-off))
			_, err := ct.c.do(ctx, call{step: stepUpload, method: cmpOr(t.Method, http.MethodPut), path: t.URL, raw: body,
				header: t.Headers, idempotent: true})
			if err != nil {
				mu.Lock()
				first = cmpOr(first, err)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return first
}

func cmpOr[T comparable](a, b T) T {
	var zero T
	if a != zero {
		return a
	}
	return b
}
