package main

import (
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// The steps of a contestant's flow, in order, and the samples taken beside it.
const (
	stepContest      = "contest"       // GET /api/v1/contest: the landing page's data and the CSRF token
	stepSignUp       = "signup"        // sign-up (or the sign-in it falls back to)
	stepCreate       = "create"        // the 报名登记表 with its team
	stepConsentOwner = "consent_owner" // the lead's 授权书 on the owner's device
	stepConsentLink  = "consent_link"  // the second participant's 授权书 through the link
	stepUpload       = "upload"        // open, part URLs, parts, complete
	stepVerdict      = "verdict"       // from completion to the verdict, as polled
	stepFinalize     = "finalize"      // 提交作品
	stepVerify       = "verify"        // the stored video downloaded again and compared
	sampleContest    = "sample_contest"
	sampleMyWorks    = "sample_my_works"
)

var stepOrder = []string{stepContest, stepSignUp, stepCreate, stepConsentOwner, stepConsentLink, stepUpload,
	stepVerdict, stepFinalize, stepVerify, sampleContest, sampleMyWorks}

// recorder collects durations, failures and retries from every contestant.
type recorder struct {
	mu       sync.Mutex
	times    map[string][]time.Duration
	failures map[string]map[string]int
	retries  map[string]map[string]int
}

func newRecorder() *recorder {
	return &recorder{times: map[string][]time.Duration{}, failures: map[string]map[string]int{},
		retries: map[string]map[string]int{}}
}

func (r *recorder) time(step string, d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.times[step] = append(r.times[step], d)
}

func (r *recorder) fail(step, code string) { r.count(r.failures, step, code) }

func (r *recorder) retry(step, code string) { r.count(r.retries, step, code) }

func (r *recorder) count(m map[string]map[string]int, step, code string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if m[step] == nil {
		m[step] = map[string]int{}
	}
	m[step][code]++
}

// Dist is a distribution of durations, in milliseconds.
type Dist struct {
	Count int     `json:"count"`
	P50   float64 `json:"p50_ms"`
	P99   float64 `json:"p99_ms"`
	Max   float64 `json:"max_ms"`
}

// distOf summarizes ds.
func distOf(ds []time.Duration) Dist {
	if len(ds) == 0 {
		return Dist{}
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return Dist{Count: len(s), P50: ms(percentile(s, 50)), P99: ms(percentile(s, 99)), Max: ms(s[len(s)-1])}
}

// percentile is the nearest-rank percentile p (0 < p ≤ 100) of sorted: the smallest value with
// at least p % of the values at or below it.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	return sorted[min(max(rank, 1), len(sorted))-1]
}

func ms(d time.Duration) float64 { return math.Round(float64(d)/float64(time.Millisecond)*10) / 10 }

// StepStats is one step's durations.
type StepStats struct {
	Step string `json:"step"`
	Dist
}

// Baseline is the CPU floor of the contestants' password hashes: n hashes at the server's cost
// shared by the cores.
type Baseline struct {
	Cost     int     `json:"bcrypt_cost"`
	HashMS   float64 `json:"one_hash_ms"`
	Cores    int     `json:"cores"`
	N        int     `json:"n"`
	FloorSec float64 `json:"floor_s"`
}

// Videos is the byte-identity check of the stored videos.
type Videos struct {
	Uploaded  int `json:"uploaded"`
	Identical int `json:"identical"`
	Different int `json:"different"`
	Unread    int `json:"unread"` // could not be downloaded
}

// Summary is what a run reports (-json prints it as is).
type Summary struct {
	Bases               []string                  `json:"bases"`
	Contestants         int                       `json:"contestants"`
	Completed           int                       `json:"completed"`
	RampSec             float64                   `json:"ramp_s"`
	ElapsedSec          float64                   `json:"elapsed_s"`  // first start to last flow's end
	ToolCPUSec          float64                   `json:"tool_cpu_s"` // CPU the load tool itself used (user + system)
	SignUpSpanSec       float64                   `json:"signup_span_s"`
	Steps               []StepStats               `json:"steps"`
	Failures            map[string]map[string]int `json:"failures"`
	Retries             map[string]map[string]int `json:"retries"`
	AccountsNoSession   int                       `json:"accounts_without_session"`
	TakenAfterFailure   int                       `json:"signup_email_taken_after_failure"`
	VerdictDelay        Dist                      `json:"verdict_delay"`        // completion answered → verdict seen by polling
	VerdictDelayServer  Dist                      `json:"verdict_delay_server"` // video.uploaded_at → check.checked_at
	VerdictsOver10Min   int                       `json:"verdicts_over_10_min"` // by the server's times
	Videos              Videos                    `json:"videos"`
	Baseline            *Baseline                 `json:"baseline,omitempty"`
	SignUpSpanOverFloor float64                   `json:"signup_span_over_floor,omitempty"`
	ElapsedOverFloor    float64                   `json:"elapsed_over_floor,omitempty"`
	SampleP99UnderLimit map[string]bool           `json:"sample_p99_under_500ms,omitempty"`
}

// steps lists the recorded steps in flow order.
func (r *recorder) steps() []StepStats {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []StepStats
	for _, s := range stepOrder {
		if ds := r.times[s]; len(ds) > 0 {
			out = append(out, StepStats{Step: s, Dist: distOf(ds)})
		}
	}
	return out
}

// counts copies one of the recorder's count tables.
func (r *recorder) counts(m map[string]map[string]int) map[string]map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string]map[string]int{}
	for k, v := range m {
		out[k] = map[string]int{}
		for c, n := range v {
			out[k][c] = n
		}
	}
	return out
}

