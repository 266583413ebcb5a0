package pdf

import "io"

// CertificateText is certificateText, for tests that check nothing else is printed.
var CertificateText = certificateText

// NewWithOptionalFallback is newRenderer, for tests of a default fallback font that is not
// installed.
var NewWithOptionalFallback = newRenderer

// Width is how wide text is drawn in size points, in mm, in a document of r.
func (r *Renderer) Width(text string, size float64) (w float64, err error) {
	err = r.render(io.Discard, text, r.font.cover.missing(text), func(p *pen) {
		p.f.AddPage()
		p.setSize(size)
		w = p.width(text)
	})
	return w, err
}
