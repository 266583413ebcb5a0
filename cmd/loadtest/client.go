package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// siteHost is the host the contestants' clients address; the balancer sends each request for it
// to the next base URL, as a load balancer in front of the replicas does. One logical site keeps
// one cookie jar per contestant whatever replica answers.
const siteHost = "site.loadtest.invalid"

// balancer is the load balancer: requests for siteHost go to the bases in turn; the rest (S3
// part URLs, presigned downloads) pass unchanged.
type balancer struct {
	bases []*url.URL
	next  atomic.Uint64
	rt    http.RoundTripper
}

func (b *balancer) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Host != siteHost {
		return b.rt.RoundTrip(r)
	}
	base := b.bases[(b.next.Add(1)-1)%uint64(len(b.bases))]
	r = r.Clone(r.Context())
	r.URL.Scheme, r.URL.Host, r.Host = base.Scheme, base.Host, base.Host
	return b.rt.RoundTrip(r)
}

// isSite reports whether u is the site: the logical host or one of the bases (an absolute URL
// the server built from its CONTEST_BASE_URL).
func (b *balancer) isSite(u *url.URL) bool {
	if u.Host == "" || u.Host == siteHost {
		return true
	}
	for _, base := range b.bases {
		if u.Host == base.Host {
			return true
		}
	}
	return false
}

// apiError is a failed call: the API's error code (with the field's code for validation
// errors), or what went wrong on the way.
type apiError struct {
	Status    int
	Code      string // "invalid/email_taken", "unavailable", "network", "timeout", "http_502", "s3_AccessDenied"
	RequestID string // the server's X-Request-ID, to find the request in its log
}

func (e *apiError) Error() string {
	if e.RequestID != "" {
		return fmt.Sprintf("%d %s (request %s)", e.Status, e.Code, e.RequestID)
	}
	return fmt.Sprintf("%d %s", e.Status, e.Code)
}

// errCode is the code an error is counted under in the summary.
func errCode(err error) string {
	var ae *apiError
	switch {
	case errors.As(err, &ae):
		return ae.Code
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case err == nil:
		return ""
	}
	return "error"
}

// client is one person's browser: a cookie jar, the CSRF token, a client address.
type client struct {
	lb      *balancer
	http    *http.Client // the site, with the jar; follows redirects
	bare    *http.Client // storage (presigned URLs), no cookies
	mu      sync.Mutex   // guards csrf: parts and samples go out in parallel
	csrf    string
	addr    string // X-Forwarded-For, or "" for none
	timeout time.Duration
	rec     *recorder
	tries   int           // attempts per call after network errors
	busyFor time.Duration // how long a call keeps waiting out 503 and 429 answers
}

func newClient(lb *balancer, bare *http.Client, addr string, timeout time.Duration, rec *recorder) *client {
	jar, _ := cookiejar.New(nil)
	return &client{lb: lb, http: &http.Client{Transport: lb, Jar: jar}, bare: bare, addr: addr,
		timeout: timeout, rec: rec, tries: 8, busyFor: 10 * time.Minute}
}

// call is one API request.
type call struct {
	step       string // for the retry counts
	method     string
	path       string // on the site, or an absolute URL
	body       any    // sent as JSON, when not nil
	raw        []byte // sent as is (a part), when not nil
	header     map[string]string
	idempotent bool // safe to send again after a network error
	out        any  // decoded from a 2xx JSON answer
}

// do sends c. On 503 and 429 (nothing was done) it waits Retry-After and sends again, for up
// to cl.busyFor in all; after a network error it sends again when the call is idempotent, up to
// cl.tries attempts. It returns the final status, or an *apiError.
func (cl *client) do(ctx context.Context, c call) (int, error) {
	start := time.Now()
	var err error
	for attempt, lost := 1, 0; ; attempt++ {
		var status int
		var wait time.Duration
		status, wait, err = cl.once(ctx, c)
		if err == nil {
			return status, nil
		}
		busy := status == http.StatusServiceUnavailable || status == http.StatusTooManyRequests
		if status == 0 {
			lost++
			wait = backoff(lost)
		}
		retry := busy && time.Since(start)+wait <= cl.busyFor && attempt < 1000 ||
			status == 0 && c.idempotent && lost < cl.tries
		if !retry || cl.tries <= 1 || ctx.Err() != nil {
			return status, err
		}
		cl.rec.retry(c.step, errCode(err))
		select {
		case <-ctx.Done():
			return status, err
		case <-time.After(wait):
		}
	}
}

