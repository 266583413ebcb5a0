package contest

import (
	"cmp"
	"slices"
	"strings"
	"unicode"
)

// The leak search compares what OCR read on screen with the work's participants' names and
// employers. OCR of captions on moving pictures is noisy (Tesseract read 主创：欧阳明哲 as
// "主创: 欢阳明扫", "政冯明哲", "欧阳明上哲"; 江苏省农业科学院 as "江苍省农业科学院",
// ",省农业科学院"), so the match is fuzzy; and narration is full of the same words as the
// employers' names (江苏, 农业, 科学, 研究院), so the fuzziness is bounded by rules that keep
// ordinary sentences out. The thresholds were tuned on Tesseract 5.3 (chi_sim) output.

// nameLabels are the credits' words that stand before a maker's name (主创：欧阳明哲). Behind
// one, a name read with more OCR errors still counts.
var nameLabels = []string{
	"主创", "作者", "编导", "导演", "摄像", "摄影", "剪辑", "制作", "出品", "策划", "主讲", "讲解",
	"讲述", "配音", "监制", "出镜", "撰稿", "解说", "演员", "主演", "制片", "拍摄", "文案", "指导",
	"指导老师", "人员", "主持", "主持人", "编剧", "编辑", "统筹", "制作人", "出品人", "创作", "成员",
}

// genericUnitWords are the parts of employers' names that say where or what kind of body it is,
// not which one: provinces and the province's cities (narration names them everywhere), and
// the kinds of bodies. A name or abbreviation must contain one of the other, "distinctive",
// characters of the employer's name (农 or 业 of 江苏省农业科学院) to count, so 江苏省,
// 科学院 or 中国科学院 alone do not match 江苏省农业科学院. Longer words come first.
var genericUnitWords = []string{
	"连云港", "委员会", "联合会", "研究院", "研究所", "办公室", "幼儿园",
	"中华", "中国", "国家", "全国", "江苏", "南京", "无锡", "徐州", "常州", "苏州", "南通", "淮安",
	"盐城", "扬州", "镇江", "泰州", "宿迁", "地区", "街道", "人民", "第一", "第二", "第三", "科学",
	"技术", "科技", "研究", "大学", "学院", "学校", "中学", "小学", "公司", "股份", "有限", "责任",
	"集团", "中心", "医院", "协会", "学会", "政府", "管理", "服务", "发展", "职业",
	"省", "市", "县", "区", "镇", "乡", "村", "院", "所", "局", "委", "会", "厅", "站", "部", "处",
	"校", "馆", "社", "场",
}

// nameLabelRunes and genericUnitRunes are the lists above as runes.
var nameLabelRunes, genericUnitRunes = allRunes(nameLabels), allRunes(genericUnitWords)

func allRunes(words []string) [][]rune {
	out := make([][]rune, len(words))
	for i, w := range words {
		out[i] = []rune(w)
	}
	return out
}

// noUnit are what people write as their 工作单位 when they have none; they match nothing.
var noUnit = map[string]bool{
	"无": true, "暂无": true, "个人": true, "自由职业": true, "自由职业者": true, "学生": true,
	"退休": true, "待业": true, "农民": true, "none": true, "na": true,
}

// Thresholds of the fuzzy match (similarity = 1 − edit distance / length of the name).
const (
	// nameSimilar: a 4-character name may have one character misread; names of 2 and 3
	// characters must be read exactly.
	nameSimilar = 0.75
	// labelledSimilar: behind a label, half the characters may be misread (欢阳明扫 for
	// 欧阳明哲), as long as at least 2 are right and they are not only the surname.
	labelledSimilar = 0.5
	// unitSimilar: an employer's full name of 6 characters or more may have a quarter of its
	// characters misread; shorter names must be read exactly.
	unitSimilar    = 0.75
	unitFuzzyRunes = 6
	// Names and units longer than these (the forms allow 100 characters) are only looked for
	// exactly: no real one is so long, and the fuzzy search costs grow with the square.
	maxFuzzyName = 30
	maxFuzzyUnit = 40
	// leakContext is how many characters around a match are kept in LeakHit.Read.
	leakContext = 4
)