// print writes the summary for people.
func (s *Summary) print(w io.Writer) {
	fmt.Fprintf(w, "\ncontestants %d, completed %d, replicas %s, ramp %.0f s, elapsed %.1f s, the tool's own CPU %.1f s\n",
		s.Contestants, s.Completed, strings.Join(s.Bases, " "), s.RampSec, s.ElapsedSec, s.ToolCPUSec)
	fmt.Fprintf(w, "\n%-16s %7s %10s %10s %10s\n", "step", "count", "p50 ms", "p99 ms", "max ms")
	for _, st := range s.Steps {
		fmt.Fprintf(w, "%-16s %7d %10.1f %10.1f %10.1f\n", st.Step, st.Count, st.P50, st.P99, st.Max)
	}
	printCounts(w, "failures (after the client's retries)", s.Failures)
	printCounts(w, "retries", s.Retries)
	fmt.Fprintf(w, "\naccounts without a session: %d (sign-ups answered email_taken after a failed attempt: %d)\n",
		s.AccountsNoSession, s.TakenAfterFailure)
	fmt.Fprintf(w, "verdict delay after upload, polled: n %d, p50 %.0f ms, p99 %.0f ms, max %.0f ms\n",
		s.VerdictDelay.Count, s.VerdictDelay.P50, s.VerdictDelay.P99, s.VerdictDelay.Max)
	fmt.Fprintf(w, "verdict delay, server's uploaded_at → checked_at: n %d, p50 %.0f ms, p99 %.0f ms, max %.0f ms; over 10 min: %d\n",
		s.VerdictDelayServer.Count, s.VerdictDelayServer.P50, s.VerdictDelayServer.P99, s.VerdictDelayServer.Max, s.VerdictsOver10Min)
	v := s.Videos
	fmt.Fprintf(w, "videos: %d uploaded, %d byte-identical, %d different, %d unreadable\n", v.Uploaded, v.Identical, v.Different, v.Unread)
	if b := s.Baseline; b != nil {
		fmt.Fprintf(w, "baseline: one bcrypt hash at cost %d = %.1f ms; %d × %.1f ms ÷ %d cores = %.1f s\n",
			b.Cost, b.HashMS, b.N, b.HashMS, b.Cores, b.FloorSec)
		fmt.Fprintf(w, "sign-up span %.1f s = %.2f × the floor; whole run %.1f s = %.2f × the floor\n",
			s.SignUpSpanSec, s.SignUpSpanOverFloor, s.ElapsedSec, s.ElapsedOverFloor)
	}
	for _, k := range sortedKeys(s.SampleP99UnderLimit) {
		fmt.Fprintf(w, "%s p99 < 500 ms: %v\n", k, s.SampleP99UnderLimit[k])
	}
}

func printCounts(w io.Writer, title string, m map[string]map[string]int) {
	fmt.Fprintf(w, "\n%s:", title)
	if len(m) == 0 {
		fmt.Fprintln(w, " none")
		return
	}
	fmt.Fprintln(w)
	for _, step := range sortedKeys(m) {
		for _, code := range sortedKeys(m[step]) {
			fmt.Fprintf(w, "  %-16s %-40s %d\n", step, code, m[step][code])
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func sortedUnique(s []string) []string {
	slices.Sort(s)
	return slices.Compact(s)
}
