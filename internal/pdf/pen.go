package pdf

import (
	"fmt"
	"iter"
	"unicode"
	"unicode/utf8"

	"github.com/go-pdf/fpdf"
)

// fallbackFamily is the name the fallback font is registered under in a document that needs it.
const fallbackFamily = "cjkfallback"

// pen draws and measures the text of a document in the certificate font, and the characters
// that font lacks in the fallback font: a string is split into runs of one font, drawn one
// after another.
type pen struct {
	f     *fpdf.Fpdf
	cover *coverage // the characters of the certificate font
	// fallback holds the widths of the characters of the fallback font, in thousandths of an
	// em, to measure its runs without selecting it; nil when the document needs no fallback.
	fallback map[rune]int
	size     float64 // the font size, in points
	spacing  float64 // the space added after every character (PDF's Tc), in mm
}

// setSize selects the certificate font in size points.
func (p *pen) setSize(size float64) {
	p.size = size
	p.f.SetFont(fontFamily, "", size)
}

// setSpacing sets the space added after every character drawn, in mm (0 for none). It is
// PDF's character spacing, so that a spread line stays one text that extracts as written.
func (p *pen) setSpacing(mm float64) {
	p.spacing = mm
	if mm == 0 {
		p.f.RawWriteStr("0 Tc")
		return
	}
	p.f.RawWriteStr(fmt.Sprintf("%.4f Tc", mm*p.f.GetConversionRatio()))
}

// width returns how wide s is drawn, in mm, without the character spacing.
func (p *pen) width(s string) float64 {
	if p.fallback == nil {
		return p.f.GetStringWidth(s)
	}
	w := 0.0
	for run, fallback := range p.runs(s) {
		if !fallback {
			w += p.f.GetStringWidth(run)
			continue
		}
		units := 0
		for _, r := range run {
			units += p.fallback[r]
		}
		w += float64(units) * (p.size / p.f.GetConversionRatio()) / 1000 // as fpdf measures
	}
	return w
}

// text draws s with its baseline at y, starting at x.
func (p *pen) text(x, y float64, s string) {
	if p.fallback == nil {
		p.f.Text(x, y, s)
		return
	}
	for run, fallback := range p.runs(s) {
		if fallback {
			p.f.SetFont(fallbackFamily, "", p.size)
		}
		p.f.Text(x, y, run)
		x += p.f.GetStringWidth(run) + float64(utf8.RuneCountInString(run))*p.spacing
		if fallback {
			p.f.SetFont(fontFamily, "", p.size)
		}
	}
}

// centered draws s with its baseline at y, centred on x.
func (p *pen) centered(s string, x, y float64) {
	p.text(x-p.width(s)/2, y, s)
}

// runs splits s into its longest runs of characters drawn in one font, telling whether that
// is the fallback font: it is for the characters the certificate font lacks. White space
// needs no glyph and stays in the certificate font.
func (p *pen) runs(s string) iter.Seq2[string, bool] {
	return func(yield func(string, bool) bool) {
		start, inFallback := 0, false
		for i, r := range s {
			fallback := !p.cover.has(r) && !unicode.IsSpace(r)
			if i > start && fallback != inFallback {
				if !yield(s[start:i], inFallback) {
					return
				}
				start = i
			}
			inFallback = fallback
		}
		if start < len(s) {
			yield(s[start:], inFallback)
		}
	}
}
