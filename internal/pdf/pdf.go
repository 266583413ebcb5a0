// Package pdf draws documents as PDF with go-pdf/fpdf: the 获奖证书 (award certificates) of
// internal/contest, with a CJK TrueType font embedded (subset) so that their text prints the
// same everywhere and can be copied, searched and extracted. A second, fallback font draws
// the characters the first lacks (the rarer characters of names), in the documents that
// have any.
package pdf

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/go-pdf/fpdf"

	"github.com/jskx/contest/internal/contest"
)

// DefaultFont is the font used when none is configured: 文鼎ＰＬ简报宋 from Debian's
// fonts-arphic-gbsn00lp. It covers GB2312 only; the characters it lacks (喆, 堃, 〇…) are
// drawn in the fallback font, DefaultFallbackFont.
const DefaultFont = "/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf"

// DefaultFallbackFont is the fallback font used, when it is installed, if none is configured:
// Droid Sans Fallback from Debian's fonts-droid-fallback. It covers GBK and more (28,596
// characters of the Basic Multilingual Plane) but has no Latin letters or digits, so it only
// backs the certificate font, for the characters that one lacks: the rarer characters of
// names, 〇 in dates. It is a sans-serif, so these stand out a little from a Song font.
const DefaultFallbackFont = "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"

// essentialText is what every certificate prints, whatever its wording: a font without it
// is no font for certificates.
const essentialText = serialLabel + qrLabel + sealLabel + indentChar + "获奖证书一二三等奖年月日0123456789"

// fontFamily is the name the font is registered under in each document.
const fontFamily = "cjk"

// Renderer draws certificates as one-page PDFs. It reads its fonts once; it is safe for
// concurrent use, each document being built on its own.
//
// fpdf parses a font anew for every document, and parses it twice: when it is added and
// again when it is subset at output, each pass building maps of the whole cmap (7,574
// characters in DefaultFont). So each document first cuts the font down to the characters it
// prints (fpdf.UTF8CutFont, one pass) and adds that: about half the time of adding the whole
// font, for the same output. The fallback font is cut and added only to the documents that
// print a character the certificate font lacks; its cuts are kept for the next documents
// that need the same characters.
type Renderer struct {
	font     face
	fallback *face // nil when there is none
	cuts     *cuts // of the fallback font
}

var _ contest.CertificateRenderer = (*Renderer)(nil)

// New reads the TrueType font at fontPath (DefaultFont if empty) and checks that fpdf can
// embed it, so that a bad font fails at start-up rather than at the first certificate. The
// renderer has DefaultFallbackFont as fallback font when that is installed; see
// NewWithFallback.
func New(fontPath string) (*Renderer, error) {
	return NewWithFallback(fontPath, "")
}

// NewWithFallback is New with a fallback font: the TrueType font at fallbackPath draws the
// characters the certificate font lacks, so that only those neither has are refused (see
// ErrMissingGlyphs). An empty fallbackPath means DefaultFallbackFont if it is installed, and
// no fallback if it is not; a fallback font that is configured but missing is an error.
func NewWithFallback(fontPath, fallbackPath string) (*Renderer, error) {
	optional := fallbackPath == ""
	if optional {
		fallbackPath = DefaultFallbackFont
	}
	return newRenderer(fontPath, fallbackPath, optional)
}

// newRenderer is NewWithFallback; a missing fallback font is no error if it is optional.
func newRenderer(fontPath, fallbackPath string, optional bool) (*Renderer, error) {
	if fontPath == "" {
		fontPath = DefaultFont
	}
	b, err := os.ReadFile(fontPath)
	if err != nil {
		return nil, fmt.Errorf("找不到证书字体 %s（请安装 fonts-arphic-gbsn00lp 或设置 CONTEST_CERT_FONT） (certificate font not readable): %w", fontPath, err)
	}
	font, err := parseFace(b)
	if err != nil {
		return nil, fmt.Errorf("证书字体 %s 不可用 (unusable certificate font): %w", fontPath, err)
	}
	if missing := font.cover.missing(essentialText); len(missing) > 0 {
		return nil, fmt.Errorf("证书字体 %s 缺少常用汉字 %s，不是中文字体 (not a Chinese font)", fontPath, string(missing))
	}
	r := &Renderer{font: font, cuts: &cuts{m: make(map[string]*cut)}}
	if err := r.check(nil); err != nil {
		return nil, fmt.Errorf("证书字体 %s 无法嵌入 PDF (fpdf cannot embed the font): %w", fontPath, err)
	}

	b, err = os.ReadFile(fallbackPath)
	if optional && errors.Is(err, fs.ErrNotExist) {
		return r, nil
	}
	if err != nil {
		return nil, fmt.Errorf("找不到证书后备字体 %s（请安装 fonts-droid-fallback） (certificate fallback font not readable): %w", fallbackPath, err)
	}
	fallback, err := parseFace(b)
	if err != nil {
		return nil, fmt.Errorf("证书后备字体 %s 不可用 (unusable certificate fallback font): %w", fallbackPath, err)
	}
	extra := fallback.cover.extra(font.cover, 4)
	if len(extra) == 0 {
		return r, nil // it has nothing the certificate font lacks
	}
	r.fallback = &fallback
	if err := r.check(extra); err != nil {
		return nil, fmt.Errorf("证书后备字体 %s 无法嵌入 PDF (fpdf cannot embed the font): %w", fallbackPath, err)
	}
	return r, nil
}

