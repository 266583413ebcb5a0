package pdf_test

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/jskx/contest/internal/contest"
	"github.com/jskx/contest/internal/pdf"
)

// rareNames are names with characters outside GB2312, so outside the default font, among
// common ones.
var rareNames = []string{"张喆", "王堃", "李昇", "赵玥", "陈珺", "刘垚", "孙彧", "周祎", "张伟", "王芳", "欧阳娜娜", "徐强"}

// RareDoc is a certificate whose heading, names, issuer and date have characters the default
// font lacks (喆, 〇…): the fallback font draws them.
func RareDoc() contest.CertificateDoc {
	d := SampleDoc(rareNames...)
	d.Heading = "二〇二二年获奖证书"
	d.Issuer = "江苏省青少年科技教育协会喆堃分会"
	d.Date = "二〇二二年五月二十八日"
	return d
}

func TestRenderCertificate_CharactersTheFontLacksAreDrawnInTheFallbackFont(t *testing.T) {
	r := MustFallbackRenderer(t)
	d := SampleDoc("张喆", "王堃")
	d.Date = "二〇二二年五月二十八日"
	path := MustRender(t, r, d)
	text := MustText(t, path)
	for _, w := range []string{"张喆", "王堃", "二〇二二年五月二十八日", "江苏省青少年科技教育协会"} {
		if !strings.Contains(text, w) {
			t.Errorf("extracted text lacks %q:\n%s", w, text)
		}
	}
	if fonts := MustEmbeddedFonts(t, path); len(fonts) != 2 {
		t.Errorf("embedded fonts %q, want the font and the fallback font", fonts)
	}
	// a certificate the font can print on its own does without the fallback font
	if fonts := MustEmbeddedFonts(t, MustRender(t, r, SampleDoc("李明", "王小红"))); len(fonts) != 1 {
		t.Errorf("embedded fonts %q, want the font only", fonts)
	}
}

func TestRenderCertificate_FallbackGlyphsAreNotBlank(t *testing.T) {
	MustRequire(t, "pdftoppm")
	d := SampleDoc("张喆")
	d.Heading = "〇喆堃" // only characters of the fallback font
	const dpi = 72
	page := MustPage(t, MustRender(t, MustFallbackRenderer(t), d), dpi)
	px := func(mm float64) int { return int(mm / 25.4 * dpi) }
	ink := 0 // dark red pixels of the heading, between the frame's corners and above the rule
	for y := px(28); y < px(49); y++ {
		for x := px(50); x < px(247); x++ {
			if r, g, _, _ := page.At(x, y).RGBA(); r>>8 > 100 && g>>8 < 110 {
				ink++
			}
		}
	}
	if ink < 150 {
		t.Errorf("the heading in the fallback font has %d inked pixels, want glyphs", ink)
	}
}

func TestRenderCertificate_WithFallbackIsDeterministicAndSafeForConcurrentUse(t *testing.T) {
	docs := []contest.CertificateDoc{RareDoc(), SampleDoc("张喆"), SampleDoc("王堃", "李明"), SampleDoc(twentyNames...)}
	alone := MustFallbackRenderer(t)
	want := make([][]byte, len(docs))
	for i, d := range docs {
		var buf bytes.Buffer
		if err := alone.RenderCertificate(&buf, d); err != nil {
			t.Fatal(err)
		}
		want[i] = buf.Bytes()
	}
	r := MustFallbackRenderer(t) // its cuts of the fallback font are made concurrently
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 2 * len(docs) {
				n := (g + i) % len(docs)
				var buf bytes.Buffer
				if err := r.RenderCertificate(&buf, docs[n]); err != nil {
					t.Error(err)
					return
				}
				if !bytes.Equal(buf.Bytes(), want[n]) {
					t.Errorf("certificate %d rendered concurrently differs from one rendered alone", n)
				}
			}
		})
	}
	wg.Wait()
}

func TestRenderer_MeasuresEachCharacterInItsFont(t *testing.T) {
	r := MustFallbackRenderer(t)
	// 张 is in the font, 1 em wide; 喆 (1 em) and the small comma ﹐ (half an em) in the
	// fallback font only
	w, err := r.Width("张喆﹐", 10)
	if err != nil {
		t.Fatal(err)
	}
	if want := 2.5 * 10 * 25.4 / 72; math.Abs(w-want) > 0.001 {
		t.Errorf("width %.3f mm, want %.3f", w, want)
	}
}

