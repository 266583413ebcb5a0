package ffmpeg_test

import (
	"context"
	"errors"
	"image"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jskx/contest/internal/contest"
	"github.com/jskx/contest/internal/ffmpeg"
	"github.com/jskx/contest/internal/ffmpeg/ffmpegtest"
)

// frame is what a sink saw of one frame.
type frame struct {
	at            float64
	width, height int
	mean          float64 // mean grey level
	top, bottom   float64 // mean of the top and bottom quarters
	left, right   float64 // mean of the left and right quarters
	bounds        image.Rectangle
}

// sample runs Sample and records the frames.
func sample(t *testing.T, input string, plan contest.ScanPlan) ([]frame, contest.SoundPicture, error) {
	t.Helper()
	var frames []frame
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	sp, err := ffmpeg.Tools{}.Sample(ctx, input, plan, func(at float64, img *image.Gray) error {
		b := img.Bounds()
		frames = append(frames, frame{at: at, width: b.Dx(), height: b.Dy(), bounds: b,
			mean:   meanGrey(img, b),
			top:    meanGrey(img, image.Rect(b.Min.X, b.Min.Y, b.Max.X, b.Min.Y+b.Dy()/4)),
			bottom: meanGrey(img, image.Rect(b.Min.X, b.Max.Y-b.Dy()/4, b.Max.X, b.Max.Y)),
			left:   meanGrey(img, image.Rect(b.Min.X, b.Min.Y, b.Min.X+b.Dx()/4, b.Max.Y)),
			right:  meanGrey(img, image.Rect(b.Max.X-b.Dx()/4, b.Min.Y, b.Max.X, b.Max.Y)),
		})
		return nil
	})
	return frames, sp, err
}

func meanGrey(img *image.Gray, r image.Rectangle) float64 {
	var sum, n float64
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			sum += float64(img.GrayAt(x, y).Y)
			n++
		}
	}
	return sum / n
}

// ramp is a fixture whose picture brightens steadily: its grey level tells the time shown.
var ramp = ffmpegtest.Video{Width: 160, Height: 90, Rate: 10, Duration: 4, Audio: true,
	Pattern: "color=c=black", Filter: "format=yuv420p,geq=lum='16+50*T':cb=128:cr=128"}

// rampGrey is the grey level of ramp at t seconds (full-range grey, as the frames come).
func rampGrey(t float64) float64 { return 50 * t * 255 / 219 }

