package contest

import (
	"context"
	"errors"
	"image"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
)

// fakeReader records what the OCR was given and answers with text chosen per picture.
type fakeReader struct {
	mu     sync.Mutex
	calls  int
	seen   []image.Image
	answer func(img image.Image) string
	err    error
}

func (r *fakeReader) ReadText(_ context.Context, imgs []image.Image) ([]string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls++
	if r.err != nil {
		return nil, r.err
	}
	out := make([]string, len(imgs))
	for i, img := range imgs {
		r.seen = append(r.seen, img)
		if r.answer != nil {
			out[i] = r.answer(img)
		}
	}
	return out, nil
}

// frameWith is a dark 320×180 picture with, if caption, a light bar in the bottom band whose
// width says which caption it is, and noise everywhere (a moving picture).
func frameWith(rng *rand.Rand, caption int) *image.Gray {
	img := image.NewGray(image.Rect(0, 0, 320, 180))
	for i := range img.Pix {
		img.Pix[i] = uint8(rng.IntN(120))
	}
	if caption > 0 {
		for y := 150; y < 162; y++ {
			for x := 40; x < 40+caption*20; x++ {
				img.Pix[y*img.Stride+x] = 250
			}
		}
	}
	return img
}

// The scanner reads a caption band once while the same caption stays on screen, again when
// it changes, never an empty band, and the whole frame only in the opening and closing seconds
// and once per different picture; the OCR's texts come back with their times and regions.
func TestFrameScanner_ReadsEachCaptionOnceAndTheCreditsWhole(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	reader := &fakeReader{answer: func(img image.Image) string {
		if img.Bounds().Dy() == 180 {
			return "片头"
		}
		return "稻田里的清晨，露水还挂在叶尖"
	}}
	const duration = 40.0
	fs := newFrameScanner(context.Background(), reader, duration)
	for i := 0; i < int(duration/scanEvery); i++ {
		at := float64(i) * scanEvery
		caption := 0
		switch {
		case at >= 12 && at < 16:
			caption = 3 // one caption for 4 s
		case at >= 16 && at < 18:
			caption = 6 // another one
		}
		if err := fs.frame(at, frameWith(rng, caption)); err != nil {
			t.Fatal(err)
		}
	}
	texts, err := fs.finish()
	if err != nil {
		t.Fatal(err)
	}
	var bottoms, fulls []float64
	for _, tx := range texts {
		switch tx.Region {
		case RegionBottom:
			bottoms = append(bottoms, tx.At)
			if tx.Text != "稻田里的清晨，露水还挂在叶尖" {
				t.Errorf("bottom band at %.1f read as %q", tx.At, tx.Text)
			}
		case RegionFull:
			fulls = append(fulls, tx.At)
		case RegionTop:
			t.Errorf("the top band, empty, was read at %.1f", tx.At)
		}
	}
	if len(bottoms) != 2 || bottoms[0] != 12 || bottoms[1] != 16 {
		t.Errorf("the bottom band was read at %v; want at 12 s and 16 s, once per caption", bottoms)
	}
	for _, at := range fulls {
		if at >= scanEdge && at <= duration-scanEdge {
			t.Errorf("a whole frame was read at %.1f s, outside the opening and closing %v s", at, scanEdge)
		}
	}
	if len(fulls) == 0 {
		t.Error("no whole frame was read in the opening or closing seconds")
	}
	if len(fs.hashes) != int(duration/scanHashEvery) {
		t.Errorf("%d hashes kept, want one a second (%d)", len(fs.hashes), int(duration/scanHashEvery))
	}
	sub := subtitlesOf(texts, fs.bottom)
	if sub.Sampled != int(duration/scanReadEvery) {
		t.Errorf("the bottom band was looked at %d times, want once a second", sub.Sampled)
	}
	// A caption read once counts for every second it stays on screen: 12–17 s.
	if sub.WithText != 6 {
		t.Errorf("%d of the looks saw a subtitle line, want 6 (each second from 12 s to 17 s)", sub.WithText)
	}
}

