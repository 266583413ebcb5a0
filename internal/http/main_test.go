package http_test

import (
	"os"
	"testing"

	"github.com/jskx/contest/internal/ffmpeg/ffmpegtest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	ffmpegtest.Cleanup()
	os.Exit(code)
}
