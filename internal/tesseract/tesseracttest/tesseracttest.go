// Package tesseracttest checks for the real tesseract in tests and renders captions into grey
// pictures with the real ffmpeg, for OCR tests.
package tesseracttest

import (
	"bufio"
	"bytes"
	"fmt"
	"image"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/jskx/contest/internal/ffmpeg/ffmpegtest"
)

// Require skips the test when tesseract or its Simplified Chinese model (chi_sim) is missing,
// or fails it when CONTEST_TEST_REQUIRE_ALL=1 (CI must not skip silently).
func Require(tb testing.TB) {
	tb.Helper()
	out, err := exec.Command("tesseract", "--list-langs").Output()
	if err == nil && !strings.Contains(string(out), "\nchi_sim\n") {
		err = fmt.Errorf("no chi_sim language in %q", out)
	}
	if err != nil {
		if os.Getenv("CONTEST_TEST_REQUIRE_ALL") == "1" {
			tb.Fatalf("tesseract with chi_sim is required (CONTEST_TEST_REQUIRE_ALL=1): %v", err)
		}
		tb.Skipf("tesseract with chi_sim not installed: %v", err)
	}
}

// The CJK fonts the tests draw with (scripts/deps.sh installs them). Droid Sans Fallback has
// no Latin letters (ffmpeg draws boxes); AR PL SungtiL GB has both.
const (
	FontDroid = "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"
	FontSung  = "/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf"
)

// Caption describes a picture with text. The zero value is a blank white 1280x200 picture.
type Caption struct {
	Width, Height int    // default 1280x200
	Background    string // an ffmpeg lavfi source: "white" (default) or e.g. "testsrc2", "mandelbrot"
	Lines         []string
	X, Y          int    // where the first line starts, default 100, 60
	Size          int    // font size in pixels, default 48
	Color         string // default black; white with a busy background
	Font          string // default FontSung
}

// MustRender draws c with ffmpeg and returns the grey picture.
func MustRender(tb testing.TB, c Caption) *image.Gray {
	tb.Helper()
	ffmpegtest.Require(tb)
	c = c.withDefaults()
	src := fmt.Sprintf("%s=s=%dx%d", c.Background, c.Width, c.Height)
	if c.Background == "white" || c.Background == "black" {
		src = fmt.Sprintf("color=c=%s:s=%dx%d", c.Background, c.Width, c.Height)
	}
	dir := tb.TempDir()
	filters := []string{}
	for i, line := range c.Lines {
		name := filepath.Join(dir, strconv.Itoa(i)+".txt")
		if err := os.WriteFile(name, []byte(line), 0o600); err != nil {
			tb.Fatal(err)
		}
		filters = append(filters, fmt.Sprintf("drawtext=fontfile=%s:textfile=%s:fontsize=%d:fontcolor=%s:x=%d:y=%d",
			c.Font, name, c.Size, c.Color, c.X, c.Y+i*c.Size*3/2))
	}
	args := []string{"-v", "error", "-f", "lavfi", "-i", src}
	if len(filters) > 0 {
		args = append(args, "-vf", strings.Join(filters, ","))
	}
	args = append(args, "-frames:v", "1", "-pix_fmt", "gray", "-c:v", "pgm", "-f", "image2pipe", "-")
	var stdout, stderr bytes.Buffer
	cmd := exec.Command("ffmpeg", args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		tb.Fatalf("ffmpeg %q: %v: %s", args, err, stderr.String())
	}
	img, err := DecodePGM(&stdout)
	if err != nil {
		tb.Fatalf("ffmpeg %q: %v", args, err)
	}
	return img
}

func (c Caption) withDefaults() Caption {
	if c.Width == 0 {
		c.Width = 1280
	}
	if c.Height == 0 {
		c.Height = 200
	}
	if c.Background == "" {
		c.Background = "white"
	}
	if c.X == 0 && c.Y == 0 {
		c.X, c.Y = 100, 60
	}
	if c.Size == 0 {
		c.Size = 48
	}
	if c.Color == "" {
		c.Color = "black"
	}
	if c.Font == "" {
		c.Font = FontSung
	}
	return c
}

// Binarize turns bright pixels (above level) black and the rest white: white captions on a
// busy picture become dark text on a light background, which tesseract reads much better.
func Binarize(img *image.Gray, level uint8) *image.Gray {
	out := image.NewGray(img.Rect)
	for i, v := range img.Pix {
		if v <= level {
			out.Pix[i] = 255
		}
	}
	return out
}

// DecodePGM reads a binary 8-bit PGM (P5) picture, as ffmpeg writes it.
func DecodePGM(r io.Reader) (*image.Gray, error) {
	br := bufio.NewReader(r)
	var head [4]string // P5, width, height, maximum; each ends with one white-space byte
	for i := range head {
		for {
			c, err := br.ReadByte()
			if err != nil {
				return nil, fmt.Errorf("PGM header: %w", err)
			}
			if c == ' ' || c == '\n' || c == '\r' || c == '\t' {
				if head[i] != "" {
					break
				}
				continue
			}
			head[i] += string(c)
		}
	}
	w, errW := strconv.Atoi(head[1])
	h, errH := strconv.Atoi(head[2])
	if head[0] != "P5" || errW != nil || errH != nil || head[3] != "255" || w <= 0 || h <= 0 {
		return nil, fmt.Errorf("not an 8-bit binary PGM: header %q", head)
	}
	img := image.NewGray(image.Rect(0, 0, w, h))
	if _, err := io.ReadFull(br, img.Pix); err != nil {
		return nil, fmt.Errorf("PGM pixels: %w", err)
	}
	return img, nil
}
