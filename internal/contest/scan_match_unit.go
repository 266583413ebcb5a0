package contest

import (
	"slices"
	"strings"
)

// leakUnit is an employer's name prepared for matching: its runes, which of them begin a word
// (abbreviations take those), which are distinctive (not in genericUnitWords).
type leakUnit struct {
	text      string
	runes     []rune
	initial   []bool
	distinct  []bool
	nDistinct int
	// altEnd is where an abbreviation may end besides the last rune: the 医 of a final 医院,
	// the 大 of a final 大学 (省人医); -1 if none.
	altEnd int
}

func newLeakUnit(s string) (leakUnit, bool) {
	r := normalRunes(s)
	if len(r) < 3 || noUnit[string(r)] {
		return leakUnit{}, false
	}
	u := leakUnit{text: strings.TrimSpace(s), runes: r, initial: make([]bool, len(r)),
		distinct: make([]bool, len(r)), altEnd: -1}
	stretch := 0 // length of the current run of distinctive runes
	for p := 0; p < len(r); {
		if g := genericAt(r, p); g > 0 {
			u.initial[p], stretch = true, 0
			p += g
			continue
		}
		// Without a dictionary, a run of distinctive runes is read as words of two (农业).
		u.initial[p] = stretch%2 == 0
		u.distinct[p] = true
		u.nDistinct++
		stretch++
		p++
	}
	if n := len(r); n >= 4 && (string(r[n-2:]) == "医院" || string(r[n-2:]) == "大学") {
		u.altEnd = n - 2
	}
	return u, true
}

// genericAt returns the length of the longest generic word at r[p:], or 0.
func genericAt(r []rune, p int) int {
	for _, gr := range genericUnitRunes {
		if len(gr) <= len(r)-p && slices.Equal(r[p:p+len(gr)], gr) {
			return len(gr) // the list has longer words first
		}
	}
	return 0
}

// find returns the best match of the unit in t: its full name, fuzzy, or an abbreviation.
func (u leakUnit) find(t leakText) (leakMatch, bool) {
	if len(u.runes) > maxFuzzyUnit {
		m, ok := t.exact(u.runes)
		m.labelled = false
		return m, ok
	}
	best, found := leakMatch{}, false
	consider := func(m leakMatch) {
		if !found || m.better(best) {
			best, found = m, true
		}
	}
	n, last := len(u.runes), u.runes[len(u.runes)-1]
	slack := 0
	if n >= unitFuzzyRunes {
		slack = n / 4 // a similarity of 0.75 allows no more length difference than this
	}
	for j := 1; j <= len(t.runes); j++ {
		if t.runes[j-1] != last {
			continue
		}
		for w := n - slack; w <= n+slack; w++ {
			if i := j - w; i >= 0 && t.sameLine(i, j) {
				if score, ok := u.similar(t.runes[i:j]); ok {
					consider(leakMatch{i: i, j: j, score: score})
				}
			}
		}
	}
	for i := range t.runes {
		u.abbreviations(t, i, func(j int) { consider(leakMatch{i: i, j: j, score: 1}) })
	}
	return best, found
}

// similar says whether win is the unit's full name with a few characters misread: similarity
// at least unitSimilar (exact under unitFuzzyRunes characters), and its distinctive characters
// there (but one in four), so that 江苏省林业科学院 is not 江苏省农业科学院.
func (u leakUnit) similar(win []rune) (float64, bool) {
	n := len(u.runes)
	score := max(0, 1-float64(levenshtein(win, u.runes))/float64(n))
	if n < unitFuzzyRunes {
		return score, score == 1
	}
	missing := 0
	for p, r := range u.runes {
		if u.distinct[p] && !slices.Contains(win, r) {
			missing++
		}
	}
	return score, score >= unitSimilar && missing <= u.nDistinct/4
}

// abbrevState is how far an abbreviation has come: its last rune taken from position p of the
// unit, whether a distinctive rune was taken, whether a rune was skipped.
type abbrevState struct {
	p               int
	distinct, skips bool
}

// abbreviations calls found(j) for each end j such that t.runes[i:j] (3 runes or more, on one
// line) abbreviates the unit: its runes taken in order from the unit, each beginning a word or
// following the one taken before (江苏 of 江苏农科院), one of them distinctive, the last being
// the unit's last (院) or its altEnd; ending at altEnd, a rune must have been skipped (东南大 of
// 东南大学 is the start of a sentence, not an abbreviation). An abbreviation preceded by
// another place (中国农科院) is another body's.
func (u leakUnit) abbreviations(t leakText, i int, found func(j int)) {
	var states []abbrevState
	for p, r := range u.runes {
		if r == t.runes[i] && u.initial[p] {
			states = append(states, abbrevState{p, u.distinct[p], false})
		}
	}
	if len(states) == 0 || u.otherPlaceBefore(t, i) {
		return
	}
	for j := i + 1; ; j++ {
		if j-i >= 3 && slices.ContainsFunc(states, func(s abbrevState) bool {
			return s.distinct && (s.p == len(u.runes)-1 || s.p == u.altEnd && s.skips)
		}) {
			found(j)
		}
		if j >= len(t.runes) || j-i >= len(u.runes) || !t.sameLine(i, j+1) {
			return
		}
		states = u.take(states, t.runes[j])
		if len(states) == 0 {
			return
		}
	}
}

// take returns the states reached from states by taking the rune r next.
func (u leakUnit) take(states []abbrevState, r rune) []abbrevState {
	var next []abbrevState
	for _, s := range states {
		for q := s.p + 1; q < len(u.runes); q++ {
			if u.runes[q] != r || !u.initial[q] && q != s.p+1 {
				continue
			}
			n := abbrevState{q, s.distinct || u.distinct[q], s.skips || q != s.p+1}
			if !slices.Contains(next, n) {
				next = append(next, n)
			}
		}
	}
	return next
}

// otherPlaceBefore says whether a place or kind word that is not in the unit's name stands just
// before rune i: 中国农科院 and 南京市农科院 are other academies than 江苏省农业科学院.
func (u leakUnit) otherPlaceBefore(t leakText, i int) bool {
	for _, gr := range genericUnitRunes {
		k := i - len(gr)
		if k >= 0 && t.sameLine(k, i+1) && slices.Equal(t.runes[k:i], gr) && !strings.Contains(string(u.runes), string(gr)) {
			return true
		}
	}
	return false
}
