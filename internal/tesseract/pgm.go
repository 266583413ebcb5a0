package tesseract

import (
	"bufio"
	"fmt"
	"image"
	"image/draw"
	"os"
)

// writePGM writes img as a binary greyscale PGM (P5), the simplest picture tesseract reads;
// a picture that is not grey is converted first.
func writePGM(name string, img image.Image) error {
	g, ok := img.(*image.Gray)
	if !ok {
		g = image.NewGray(img.Bounds())
		draw.Draw(g, g.Rect, img, img.Bounds().Min, draw.Src)
	}
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	b := g.Rect
	fmt.Fprintf(w, "P5\n%d %d\n255\n", b.Dx(), b.Dy())
	for y := b.Min.Y; y < b.Max.Y; y++ {
		i := g.PixOffset(b.Min.X, y)
		w.Write(g.Pix[i : i+b.Dx()])
	}
	err = w.Flush()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
