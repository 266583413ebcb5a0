package pdf

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// noLineStart are the marks Chinese typesetting keeps off the start of a line (避头): they
// hang past the right edge instead. noLineEnd are kept off its end (避尾).
const (
	noLineStart = "，。、；：！？）》」』”’〉】…—,.;:!?)]%"
	noLineEnd   = "（《「『“‘〈【([“"
)

// maxWordRunes is the longest run of Chinese characters between marks kept on one line, so
// that a name in a list (张三、欧阳娜娜) or a short title is not cut in two.
const maxWordRunes = 4

// wrap breaks text into lines no wider than width, the first indent narrower, as measured by
// widthOf. Chinese has no spaces, so it breaks between characters, except inside short words
// and Latin words or numbers, and keeps the marks of noLineStart and noLineEnd where they
// belong.
func wrap(text string, width, indent float64, widthOf func(string) float64) []string {
	var lines []string
	var line []string // the units of the current line
	lineWidth := 0.0
	limit := width - indent
	flush := func() {
		lines = append(lines, strings.TrimRight(strings.Join(line, ""), " "))
		line, lineWidth, limit = nil, 0, width
	}
	for _, u := range units(text) {
		w := widthOf(u)
		hangs := isOneOf(u, noLineStart)
		if len(line) > 0 && lineWidth+w > limit && !hangs {
			var carry []string // an opening mark moves down with what it opens
			for len(line) > 1 && isOneOf(line[len(line)-1], noLineEnd) {
				carry = append([]string{line[len(line)-1]}, carry...)
				line = line[:len(line)-1]
			}
			flush()
			for _, c := range carry {
				line, lineWidth = append(line, c), lineWidth+widthOf(c)
			}
		}
		if len(line) == 0 && u == " " {
			continue // no leading space on a wrapped line
		}
		if len(line) == 0 && w > limit {
			for _, r := range u { // a word longer than a line: break it anywhere
				if rw := widthOf(string(r)); len(line) > 0 && lineWidth+rw > limit {
					flush()
				}
				line, lineWidth = append(line, string(r)), lineWidth+widthOf(string(r))
			}
			continue
		}
		line, lineWidth = append(line, u), lineWidth+w
	}
	if len(line) > 0 || len(lines) == 0 {
		flush()
	}
	return lines
}

// units splits text into what may not be broken: a Latin word or number, a space, a mark, a
// run of up to maxWordRunes Chinese characters between marks, or else one character.
func units(text string) []string {
	var out []string
	rs := []rune(text)
	for i := 0; i < len(rs); {
		j := i + 1
		switch {
		case isLatin(rs[i]):
			for j < len(rs) && isLatin(rs[j]) {
				j++
			}
		case isHan(rs[i]):
			for j < len(rs) && isHan(rs[j]) {
				j++
			}
			if j-i > maxWordRunes { // a sentence, not a word: one character at a time
				for _, r := range rs[i:j] {
					out = append(out, string(r))
				}
				i = j
				continue
			}
		}
		out = append(out, string(rs[i:j]))
		i = j
	}
	return out
}

// isOneOf reports whether unit u is one of the marks in set.
func isOneOf(u, set string) bool {
	r, n := utf8.DecodeRuneInString(u)
	return n == len(u) && strings.ContainsRune(set, r)
}

func isLatin(r rune) bool {
	return r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("-_/@.:#+&", r))
}

func isHan(r rune) bool { return unicode.Is(unicode.Han, r) }
