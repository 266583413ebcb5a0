package pdf

import (
	"bytes"
	"fmt"

	"github.com/go-pdf/fpdf"
	qrcode "github.com/skip2/go-qrcode"
)

// qrModulePixels is the size of a QR module in the PNG. The image is scaled in the PDF; whole
// pixels per module keep its edges sharp.
const qrModulePixels = 4

// drawQR draws a QR code of text with its top left corner at x, y, size mm wide, quiet zone
// included. Medium error correction survives a worn or folded print.
func drawQR(f *fpdf.Fpdf, text string, x, y, size float64) error {
	q, err := qrcode.New(text, qrcode.Medium)
	if err != nil {
		return fmt.Errorf("qr code: %w", err)
	}
	png, err := q.PNG(-qrModulePixels)
	if err != nil {
		return fmt.Errorf("qr code: %w", err)
	}
	opt := fpdf.ImageOptions{ImageType: "PNG"}
	f.RegisterImageOptionsReader("qr", opt, bytes.NewReader(png))
	f.ImageOptions("qr", x, y, size, size, false, opt, 0, "")
	return nil
}
