package pdf

import "strings"

// bodyLine is a line of the body: its text, how far it is indented and whether it is to be
// justified (spread to the full width, as every line of a paragraph but its last is).
type bodyLine struct {
	text    string
	indent  float64
	justify bool
}

// drawBody draws the paragraphs in the body box, in the largest size at which they fit.
func drawBody(p *pen, paragraphs []string) {
	var lines []bodyLine
	size := bodySize
	for ; ; size -= 0.5 {
		p.setSize(size)
		lines = layoutBody(p, paragraphs)
		if float64(len(lines))*lineHeight(size) <= bodyBottom-bodyTop || size <= bodyMin {
			break
		}
	}
	lh := lineHeight(size)
	y := bodyTop + (bodyBottom-bodyTop-float64(len(lines))*lh)/3 // a little above the middle
	setText(p.f, ink)
	for i, l := range lines {
		x, baseline := bodyLeft+l.indent, y+(float64(i)+0.75)*lh
		gaps := len([]rune(l.text)) - 1
		if !l.justify || gaps < 1 {
			p.text(x, baseline, l.text)
			continue
		}
		// spread the characters with the character spacing operator, so the text stays one
		// string (one per font) that extracts and copies as written
		spacing := (bodyRight - x - p.width(l.text)) / float64(gaps)
		p.setSpacing(min(spacing, 0.3*size*ptMM))
		p.text(x, baseline, l.text)
		p.setSpacing(0)
	}
}

// lineHeight is the distance between the baselines of the body in size points: airy, but
// tighter once the text has to shrink, so that it shrinks less.
func lineHeight(size float64) float64 {
	if size >= 14 {
		return size * ptMM * 1.8
	}
	return size * ptMM * 1.5
}

// layoutBody wraps the paragraphs to the body width in the current size. A paragraph that
// ends in a colon is the salutation (张三：); the others are indented by two characters, as
// Chinese prose is.
func layoutBody(p *pen, paragraphs []string) []bodyLine {
	var lines []bodyLine
	for _, para := range paragraphs {
		para = strings.TrimSpace(para)
		indent := 2 * p.width(indentChar)
		if strings.HasSuffix(para, "：") || strings.HasSuffix(para, ":") {
			indent = 0
		}
		wrapped := wrap(para, bodyRight-bodyLeft, indent, p.width)
		for i, l := range wrapped {
			if i > 0 {
				indent = 0
			}
			lines = append(lines, bodyLine{text: l, indent: indent, justify: i < len(wrapped)-1})
		}
	}
	return lines
}
