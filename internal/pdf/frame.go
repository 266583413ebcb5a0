package pdf

import "github.com/go-pdf/fpdf"

// rgb is a colour of the certificate.
type rgb struct{ r, g, b int }

var (
	darkRed = rgb{158, 27, 27}
	gold    = rgb{184, 144, 47}
	sealRed = rgb{226, 110, 110}
	ink     = rgb{35, 35, 35}
	gray    = rgb{95, 95, 95}
)

func setDraw(f *fpdf.Fpdf, c rgb) { f.SetDrawColor(c.r, c.g, c.b) }
func setFill(f *fpdf.Fpdf, c rgb) { f.SetFillColor(c.r, c.g, c.b) }
func setText(f *fpdf.Fpdf, c rgb) { f.SetTextColor(c.r, c.g, c.b) }

// drawFrame draws the double border of a page w by h mm: a broad dark red band, a thin gold
// line inside it and a thin dark red frame, with gold brackets in the inner corners.
func drawFrame(f *fpdf.Fpdf, w, h float64) {
	rect := func(inset, width float64, c rgb) {
		setDraw(f, c)
		f.SetLineWidth(width)
		f.Rect(inset, inset, w-2*inset, h-2*inset, "D")
	}
	rect(8, 1.8, darkRed)
	rect(10.6, 0.6, gold)
	rect(12.6, 0.25, darkRed)

	// corner brackets, each with a small diamond in its angle
	const in, leg, d = 16.0, 14.0, 1.6
	setDraw(f, gold)
	setFill(f, gold)
	f.SetLineWidth(0.5)
	for _, c := range [][4]float64{{in, in, 1, 1}, {w - in, in, -1, 1}, {in, h - in, 1, -1}, {w - in, h - in, -1, -1}} {
		x, y, sx, sy := c[0], c[1], c[2], c[3]
		f.Line(x, y, x+sx*leg, y)
		f.Line(x, y, x, y+sy*leg)
		f.Line(x+sx*2.2, y+sy*2.2, x+sx*(leg*0.6), y+sy*2.2)
		f.Line(x+sx*2.2, y+sy*2.2, x+sx*2.2, y+sy*(leg*0.6))
		cx, cy := x+sx*4.4, y+sy*4.4
		f.Polygon([]fpdf.PointType{{X: cx - d, Y: cy}, {X: cx, Y: cy - d}, {X: cx + d, Y: cy}, {X: cx, Y: cy + d}}, "F")
	}
}

// drawRule draws a short gold rule centred at x, y, half wide, with a diamond in its middle.
func drawRule(f *fpdf.Fpdf, x, y, half float64) {
	const d = 1.4
	setDraw(f, gold)
	setFill(f, gold)
	f.SetLineWidth(0.4)
	f.Line(x-half, y, x-d-1.5, y)
	f.Line(x+d+1.5, y, x+half, y)
	f.Polygon([]fpdf.PointType{{X: x - d, Y: y}, {X: x, Y: y - d}, {X: x + d, Y: y}, {X: x, Y: y + d}}, "F")
}