// Without an OCR the sampling goes on (hashes, sound) and the scan says why no text was read.
func TestFrameScanner_WithoutOCRKeepsHashing(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	fs := newFrameScanner(context.Background(), nil, 20)
	for i := range 40 {
		if err := fs.frame(float64(i)*scanEvery, frameWith(rng, 4)); err != nil {
			t.Fatal(err)
		}
	}
	texts, err := fs.finish()
	if len(texts) != 0 || ErrorCode(err) != EUnavailable {
		t.Fatalf("texts %v, err %v; want none and the OCR unavailable", texts, err)
	}
	if len(fs.hashes) != 20 {
		t.Errorf("%d hashes, want 20", len(fs.hashes))
	}
}

// hashesOf is a video as a hash a second: random 64-bit pictures.
func hashesOf(rng *rand.Rand, n int) []FrameHash {
	out := make([]FrameHash, n)
	for i := range out {
		out[i] = FrameHash{At: float64(i), Hash: rng.Uint64()}
	}
	return out
}

// flip changes k bits of h.
func flip(rng *rand.Rand, h uint64, k int) uint64 {
	for _, b := range rng.Perm(64)[:k] {
		h ^= 1 << b
	}
	return h
}

// Two videos match when, at one offset, most of the shorter one's seconds look like the
// other's: a copy with a few bits changed per frame (a re-encode), a trimmed copy (an offset),
// but not a different video, nor one whose frames are all one picture.
func TestMatchVideos(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	orig := hashesOf(rng, 60)
	reencoded := make([]FrameHash, len(orig))
	for i, h := range orig {
		reencoded[i] = FrameHash{At: h.At + 0.02, Hash: flip(rng, h.Hash, 6)}
	}
	trimmed := make([]FrameHash, 0, 40)
	for _, h := range orig[15:55] {
		trimmed = append(trimmed, FrameHash{At: h.At - 15, Hash: flip(rng, h.Hash, 4)})
	}
	still := make([]FrameHash, 60)
	for i := range still {
		still[i] = FrameHash{At: float64(i), Hash: orig[0].Hash}
	}
	for _, c := range []struct {
		name      string
		a, b      []FrameHash
		match     bool
		offset    float64
		tolerance float64
	}{
		{"re-encoded", orig, reencoded, true, 0, 1},
		{"trimmed by 15 s", orig, trimmed, true, -15, 1},
		{"trimmed, the other way round", trimmed, orig, true, 15, 1},
		{"a different video", orig, hashesOf(rng, 60), false, 0, 0},
		{"a still of one of its pictures", orig, still, false, 0, 0},
		{"too short", orig[:2], orig[:2], false, 0, 0},
	} {
		share, off := MatchVideos(c.a, c.b)
		if got := share >= dupShare; got != c.match {
			t.Errorf("%s: share %.2f, match %v, want %v", c.name, share, got, c.match)
		}
		if c.match && (off < c.offset-c.tolerance || off > c.offset+c.tolerance) {
			t.Errorf("%s: offset %v, want %v", c.name, off, c.offset)
		}
	}
}

// One finding per thing matched and stretch of video, the best read kept, frames numbered.
func TestGroupLeaks(t *testing.T) {
	hits := []LeakHit{
		{Kind: LeakName, At: 4, Read: "欢阳明扫", Matched: "欧阳明哲", Score: 0.5, Labelled: true},
		{Kind: LeakName, At: 5, Read: "欧阳明哲", Matched: "欧阳明哲", Score: 1},
		{Kind: LeakEmployer, At: 5, Read: "省农科院", Matched: "江苏省农业科学院", Score: 0.8},
		{Kind: LeakName, At: 30, Read: "欧阳明哲", Matched: "欧阳明哲", Score: 1},
	}
	got := groupLeaks(hits)
	if len(got) != 3 {
		t.Fatalf("%d findings %+v, want 3 (the name at 4–5 s, the unit, the name at 30 s)", len(got), got)
	}
	if got[0].At != 4 || got[0].Read != "欧阳明哲" || got[0].Frame != 1 {
		t.Errorf("first finding %+v: want the best read, from 4 s, frame 1", got[0])
	}
	if got[1].Frame != 2 || got[2].Frame != 3 {
		t.Errorf("frames %d, %d; want 2 and 3", got[1].Frame, got[2].Frame)
	}
}

