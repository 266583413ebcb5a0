package tesseract

import (
	"context"
	"errors"
	"image"
	"image/draw"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jskx/contest/internal/contest"
	"github.com/jskx/contest/internal/ffmpeg/ffmpegtest"
	"github.com/jskx/contest/internal/tesseract/tesseracttest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	ffmpegtest.Cleanup()
	os.Exit(code)
}

func read(t *testing.T, r *Reader, imgs ...image.Image) []string {
	t.Helper()
	tesseracttest.Require(t)
	texts, err := r.ReadText(context.Background(), imgs)
	if err != nil {
		t.Fatal(err)
	}
	if len(texts) != len(imgs) {
		t.Fatalf("%d texts for %d pictures", len(texts), len(imgs))
	}
	return texts
}

// A maker's name and employer in a caption are read as written: Chinese without spaces.
func TestReadText_ReadsChineseCaptions(t *testing.T) {
	for _, font := range []string{tesseracttest.FontDroid, tesseracttest.FontSung} {
		for _, want := range []string{"欧阳明哲", "江苏省农业科学院"} {
			img := tesseracttest.MustRender(t, tesseracttest.Caption{Lines: []string{want}, Font: font})
			if got := read(t, &Reader{}, img)[0]; got != want {
				t.Errorf("%s in %s: read %q", want, font, got)
			}
		}
	}
}

// Latin words and digits keep their spaces; a label and its name stay on one line.
func TestReadText_KeepsSpacesBetweenLatinWordsAndLines(t *testing.T) {
	img := tesseracttest.MustRender(t, tesseracttest.Caption{Height: 300,
		Lines: []string{"作者 Li Ming 2024", "江苏省农业科学院"}})
	got := read(t, &Reader{}, img)[0]
	lines := strings.Split(got, "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "Li Ming 2024") || lines[1] != "江苏省农业科学院" {
		t.Errorf("read %q", got)
	}
}

// Several pictures go to one run and come back in order; a blank one reads as "".
func TestReadText_ManyPicturesInOrder(t *testing.T) {
	name := tesseracttest.MustRender(t, tesseracttest.Caption{Lines: []string{"主创：欧阳明哲"}})
	blank := tesseracttest.MustRender(t, tesseracttest.Caption{})
	unit := tesseracttest.MustRender(t, tesseracttest.Caption{Lines: []string{"江苏省农业科学院"}})
	empty := image.NewGray(image.Rect(0, 0, 0, 0))
	got := read(t, &Reader{}, name, blank, unit, empty)
	if !strings.HasSuffix(got[0], "欧阳明哲") || got[1] != "" || got[2] != "江苏省农业科学院" || got[3] != "" {
		t.Errorf("read %q", got)
	}
}

// White captions on a busy picture are read once bright pixels are turned into dark text.
func TestReadText_BinarizedCaptionOnBusyPicture(t *testing.T) {
	frame := tesseracttest.MustRender(t, tesseracttest.Caption{Height: 720, Background: "testsrc2",
		Color: "white", Font: tesseracttest.FontDroid, Size: 30, X: 40, Y: 560,
		Lines: []string{"主创：欧阳明哲  摄像：李明", "江苏省农业科学院"}})
	band := frame.SubImage(image.Rect(0, 520, 1280, 720)).(*image.Gray) // the bottom band
	got := read(t, &Reader{}, tesseracttest.Binarize(band, 180))[0]
	if !strings.Contains(got, "欧阳明哲") || !strings.Contains(got, "江苏省农业科学院") {
		t.Errorf("read %q", got)
	}
}

// A colour picture is read as its grey version.
func TestReadText_ConvertsColourPictures(t *testing.T) {
	g := tesseracttest.MustRender(t, tesseracttest.Caption{Lines: []string{"江苏省农业科学院"}})
	rgba := image.NewRGBA(g.Rect)
	draw.Draw(rgba, rgba.Rect, g, image.Point{}, draw.Src)
	if got := read(t, &Reader{}, rgba)[0]; got != "江苏省农业科学院" {
		t.Errorf("read %q", got)
	}
}

// The frames are the contestants': nothing is left in the temporary folder.
func TestReadText_LeavesNoFiles(t *testing.T) {
	img := tesseracttest.MustRender(t, tesseracttest.Caption{Lines: []string{"欧阳明哲"}})
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	read(t, &Reader{}, img, img)
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("left in the temporary folder: %v", left)
	}
}

