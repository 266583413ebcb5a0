// Package pdftest reads PDFs back in tests with real tools: the text with poppler's pdftotext,
// and the QR code from the page rendered by pdftoppm, decoded with gozxing.
package pdftest

import (
	"bytes"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// Require skips the test when poppler-utils is missing, or fails it when every part is
// required (CONTEST_TEST_REQUIRE_ALL=1).
func Require(tb testing.TB) {
	tb.Helper()
	for _, tool := range []string{"pdftotext", "pdftoppm"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CONTEST_TEST_REQUIRE_ALL") == "1" {
				tb.Fatalf("%s not in PATH (install poppler-utils)", tool)
			}
			tb.Skipf("%s not in PATH (install poppler-utils)", tool)
		}
	}
}

func write(tb testing.TB, doc []byte) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "doc.pdf")
	if err := os.WriteFile(path, doc, 0o600); err != nil {
		tb.Fatal(err)
	}
	return path
}

// Text returns the text pdftotext extracts from doc.
func Text(tb testing.TB, doc []byte) string {
	tb.Helper()
	out, err := exec.Command("pdftotext", "-layout", write(tb, doc), "-").CombinedOutput()
	if err != nil {
		tb.Fatalf("pdftotext: %v\n%s", err, out)
	}
	return string(out)
}

// QR renders the first page at 150 dpi and returns the text of the QR code on it.
func QR(tb testing.TB, doc []byte) string {
	tb.Helper()
	path := write(tb, doc)
	base := filepath.Join(filepath.Dir(path), "page")
	if out, err := exec.Command("pdftoppm", "-r", "150", "-png", "-singlefile", path, base).CombinedOutput(); err != nil {
		tb.Fatalf("pdftoppm: %v\n%s", err, out)
	}
	b, err := os.ReadFile(base + ".png")
	if err != nil {
		tb.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		tb.Fatal(err)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		tb.Fatal(err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true})
	if err != nil {
		tb.Fatalf("no QR code found on the page: %v", err)
	}
	return res.GetText()
}
