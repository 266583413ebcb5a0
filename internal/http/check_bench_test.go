package http_test

import (
	"context"
	"os/exec"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/jskx/contest/internal/contest"
	"github.com/jskx/contest/internal/db"
	"github.com/jskx/contest/internal/ffmpeg/ffmpegtest"
)

// BenchmarkVerdictVsBareFFprobe measures the time from asking for a check of a stored video to
// its verdict being recorded (queue, storage link, ftyp and box walk, ffprobe, judging, saving),
// with the production job settings, against one bare ffprobe of the same stored file.
func BenchmarkVerdictVsBareFFprobe(b *testing.B) {
	ffmpegtest.Require(b)
	for _, backend := range backends {
		b.Run(backend, func(b *testing.B) {
			e := MustEnv(b, backend)
			e.JobSettings = db.DefaultJobSettings()
			e.Restart()
			c := e.Client().SignUp("zhang@example.org")
			s := c.Create(nil)
			c.Upload(s.ID, fixtureFile(b, "a.mp4", ffmpegtest.Video{Duration: 60, Audio: true, Faststart: true}))
			c.WaitCheck(s.ID)
			ctx := context.Background()
			sub, err := e.Stores.SubmissionByID(ctx, s.ID)
			if err != nil {
				b.Fatal(err)
			}
			key := sub.Video.Key
			state := func() contest.VideoCheck {
				got, err := e.Stores.SubmissionByID(ctx, s.ID)
				if err != nil {
					b.Fatal(err)
				}
				return got.Video.Check
			}
			b.Run("verdict", func(b *testing.B) {
				for b.Loop() {
					if err := e.Stores.RequestVideoCheck(ctx, s.ID, key); err != nil {
						b.Fatal(err)
					}
					for state().State == contest.CheckPending {
						time.Sleep(time.Millisecond)
					}
					b.StopTimer() // the poster frame follows the verdict; not timed
					for !state().Done {
						time.Sleep(time.Millisecond)
					}
					b.StartTimer()
				}
			})
			b.Run("bare-ffprobe", func(b *testing.B) {
				input, err := e.Storage.(contest.MediaReader).MediaInput(ctx, key, time.Hour)
				if err != nil {
					b.Fatal(err)
				}
				for b.Loop() {
					out, err := exec.Command("ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams", "-i", input).CombinedOutput()
					if err != nil {
						b.Fatalf("%v: %s", err, out)
					}
				}
			})
		})
	}
}

// BenchmarkChecksPerSecond asks for the checks of n stored 3-second clips at once and waits for
// every verdict, with the production job settings (one verdict worker per core; the poster and
// web copies queued by the verdicts run beside them on their own queue), against the CPU floor:
// cores ÷ the time of one bare ffprobe of the same stored file. ratio = checks/s ÷ that floor.
func BenchmarkChecksPerSecond(b *testing.B) {
	ffmpegtest.Require(b)
	const n = 24
	for _, backend := range backends {
		b.Run(backend, func(b *testing.B) {
			e := MustEnv(b, backend)
			e.JobSettings = db.DefaultJobSettings()
			e.Configure(func(o *contest.Options) { o.MaxWorks = n })
			c := e.Client().SignUp("zhang@example.org")
			clip := fixtureFile(b, "a.mp4", ffmpegtest.Video{Duration: 3, Audio: true})
			ctx := context.Background()
			keys := map[string]string{}
			for range n {
				s := c.Create(nil)
				c.Upload(s.ID, clip)
				c.WaitCheck(s.ID)
				sub, err := e.Stores.SubmissionByID(ctx, s.ID)
				if err != nil {
					b.Fatal(err)
				}
				keys[s.ID] = sub.Video.Key
			}
			var key string
			for _, k := range keys {
				key = k
			}
			input, err := e.Storage.(contest.MediaReader).MediaInput(ctx, key, time.Hour)
			if err != nil {
				b.Fatal(err)
			}
			// The floor is measured in the same iterations as the checks, under the same load:
			// n bare ffprobes of the stored clip, one per core at a time.
			bareRound := func() time.Duration {
				t0, next := time.Now(), make(chan int, n)
				for i := range n {
					next <- i
				}
				close(next)
				var wg sync.WaitGroup
				for range runtime.NumCPU() {
					wg.Go(func() {
						for range next {
							if out, err := exec.Command("ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams", "-i", input).CombinedOutput(); err != nil {
								b.Errorf("%v: %s", err, out)
							}
						}
					})
				}
				wg.Wait()
				return time.Since(t0)
			}
			var checked, bare time.Duration
			for b.Loop() {
				b.StopTimer()
				bare += bareRound()
				b.StartTimer()
				t0 := time.Now()
				for id, k := range keys {
					if err := e.Stores.RequestVideoCheck(ctx, id, k); err != nil {
						b.Fatal(err)
					}
				}
				for id := range keys {
					for {
						got, err := e.Stores.SubmissionByID(ctx, id)
						if err != nil {
							b.Fatal(err)
						}
						if got.Video.Check.State != contest.CheckPending {
							break
						}
						time.Sleep(20 * time.Millisecond)
					}
				}
				checked += time.Since(t0)
			}
			floor := float64(n*b.N) / bare.Seconds()
			rate := float64(n*b.N) / checked.Seconds()
			b.ReportMetric(rate, "checks/s")
			b.ReportMetric(floor, "floor-checks/s")
			b.ReportMetric(rate/floor, "ratio")
			b.ReportMetric(float64(bare.Milliseconds())/float64(n*b.N)*float64(runtime.NumCPU()), "bare-ffprobe-ms")
		})
	}
}