func TestSample_FramesComeAtThePlansTimesAndSize(t *testing.T) {
	ffmpegtest.Require(t)
	frames, sp, err := sample(t, ffmpegtest.MustVideo(t, ramp), contest.ScanPlan{Every: 0.5, Width: 80, Height: 45, MaxFrames: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(frames) != 8 || sp.Frames != 8 {
		t.Fatalf("%d frames (reported %d), want 8: one every 0.5 s of 4 s", len(frames), sp.Frames)
	}
	for i, f := range frames {
		if f.at != float64(i)*0.5 || f.width != 80 || f.height != 45 || f.bounds.Min != (image.Point{}) {
			t.Errorf("frame %d at %v, %dx%d from %v; want at %v, 80x45 from 0,0", i, f.at, f.width, f.height, f.bounds.Min, float64(i)*0.5)
		}
		// The picture is the one on screen at that instant (a frame later is 6 levels brighter).
		if want := rampGrey(f.at); math.Abs(f.mean-want) > 4 {
			t.Errorf("frame at %v has grey %.1f, want %.1f: not the picture shown then", f.at, f.mean, want)
		}
	}
}

func TestSample_StopsAfterMaxFramesWithWhatWasMeasured(t *testing.T) {
	ffmpegtest.Require(t)
	frames, sp, err := sample(t, ffmpegtest.MustVideo(t, ramp), contest.ScanPlan{Every: 0.5, Width: 32, Height: 18, MaxFrames: 5})
	if err != nil {
		t.Fatal(err)
	}
	if len(frames) != 5 || sp.Frames != 5 || frames[4].at != 2 {
		t.Fatalf("%d frames (reported %d), want 5, the last at 2 s", len(frames), sp.Frames)
	}
	if !sp.HasAudio || sp.Loudness < -25 || sp.Loudness > -18 {
		t.Errorf("sound %+v, want the tone's loudness measured (about -21.6 LUFS)", sp)
	}
}

func TestSample_PortraitVideoIsUpright(t *testing.T) {
	ffmpegtest.Require(t)
	// Stored landscape with a white bar on its left, to be shown turned a quarter turn
	// counter-clockwise (ffmpeg 5.1 writes the rotate tag 90 as such a display matrix; ffprobe
	// says rotation=90): upright, the bar is at the bottom of a portrait picture.
	v := ffmpegtest.Video{Width: 160, Height: 90, Rate: 10, Duration: 2, Rotate: 90,
		Pattern: "color=c=black", Filter: "drawbox=x=0:y=0:w=40:h=ih:c=white:t=fill"}
	frames, _, err := sample(t, ffmpegtest.MustVideo(t, v), contest.ScanPlan{Every: 1, Width: 45, Height: 80, MaxFrames: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(frames) != 2 {
		t.Fatalf("%d frames, want 2", len(frames))
	}
	for _, f := range frames {
		if f.bottom < 200 || f.top > 30 || math.Abs(f.left-f.right) > 10 {
			t.Errorf("frame at %v: top %.0f bottom %.0f left %.0f right %.0f; want the bar across the bottom",
				f.at, f.top, f.bottom, f.left, f.right)
		}
	}
}

func TestSample_SinkErrorStopsTheScan(t *testing.T) {
	ffmpegtest.Require(t)
	errFull := errors.New("full")
	calls := 0
	_, err := ffmpeg.Tools{}.Sample(context.Background(), ffmpegtest.MustVideo(t, ramp),
		contest.ScanPlan{Every: 0.5, Width: 32, Height: 18, MaxFrames: 100},
		func(float64, *image.Gray) error {
			if calls++; calls == 3 {
				return errFull
			}
			return nil
		})
	if !errors.Is(err, errFull) || calls != 3 {
		t.Errorf("err %v after %d frames, want the sink's error after 3", err, calls)
	}
}

func TestSample_CancelStopsFFmpeg(t *testing.T) {
	ffmpegtest.Require(t)
	long := ffmpegtest.Video{Width: 320, Height: 180, Rate: 10, Duration: 60, Audio: true}
	input := ffmpegtest.MustVideo(t, long)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var started time.Time
	_, err := ffmpeg.Tools{}.Sample(ctx, input, contest.ScanPlan{Every: 0.1, Width: 32, Height: 18, MaxFrames: 1000},
		func(at float64, _ *image.Gray) error {
			if at >= 1 && started.IsZero() {
				started = time.Now()
				cancel()
			}
			return nil
		})
	if !errors.Is(err, context.Canceled) || errors.Is(err, ffmpeg.ErrUnreadable) {
		t.Errorf("err = %v, want context.Canceled and not ErrUnreadable", err)
	}
	if d := time.Since(started); d > 2*time.Second {
		t.Errorf("Sample returned %v after the cancel", d)
	}
}

func TestSample_RunsAtTheLowestPriority(t *testing.T) {
	ffmpegtest.Require(t)
	if _, err := os.Stat("/proc/self/task"); err != nil {
		t.Skip("no /proc")
	}
	nice := ""
	_, err := ffmpeg.Tools{}.Sample(context.Background(), ffmpegtest.MustVideo(t, ramp),
		contest.ScanPlan{Every: 0.5, Width: 32, Height: 18, MaxFrames: 100},
		func(at float64, _ *image.Gray) error {
			if at == 0 {
				nice = childNice(t, "ffmpeg")
			}
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	if nice != "19" {
		t.Errorf("ffmpeg ran at nice %q, want 19", nice)
	}
}

// childNice returns the nice value of this process's child named name.
func childNice(t *testing.T, name string) string {
	tasks, _ := filepath.Glob("/proc/self/task/*/children")
	for _, task := range tasks {
		b, _ := os.ReadFile(task)
		for _, pid := range strings.Fields(string(b)) {
			stat, err := os.ReadFile("/proc/" + pid + "/stat")
			if err != nil || !strings.Contains(string(stat), "("+name+")") {
				continue
			}
			fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+2:]))
			return fields[16]
		}
	}
	t.Errorf("no %s child found", name)
	return ""
}

func TestSample_MeasuresLoudness(t *testing.T) {
	ffmpegtest.Require(t)
	tone := func(gain float64) ffmpegtest.Video {
		return ffmpegtest.Video{Width: 64, Height: 36, Rate: 5, Duration: 5, Audio: true, Volume: gain}
	}
	plan := contest.ScanPlan{Every: 1, Width: 32, Height: 18, MaxFrames: 100}
	measure := func(v ffmpegtest.Video) contest.SoundPicture {
		_, sp, err := sample(t, ffmpegtest.MustVideo(t, v), plan)
		if err != nil {
			t.Fatal(err)
		}
		return sp
	}
	// The tone peaks at -18 dBFS: a sine's loudness is 3 dB under its peak, K-weighting and
	// the meter's offset take 0.6 dB more.
	const toneLUFS, tonePeak = -21.6, -18.0
	loud, quiet := measure(tone(6)), measure(tone(-25))
	for _, c := range []struct {
		name string
		sp   contest.SoundPicture
		gain float64
	}{{"loud", loud, 6}, {"quiet", quiet, -25}} {
		if !c.sp.HasAudio || math.Abs(c.sp.Loudness-(toneLUFS+c.gain)) > 1.5 || math.Abs(c.sp.TruePeak-(tonePeak+c.gain)) > 1.5 {
			t.Errorf("%s tone: %+v, want %.1f LUFS, true peak %.1f dBTP", c.name, c.sp, toneLUFS+c.gain, tonePeak+c.gain)
		}
		if c.sp.Range > 1 || len(c.sp.Silence) != 0 {
			t.Errorf("%s tone: range %v LU, silences %v; a steady tone has neither", c.name, c.sp.Range, c.sp.Silence)
		}
	}
	if d := loud.Loudness - quiet.Loudness; math.Abs(d-31) > 1.5 {
		t.Errorf("loud and quiet tones differ by %.1f LU, want 31", d)
	}
	// 40 dB down, the tone peaks at -58 dBFS: under the silence floor.
	faint := measure(tone(-40))
	if math.Abs(faint.Loudness-(toneLUFS-40)) > 1.5 || len(faint.Silence) != 1 || faint.Silence[0].Length() < 4.9 {
		t.Errorf("faint tone: %+v, want %.1f LUFS and silent throughout", faint, toneLUFS-40)
	}

	silent := measure(ffmpegtest.Video{Width: 64, Height: 36, Rate: 5, Duration: 5, Audio: true, Silence: []ffmpegtest.Span{{From: 0, To: 10}}})
	if !silent.HasAudio || silent.Loudness != -70 || silent.TruePeak != -70 || len(silent.Silence) != 1 {
		t.Errorf("digital silence: %+v, want HasAudio at -70 LUFS and -70 dBTP, one silence", silent)
	}
	mute := measure(ffmpegtest.Video{Width: 64, Height: 36, Rate: 5, Duration: 5})
	if mute.HasAudio || mute.Frames != 5 {
		t.Errorf("no audio stream: %+v, want HasAudio false and 5 frames", mute)
	}
}

func TestSample_FindsBlackAndSilence(t *testing.T) {
	ffmpegtest.Require(t)
	plan := contest.ScanPlan{Every: 0.5, Width: 32, Height: 18, MaxFrames: 100}
	near := func(got, want []contest.Stretch, tol float64) bool {
		if len(got) != len(want) {
			return false
		}
		for i := range got {
			if math.Abs(got[i].Start-want[i].Start) > tol || math.Abs(got[i].End-want[i].End) > tol {
				return false
			}
		}
		return true
	}
	for _, tt := range []struct {
		name           string
		v              ffmpegtest.Video
		black, silence []contest.Stretch
	}{
		{"in the middle", ffmpegtest.Video{Black: []ffmpegtest.Span{{From: 1, To: 3.5}}, Silence: []ffmpegtest.Span{{From: 2, To: 6}}},
			[]contest.Stretch{{Start: 1, End: 3.5}}, []contest.Stretch{{Start: 2, End: 6}}},
		{"too short to count", ffmpegtest.Video{Black: []ffmpegtest.Span{{From: 1, To: 2.4}}, Silence: []ffmpegtest.Span{{From: 2, To: 4.5}}},
			nil, nil},
		{"to the end", ffmpegtest.Video{Black: []ffmpegtest.Span{{From: 5, To: 9}}, Silence: []ffmpegtest.Span{{From: 4.5, To: 9}}},
			[]contest.Stretch{{Start: 5, End: 8}}, []contest.Stretch{{Start: 4.5, End: 8}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			v := tt.v
			v.Width, v.Height, v.Rate, v.Duration, v.Audio = 160, 90, 10, 8, true
			_, sp, err := sample(t, ffmpegtest.MustVideo(t, v), plan)
			if err != nil {
				t.Fatal(err)
			}
			// Black is seen on the samples, so to within a sample; the fixture silences its tone by
			// frames of 0.128 s.
			if !near(sp.Black, tt.black, 0.55) {
				t.Errorf("black %v, want %v", sp.Black, tt.black)
			}
			if !near(sp.Silence, tt.silence, 0.2) {
				t.Errorf("silence %v, want %v", sp.Silence, tt.silence)
			}
		})
	}
}

// fakeFFmpeg puts on PATH an ffmpeg that only records that it ran.
func fakeFFmpeg(t *testing.T) (ran func() bool) {
	dir := t.TempDir()
	marker := filepath.Join(dir, "ran")
	script := "#!/bin/sh\necho ran > " + strconv.Quote(marker) + "\nexit 1\n"
	if err := os.WriteFile(filepath.Join(dir, "ffmpeg"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	return func() bool { _, err := os.Stat(marker); return err == nil }
}

func TestSample_OnlyMP4ReachesFFmpeg(t *testing.T) {
	ffmpegtest.Require(t)
	dir := t.TempDir()
	playlist := filepath.Join(dir, "video.mp4")
	hls := "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\nhttp://127.0.0.1:9/a.ts\n#EXTINF:2,\n/etc/passwd\n#EXT-X-ENDLIST\n"
	if err := os.WriteFile(playlist, []byte(hls), 0o600); err != nil {
		t.Fatal(err)
	}
	inputs := map[string]string{
		"Matroska":            ffmpegtest.MustVideo(t, ffmpegtest.Video{Format: "matroska"}),
		"HLS playlist":        playlist,
		"HLS playlist by URL": serve(t, playlist, func(int64) int { return 0 }),
		"MPEG-TS":             ffmpegtest.MustVideo(t, ffmpegtest.Video{Format: "mpegts", Ext: ".ts"}),
	}
	ran := fakeFFmpeg(t)
	for name, input := range inputs {
		t.Run(name, func(t *testing.T) {
			called := false
			_, err := ffmpeg.Tools{}.Sample(context.Background(), input, contest.ScanPlan{Every: 1, Width: 32, Height: 18, MaxFrames: 10},
				func(float64, *image.Gray) error { called = true; return nil })
			if !errors.Is(err, ffmpeg.ErrNotMP4) || called || ran() {
				t.Errorf("err = %v, sink called %v, ffmpeg ran %v; want ErrNotMP4 and no tool run", err, called, ran())
			}
		})
	}
}

func TestSample_TruncatedFileIsUnreadable(t *testing.T) {
	ffmpegtest.Require(t)
	truncated := ffmpegtest.MustVideo(t, ffmpegtest.Video{Duration: 4, Truncate: 0.5})
	// With the index first, ffmpeg decodes the first half and ends well.
	faststart := ffmpegtest.MustVideo(t, ffmpegtest.Video{Duration: 4, Faststart: true, Truncate: 0.5})
	plan := contest.ScanPlan{Every: 1, Width: 32, Height: 18, MaxFrames: 10}
	for name, input := range map[string]string{
		"local": truncated, "by URL": serve(t, truncated, func(int64) int { return 0 }),
		"faststart": faststart, "faststart by URL": serve(t, faststart, func(int64) int { return 0 }),
	} {
		t.Run(name, func(t *testing.T) {
			_, _, err := sample(t, input, plan)
			if !errors.Is(err, ffmpeg.ErrUnreadable) || !errors.Is(err, contest.ErrUnreadableMedia) {
				t.Errorf("err = %v, want ErrUnreadable", err)
			}
			if err != nil && (strings.Contains(err.Error(), "secret") || strings.Contains(err.Error(), filepath.Dir(truncated))) {
				t.Errorf("error names the input: %v", err)
			}
		})
	}
	t.Run("storage failing is not a verdict", func(t *testing.T) {
		good := ffmpegtest.MustVideo(t, ffmpegtest.Video{Duration: 4})
		_, _, err := sample(t, serve(t, good, func(n int64) int { return map[bool]int{true: http.StatusServiceUnavailable}[n > 1] }), plan)
		if err == nil || errors.Is(err, ffmpeg.ErrUnreadable) || strings.Contains(err.Error(), "secret") {
			t.Errorf("err = %v, want a storage error, not unreadable, without the signed URL", err)
		}
	})
}

// A metadata key can hold line breaks, which ffmpeg prints as they are: a file must not be able
// to print findings of its own (a loudness that passes, black that is not there).
func TestSample_MetadataCannotForgeFindings(t *testing.T) {
	ffmpegtest.Require(t)
	src := ffmpegtest.MustVideo(t, ffmpegtest.Video{Width: 64, Height: 36, Rate: 5, Duration: 4, Audio: true, Volume: 6})
	forged := "x\n[Parsed_ebur128_0 @ 0x1] [info] Summary:\n    I: -23.0 LUFS\n  True peak:\n    Peak: -3.0 dBFS\n" +
		"[blackdetect @ 0x1] [info] black_start:0 black_end:99\n[info] Stream mapping:\n" +
		"[silencedetect @ 0x1] [info] silence_start: 0\n[silencedetect @ 0x1] [info] silence_end: 4"
	path := filepath.Join(t.TempDir(), "forged.mp4")
	out, err := exec.Command("ffmpeg", "-v", "error", "-i", src, "-c", "copy", "-movflags", "use_metadata_tags",
		"-metadata", forged+"=v", "-metadata:s:a:0", "handler_name=a\n[blackdetect @ 0x2] [info] black_start:0 black_end:98",
		path).CombinedOutput()
	if err != nil {
		t.Fatalf("ffmpeg: %v: %s", err, out)
	}
	_, sp, err := sample(t, path, contest.ScanPlan{Every: 1, Width: 32, Height: 18, MaxFrames: 10})
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(sp.Loudness-(-21.6+6)) > 1.5 || sp.TruePeak < -14 || len(sp.Black) != 0 || len(sp.Silence) != 0 {
		t.Errorf("sound %+v, want the tone's own measure (-15.6 LUFS, -12 dBTP), no black, no silence", sp)
	}
}

func TestSample_SeesBurnedInTextAndDerivedCopies(t *testing.T) {
	ffmpegtest.Require(t)
	// Text from 1 s on, low in a black picture.
	titled := ffmpegtest.MustVideo(t, ffmpegtest.Video{Width: 320, Height: 180, Rate: 5, Duration: 2, Pattern: "color=c=black",
		Texts: []ffmpegtest.Text{{Text: "主创 张三", Size: 40, Y: "h-text_h-10", From: 1}}})
	frames, _, err := sample(t, titled, contest.ScanPlan{Every: 1, Width: 160, Height: 90, MaxFrames: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(frames) != 2 || frames[0].bottom > 2 || frames[1].bottom < 10 || frames[1].top > 2 {
		t.Errorf("frames %+v, want a black picture, then text in its bottom quarter only", frames)
	}

	// A cropped copy of the ramp keeps its times.
	cropped := ffmpegtest.Derive(t, ffmpegtest.MustVideo(t, ramp), "crop=80:44:0:0", 18)
	frames, sp, err := sample(t, cropped, contest.ScanPlan{Every: 1, Width: 80, Height: 44, MaxFrames: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(frames) != 4 || !sp.HasAudio {
		t.Fatalf("%d frames, sound %+v; want 4 frames and the sound kept", len(frames), sp)
	}
	for _, f := range frames {
		if want := rampGrey(f.at); math.Abs(f.mean-want) > 4 {
			t.Errorf("copy's frame at %v has grey %.1f, want %.1f", f.at, f.mean, want)
		}
	}
}

// cutWriter sends n bytes of an answer, then drops the connection.
type cutWriter struct {
	http.ResponseWriter
	n int
}

func (c *cutWriter) Write(p []byte) (int, error) {
	if c.n <= 0 {
		panic(http.ErrAbortHandler)
	}
	p = p[:min(len(p), c.n)]
	c.n -= len(p)
	return c.ResponseWriter.Write(p)
}

// ffmpeg ends well when the connection drops mid-file, with what it read: that is no verdict.
func TestSample_ConnectionDroppedMidwayIsNotAVerdict(t *testing.T) {
	ffmpegtest.Require(t)
	path := ffmpegtest.MustVideo(t, ffmpegtest.Video{Width: 320, Height: 180, Rate: 10, Duration: 10, Audio: true,
		Pattern: "testsrc2", Faststart: true})
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, err := os.Open(path)
		if err != nil {
			t.Error(err)
			return
		}
		defer f.Close()
		if r.Header.Get("Range") != "bytes=0-0" && r.Header.Get("Range") != "bytes=0-4095" { // not the size or ftyp checks
			w = &cutWriter{ResponseWriter: w, n: int(st.Size() / 2)}
		}
		http.ServeContent(w, r, "stored.mp4", st.ModTime(), f)
	}))
	defer srv.Close()
	frames, _, err := sample(t, srv.URL+"/stored.mp4?X-Amz-Signature=secret", contest.ScanPlan{Every: 1, Width: 32, Height: 18, MaxFrames: 100})
	if err == nil || errors.Is(err, ffmpeg.ErrUnreadable) || strings.Contains(err.Error(), "secret") {
		t.Errorf("err = %v after %d frames, want a storage error, not unreadable, without the signed URL", err, len(frames))
	}
}