// The contestant is told of subtitles and loudness with what to do, never of names.
func TestScanFindings_AdviceAndWarnings(t *testing.T) {
	quiet := ScanFindings{Sound: SoundPicture{HasAudio: true, Loudness: -35, TruePeak: -12},
		Subtitles: Subtitles{Sampled: 100, WithText: 2},
		Leaks:     []LeakHit{{Kind: LeakName, At: 3, Read: "欧阳明哲", Matched: "欧阳明哲", Score: 1}}}
	advice := quiet.ContestantAdvice()
	codes := func(rs []Reason) string {
		var c []string
		for _, r := range rs {
			c = append(c, r.Code)
		}
		return strings.Join(c, ",")
	}
	if got := codes(advice); got != WNoSubtitles+","+WTooQuiet {
		t.Errorf("advice %s", got)
	}
	for _, r := range advice {
		if strings.Contains(r.Message, "欧阳明哲") {
			t.Errorf("the contestant's advice names a participant: %s", r.Message)
		}
	}
	loud := ScanFindings{Sound: SoundPicture{HasAudio: true, Loudness: -14, TruePeak: 0.3,
		Black: []Stretch{{10, 16}}, Silence: []Stretch{{20, 21}, {40, 48}}}, Subtitles: Subtitles{Present: true}}
	if got := codes(loud.NationalWarnings()); got != WTooLoud+","+WPeak+","+WBlack+","+WSilence {
		t.Errorf("national warnings %s", got)
	}
	fine := ScanFindings{Sound: SoundPicture{HasAudio: true, Loudness: -23.4, TruePeak: -2}, Subtitles: Subtitles{Present: true}}
	if w := fine.NationalWarnings(); len(w) != 0 {
		t.Errorf("a conforming video has warnings %v", w)
	}
	if got := codes(quiet.ReviewWarnings()); got != WLeakName {
		t.Errorf("review warnings %s", got)
	}
}

// A 4K portrait video is sampled upright, scaled down to fit; a small one is never scaled up.
func TestNewScanPlan(t *testing.T) {
	p := NewScanPlan(VideoFacts{DisplayWidth: 2160, DisplayHeight: 3840, DurationSec: 180})
	if p.Width != 720 || p.Height != 1280 || p.Every != scanEvery || p.MaxFrames != 364 {
		t.Errorf("4K portrait plan %+v", p)
	}
	if p := NewScanPlan(VideoFacts{DisplayWidth: 1280, DisplayHeight: 720, DurationSec: 10}); p.Width != 1280 || p.Height != 720 {
		t.Errorf("720p plan %+v", p)
	}
}

// flakyReader fails its second run, as a tesseract timing out on a busy machine would.
type flakyReader struct{ fakeReader }

func (r *flakyReader) ReadText(ctx context.Context, imgs []image.Image) ([]string, error) {
	r.mu.Lock()
	second := r.calls == 1
	r.mu.Unlock()
	if second {
		r.mu.Lock()
		r.calls++
		r.mu.Unlock()
		return nil, errors.New("tesseract: signal: killed")
	}
	return r.fakeReader.ReadText(ctx, imgs)
}

// A batch the OCR fails on loses only its own regions: the scan goes on and says how many were
// not read.
func TestFrameScanner_AFailedBatchLosesOnlyItself(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	reader := &flakyReader{fakeReader{answer: func(image.Image) string { return "字" }}}
	fs := newFrameScanner(context.Background(), reader, 60)
	for i := range 120 {
		if err := fs.frame(float64(i)*scanEvery, frameWith(rng, 1+i%7)); err != nil {
			t.Fatal(err)
		}
	}
	texts, err := fs.finish()
	if err != nil {
		t.Fatal(err)
	}
	if fs.unread != scanBatch || len(texts) != fs.reads-scanBatch {
		t.Errorf("%d regions read, %d texts, %d unread; want all but one batch (%d) read", fs.reads, len(texts), fs.unread, scanBatch)
	}
}
