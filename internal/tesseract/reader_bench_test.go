package tesseract

import (
	"context"
	"image"
	"testing"

	"github.com/jskx/contest/internal/tesseract/tesseracttest"
)

// The cost of reading sampled frames, in one run of ten pictures: the bottom band (1280x200)
// and the whole frame (1280x720), captions in white on a busy picture, binarized.
func BenchmarkReadText_Bands(b *testing.B)  { benchmarkReadText(b, 200) }
func BenchmarkReadText_Frames(b *testing.B) { benchmarkReadText(b, 720) }

func benchmarkReadText(b *testing.B, height int) {
	tesseracttest.Require(b)
	frame := tesseracttest.MustRender(b, tesseracttest.Caption{Height: 720, Background: "testsrc2",
		Color: "white", Font: tesseracttest.FontDroid, Size: 36, X: 40, Y: 560,
		Lines: []string{"主创：欧阳明哲  摄像：李明", "江苏省农业科学院"}})
	pic := tesseracttest.Binarize(frame.SubImage(image.Rect(0, 720-height, 1280, 720)).(*image.Gray), 180)
	imgs := make([]image.Image, 10)
	for i := range imgs {
		imgs[i] = pic
	}
	r := &Reader{}
	b.ResetTimer()
	for range b.N {
		if _, err := r.ReadText(context.Background(), imgs); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N*len(imgs)), "ms/picture")
}
