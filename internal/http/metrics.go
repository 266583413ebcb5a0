package http

import (
	"io"
	"net/http"

	"github.com/labstack/echo-contrib/echoprometheus"
	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
)

// edgeMetrics are the metrics the edge counts itself beside requests.
type edgeMetrics struct {
	partBytes, completedBytes prometheus.Counter
}

// newEdgeMetrics registers the request metrics (Echo's contrib middleware: contest_http_*, by
// route pattern, method and status code) and the upload counters on reg, and returns the
// middleware.
func newEdgeMetrics(reg prometheus.Registerer) (*edgeMetrics, echo.MiddlewareFunc) {
	mw, err := echoprometheus.MiddlewareConfig{
		Namespace: "contest", Subsystem: "http", Registerer: reg,
		// An unknown URL is counted as route "", not by its path: a scan of random URLs must
		// not grow the series without bound. The Host header is the client's to choose.
		DoNotUseRequestPathFor404: true,
		// Any token is a method to Go's server: the others are counted as one, for the same reason.
		LabelFuncs: map[string]echoprometheus.LabelValueFunc{
			"host":   func(echo.Context, error) string { return "" },
			"method": func(c echo.Context, _ error) string { return knownMethod(c.Request().Method) },
		},
		HistogramOptsFunc: func(o prometheus.HistogramOpts) prometheus.HistogramOpts {
			if o.Name == "request_duration_seconds" { // up to a sign-up queued at the deadline or a part on a slow line
				o.Buckets = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300}
			}
			return o
		},
		StatusCodeResolver: func(c echo.Context, _ error) int { return c.Response().Status },
		Skipper:            func(c echo.Context) bool { return c.Request().URL.Path == "/metrics" },
	}.ToMiddleware()
	if err != nil {
		panic(err) // registered twice on one registry: a wiring mistake
	}
	m := &edgeMetrics{
		partBytes: prometheus.NewCounter(prometheus.CounterOpts{Namespace: "contest", Name: "upload_part_bytes_total",
			Help: "Video bytes received by this replica in upload parts (local-folder storage; with S3 the browser sends them to the store)."}),
		completedBytes: prometheus.NewCounter(prometheus.CounterOpts{Namespace: "contest", Name: "upload_completed_bytes_total",
			Help: "Bytes of the video uploads completed (any storage)."}),
	}
	reg.MustRegister(m.partBytes, m.completedBytes)
	return m, mw
}

// countPart counts the bytes of a part as they arrive.
func (m *edgeMetrics) countPart(body io.Reader) io.Reader {
	if m == nil {
		return body
	}
	return countingReader{r: body, c: m.partBytes}
}

func (m *edgeMetrics) completed(size int64) {
	if m != nil && size > 0 {
		m.completedBytes.Add(float64(size))
	}
}

type countingReader struct {
	r io.Reader
	c prometheus.Counter
}

func (r countingReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if n > 0 {
		r.c.Add(float64(n))
	}
	return n, err
}

// knownMethod is the request's method for a label: one of HTTP's, or OTHER.
func knownMethod(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions:
		return m
	}
	return "OTHER"
}
