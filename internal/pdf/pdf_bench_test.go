package pdf_test

import (
	"bytes"
	"io"
	"os"
	"testing"

	"github.com/go-pdf/fpdf"

	"github.com/jskx/contest/internal/pdf"
)

// BenchmarkCertificates renders certificates as the background job does, from as many
// goroutines as -cpu says (run with -cpu 2), and reports certificates a second and the size
// of one: one the font prints on its own, and the same with two names and the date in
// characters it lacks (certificate_fallback), which embeds the fallback font too. The
// baselines are fpdf's floor with this font, a one-line PDF: embedding the font as fpdf's
// documentation shows (AddUTF8FontFromBytes of the whole file), and embedding it cut down to
// the line first, as the renderer does.
func BenchmarkCertificates(b *testing.B) {
	r := MustFallbackRenderer(b)
	d := SampleDoc(twentyNames...)
	rare := SampleDoc(append([]string{"张喆", "王堃"}, twentyNames[2:]...)...)
	rare.Date = "二〇二二年五月二十八日"
	font, err := os.ReadFile(pdf.DefaultFont)
	if err != nil {
		b.Fatal(err)
	}
	const line = "获奖证书"
	for name, render := range map[string]func(io.Writer) error{
		"certificate":          func(w io.Writer) error { return r.RenderCertificate(w, d) },
		"certificate_fallback": func(w io.Writer) error { return r.RenderCertificate(w, rare) },
		"baseline":             func(w io.Writer) error { return oneLine(w, font, line) },
		"baseline_subset":      func(w io.Writer) error { return oneLine(w, fpdf.UTF8CutFont(font, line), line) },
	} {
		b.Run(name, func(b *testing.B) {
			var one bytes.Buffer
			if err := render(&one); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := render(io.Discard); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "certs/s")
			b.ReportMetric(float64(one.Len()), "bytes/cert")
		})
	}
}

// oneLine writes a PDF of text in font, embedded.
func oneLine(w io.Writer, font []byte, text string) error {
	f := fpdf.New("L", "mm", "A4", "")
	f.AddUTF8FontFromBytes("cjk", "", font)
	f.AddPage()
	f.SetFont("cjk", "", 16)
	f.Text(20, 20, text)
	return f.Output(w)
}
