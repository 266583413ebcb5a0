package ffmpeg

import (
	"bufio"
	"bytes"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/jskx/contest/internal/contest"
)

// maxLogLine bounds a line of ffmpeg's log as read: the rest of a longer line is skipped.
const maxLogLine = 1024

// maxLogErrors bounds the error lines kept to explain a failure.
const maxLogErrors = 4096

// soundFloor is what a track quieter than the loudness meter can measure reports, for
// loudness (LUFS) and true peak (dBTP) alike: -70 is EBU R 128's absolute gate, the lowest
// integrated loudness the meter gives, and a track of digital silence (a true peak of -inf,
// which JSON cannot carry) is reported there too. Either way the track is silent for the rules.
const soundFloor = -70.0

// sampleLog reads the findings of the scan's filters from ffmpeg's log, one line at a time.
// The log is run with -v level+info: every line that a log call starts is prefixed with its
// level, "[info] …", after the name of its source for a filter, "[blackdetect @ 0x…] [info] …".
// Lines without a prefix continue a multi-line message.
//
// The file's metadata is printed too, before "Stream mapping:", and a key can hold line breaks:
// a file can print lines that look like findings (a loudness summary that passes the rules).
// So everything read before the last "Stream mapping:" line is forgotten: ffmpeg prints the
// real one after the file's metadata, and its outputs are given none (-map_metadata -1).
type sampleLog struct {
	sound     contest.SoundPicture
	summary   bool // in the loudness meter's summary
	truePeak  bool // in its true-peak section
	silenceAt float64
	silenceOn bool
	end       float64 // the time of ffmpeg's last progress line
	// truncated: the demuxer found the file shorter than its index; readFailed: reading
	// failed (a connection, a disk), whatever the file holds.
	truncated, readFailed bool
	errors                bytes.Buffer
	errorsFull            bool
}

// line reads one line of the log.
func (l *sampleLog) line(s string) {
	source, level, msg, ok := splitLogLine(s)
	if !ok {
		if l.summary {
			l.summaryLine(strings.TrimSpace(s))
		}
		return
	}
	l.summary = false
	switch {
	case level == "error" || level == "fatal" || level == "panic":
		l.keepError(msg)
		switch {
		case strings.HasPrefix(source, "mov,mp4") && strings.HasSuffix(msg, ": partial file"):
			l.truncated = true
		case source == "http" || source == "https" || source == "tcp" || source == "tls" ||
			source == "" && strings.HasSuffix(msg, ": Input/output error"):
			l.readFailed = true
		}
	case level != "info":
	case source == "blackdetect":
		start, okS := logValue(msg, "black_start:")
		end, okE := logValue(msg, "black_end:")
		if okS && okE {
			l.sound.Black = append(l.sound.Black, contest.Stretch{Start: start, End: end})
		}
	case source == "silencedetect":
		if t, ok := logValue(msg, "silence_start:"); ok {
			l.silenceAt, l.silenceOn = t, true
		} else if t, ok := logValue(msg, "silence_end:"); ok && l.silenceOn {
			l.sound.Silence = append(l.sound.Silence, contest.Stretch{Start: l.silenceAt, End: t})
			l.silenceOn = false
		}
	case source == "" && msg == "Stream mapping:":
		l.sound, l.summary, l.truePeak, l.silenceOn, l.end = contest.SoundPicture{}, false, false, false, 0
		l.truncated, l.readFailed, l.errorsFull = false, false, false
		l.errors.Reset()
	case strings.HasPrefix(source, "Parsed_ebur128") && msg == "Summary:":
		l.summary, l.truePeak = true, false
		l.sound.HasAudio = true
		l.sound.Loudness, l.sound.TruePeak, l.sound.Range = soundFloor, soundFloor, 0
	case source == "" && strings.HasPrefix(msg, "frame="):
		if t, ok := progressTime(msg); ok {
			l.end = t
		}
	}
}

