package ffmpeg

import (
	"bytes"
	"image"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jskx/contest/internal/contest"
)

// A file's metadata is printed in ffmpeg's log before the filters run, and a metadata key can
// hold line breaks (the log below is what ffmpeg 5.1 printed for such a file): what it prints
// must not be taken for a finding.
func TestSampleLog_ReadsFindingsAndNotTheFilesMetadata(t *testing.T) {
	log := `[info] Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'file:x.mp4':
[info]   Metadata:
[info]     title           : black_start:0 black_end:100 black_duration:100
                     : [blackdetect @ 0x1] [info] black_start:0 black_end:99
[info]     x
[Parsed_ebur128_0 @ 0x1] [info] Summary:
    I: -23.0 LUFS
[blackdetect @ 0x1] [info] black_start:0 black_end:99
[http @ 0x1] [error] Stream ends prematurely at 1, should be 2
[info] Stream mapping:
[silencedetect @ 0x1] [info] silence_start: 0: v
[info]     encoder         : Lavf59.27.100
[info]   Duration: 00:00:08.00, start: 0.000000, bitrate: 40 kb/s
[info] Stream mapping:
[info]   Stream #0:0 -> #0:0 (h264 (native) -> rawvideo (native))
[info] Output #0, rawvideo, to 'pipe:1':
[info]   Metadata:
[info]     encoder         : Lavf59.27.100
[blackdetect @ 0x55628484b440] [info] black_start:1 black_end:4 black_duration:3
[silencedetect @ 0x556284344540] [info] silence_start: 2.00579
[silencedetect @ 0x556284344540] [info] silence_end: 6.01598 | silence_duration: 4.01019
[h264 @ 0x5562] [error] error while decoding MB 3 4
[info] frame=   16 fps=0.0 q=-0.0 Lsize=     225kB time=00:00:08.00 bitrate= 230.4kbits/s speed=58.3x
[Parsed_ebur128_0 @ 0x55628475d980] [info] Summary:

  Integrated loudness:
    I:         -22.1 LUFS
    Threshold: -32.2 LUFS

  Loudness range:
    LRA:         9.7 LU
    Threshold: -46.4 LUFS
    LRA low:   -33.4 LUFS
    LRA high:  -23.7 LUFS

  True peak:
    Peak:      -inf dBFS
[silencedetect @ 0x556284344540] [info] silence_start: 7
`
	l := &sampleLog{}
	readLines(strings.NewReader(log), maxLogLine, l.line)
	want := contest.SoundPicture{HasAudio: true, Loudness: -22.1, TruePeak: soundFloor, Range: 9.7,
		Black:   []contest.Stretch{{Start: 1, End: 4}},
		Silence: []contest.Stretch{{Start: 2.00579, End: 6.01598}}}
	if diff := cmp.Diff(want, l.result(7.5)); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	if got := l.errors.String(); got != "error while decoding MB 3 4" || l.readFailed || l.truncated {
		t.Errorf("errors %q (read failed %v, truncated %v), want only the decoder's", got, l.readFailed, l.truncated)
	}
	// A silence still running at the end is closed there, if long enough.
	l.silenceAt = 4
	if got := l.result(7.5).Silence; len(got) != 2 || got[1] != (contest.Stretch{Start: 4, End: 8}) {
		t.Errorf("silences %v, want the last one closed at 8 s (the end of the decode)", got)
	}
}

func TestReadLines_CutsLongLines(t *testing.T) {
	in := strings.Repeat("x", 10*maxLogLine) + "\nshort\r\n" + strings.Repeat("y", maxLogLine+1)
	var got []string
	readLines(strings.NewReader(in), maxLogLine, func(s string) { got = append(got, s) })
	want := []string{strings.Repeat("x", maxLogLine), "short", strings.Repeat("y", maxLogLine)}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("lines (-want +got):\n%s", diff)
	}
}

func TestReadFrames_StopsAtMaxFrames(t *testing.T) {
	plan := contest.ScanPlan{Every: 0.5, Width: 4, Height: 2, MaxFrames: 3}
	var ats []float64
	sink := func(at float64, img *image.Gray) error { ats = append(ats, at); return nil }
	n, more, err := readFrames(bytes.NewReader(make([]byte, 8*3+1)), plan, 0.5, sink)
	if n != 3 || !more || err != nil || !cmp.Equal(ats, []float64{0, 0.5, 1}) {
		t.Errorf("read %d frames at %v (more %v, err %v), want 3 at 0, 0.5, 1 and more", n, ats, more, err)
	}
	// A partial frame at the end is not a frame.
	n, more, _ = readFrames(bytes.NewReader(make([]byte, 8*2+5)), plan, 0.5, nil)
	if n != 2 || more {
		t.Errorf("read %d frames (more %v), want 2", n, more)
	}
}