// FindLeaks returns the places in texts (OCR results) that look like one of the names (the
// work's participants, Chinese or Latin) or one of the units (their employers, full names).
// There is at most one hit per text, kind and name or unit: the best. Frame is left 0 for the
// caller. Hits are in the order of At.
//
// A name matches a stretch of text of about its length (±1 character) whose similarity is at
// least 0.75, or 0.5 behind a label (主创：, 作者：…), with at least 2 characters right and not
// only the leading ones (主创：欧阳修 is another 欧阳). A Latin name must be read exactly, or
// with a similarity of 0.75 behind a label: OCR reads Latin letters well, and without the
// spaces, which OCR does not keep reliably, ordinary words come close (climbing, Li Ming). A name shorter than 2 characters, or a
// Latin name shorter than 4 letters, is not searched (too many ordinary words contain it). A
// 2-character name matches inside a longer one (李明 in 李明亮): it may be the same person.
//
// A unit matches its full name read with at most a quarter of its characters wrong (exactly
// under 6 characters), ending with its last character and keeping its distinctive ones; or the
// name without its leading place (农业科学院); or an abbreviation: 3 characters or more, taken in
// order from the beginnings of its words (江苏农科院, 省农科院, 农科院), with a distinctive
// character, ending with its last character (院), or with the first of 医院 or 大学 (省人医).
// 2-character abbreviations (南大, 东大) are too ambiguous and are not searched; nor are units
// made only of generic words (江苏省人民医院 is found by its full name only).
func FindLeaks(texts []FrameText, names []string, units []string) []LeakHit {
	var people []leakName
	for _, n := range names {
		if p, ok := newLeakName(n); ok && !slices.ContainsFunc(people, func(q leakName) bool { return slices.Equal(q.runes, p.runes) }) {
			people = append(people, p)
		}
	}
	var bodies []leakUnit
	for _, u := range units {
		if b, ok := newLeakUnit(u); ok && !slices.ContainsFunc(bodies, func(c leakUnit) bool { return slices.Equal(c.runes, b.runes) }) {
			bodies = append(bodies, b)
		}
	}
	var hits []LeakHit
	for _, ft := range texts {
		t := normalizeLeakText(ft.Text)
		if len(t.runes) == 0 {
			continue
		}
		for _, p := range people {
			if h, ok := p.find(t); ok {
				hits = append(hits, h.hit(ft, t, LeakName, p.text))
			}
		}
		for _, b := range bodies {
			if h, ok := b.find(t); ok {
				hits = append(hits, h.hit(ft, t, LeakEmployer, b.text))
			}
		}
	}
	slices.SortStableFunc(hits, func(a, b LeakHit) int { return cmp.Compare(a.At, b.At) })
	return hits
}

// leakText is a text normalized for matching: only Han characters, Latin letters (lower case,
// half width) and digits, each with where it was in the original and on which line.
type leakText struct {
	runes      []rune
	start, end []int // byte offsets of each rune in the original
	line       []int
	orig       string
}

func normalizeLeakText(s string) leakText {
	t := leakText{orig: s}
	line := 0
	for i, r := range s {
		if r == '\n' {
			line++
			continue
		}
		if n, ok := normalRune(r); ok {
			t.runes = append(t.runes, n)
			t.start = append(t.start, i)
			t.end = append(t.end, i+len(string(r)))
			t.line = append(t.line, line)
		}
	}
	return t
}

// normalRune turns full-width letters and digits into ASCII, and Latin letters to lower case;
// it keeps Han characters, Latin letters and digits only.
func normalRune(r rune) (rune, bool) {
	if r >= 0xFF01 && r <= 0xFF5E {
		r -= 0xFEE0
	}
	switch {
	case unicode.Is(unicode.Han, r):
		return r, true
	case r >= '0' && r <= '9':
		return r, true
	case unicode.Is(unicode.Latin, r) && unicode.IsLetter(r):
		return unicode.ToLower(r), true
	}
	return 0, false
}

func normalRunes(s string) []rune {
	return normalizeLeakText(s).runes
}

// sameLine says whether the runes i..j-1 of t are on one line.
func (t leakText) sameLine(i, j int) bool { return t.line[i] == t.line[j-1] }

// leakMatch is a match of runes i..j-1 of a text.
type leakMatch struct {
	i, j     int
	score    float64
	labelled bool
}

func (m leakMatch) better(o leakMatch) bool {
	if m.score != o.score {
		return m.score > o.score
	}
	return m.labelled && !o.labelled
}

// hit describes the match: the original text around it, a few characters either side on
// its line.
func (m leakMatch) hit(ft FrameText, t leakText, kind LeakKind, matched string) LeakHit {
	from, to := m.i, m.j
	for from > 0 && m.i-from < leakContext && t.line[from-1] == t.line[m.i] {
		from--
	}
	for to < len(t.runes) && to-m.j < leakContext && t.line[to] == t.line[m.j-1] {
		to++
	}
	return LeakHit{Kind: kind, At: ft.At, Region: ft.Region, Matched: matched, Score: m.score,
		Labelled: m.labelled, Read: strings.TrimSpace(t.orig[t.start[from]:t.end[to-1]])}
}

