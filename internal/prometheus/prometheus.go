// Package prometheus exports the service's metrics in the Prometheus format
// (github.com/prometheus/client_golang): how long sign-ups wait for a password hash, how long
// background jobs take, how many jobs wait in each queue and for how long, beside what the HTTP
// edge counts itself (requests by route and status, upload bytes) on the same registry. The
// domain does not import it: cmd/contest passes its methods where the domain takes plain
// functions.
package prometheus

import (
	"context"
	"crypto/subtle"
	"log/slog"
	"net/http"
	"time"

	prom "github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Namespace prefixes every metric of the service.
const Namespace = "contest"

// Metrics is one replica's registry and the metrics the domain and the jobs report.
type Metrics struct {
	reg      *prom.Registry
	hashWait prom.Histogram
	jobs     *prom.HistogramVec
}

// New makes a registry with the Go runtime's and the process's metrics and the service's own.
func New() *Metrics {
	m := &Metrics{reg: prom.NewRegistry()}
	m.hashWait = prom.NewHistogram(prom.HistogramOpts{
		Namespace: Namespace, Name: "password_hash_wait_seconds",
		Help:    "Time a sign-up or sign-in waited in the queue for a password-hashing slot.",
		Buckets: []float64{.001, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
	})
	m.jobs = prom.NewHistogramVec(prom.HistogramOpts{
		Namespace: Namespace, Name: "job_duration_seconds",
		Help:    "Time one attempt of a background job (a video check, a package) took, by kind and outcome (ok, error).",
		Buckets: []float64{.05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900},
	}, []string{"kind", "outcome"})
	m.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.hashWait, m.jobs)
	return m
}

// Registry is where the HTTP edge registers its own metrics.
func (m *Metrics) Registry() *prom.Registry { return m.reg }

// ObserveHashWait records how long a request waited for a password-hashing slot
// (contest.Options.ObserveHashWait).
func (m *Metrics) ObserveHashWait(d time.Duration) { m.hashWait.Observe(d.Seconds()) }

// ObserveJob records one attempt of a background job of kind that took d and ended with err.
func (m *Metrics) ObserveJob(kind string, d time.Duration, err error) {
	outcome := "ok"
	if err != nil {
		outcome = "error"
	}
	m.jobs.WithLabelValues(kind, outcome).Observe(d.Seconds())
}

// Handler serves the metrics in the Prometheus text format. With a token, only a request with
// the header "Authorization: Bearer <token>" gets them; any other gets 401.
func (m *Metrics) Handler(token string, log *slog.Logger) http.Handler {
	h := promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		// A collector that fails (the database down) leaves the rest of the answer.
		ErrorHandling: promhttp.ContinueOnError, ErrorLog: slogPrinter{log},
		MaxRequestsInFlight: 4, Timeout: 10 * time.Second,
	})
	if token == "" {
		return h
	}
	want := []byte("Bearer " + token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// slogPrinter sends promhttp's errors to the service log.
type slogPrinter struct{ log *slog.Logger }

func (p slogPrinter) Println(v ...any) {
	if p.log != nil {
		p.log.Warn("metrics", "err", slog.AnyValue(v))
	}
}

// QueueStat is how many jobs of one kind are in one state of one queue; OldestDue is how long
// the oldest available one has been due (0 for other states).
type QueueStat struct {
	Queue, Kind, State string
	Count              int64
	OldestDue          time.Duration
}

// WatchQueues adds the job queues' depth and age, read through stats at every scrape (within
// a few seconds; a failure is logged by the handler and the rest of the scrape is kept).
func (m *Metrics) WatchQueues(stats func(context.Context) ([]QueueStat, error)) {
	m.reg.MustRegister(queueCollector{stats: stats})
}

var (
	queueJobs = prom.NewDesc(Namespace+"_job_queue_jobs",
		"Background jobs by queue, kind and state (available: waiting for a worker; running; retryable: failed, waiting to retry; scheduled).",
		[]string{"queue", "kind", "state"}, nil)
	queueAge = prom.NewDesc(Namespace+"_job_queue_oldest_available_age_seconds",
		"How long the oldest job waiting for a worker has been due, by queue and kind.",
		[]string{"queue", "kind"}, nil)
)

// queueCollector reads the queues at scrape time.
type queueCollector struct {
	stats func(context.Context) ([]QueueStat, error)
}

func (c queueCollector) Describe(ch chan<- *prom.Desc) { ch <- queueJobs; ch <- queueAge }

func (c queueCollector) Collect(ch chan<- prom.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	stats, err := c.stats(ctx)
	if err != nil {
		ch <- prom.NewInvalidMetric(queueJobs, err)
		return
	}
	for _, s := range stats {
		ch <- prom.MustNewConstMetric(queueJobs, prom.GaugeValue, float64(s.Count), s.Queue, s.Kind, s.State)
		if s.State == "available" {
			ch <- prom.MustNewConstMetric(queueAge, prom.GaugeValue, s.OldestDue.Seconds(), s.Queue, s.Kind)
		}
	}
}