// Without tesseract, or without its Chinese model, the scan is told OCR is unavailable.
func TestReadText_UnavailableWithoutTesseractOrLanguage(t *testing.T) {
	tesseracttest.Require(t)
	img := image.NewGray(image.Rect(0, 0, 10, 10))
	_, err := (&Reader{Lang: "chi_sim+xx_missing"}).ReadText(context.Background(), []image.Image{img})
	if !errors.Is(err, contest.ErrOCRUnavailable) || !strings.Contains(err.Error(), "xx_missing") {
		t.Errorf("missing language: %v", err)
	}
	t.Setenv("PATH", t.TempDir())
	r := &Reader{}
	for range 2 { // the answer is remembered
		if _, err := r.ReadText(context.Background(), []image.Image{img}); !errors.Is(err, contest.ErrOCRUnavailable) {
			t.Errorf("no tesseract: %v", err)
		}
	}
}

// A cancelled scan stops tesseract at once, and so does the reader's timeout.
func TestReadText_StopsWithItsContext(t *testing.T) {
	frame := tesseracttest.MustRender(t, tesseracttest.Caption{Width: 1280, Height: 720,
		Background: "testsrc2", Lines: []string{"主创：欧阳明哲"}})
	imgs := make([]image.Image, 60) // a run of many seconds
	for i := range imgs {
		imgs[i] = frame
	}
	tesseracttest.Require(t)
	r := &Reader{}
	if _, err := r.ReadText(context.Background(), imgs[:1]); err != nil { // checks the installation
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := r.ReadText(ctx, imgs)
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 3*time.Second {
		t.Errorf("cancelled after %v: %v", time.Since(start), err)
	}
	r.Timeout = 300 * time.Millisecond
	start = time.Now()
	if _, err := r.ReadText(context.Background(), imgs); !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 3*time.Second {
		t.Errorf("timed out after %v: %v", time.Since(start), err)
	}
}

func TestParseTSV_JoinsChineseWordsAndSkipsLowConfidence(t *testing.T) {
	const tsv = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n" +
		"1\t1\t0\t0\t0\t0\t0\t0\t1280\t200\t-1\t\n" +
		"5\t1\t1\t1\t1\t1\t104\t60\t119\t58\t89.6\t主创\n" +
		"5\t1\t1\t1\t1\t2\t256\t77\t8\t36\t87.1\t:\n" +
		"5\t1\t1\t1\t1\t3\t320\t60\t118\t58\t96.5\t欧阳\n" +
		"5\t1\t1\t1\t1\t4\t447\t60\t97\t58\t13.6\t明哲\n" +
		"5\t1\t1\t1\t1\t5\t800\t60\t97\t58\t93.6\t摄像\n" + // far away: a gap
		"1\t2\t0\t0\t0\t0\t0\t0\t1280\t200\t-1\t\n" +
		"5\t3\t1\t1\t1\t1\t103\t61\t50\t58\t95.3\tLi\n" +
		"5\t3\t1\t1\t1\t2\t160\t61\t90\t58\t95.3\tMing\n" +
		"5\t3\t1\t1\t2\t1\t103\t161\t90\t58\t95.3\t江苏\n"
	for _, c := range []struct {
		minConf float64
		want    map[int]string
	}{
		{0, map[int]string{1: "主创 : 欧阳明哲 摄像", 3: "Li Ming\n江苏"}},
		{50, map[int]string{1: "主创 : 欧阳 摄像", 3: "Li Ming\n江苏"}},
	} {
		got, err := parseTSV([]byte(tsv), c.minConf)
		if err != nil || len(got) != len(c.want) || got[1] != c.want[1] || got[3] != c.want[3] {
			t.Errorf("minConf %v: %v, %v; want %v", c.minConf, got, err, c.want)
		}
	}
}

// End to end: the credits of a video, white on busy pictures, binarized and read, name the
// maker and the employer for the content scan.
func TestReadText_FindsLeaksInCredits(t *testing.T) {
	var imgs []image.Image
	// (Not smptebars: its white bar lies under the captions, and binarized it swallows them.)
	backgrounds := []string{"testsrc2", "mandelbrot", "rgbtestsrc"}
	for _, bg := range backgrounds {
		frame := tesseracttest.MustRender(t, tesseracttest.Caption{Height: 720, Background: bg,
			Color: "white", Font: tesseracttest.FontDroid, Size: 36, X: 40, Y: 560,
			Lines: []string{"主创：欧阳明哲  摄像：李明", "江苏省农业科学院出品"}})
		band := frame.SubImage(image.Rect(0, 520, 1280, 720)).(*image.Gray)
		imgs = append(imgs, tesseracttest.Binarize(band, 180))
	}
	texts := read(t, &Reader{}, imgs...)
	for i, bg := range backgrounds {
		hits := contest.FindLeaks([]contest.FrameText{{At: float64(i), Text: texts[i]}},
			[]string{"欧阳明哲"}, []string{"江苏省农业科学院"})
		if len(hits) != 2 {
			t.Errorf("%s: read %q, found %+v", bg, texts[i], hits)
		}
	}
}
