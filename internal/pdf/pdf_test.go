package pdf_test

import (
	"bytes"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/jskx/contest/internal/contest"
	"github.com/jskx/contest/internal/pdf"
)

// MustRequire skips the test when tool is not in PATH, or fails it when every test is
// required to run (CONTEST_TEST_REQUIRE_ALL=1).
func MustRequire(tb testing.TB, tool string) {
	tb.Helper()
	if _, err := exec.LookPath(tool); err != nil {
		MissingPart(tb, tool+" not in PATH (poppler-utils)")
	}
}

// MissingPart skips, or fails when CONTEST_TEST_REQUIRE_ALL=1, a test lacking a part.
func MissingPart(tb testing.TB, what string) {
	tb.Helper()
	if os.Getenv("CONTEST_TEST_REQUIRE_ALL") == "1" {
		tb.Fatal(what)
	}
	tb.Skip(what)
}

// MustRenderer returns a renderer with the default font.
func MustRenderer(tb testing.TB) *pdf.Renderer {
	tb.Helper()
	if _, err := os.Stat(pdf.DefaultFont); err != nil {
		MissingPart(tb, "font "+pdf.DefaultFont+" missing (fonts-arphic-gbsn00lp)")
	}
	r, err := pdf.New("")
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

// MustFallbackRenderer returns a renderer with the default font and DefaultFallbackFont as its
// fallback font.
func MustFallbackRenderer(tb testing.TB) *pdf.Renderer {
	tb.Helper()
	for _, f := range [][2]string{{pdf.DefaultFont, "fonts-arphic-gbsn00lp"}, {pdf.DefaultFallbackFont, "fonts-droid-fallback"}} {
		if _, err := os.Stat(f[0]); err != nil {
			MissingPart(tb, "font "+f[0]+" missing ("+f[1]+")")
		}
	}
	r, err := pdf.NewWithFallback("", pdf.DefaultFallbackFont)
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

// SampleDoc is a certificate of a first prize for the given creators.
func SampleDoc(names ...string) contest.CertificateDoc {
	c := contest.Certificate{
		Serial: "2022-1-0007-K7Q4M2XA", ContestID: "c1", WorkID: "w1", Version: 1,
		Tier: contest.TierFirst, Title: "量子之光", Names: names, Employer: "江苏省苏州中学",
		IssuedAt: time.Date(2022, 5, 28, 10, 0, 0, 0, time.FixedZone("CST", 8*3600)),
	}
	ct := contest.Contest{Name: "2022年江苏省中小学生科普微视频大赛"}
	t := contest.DefaultCertificateTemplate("江苏省青少年科技教育协会")
	t.Date = "2022年5月28日"
	return t.Doc(ct, c, "https://contest.example.org/verify/"+c.Serial, c.IssuedAt)
}

// MustRender renders d to a file in a temporary directory and returns its path.
func MustRender(tb testing.TB, r *pdf.Renderer, d contest.CertificateDoc) string {
	tb.Helper()
	var buf bytes.Buffer
	if err := r.RenderCertificate(&buf, d); err != nil {
		tb.Fatal(err)
	}
	path := filepath.Join(tb.TempDir(), "certificate.pdf")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		tb.Fatal(err)
	}
	return path
}

// MustText returns the text pdftotext extracts from the PDF at path, white space removed
// (the heading is spaced out and long paragraphs wrap).
func MustText(tb testing.TB, path string) string {
	tb.Helper()
	MustRequire(tb, "pdftotext")
	out, err := exec.Command("pdftotext", "-layout", path, "-").Output()
	if err != nil {
		tb.Fatalf("pdftotext: %v", err)
	}
	return strings.Join(strings.Fields(string(out)), "")
}

var twentyNames = []string{
	"张伟", "王芳", "李娜", "刘洋", "陈静", "杨秀英", "赵磊", "黄丽", "周杰", "吴敏",
	"欧阳娜娜", "徐强", "孙燕", "马丽娟", "朱晓明", "胡军", "郭涛", "何平", "高峰", "林小雨",
}

func TestRenderCertificate_TextExtractsInChinese(t *testing.T) {
	r := MustRenderer(t)
	for name, names := range map[string][]string{
		"three creators": {"李明", "王小红", "张三"},
		"twenty names":   twentyNames,
	} {
		t.Run(name, func(t *testing.T) {
			d := SampleDoc(names...)
			text := MustText(t, MustRender(t, r, d))
			want := append([]string{"获奖证书", "一等奖", "《量子之光》", "2022年江苏省中小学生科普微视频大赛",
				"江苏省青少年科技教育协会", "2022年5月28日", "证书编号：2022-1-0007-K7Q4M2XA", "扫码验证真伪"}, names...)
			for _, w := range want {
				if !strings.Contains(text, w) {
					t.Errorf("extracted text lacks %q:\n%s", w, text)
				}
			}
		})
	}
}

func TestRenderCertificate_QRCodeDecodesToVerifyURL(t *testing.T) {
	MustRequire(t, "pdftoppm")
	r := MustRenderer(t)
	d := SampleDoc(twentyNames...)
	path := MustRender(t, r, d)
	prefix := filepath.Join(t.TempDir(), "page")
	if out, err := exec.Command("pdftoppm", "-r", "150", "-png", "-singlefile", path, prefix).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, out)
	}
	file, err := os.Open(prefix + ".png")
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	img, err := png.Decode(file)
	if err != nil {
		t.Fatal(err)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, nil) // the whole page, as a phone sees it
	if err != nil {
		t.Fatalf("decode QR code on the page: %v", err)
	}
	if res.GetText() != d.VerifyURL {
		t.Errorf("QR code = %q, want %q", res.GetText(), d.VerifyURL)
	}
}