func TestRenderCertificate_CharacterNeitherFontHasIsRefused(t *testing.T) {
	r := MustFallbackRenderer(t)
	for name, c := range map[string]string{"outside the BMP": "𠮷", "private use": "\uE000"} {
		t.Run(name, func(t *testing.T) {
			d := SampleDoc("王喆", c+"野") // 喆 is in the fallback font
			err := r.RenderCertificate(&bytes.Buffer{}, d)
			if !errors.Is(err, pdf.ErrMissingGlyphs) || contest.ErrorCode(err) != contest.EUnavailable {
				t.Fatalf("err = %v, want ErrMissingGlyphs, unavailable", err)
			}
			if msg := contest.ErrorMessage(err); !strings.Contains(msg, c) || strings.Contains(msg, "喆") {
				t.Errorf("message %q does not name only the character neither font has", msg)
			}
		})
	}
}

func TestNew_WithoutTheDefaultFallbackFontRefusesWhatTheFontLacks(t *testing.T) {
	MustRenderer(t)
	r, err := pdf.NewWithOptionalFallback("", filepath.Join(t.TempDir(), "nosuch.ttf"), true)
	if err != nil {
		t.Fatalf("a default fallback font that is not installed: %v", err)
	}
	err = r.RenderCertificate(&bytes.Buffer{}, SampleDoc("王喆", "李堃"))
	if !errors.Is(err, pdf.ErrMissingGlyphs) || !strings.Contains(contest.ErrorMessage(err), "喆堃") {
		t.Errorf("err = %v, want ErrMissingGlyphs naming 喆堃", err)
	}
	if err := r.RenderCertificate(&bytes.Buffer{}, SampleDoc("王哲")); err != nil {
		t.Error(err)
	}
}

func TestNewWithFallback_MissingFallbackFontIsRefused(t *testing.T) {
	MustRenderer(t)
	_, err := pdf.NewWithFallback("", filepath.Join(t.TempDir(), "nosuch.ttf"))
	if err == nil || !strings.Contains(err.Error(), "找不到证书后备字体") || !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("err = %v, want 找不到证书后备字体 wrapping ErrNotExist", err)
	}
}

func TestNewWithFallback_UnsupportedFallbackFontIsRefused(t *testing.T) {
	MustRenderer(t)
	for name, content := range map[string]string{
		"collection.ttc": "ttcf\x00\x01\x00\x00\x00\x00\x00\x01\x00\x00\x00\x10",
		"text.ttf":       "this is not a font at all",
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), name)
			if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			if _, err := pdf.NewWithFallback("", path); err == nil || !strings.Contains(err.Error(), "证书后备字体") {
				t.Fatalf("err = %v, want the fallback font refused", err)
			}
		})
	}
}

// MustEmbeddedFonts returns the names of the fonts embedded in the PDF at path (pdffonts).
func MustEmbeddedFonts(tb testing.TB, path string) []string {
	tb.Helper()
	MustRequire(tb, "pdffonts")
	out, err := exec.Command("pdffonts", path).Output()
	if err != nil {
		tb.Fatalf("pdffonts: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) < 2 || !strings.HasPrefix(lines[1], "---") {
		tb.Fatalf("pdffonts printed no table:\n%s", out)
	}
	var names []string
	for _, l := range lines[2:] { // name, type (of one or more words), encoding, emb, sub, uni, object ID
		if f := strings.Fields(l); len(f) >= 8 && f[len(f)-5] == "yes" {
			names = append(names, f[0])
		}
	}
	return names
}

// MustPage returns the first page of the PDF at path rendered at dpi (pdftoppm).
func MustPage(tb testing.TB, path string, dpi int) image.Image {
	tb.Helper()
	MustRequire(tb, "pdftoppm")
	prefix := filepath.Join(tb.TempDir(), "page")
	if out, err := exec.Command("pdftoppm", "-r", fmt.Sprint(dpi), "-png", "-singlefile", path, prefix).CombinedOutput(); err != nil {
		tb.Fatalf("pdftoppm: %v\n%s", err, out)
	}
	b, err := os.ReadFile(prefix + ".png")
	if err != nil {
		tb.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		tb.Fatal(err)
	}
	return img
}
