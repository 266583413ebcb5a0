package contest

import (
	"fmt"
	"strings"
	"testing"
)

const (
	leakPerson = "欧阳明哲"
	leakUnitJS = "江苏省农业科学院"
)

// leakFound runs FindLeaks on one text and describes its hits as "kind:matched" (with
// "+label" when labelled), for short table tests.
func leakFound(text string, names, units []string) string {
	var out []string
	for _, h := range FindLeaks([]FrameText{{At: 3, Region: RegionBottom, Text: text}}, names, units) {
		s := string(h.Kind) + ":" + h.Matched
		if h.Labelled {
			s += "+label"
		}
		out = append(out, s)
	}
	return strings.Join(out, " ")
}

// A maker's name on screen is found even as OCR misreads it; another person's is not.
func TestFindLeaks_Names(t *testing.T) {
	names := []string{leakPerson, "李明", "Li Ming"}
	for _, c := range []struct{ text, want string }{
		{"主创：欧阳明哲", "name:欧阳明哲+label"},
		{"欧阳明哲", "name:欧阳明哲"},
		// Real Tesseract readings of 主创：欧阳明哲 in white on busy pictures, binarized.
		{"主创: 欢阳明扫", "name:欧阳明哲+label"}, // half misread, behind its label
		{"钦阳明哲", "name:欧阳明哲"},           // one in four misread
		{"欧〖日明哲", "name:欧阳明哲"},
		{"主钙: 欧阳明上哲 省农科院出品", "name:欧阳明哲"}, // one too many, the label misread
		{"主创 : 政冯明哲 摄像 : 李明", "name:欧阳明哲+label name:李明+label"},
		{"主 创:\n欧阳明哲”摄像， 李明", "name:欧阳明哲+label name:李明+label"}, // a label on the line above
		// Misses, by design: without a label, half misread is too little.
		{"政冯明哲", ""},
		// Another person: the same surname only, with or without a label (a real misreading,
		// 主创 : 欧阳阴调, is missed for the same reason).
		{"欧阳修", ""},
		{"主创：欧阳修", ""},
		{"主创 : 欧阳阴调", ""},
		// 2-character names must be read exactly, even behind a label; inside a longer name
		// they count (it may be the same person).
		{"摄像：季明", ""},
		{"李明亮", "name:李明"},
		{"明李", ""},
		// Latin names, whatever the case and spacing; exactly, but behind a label.
		{"作者 LI MING", "name:Li Ming+label"},
		{"limings", "name:Li Ming"},
		{"climbing", ""},
		{"Li Mlng", ""},
		{"作者：Li Mlng", "name:Li Ming+label"},
		// Names are not searched across lines.
		{"欧阳\n明哲", ""},
	} {
		if got := leakFound(c.text, names, nil); got != c.want {
			t.Errorf("%q: %q, want %q", c.text, got, c.want)
		}
	}
}

// An employer's name is found whole, misread a little, without its province, or abbreviated;
// the place and the kind of body alone, or another body of the same kind, are not.
func TestFindLeaks_Units(t *testing.T) {
	units := []string{leakUnitJS}
	for _, c := range []struct {
		text string
		hit  bool
	}{
		{"江苏省农业科学院", true},
		{"出品单位：江苏省农业科学院", true},
		// Real Tesseract readings in white on busy pictures.
		{"江苍省农业科学院 省农科院", true},
		{",省农业科学院", true},
		{"区省农业科学院 省农科院", true},
		{"-HH/LN江办自农业科学院", true},
		{"主创 : 欧阳明哲 省农科院则", true},
		// Abbreviations and the name without its province.
		{"省农科院", true},
		{"江苏农科院", true},
		{"农科院", true},
		{"农业科学院", true},
		{"江苏省农科院", true},
		// Not this body: the province, the kind of body, ordinary words of the same field.
		{"中国科学院", false},
		{"科学院", false},
		{"研究院", false},
		{"江苏省", false},
		{"江苏省农村改革", false},
		{"江苏省农业科技创新", false},
		{"推动农业科学发展", false},
		{"南京农业大学农学院", false},
		{"中国农业科学院", false},
		{"中国农科院", false},
		{"南京市农科院", false},
		{"江苏省林业科学院", false},
		// Real readings missed: the last character misread, or cut off.
		{"江苏农科拘", false},
		{"江苏省农业科学", false},
		{"国家业科学院 江和EL", false},
	} {
		got := leakFound(c.text, nil, units)
		if want := map[bool]string{true: "employer:" + leakUnitJS}[c.hit]; got != want {
			t.Errorf("%q: %q, want %q", c.text, got, want)
		}
	}
}

// Other employers: short names must be read exactly, 2-character abbreviations are not
// searched, and a name of generic words only is found whole.
func TestFindLeaks_OtherUnits(t *testing.T) {
	for _, c := range []struct{ unit, text, want string }{
		{"东南大学", "东南大学", "东南大学"},
		{"东南大学", "东大", ""},
		{"东南大学", "西南大学", ""},
		{"东南大学", "东南大部分地区", ""},
		{"南京大学", "南京大学出品", "南京大学"},
		{"南京大学", "南大", ""},
		{"江苏省人民医院", "江苏省人民医院", "江苏省人民医院"},
		{"江苏省人民医院", "省人医", ""},
		{"江苏省人民医院", "南京市第一人民医院", ""},
		{"南京农业大学", "南京林业大学", ""},
		{"南京农业大学", "南京农业大学", "南京农业大学"},
		{"江苏农林职业技术学院", "农林学院", "江苏农林职业技术学院"},
		{"无", "无", ""},
		{"个人", "个人作品", ""},
		{"自由职业", "自由职业者", ""},
	} {
		got := leakFound(c.text, nil, []string{c.unit})
		if want := map[bool]string{true: "employer:" + c.want}[c.want != ""]; got != want {
			t.Errorf("%s in %q: %q, want %q", c.unit, c.text, got, want)
		}
	}
}

