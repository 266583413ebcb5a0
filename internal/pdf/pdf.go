// Package pdf draws documents as PDF with go-pdf/fpdf: the 获奖证书 (award certificates) of
// internal/contest, with a CJK TrueType font embedded (subset) so that their text prints the
// same everywhere and can be copied, searched and extracted.
package pdf

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/go-pdf/fpdf"

	"github.com/jskx/contest/internal/contest"
)

// DefaultFont is the font used when none is configured: 文鼎ＰＬ简报宋 from Debian's
// fonts-arphic-gbsn00lp. It covers GB2312 only; see ErrMissingGlyphs.
const DefaultFont = "/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf"

// essentialText is what every certificate prints, whatever its wording: a font without it
// is no font for certificates.
const essentialText = serialLabel + qrLabel + sealLabel + indentChar + "获奖证书一二三等奖年月日0123456789"

// fontFamily is the name the font is registered under in each document.
const fontFamily = "cjk"

// Renderer draws certificates as one-page PDFs. It reads its font once; it is safe for
// concurrent use, each document being built on its own.
//
// fpdf parses a font anew for every document, and parses it twice: when it is added and
// again when it is subset at output, each pass building maps of the whole cmap (7,574
// characters in DefaultFont). So each document first cuts the font down to the characters it
// prints (fpdf.UTF8CutFont, one pass) and adds that: about half the time of adding the whole
// font, for the same output.
type Renderer struct {
	font  []byte    // the TrueType file; fpdf only reads it, so documents share it
	cover *coverage // the characters the font has a glyph for
}

var _ contest.CertificateRenderer = (*Renderer)(nil)

// New reads the TrueType font at fontPath (DefaultFont if empty) and checks that fpdf can
// embed it, so that a bad font fails at start-up rather than at the first certificate.
func New(fontPath string) (*Renderer, error) {
	if fontPath == "" {
		fontPath = DefaultFont
	}
	b, err := os.ReadFile(fontPath)
	if err != nil {
		return nil, fmt.Errorf("找不到证书字体 %s（请安装 fonts-arphic-gbsn00lp 或设置 CONTEST_CERT_FONT） (certificate font not readable): %w", fontPath, err)
	}
	if err := checkTrueType(b); err != nil {
		return nil, fmt.Errorf("证书字体 %s 不可用 (unusable certificate font): %w", fontPath, err)
	}
	cover, err := parseCoverage(b)
	if err != nil {
		return nil, fmt.Errorf("证书字体 %s 不可用 (unusable certificate font): %w", fontPath, err)
	}
	if missing := cover.missing(essentialText); len(missing) > 0 {
		return nil, fmt.Errorf("证书字体 %s 缺少常用汉字 %s，不是中文字体 (not a Chinese font)", fontPath, string(missing))
	}
	r := &Renderer{font: b, cover: cover}
	const sample = "获奖证书 Certificate 0123"
	if err := r.render(io.Discard, sample, func(f *fpdf.Fpdf) {
		f.AddPage()
		f.SetFont(fontFamily, "", 12)
		f.Text(20, 20, sample)
	}); err != nil {
		return nil, fmt.Errorf("证书字体 %s 无法嵌入 PDF (fpdf cannot embed the font): %w", fontPath, err)
	}
	return r, nil
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

// RenderCertificate writes certificate d as a one-page A4 landscape PDF. It fails with
// ErrMissingGlyphs (as a contest error with code EUnavailable and a message naming the
// characters) rather than print a blank where a character of a name should be.
func (r *Renderer) RenderCertificate(w io.Writer, d contest.CertificateDoc) error {
	text := certificateText(d)
	if missing := r.cover.missing(text...); len(missing) > 0 {
		return &contest.Error{Code: contest.EUnavailable, Err: ErrMissingGlyphs,
			Message: fmt.Sprintf("证书字体缺少“%s”等字，无法生成证书；请组织者将 CONTEST_CERT_FONT 设置为字符更全的 TrueType 字体", string(missing))}
	}
	var buf bytes.Buffer // written out only when the whole document is done
	if err := r.render(&buf, strings.Join(text, ""), func(f *fpdf.Fpdf) { drawCertificate(f, d) }); err != nil {
		return fmt.Errorf("render certificate %s: %w", d.Serial, err)
	}
	_, err := buf.WriteTo(w)
	return err
}

// render builds a document with the font registered, cut down to chars (every character draw
// prints or measures), lets draw fill it and writes it to w. fpdf panics on some malformed
// fonts; that is returned as an error.
func (r *Renderer) render(w io.Writer, chars string, draw func(f *fpdf.Fpdf)) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("fpdf: %v", p)
		}
	}()
	font := fpdf.UTF8CutFont(r.font, chars)
	if font == nil {
		return errNoUnicodeCmap
	}
	f := fpdf.New("L", "mm", "A4", "")
	f.SetMargins(0, 0, 0)
	f.SetAutoPageBreak(false, 0)
	f.SetCatalogSort(true)
	f.AddUTF8FontFromBytes(fontFamily, "", font)
	draw(f)
	return f.Output(w)
}
