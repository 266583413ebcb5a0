package pdf_test

import (
	"html"
	"os/exec"
	"regexp"
	"strconv"
	"testing"

	"github.com/jskx/contest/internal/contest"
)

func TestRenderCertificate_LongTextStaysInsideTheFrameWithoutOverlaps(t *testing.T) {
	MustRequire(t, "pdftotext")
	r := MustRenderer(t)
	for name, d := range map[string]contest.CertificateDoc{
		"twenty names":      SampleDoc(twentyNames...),
		"at the limits":     StressDoc(),
		"one line of prose": SampleDoc("李明"),
	} {
		t.Run(name, func(t *testing.T) {
			words := MustWords(t, MustRender(t, r, d))
			const frame = 14 / 25.4 * 72 // the inner frame, 14 mm from the edges, in points
			for i, w := range words {
				if w.xMin < frame || w.yMin < frame || w.xMax > 842-frame || w.yMax > 595-frame {
					t.Errorf("%q at %v is outside the frame", w.text, w)
				}
				for _, v := range words[i+1:] {
					if w.overlaps(v) {
						t.Errorf("%q at %v overlaps %q at %v", w.text, w, v.text, v)
					}
				}
			}
		})
	}
}

// word is a word pdftotext found, with its box in points from the top left of the page.
type word struct {
	text                   string
	xMin, yMin, xMax, yMax float64
}

// overlaps reports whether the boxes of w and v overlap by more than a hairline.
func (w word) overlaps(v word) bool {
	const tol = 0.5
	return w.xMin+tol < v.xMax && v.xMin+tol < w.xMax && w.yMin+tol < v.yMax && v.yMin+tol < w.yMax
}

var wordRE = regexp.MustCompile(`<word xMin="([0-9.]+)" yMin="([0-9.]+)" xMax="([0-9.]+)" yMax="([0-9.]+)">([^<]*)</word>`)

// MustWords returns the words of the PDF at path with their boxes (pdftotext -bbox).
func MustWords(tb testing.TB, path string) []word {
	tb.Helper()
	out, err := exec.Command("pdftotext", "-bbox", path, "-").Output()
	if err != nil {
		tb.Fatalf("pdftotext -bbox: %v", err)
	}
	var words []word
	for _, m := range wordRE.FindAllStringSubmatch(string(out), -1) {
		w := word{text: html.UnescapeString(m[5])}
		for i, p := range []*float64{&w.xMin, &w.yMin, &w.xMax, &w.yMax} {
			if *p, err = strconv.ParseFloat(m[i+1], 64); err != nil {
				tb.Fatal(err)
			}
		}
		words = append(words, w)
	}
	if len(words) < 10 {
		tb.Fatalf("pdftotext found %d words:\n%s", len(words), out)
	}
	return words
}