// leakName is a participant's name prepared for matching.
type leakName struct {
	text  string
	runes []rune
	latin bool
}

func newLeakName(s string) (leakName, bool) {
	r := normalRunes(s)
	latin := !slices.ContainsFunc(r, func(c rune) bool { return unicode.Is(unicode.Han, c) })
	if len(r) < 2 || latin && len(r) < 4 {
		return leakName{}, false
	}
	return leakName{text: strings.TrimSpace(s), runes: r, latin: latin}, true
}

func (p leakName) find(t leakText) (leakMatch, bool) {
	if len(p.runes) > maxFuzzyName {
		return t.exact(p.runes)
	}
	var best leakMatch
	found := false
	n := len(p.runes)
	for i := range t.runes {
		labelled := t.labelledAt(i)
		for w := max(2, n-1); w <= n+1 && i+w <= len(t.runes); w++ {
			if !t.sameLine(i, i+w) {
				break
			}
			win := t.runes[i : i+w]
			score := max(0, 1-float64(levenshtein(win, p.runes))/float64(n))
			ok := score >= nameSimilar && (!p.latin || score == 1)
			if !ok && p.latin {
				ok = labelled && score >= nameSimilar
			} else if !ok && labelled && score >= labelledSimilar {
				common := lcs(win, p.runes)
				ok = common >= 2 && common > commonPrefix(win, p.runes)
			}
			if m := (leakMatch{i, i + w, score, labelled}); ok && (!found || m.better(best)) {
				best, found = m, true
			}
		}
	}
	return best, found
}

// exact finds runes, exactly, on one line of t.
func (t leakText) exact(runes []rune) (leakMatch, bool) {
	for i := 0; i+len(runes) <= len(t.runes); i++ {
		if j := i + len(runes); slices.Equal(t.runes[i:j], runes) && t.sameLine(i, j) {
			return leakMatch{i: i, j: j, score: 1, labelled: t.labelledAt(i)}, true
		}
	}
	return leakMatch{}, false
}

// labelledAt says whether a label ends just before rune i: on its line, or at the end of the
// line before when i begins a line (a label above the names in the credits).
func (t leakText) labelledAt(i int) bool {
	for _, lr := range nameLabelRunes {
		k := i - len(lr)
		if k >= 0 && slices.Equal(t.runes[k:i], lr) && t.sameLine(k, i) && t.line[i]-t.line[i-1] <= 1 {
			return true
		}
	}
	return false
}

// commonPrefix is the number of leading runes a and b share.
func commonPrefix(a, b []rune) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

// levenshtein is the edit distance between a and b, in runes.
func levenshtein(a, b []rune) int {
	prev, cur := make([]int, len(b)+1), make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// lcs is the length of the longest common subsequence of a and b.
func lcs(a, b []rune) int {
	prev, cur := make([]int, len(b)+1), make([]int, len(b)+1)
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			if a[i-1] == b[j-1] {
				cur[j] = prev[j-1] + 1
			} else {
				cur[j] = max(prev[j], cur[j-1])
			}
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// SubtitleText says whether text, read by OCR in the bottom band of a frame, holds a line of
// Chinese such as a subtitle: a stretch of 4 Chinese characters or more (3 different at least)
// not broken by spaces or other signs, or 6 Chinese characters or more in stretches of 2 on
// average, making most of the line (subtitles part phrases with spaces: 水稻 要 浇水). OCR of a
// busy picture without text yields scattered single characters and pairs ("路电纲", "光 A 伸",
// "着国畏 …-"), never such a stretch in our trials.
func SubtitleText(text string) bool {
	for _, line := range strings.Split(text, "\n") {
		han, other, chunks, longest := 0, 0, 0, 0
		var chunk []rune
		flush := func() {
			if len(chunk) > 0 {
				chunks++
				if distinctRunes(chunk) >= 3 {
					longest = max(longest, len(chunk))
				}
				chunk = chunk[:0]
			}
		}
		for _, r := range line {
			n, ok := normalRune(r)
			switch {
			case ok && unicode.Is(unicode.Han, n):
				han++
				chunk = append(chunk, n)
				continue
			case ok:
				other++
			}
			flush()
		}
		flush()
		if longest >= 4 || han >= 6 && han >= 2*chunks && han*10 >= 7*(han+other) {
			return true
		}
	}
	return false
}

// distinctRunes counts the different runes in r.
func distinctRunes(r []rune) int {
	seen := map[rune]bool{}
	for _, c := range r {
		seen[c] = true
	}
	return len(seen)
}
