package pdf_test

import (
	"html"
	"math"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/jskx/contest/internal/contest"
	"github.com/jskx/contest/internal/pdf"
)

func TestRenderCertificate_LongTextStaysInsideTheFrameWithoutOverlaps(t *testing.T) {
	MustRequire(t, "pdftotext")
	for name, c := range map[string]struct {
		renderer func(testing.TB) *pdf.Renderer
		doc      contest.CertificateDoc
	}{
		"twenty names":      {MustRenderer, SampleDoc(twentyNames...)},
		"at the limits":     {MustRenderer, StressDoc()},
		"one line of prose": {MustRenderer, SampleDoc("李明")},
		"rare characters":   {MustFallbackRenderer, RareDoc()},
	} {
		t.Run(name, func(t *testing.T) {
			words := MustWords(t, MustRender(t, c.renderer(t), c.doc))
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

func TestRenderCertificate_LineWithFallbackCharactersIsJustifiedToTheEdge(t *testing.T) {
	MustRequire(t, "pdftotext")
	// the names of RareDoc fill a line and a half: the first is spread to the right edge
	d := RareDoc()
	const right = 255 / 25.4 * 72 // the right edge of the body, in points
	for _, w := range MustWords(t, MustRender(t, MustFallbackRenderer(t), d)) {
		if strings.HasPrefix(w.text, rareNames[0]+"、") {
			if math.Abs(w.xMax-right) > 0.3 {
				t.Errorf("the line of names %q ends at %.2f pt, want the right edge %.2f", w.text, w.xMax, right)
			}
			return
		}
	}
	t.Error("no line starts with the names")
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
