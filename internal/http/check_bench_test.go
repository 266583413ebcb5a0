package http_test

import (
	"context"
	"os/exec"
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