func TestRenderCertificate_EmbedsEveryCharacterItPrints(t *testing.T) {
	MustRequire(t, "pdftotext")
	for name, c := range map[string]struct {
		renderer func(testing.TB) *pdf.Renderer
		doc      contest.CertificateDoc
	}{
		"sample":          {MustRenderer, SampleDoc(twentyNames...)},
		"at the limits":   {MustRenderer, StressDoc()},
		"rare characters": {MustFallbackRenderer, RareDoc()},
	} {
		t.Run(name, func(t *testing.T) {
			// the fonts are cut down to the certificate's text: anything else would print blank
			d := c.doc
			embedded := strings.Join(pdf.CertificateText(d), "")
			out, err := exec.Command("pdftotext", MustRender(t, c.renderer(t), d), "-").Output()
			if err != nil {
				t.Fatalf("pdftotext: %v", err)
			}
			for _, c := range string(out) {
				if !unicode.IsSpace(c) && !strings.ContainsRune(embedded, c) {
					t.Errorf("%q is printed but not in the embedded font", c)
				}
			}
		})
	}
}

func TestRenderCertificate_IsDeterministic(t *testing.T) {
	r := MustRenderer(t)
	d := SampleDoc("李明", "王小红")
	var a, b bytes.Buffer
	if err := r.RenderCertificate(&a, d); err != nil {
		t.Fatal(err)
	}
	if err := r.RenderCertificate(&b, d); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("two renderings of the same certificate differ")
	}
	if !bytes.Contains(a.Bytes(), []byte("/CreationDate (D:20220528020000)")) { // 10:00 in Beijing
		t.Error("creation date is not the time of issue in UTC")
	}
}

func TestRenderCertificate_IsSafeForConcurrentUse(t *testing.T) {
	r := MustRenderer(t)
	docs := []contest.CertificateDoc{SampleDoc("李明"), SampleDoc(twentyNames...)}
	want := make([][]byte, len(docs))
	for i, d := range docs {
		var buf bytes.Buffer
		if err := r.RenderCertificate(&buf, d); err != nil {
			t.Fatal(err)
		}
		want[i] = buf.Bytes()
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 3 {
				var buf bytes.Buffer
				if err := r.RenderCertificate(&buf, docs[(g+i)%2]); err != nil {
					t.Error(err)
					return
				}
				if !bytes.Equal(buf.Bytes(), want[(g+i)%2]) {
					t.Error("a certificate rendered concurrently differs from one rendered alone")
				}
			}
		})
	}
	wg.Wait()
}

// StressDoc is a certificate at the template's limits: twenty four-character names, a long
// title and contest name, a 40-character issuer and seven paragraphs.
func StressDoc() contest.CertificateDoc {
	names := make([]string, 20)
	for i := range names {
		names[i] = "欧阳" + twentyNames[i][len("张"):] + "华"
	}
	d := SampleDoc(names...)
	d.Heading = "第十届全国青少年科技创新大赛获奖证书"
	d.Tier = contest.TierThird
	d.Title = "从一粒种子到一片森林：城市屋顶花园中的生物多样性观察与记录"
	d.Issuer = "江苏省青少年科技教育协会暨江苏省教育厅基础教育处与江苏省科学技术协会联合颁发"
	d.Paragraphs = []string{
		strings.Join(names, "、") + "：",
		"你们创作的作品《" + d.Title + "》在2022年江苏省中小学生科普微视频大赛暨第十届全国青少年科技创新大赛（江苏赛区）选拔赛中荣获三等奖。",
		"该作品选题新颖，科学性强，画面精美，解说清晰，充分展示了青少年的科学素养和创新精神。",
		"希望你们再接再厉，继续探索科学的奥秘，在今后的学习和生活中取得更大的成绩。",
		"特发此证，以资鼓励。",
		"指导教师：王老师、李老师、张老师",
		"本证书可通过扫描左下角二维码验证真伪。",
	}
	return d
}