// backoff is the wait before resending after a network error: 1 s, 2 s, 4 s … at most 10 s.
func backoff(attempt int) time.Duration {
	return min(time.Second<<(attempt-1), 10*time.Second)
}

// once sends c one time. A 503 or 429 comes with the wait its Retry-After asks for.
func (cl *client) once(ctx context.Context, c call) (status int, wait time.Duration, err error) {
	u, err := url.Parse(c.path)
	if err != nil {
		return 0, 0, err
	}
	site := cl.lb.isSite(u)
	if site {
		u.Scheme, u.Host = "http", siteHost
	}
	var body io.Reader
	switch {
	case c.raw != nil:
		body = bytes.NewReader(c.raw)
	case c.body != nil:
		b, err := json.Marshal(c.body)
		if err != nil {
			return 0, 0, err
		}
		body = bytes.NewReader(b)
	}
	rctx, cancel := context.WithTimeout(ctx, cl.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, c.method, u.String(), body)
	if err != nil {
		return 0, 0, err
	}
	if c.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range c.header {
		req.Header.Set(k, v)
	}
	hc := cl.bare
	if site {
		hc = cl.http
		req.Header.Set("Accept", "application/json")
		if token := cl.token(); token != "" && c.method != http.MethodGet {
			req.Header.Set("X-CSRF-Token", token)
		}
		if cl.addr != "" {
			req.Header.Set("X-Forwarded-For", cl.addr)
		}
	}
	resp, err := hc.Do(req)
	if err != nil {
		if rctx.Err() != nil && ctx.Err() == nil {
			return 0, 0, &apiError{Code: "timeout"}
		}
		return 0, 0, &apiError{Code: "network"}
	}
	defer resp.Body.Close()
	if t := resp.Header.Get("X-CSRF-Token"); site && t != "" {
		cl.mu.Lock()
		cl.csrf = t
		cl.mu.Unlock()
	}
	if resp.StatusCode >= 300 {
		return resp.StatusCode, retryAfter(resp.Header.Get("Retry-After"), time.Now()), answerError(resp, site)
	}
	if c.out != nil {
		if w, ok := c.out.(io.Writer); ok {
			if r, ok := w.(interface{ Reset() }); ok { // a digest of an earlier, broken attempt
				r.Reset()
			}
			_, err = io.Copy(w, resp.Body)
		} else {
			err = json.NewDecoder(resp.Body).Decode(c.out)
		}
		if err != nil {
			if rctx.Err() != nil {
				return 0, 0, &apiError{Code: "timeout"}
			}
			return 0, 0, &apiError{Code: "network"}
		}
	} else {
		_, _ = io.Copy(io.Discard, resp.Body)
	}
	return resp.StatusCode, 0, nil
}

// token is the CSRF token the site sent last.
func (cl *client) token() string {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	return cl.csrf
}

// answerError reads an error answer: the API's JSON error, S3's XML error, or the bare status.
func answerError(resp *http.Response, site bool) *apiError {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	e := &apiError{Status: resp.StatusCode, Code: "http_" + strconv.Itoa(resp.StatusCode), RequestID: resp.Header.Get("X-Request-ID")}
	if !site {
		if i, j := bytes.Index(b, []byte("<Code>")), bytes.Index(b, []byte("</Code>")); i >= 0 && j > i {
			e.Code = "s3_" + string(b[i+len("<Code>"):j])
		}
		return e
	}
	var body struct {
		Error struct {
			Code   string
			Fields map[string]struct{ Code string }
		}
	}
	if json.Unmarshal(b, &body) != nil || body.Error.Code == "" {
		return e
	}
	e.Code = body.Error.Code
	if len(body.Error.Fields) > 0 {
		codes := make([]string, 0, len(body.Error.Fields))
		for _, f := range body.Error.Fields {
			codes = append(codes, f.Code)
		}
		e.Code += "/" + strings.Join(sortedUnique(codes), ",")
	}
	return e
}

// retryAfter is how long a Retry-After header asks to wait: seconds or an HTTP date, at least
// one second (also when the header is missing or unreadable) and at most a minute.
func retryAfter(h string, now time.Time) time.Duration {
	d := time.Second
	if s, err := strconv.Atoi(strings.TrimSpace(h)); err == nil {
		d = time.Duration(s) * time.Second
	} else if t, err := http.ParseTime(h); err == nil {
		d = t.Sub(now)
	}
	return min(max(d, time.Second), time.Minute)
}
