package pdf

import (
	"strings"

	"github.com/jskx/contest/internal/contest"
)

// Page and layout, in millimetres on A4 landscape; font sizes in points.
const (
	pageW, pageH = 297.0, 210.0
	ptMM         = 25.4 / 72 // millimetres in a point

	headingWidth         = 200.0
	bodyLeft, bodyRight  = 42.0, 255.0
	bodyTop, bodyBottom  = 80.0, 140.0
	bodySize, bodyMin    = 17.0, 8.0
	sealX, sealY, sealR  = 222.0, 162.0, 20.0
	issuerWidth          = 96.0
	qrX, qrY, qrSize     = 25.0, 145.0, 32.0
	serialLabel, qrLabel = "证书编号：", "扫码验证真伪"
	sealLabel            = "（盖章）"
)

// indentChar is the character whose width is the indent unit of the body.
const indentChar = "中"

// certificateText is everything printed or measured on certificate d: the fonts are checked
// to have it, and cut down to it.
func certificateText(d contest.CertificateDoc) []string {
	return append([]string{d.Heading, d.Tier.Label(), d.Issuer, d.Date, serialLabel, d.Serial, qrLabel, sealLabel,
		indentChar}, d.Paragraphs...)
}

// drawCertificate draws certificate d on a new page of p's document.
func drawCertificate(p *pen, d contest.CertificateDoc) {
	f := p.f
	f.SetTitle(strings.TrimSpace(d.Heading+" "+d.Serial), true)
	if d.Title != "" {
		f.SetSubject(d.Tier.Label()+" 《"+d.Title+"》", true)
	}
	f.SetCreator("github.com/jskx/contest", true)
	f.SetLang("zh-CN")
	f.SetCreationDate(d.IssuedAt.UTC()) // fpdf writes no zone offset; readers take UTC
	f.SetModificationDate(d.IssuedAt.UTC())
	f.AddPage()

	drawFrame(f, pageW, pageH)
	drawHeading(p, d.Heading, d.Tier.Label())
	drawBody(p, d.Paragraphs)
	drawSeal(p, d.Issuer, d.Date)
	if d.VerifyURL != "" {
		if err := drawQR(f, d.VerifyURL, qrX, qrY, qrSize); err != nil {
			f.SetError(err)
			return
		}
		p.setSize(9)
		setText(f, gray)
		p.centered(qrLabel, qrX+qrSize/2, qrY+qrSize+4)
	}
	p.setSize(10.5)
	setText(f, gray)
	p.text(qrX+qrSize+5, qrY+qrSize-2.5, serialLabel+d.Serial)
}

// drawHeading draws the heading, spaced out, a rule and the tier under it. A long heading
// is spaced less, then set smaller, to stay within headingWidth.
func drawHeading(p *pen, heading, tier string) {
	runes := []rune(heading)
	size, spacing := 40.0, 0.6 // spacing between characters, in font sizes
	width := func() float64 {
		p.setSize(size)
		return p.width(heading) + float64(len(runes)-1)*spacing*size*ptMM
	}
	for width() > headingWidth && spacing > 0 {
		spacing = max(spacing-0.1, 0)
	}
	for width() > headingWidth && size > 16 {
		size--
	}
	setText(p.f, darkRed)
	x := (pageW - width()) / 2
	for _, r := range runes {
		p.text(x, 45, string(r))
		x += p.width(string(r)) + spacing*size*ptMM
	}
	drawRule(p.f, pageW/2, 53, 38)

	p.setSize(28)
	p.centered(tier, pageW/2, 69)
}

// drawSeal draws where the seal goes, a light dashed circle (not a seal), and over it the
// issuer and the date, as they are signed on paper.
func drawSeal(p *pen, issuer, date string) {
	f := p.f
	setDraw(f, sealRed)
	f.SetLineWidth(0.5)
	f.SetDashPattern([]float64{2, 1.5}, 0)
	f.Circle(sealX, sealY, sealR, "D")
	f.SetDashPattern(nil, 0)
	p.setSize(9)
	setText(f, sealRed)
	p.centered(sealLabel, sealX, sealY-sealR+7)

	setText(f, ink)
	size := 17.0
	p.setSize(size)
	for p.width(issuer) > issuerWidth && size > 11 {
		size -= 0.5
		p.setSize(size)
	}
	lines := wrap(issuer, issuerWidth, 0, p.width)
	lh := size * ptMM * 1.4
	y := sealY - 1 - float64(len(lines)-1)*lh
	for i, l := range lines {
		p.centered(l, sealX, y+float64(i)*lh)
	}
	p.setSize(14)
	p.centered(date, sealX, sealY+8.5)
}
