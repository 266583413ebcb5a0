package pdf_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jskx/contest/internal/pdf"
)

func TestNew_MissingFontIsRefused(t *testing.T) {
	_, err := pdf.New(filepath.Join(t.TempDir(), "nosuch.ttf"))
	if err == nil || !strings.Contains(err.Error(), "找不到证书字体") || !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("err = %v, want 找不到证书字体 wrapping ErrNotExist", err)
	}
}

func TestNew_FontWithoutChineseIsRefused(t *testing.T) {
	const latin = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf" // fonts-dejavu-core
	if _, err := os.Stat(latin); err != nil {
		MissingPart(t, "font "+latin+" missing (fonts-dejavu-core)")
	}
	if _, err := pdf.New(latin); err == nil || !strings.Contains(err.Error(), "not a Chinese font") {
		t.Fatalf("err = %v, want a font without Chinese refused", err)
	}
}

func TestNew_UnsupportedFontIsRefused(t *testing.T) {
	for name, content := range map[string]string{
		"collection.ttc": "ttcf\x00\x01\x00\x00\x00\x00\x00\x01\x00\x00\x00\x10",
		"cff.otf":        "OTTO\x00\x0a\x00\x80\x00\x03\x00\x20",
		"text.ttf":       "this is not a font at all",
		"truncated.ttf":  "\x00\x01\x00\x00\x00\x20\x00\x00\x00\x00\x00\x00",
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), name)
			if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			if _, err := pdf.New(path); err == nil {
				t.Fatal("New accepted a font fpdf cannot embed")
			} else {
				t.Log(err)
			}
		})
	}
}