// check draws a line of sample text and the characters rare in the fallback font, so that a
// font fpdf cannot embed fails at start-up rather than at the first certificate.
func (r *Renderer) check(rare []rune) error {
	sample := "获奖证书 Certificate 0123" + string(rare)
	return r.render(io.Discard, sample, rare, func(p *pen) {
		p.f.AddPage()
		p.setSize(12)
		p.text(20, 20, sample)
	})
}

// checkTrueType refuses what fpdf cannot embed: collections (.ttc) and CFF-flavoured
// OpenType (.otf), which it would otherwise only report on standard output.
func checkTrueType(b []byte) error {
	if len(b) < 12 {
		return errors.New("文件太短，不是 TrueType 字体 (not a TrueType font)")
	}
	switch magic := string(b[:4]); magic {
	case "\x00\x01\x00\x00", "true":
		return nil
	case "ttcf":
		return errors.New("不支持 TrueType 字体集 .ttc，请用单个 .ttf 字体 (font collections are not supported; use a single .ttf)")
	case "OTTO":
		return errors.New("不支持 CFF 轮廓的 OpenType 字体 .otf，请用 TrueType .ttf 字体 (CFF-based OpenType is not supported; use a TrueType .ttf)")
	default:
		return fmt.Errorf("不是 TrueType 字体 (not a TrueType font, magic %q)", magic)
	}
}

// RenderCertificate writes certificate d as a one-page A4 landscape PDF, drawing the
// characters the certificate font lacks in the fallback font. It fails with ErrMissingGlyphs
// (as a contest error with code EUnavailable and a message naming the characters) rather than
// print a blank where a character of a name should be: for a character neither font has.
func (r *Renderer) RenderCertificate(w io.Writer, d contest.CertificateDoc) error {
	text := certificateText(d)
	rare := r.font.cover.missing(text...) // to draw in the fallback font
	if missing := r.unprintable(rare); len(missing) > 0 {
		return &contest.Error{Code: contest.EUnavailable, Err: ErrMissingGlyphs,
			Message: fmt.Sprintf("证书字体缺少“%s”等字，无法生成证书；请组织者将 CONTEST_CERT_FONT 设置为字符更全的 TrueType 字体", string(missing))}
	}
	var buf bytes.Buffer // written out only when the whole document is done
	if err := r.render(&buf, strings.Join(text, ""), rare, func(p *pen) { drawCertificate(p, d) }); err != nil {
		return fmt.Errorf("render certificate %s: %w", d.Serial, err)
	}
	_, err := buf.WriteTo(w)
	return err
}

// unprintable returns the characters of rare, which the certificate font lacks, that the
// fallback font lacks too.
func (r *Renderer) unprintable(rare []rune) []rune {
	if len(rare) == 0 || r.fallback == nil {
		return rare
	}
	return r.fallback.cover.missing(string(rare))
}

// render builds a document with the certificate font registered, cut down to chars (every
// character draw prints or measures), and the fallback font cut down to rare (the characters
// of chars the certificate font lacks) if there are any; it lets draw fill it and writes it to
// w. fpdf panics on some malformed fonts; that is returned as an error.
func (r *Renderer) render(w io.Writer, chars string, rare []rune, draw func(p *pen)) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("fpdf: %v", p)
		}
	}()
	font := fpdf.UTF8CutFont(r.font.data, chars)
	if font == nil {
		return errNoUnicodeCmap
	}
	f := newDocument()
	f.SetMargins(0, 0, 0)
	f.SetAutoPageBreak(false, 0)
	f.SetCatalogSort(true)
	f.AddUTF8FontFromBytes(fontFamily, "", font)
	p := &pen{f: f, cover: r.font.cover}
	if len(rare) > 0 {
		fallback, err := r.cutFallback(rare)
		if err != nil {
			return err
		}
		f.AddUTF8FontFromBytes(fallbackFamily, "", fallback.font)
		p.fallback = fallback.widths
	}
	draw(p)
	return f.Output(w)
}

// newDocument starts a document of A4 landscape pages measured in millimetres.
func newDocument() *fpdf.Fpdf { return fpdf.New("L", "mm", "A4", "") }
