package main

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/jskx/contest/internal/prometheus"
)

// replicaMetrics are this replica's Prometheus metrics and where they are served.
type replicaMetrics struct {
	*prometheus.Metrics
	// public serves /metrics on the public port: only with CONTEST_METRICS_TOKEN, and behind it.
	public http.Handler
	stop   func()
}

// serveMetrics builds the replica's metrics, reads the job queues at every scrape, and serves
// /metrics on CONTEST_METRICS_ADDR when it is set (behind CONTEST_METRICS_TOKEN when that is
// set). The public port gets /metrics only with the token.
func (a *app) serveMetrics() (replicaMetrics, error) {
	m := replicaMetrics{Metrics: prometheus.New(), stop: func() {}}
	m.WatchQueues(func(ctx context.Context) ([]prometheus.QueueStat, error) {
		stats, err := a.db.JobQueueStats(ctx)
		out := make([]prometheus.QueueStat, len(stats))
		for i, s := range stats {
			out[i] = prometheus.QueueStat{Queue: s.Queue, Kind: s.Kind, State: s.State, Count: s.Count, OldestDue: s.OldestDue}
		}
		return out, err
	})
	log := a.log.With("component", "metrics")
	if a.cfg.MetricsToken != "" {
		m.public = m.Handler(a.cfg.MetricsToken, log)
	}
	if a.cfg.MetricsAddr == "" {
		return m, nil
	}
	ln, err := net.Listen("tcp", a.cfg.MetricsAddr)
	if err != nil {
		return m, err
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler(a.cfg.MetricsToken, log))
	// A liveness probe for replicas without a public port (contest worker): it answers while
	// the process serves, reads nothing and says nothing, so a database outage restarts no
	// worker.
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "ok\n")
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, WriteTimeout: 30 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics server", "err", err)
		}
	}()
	log.Info("metrics served", "addr", ln.Addr().String())
	m.stop = func() { _ = srv.Close() }
	return m, nil
}