// summaryLine reads a line of the loudness meter's summary:
//
//	Integrated loudness:
//	  I:         -22.1 LUFS
//	Loudness range:
//	  LRA:         9.7 LU
//	True peak:
//	  Peak:      -17.6 dBFS
func (l *sampleLog) summaryLine(s string) {
	key, val, _ := strings.Cut(s, ":")
	f, err := strconv.ParseFloat(strings.Fields(val + " x")[0], 64)
	switch {
	case key == "True peak":
		l.truePeak = true
	case err != nil || math.IsNaN(f):
	case key == "I":
		l.sound.Loudness = math.Max(f, soundFloor)
	case key == "LRA":
		l.sound.Range = math.Max(f, 0)
	case key == "Peak" && l.truePeak:
		l.sound.TruePeak = math.Max(f, soundFloor)
	}
}

// keepError keeps an error line, up to maxLogErrors bytes of them.
func (l *sampleLog) keepError(msg string) {
	if l.errorsFull {
		return
	}
	if l.errors.Len()+len(msg)+1 > maxLogErrors {
		l.errorsFull = true
		l.errors.WriteString("…")
		return
	}
	if l.errors.Len() > 0 {
		l.errors.WriteByte('\n')
	}
	l.errors.WriteString(msg)
}

// result is what the log said; a silence still running when the log ended is closed at the
// end of what was decoded (at least lastFrame, the time of the last frame sampled).
func (l *sampleLog) result(lastFrame float64) contest.SoundPicture {
	sp := l.sound
	if l.silenceOn {
		end := math.Max(l.end, lastFrame)
		if end-l.silenceAt >= contest.SilenceMin {
			sp.Silence = append(sp.Silence, contest.Stretch{Start: l.silenceAt, End: end})
		}
	}
	return sp
}

// splitLogLine splits "[source @ 0x…] [level] msg" or "[level] msg"; ok is false for a line
// without a level (the continuation of a message).
func splitLogLine(s string) (source, level, msg string, ok bool) {
	tag, rest, ok := logTag(s)
	if !ok {
		return "", "", "", false
	}
	if name, _, isSource := strings.Cut(tag, " @ "); isSource {
		source = name
		if tag, rest, ok = logTag(rest); !ok {
			return "", "", "", false
		}
	}
	return source, tag, rest, true
}

// logTag splits "[tag] rest".
func logTag(s string) (tag, rest string, ok bool) {
	if !strings.HasPrefix(s, "[") {
		return "", "", false
	}
	tag, rest, ok = strings.Cut(s[1:], "] ")
	return tag, rest, ok
}

// logValue reads the number after key in msg ("black_start:1.5 black_end:4").
func logValue(msg, key string) (float64, bool) {
	i := strings.Index(msg, key)
	if i < 0 {
		return 0, false
	}
	fields := strings.Fields(msg[i+len(key):])
	if len(fields) == 0 {
		return 0, false
	}
	f, err := strconv.ParseFloat(fields[0], 64)
	return f, err == nil && !math.IsNaN(f) && !math.IsInf(f, 0)
}

// progressTime reads "time=00:01:02.50" from ffmpeg's progress line.
func progressTime(msg string) (float64, bool) {
	i := strings.Index(msg, "time=")
	if i < 0 {
		return 0, false
	}
	fields := strings.Fields(msg[i+len("time="):])
	if len(fields) == 0 {
		return 0, false
	}
	parts := strings.Split(fields[0], ":")
	if len(parts) != 3 {
		return 0, false
	}
	var t float64
	for _, p := range parts {
		f, err := strconv.ParseFloat(p, 64)
		if err != nil {
			return 0, false
		}
		t = t*60 + f
	}
	return t, true
}

// readLines calls fn with each line read from r (without its line ending), until r ends.
// A line longer than max is cut to its first max bytes, so memory stays bounded whatever the
// input prints.
func readLines(r io.Reader, max int, fn func(string)) {
	br := bufio.NewReaderSize(r, max)
	for {
		line, err := br.ReadSlice('\n')
		if len(line) > 0 {
			fn(strings.TrimRight(string(line), "\r\n"))
		}
		for err == bufio.ErrBufferFull { // skip the rest of a long line
			_, err = br.ReadSlice('\n')
		}
		if err != nil {
			return
		}
	}
}
