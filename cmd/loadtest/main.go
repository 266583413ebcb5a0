// Command loadtest plays N contestants' whole flow against a running deployment, through the
// documented API only, as the deadline night brings them: sign up, fill in the 报名登记表 with
// its team, collect every participant's 授权书 (the lead on the owner's device, the other
// through the personal link), upload a small MP4 with the resumable protocol, wait for the
// verdict and submit. It then downloads every stored video as its owner and compares it with
// what was sent, and prints per-step latencies, failures by step and error code, and the
// verdict delays.
//
//	loadtest -base http://127.0.0.1:8081 -base http://127.0.0.1:8082 -n 1000 -ramp 60s -forwarded
//	loadtest -baseline -n 1000   # the CPU floor of n password hashes on this machine
//
// See docs/benchmarks.md ("Deadline night") and scripts/deadline-night.sh.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	var ue usageError
	switch {
	case errors.As(err, &ue):
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

type usageError struct{ error }

// errIncomplete is the run's result when not every contestant completed or a stored video
// differs.
var errIncomplete = errors.New("not every contestant completed with a byte-identical video")

// options are the command line.
type options struct {
	bases       []string
	n           int
	ramp        time.Duration
	concurrency int
	video       string
	forwarded   bool
	timeout     time.Duration
	busyFor     time.Duration
	verdictWait time.Duration
	sample      time.Duration
	jsonOut     string
	baseline    bool
	cost        int
	cores       int
	organizer   string
	run         string
	verbose     bool
}

type baseList []string

func (b *baseList) String() string { return strings.Join(*b, ",") }
func (b *baseList) Set(s string) error {
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimRight(strings.TrimSpace(v), "/"); v != "" {
			*b = append(*b, v)
		}
	}
	return nil
}

func parseOptions(args []string, stderr io.Writer) (options, error) {
	var o options
	var bases baseList
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Var(&bases, "base", "base URL of a replica (repeat, or comma-separated): requests go to them in turn, as through a load balancer (default http://localhost:8080)")
	fs.IntVar(&o.n, "n", 100, "contestants")
	fs.DurationVar(&o.ramp, "ramp", 60*time.Second, "start the contestants evenly within this time")
	fs.IntVar(&o.concurrency, "concurrency", 0, "at most this many contestants in their flow at once (0: no limit)")
	fs.StringVar(&o.video, "video", "", "MP4 file to upload (default: 3 s of 1280×720 made with ffmpeg); each contestant's copy gets a free box naming it")
	fs.BoolVar(&o.forwarded, "forwarded", false, "send a distinct X-Forwarded-For client address per contestant (the server must trust this machine: CONTEST_TRUSTED_PROXIES)")
	fs.DurationVar(&o.timeout, "timeout", 2*time.Minute, "a request not answered within this is given up (and sent again when that is safe)")
	fs.DurationVar(&o.busyFor, "busy-for", 10*time.Minute, "how long a request keeps waiting out 503 and 429 answers (their Retry-After) before it counts as failed")
	fs.DurationVar(&o.verdictWait, "verdict-wait", 15*time.Minute, "how long a contestant waits for the verdict on the video")
	fs.DurationVar(&o.sample, "sample", 250*time.Millisecond, "during the run, read GET /api/v1/contest and 我的作品 of a signed-in contestant this often (0: off)")
	fs.StringVar(&o.jsonOut, "json", "", "also write the summary as JSON to this file (- for standard output)")
	fs.BoolVar(&o.baseline, "baseline", false, "only measure one bcrypt hash at -cost and print the CPU floor of -n of them on -cores")
	fs.IntVar(&o.cost, "cost", 12, "the server's bcrypt cost, for the baseline (0: no baseline)")
	fs.IntVar(&o.cores, "cores", runtime.NumCPU(), "cores of the server machine, for the baseline")
	fs.StringVar(&o.organizer, "organizer", "", "organizer e-mail; with LOADTEST_ORGANIZER_PASSWORD, opens collection when it is closed")
	fs.StringVar(&o.run, "run", "", "name of this run in e-mails and titles (default: random)")
	fs.BoolVar(&o.verbose, "v", false, "print every failure as it happens")
	if err := fs.Parse(args); err != nil {
		return o, usageError{err}
	}
	if fs.NArg() > 0 {
		return o, usageError{fmt.Errorf("unexpected arguments: %v", fs.Args())}
	}
	o.bases = bases
	if len(o.bases) == 0 {
		o.bases = []string{"http://localhost:8080"}
	}
	if o.n < 1 || o.cores < 1 || o.timeout <= 0 || o.busyFor < 0 || o.ramp < 0 {
		return o, usageError{errors.New("-n, -cores and -timeout must be positive, -ramp not negative")}
	}
	if o.run == "" {
		b := make([]byte, 4)
		_, _ = rand.Read(b)
		o.run = hex.EncodeToString(b)
	}
	return o, nil
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	o, err := parseOptions(args, stderr)
	if err != nil {
		return err
	}
	if o.baseline {
		b, err := measureBaseline(o.cost, o.n, o.cores)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "one bcrypt hash at cost %d: %.1f ms; floor for %d sign-ups on %d cores: %.1f s\n",
			b.Cost, b.HashMS, b.N, b.Cores, b.FloorSec)
		return writeJSON(o.jsonOut, stdout, b)
	}
	r, err := newRunner(ctx, o, getenv("LOADTEST_ORGANIZER_PASSWORD"), stderr)
	if err != nil {
		return err
	}
	defer r.close()
	s := r.play(ctx)
	s.print(stdout)
	if err := writeJSON(o.jsonOut, stdout, s); err != nil {
		return err
	}
	if s.Completed < s.Contestants || s.Videos.Identical < s.Videos.Uploaded {
		return errIncomplete
	}
	return nil
}

func writeJSON(path string, stdout io.Writer, v any) error {
	if path == "" {
		return nil
	}
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	b = append(b, '\n')
	if path == "-" {
		_, err = stdout.Write(b)
		return err
	}
	return os.WriteFile(path, b, 0o644)
}
