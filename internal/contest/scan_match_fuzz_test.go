package contest

import (
	"strings"
	"testing"
)

// FuzzFindLeaks checks, on any OCR text, name and unit, that the search never panics, that a
// hit's Read is a piece of the text read, and that a name or unit written out in the text is
// always found.
func FuzzFindLeaks(f *testing.F) {
	for _, s := range [][3]string{
		{"主创：欧阳明哲\n江苏省农业科学院", "欧阳明哲", "江苏省农业科学院"},
		{"主 创:\n欧阳明哲”摄像， 李明", "李明", "省农科院"},
		{"ＬＩ　ＭＩＮＧ\xff\n\n", "Li Ming", "东南大学"},
		{"", "", ""},
	} {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, text, name, unit string) {
		hits := FindLeaks([]FrameText{{Text: text}}, []string{name}, []string{unit})
		for _, h := range hits {
			if h.Read == "" || !strings.Contains(text, h.Read) || h.Score < 0 || h.Score > 1 {
				t.Fatalf("%q, %q, %q: hit %+v", text, name, unit, h)
			}
		}
		if n, ok := newLeakName(name); ok && !strings.ContainsAny(name, "\n") {
			if hits := FindLeaks([]FrameText{{Text: "主创：" + name + "。"}}, []string{name}, nil); len(hits) != 1 || hits[0].Score != 1 {
				t.Fatalf("name %q (%q) not found written out: %+v", name, string(n.runes), hits)
			}
		}
		if u, ok := newLeakUnit(unit); ok && !strings.ContainsAny(unit, "\n") {
			if hits := FindLeaks([]FrameText{{Text: "出品：" + unit + "。"}}, nil, []string{unit}); len(hits) != 1 || hits[0].Score != 1 {
				t.Fatalf("unit %q (%q) not found written out: %+v", unit, string(u.runes), hits)
			}
		}
	})
}