// Each hit says where it was, what was read around it, how close, and what it matched; one
// hit per text, name or unit; in time order.
func TestFindLeaks_DescribesHitsInTimeOrder(t *testing.T) {
	texts := []FrameText{
		{At: 30, Region: RegionFull, Text: "片尾\n主创: 欢阳明扫 指导老师：王小明\n江苏省农业科学院 省农科院"},
		{At: 2, Region: RegionTop, Text: "本片由江苏省农业科学院出品"},
		{At: 4, Region: RegionBottom, Text: "今天我们去看看水稻"},
	}
	got := FindLeaks(texts, []string{leakPerson, " 欧阳明哲 ", "张三"}, []string{leakUnitJS, "江苏省农业科学院"})
	want := []LeakHit{
		{Kind: LeakEmployer, At: 2, Region: RegionTop, Read: "本片由江苏省农业科学院出品", Matched: leakUnitJS, Score: 1},
		{Kind: LeakName, At: 30, Region: RegionFull, Read: "主创: 欢阳明扫 指导老", Matched: leakPerson, Score: 0.5, Labelled: true},
		{Kind: LeakEmployer, At: 30, Region: RegionFull, Read: "江苏省农业科学院 省农科院", Matched: leakUnitJS, Score: 1},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("hits\n%+v\nwant\n%+v", got, want)
	}
}

func TestFindLeaks_EmptyInputs(t *testing.T) {
	for _, c := range []struct {
		texts        []FrameText
		names, units []string
	}{
		{nil, []string{leakPerson}, []string{leakUnitJS}},
		{[]FrameText{{Text: ""}, {Text: " ：|"}}, []string{leakPerson}, []string{leakUnitJS}},
		{[]FrameText{{Text: "主创：欧阳明哲 江苏省农业科学院"}}, nil, nil},
		{[]FrameText{{Text: "主创：欧阳明哲 江苏省农业科学院"}}, []string{"", "·", "欧", "Li"}, []string{"", "无", "  "}},
	} {
		if got := FindLeaks(c.texts, c.names, c.units); len(got) != 0 {
			t.Errorf("FindLeaks(%v, %q, %q) = %+v", c.texts, c.names, c.units, got)
		}
	}
}

func TestLevenshteinAndLCS(t *testing.T) {
	for _, c := range []struct {
		a, b     string
		lev, lcs int
	}{
		{"欧阳明哲", "欧阳明哲", 0, 4},
		{"欢阳明扫", "欧阳明哲", 2, 2},
		{"欧阳修", "欧阳明哲", 2, 2},
		{"", "欧阳", 2, 0},
		{"kitten", "sitting", 3, 4},
	} {
		a, b := []rune(c.a), []rune(c.b)
		if got := levenshtein(a, b); got != c.lev {
			t.Errorf("levenshtein(%s, %s) = %d, want %d", c.a, c.b, got, c.lev)
		}
		if got := lcs(a, b); got != c.lcs {
			t.Errorf("lcs(%s, %s) = %d, want %d", c.a, c.b, got, c.lcs)
		}
	}
}

// The search is cheap next to OCR: a scan's few hundred texts take milliseconds.
func BenchmarkFindLeaks(b *testing.B) {
	texts := make([]FrameText, 300)
	for i := range texts {
		texts[i] = FrameText{At: float64(i), Region: RegionBottom,
			Text: "今天我们来到江苏省农业科学院的试验田，看看水稻种植技术 主创: 欢阳明扫 摄像：李明"}
	}
	names := []string{leakPerson, "李明", "王小红", "Li Ming"}
	units := []string{leakUnitJS, "南京农业大学", "江苏省人民医院"}
	for range b.N {
		FindLeaks(texts, names, units)
	}
}

// A bottom band with a Chinese line counts as subtitled; what OCR makes of a busy picture
// without text does not. The readings are Tesseract's, on ffmpeg's test pictures.
func TestSubtitleText(t *testing.T) {
	for _, c := range []struct {
		text string
		want bool
	}{
		{"今天我们来到田间 地头看看水稻", true},
		{"] 要注意防治病虫害", true},
		{"下\n农民朋友们要注意防治病虫害 ”", true},
		{"看看水稻", true},
		{"水稻 要在 五月 浇水", true},
		{"第3集 水稻种植", true},
		{"", false},
		{"病虫害", false},
		{"农民朋\n病虫害", false},
		{"中\n志\n器路\n溃照\n路电纲", false},
		{"|69:69||十 7/||办|", false},
		{"直人二 2\n5\n，", false},
		{"光 A 伸\n2\n，\n，\n2\n二\n人", false},
		{"<“ 国的用 …", false},
		{"公\n7\n着国畏 …-", false},
		{"光光光光 2", false},
		{"光 光 多 光 光 光 和 光", false},
		{"Li Ming 2024 ABC", false},
	} {
		if got := SubtitleText(c.text); got != c.want {
			t.Errorf("SubtitleText(%q) = %v, want %v", c.text, got, c.want)
		}
	}
}
