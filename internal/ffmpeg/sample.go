package ffmpeg

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"math"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/jskx/contest/internal/childproc"
	"github.com/jskx/contest/internal/contest"
)

var _ contest.ContentTools = Tools{}

// scanNice is the scheduling priority of the content scan's ffmpeg: the lowest, below the
// poster and web copy (copyNice), since nobody waits on a scan.
const scanNice = 19

// maxScanSide bounds the sampled frame's sides, so a plan cannot ask for a huge buffer.
const maxScanSide = 8192

// stopGrace is how long ffmpeg gets to finish its measures once asked to stop.
const stopGrace = 5 * time.Second

// Sample decodes input once and gives sink its frames; see contest.ContentTools.
func (t Tools) Sample(ctx context.Context, input string, plan contest.ScanPlan, sink contest.FrameSink) (contest.SoundPicture, error) {
	sp, _, err := t.SampleWithCPU(ctx, input, plan, sink)
	return sp, err
}

// SampleWithCPU is Sample that also returns the CPU time (user and system) that its ffmpeg
// used, for benchmarks and capacity planning.
//
// One ffmpeg, at the lowest priority, decodes the file once, at most plan.MaxFrames×plan.Every
// seconds of it: the first video stream (not cover art), turned as displayed, sampled every
// plan.Every seconds (the frame shown at that instant), scaled to plan.Width×plan.Height in
// grey and written raw to a pipe; black stretches are found on those samples, so their ends
// are known to within plan.Every. The first audio stream, if any, goes through the EBU R 128
// meter and the silence detector. Their findings are read from ffmpeg's log as it runs.
func (Tools) SampleWithCPU(ctx context.Context, input string, plan contest.ScanPlan, sink contest.FrameSink) (contest.SoundPicture, time.Duration, error) {
	every, err := planStep(plan)
	if err != nil {
		return contest.SoundPicture{}, 0, err
	}
	src, err := openMP4(ctx, input)
	if err != nil {
		return contest.SoundPicture{}, 0, err
	}
	defer src.Close()
	run, err := startSample(ctx, src, plan, every)
	if err != nil {
		return contest.SoundPicture{}, 0, err
	}
	frames, more, sinkErr := readFrames(run.stdout, plan, every, sink)
	switch {
	case sinkErr != nil:
		_ = run.cmd.Process.Kill()
	case more:
		run.interrupt()
	}
	werr := run.wait()
	cpu := cpuTime(run.cmd.ProcessState)
	switch {
	case sinkErr != nil:
		return contest.SoundPicture{}, cpu, sinkErr
	case ctx.Err() != nil:
		return contest.SoundPicture{}, cpu, fmt.Errorf("ffmpeg: %w", ctx.Err())
	case werr != nil && !more:
		return contest.SoundPicture{}, cpu, sampleError(werr, run.log, src)
	case frames == 0:
		return contest.SoundPicture{}, cpu, sampleError(errNoFrames, run.log, src)
	case run.log.truncated || run.log.readFailed:
		// ffmpeg ends well on a file cut short or a connection dropped, with what it read.
		return contest.SoundPicture{}, cpu, sampleError(errPartial, run.log, src)
	}
	sp := run.log.result(float64(frames-1) * every)
	sp.Frames = frames
	return sp, cpu, nil
}

// sampleRun is a running scan: its frames come on stdout, its log is read as it comes.
type sampleRun struct {
	cmd    *exec.Cmd
	stdout io.ReadCloser
	log    *sampleLog
	logged chan struct{} // closed when the log has been read to its end
}

// startSample starts ffmpeg on src at the lowest priority.
func startSample(ctx context.Context, src *input, plan contest.ScanPlan, every float64) (*sampleRun, error) {
	r := &sampleRun{cmd: exec.CommandContext(ctx, "ffmpeg", sampleArgs(src.ffInput, plan, every)...),
		log: &sampleLog{}, logged: make(chan struct{})}
	var err error
	if r.stdout, err = r.cmd.StdoutPipe(); err != nil {
		return nil, fmt.Errorf("ffmpeg: %w", err)
	}
	stderr, err := r.cmd.StderrPipe()
	if err != nil {
		return nil, fmt.Errorf("ffmpeg: %w", err)
	}
	childproc.DieWithParent(r.cmd)
	if err := r.cmd.Start(); err != nil {
		return nil, startError(err)
	}
	childproc.Yield(r.cmd.Process.Pid, scanNice)
	go func() {
		defer close(r.logged)
		readLines(stderr, maxLogLine, r.log.line)
	}()
	return r, nil
}

// interrupt stops ffmpeg before the end of the file: interrupted, it closes its filters, which
// print what they measured; it is killed if it takes longer than stopGrace.
func (r *sampleRun) interrupt() {
	_ = r.cmd.Process.Signal(os.Interrupt)
	stop := time.AfterFunc(stopGrace, func() { _ = r.cmd.Process.Kill() })
	defer stop.Stop()
	_, _ = io.Copy(io.Discard, r.stdout) // ffmpeg may be waiting to write a frame
}

// wait waits for ffmpeg to end, once its log has been read.
func (r *sampleRun) wait() error {
	<-r.logged
	return r.cmd.Wait()
}

// planStep checks the plan and returns its step in seconds, rounded to the millisecond that
// ffmpeg is given.
func planStep(p contest.ScanPlan) (float64, error) {
	if !(p.Every >= 0.001 && p.Every <= 3600) || p.Width <= 0 || p.Height <= 0 ||
		p.Width > maxScanSide || p.Height > maxScanSide || p.MaxFrames <= 0 {
		return 0, fmt.Errorf("ffmpeg: bad scan plan %+v", p)
	}
	return math.Round(p.Every*1000) / 1000, nil
}

// sampleArgs is the command line of the scan: one input, two outputs (the grey frames on
// stdout, the sound measured into nothing). Filters' findings are logged at info level, each
// line tagged with its level so that the log can be read safely.
func sampleArgs(in string, plan contest.ScanPlan, every float64) []string {
	// fps with round=up keeps, for each instant n×every, the last frame starting at or before
	// it: the picture on screen then. start_time=0 makes frame n that instant's.
	vf := fmt.Sprintf("fps=fps=1000/%d:round=up:start_time=0,scale=w=%d:h=%d,format=gray,blackdetect=d=%s:pix_th=0.10",
		int(math.Round(every*1000)), plan.Width, plan.Height, seconds(contest.BlackMin))
	// framelog=verbose keeps the meter's ten lines a second out of an info-level log.
	af := fmt.Sprintf("ebur128=peak=true:framelog=verbose,silencedetect=noise=%sdB:d=%s",
		seconds(contest.SilenceFloor), seconds(contest.SilenceMin))
	args := []string{"-nostdin", "-hide_banner", "-nostats", "-v", "level+info"}
	args = append(args, inputArgs(in)...)
	// Reading stops after the plan's frames: MaxFrames instants, the last at
	// (MaxFrames-1)×every, whatever the file says its duration is.
	// The outputs carry none of the file's metadata, so that the log prints it only once,
	// before "Stream mapping:" (see sampleLog).
	args = append(args, "-t", seconds(float64(plan.MaxFrames)*every), "-i", in,
		"-map", "0:V:0", "-vf", vf, "-fps_mode", "passthrough", "-map_metadata", "-1", "-map_chapters", "-1",
		"-f", "rawvideo", "pipe:1",
		"-map", "0:a:0?", "-af", af, "-map_metadata", "-1", "-map_chapters", "-1", "-f", "null", "-")
	return args
}

func seconds(s float64) string { return strconv.FormatFloat(s, 'f', -1, 64) }

// readFrames reads frames of the plan's size from r and gives them to sink, at most
// plan.MaxFrames. It returns how many were read, whether r held more, and the sink's error.
// It stops at the end of r or at a partial frame: ffmpeg's exit says why.
func readFrames(r io.Reader, plan contest.ScanPlan, every float64, sink contest.FrameSink) (n int, more bool, err error) {
	img := image.NewGray(image.Rect(0, 0, plan.Width, plan.Height))
	for ; n < plan.MaxFrames; n++ {
		if _, err := io.ReadFull(r, img.Pix); err != nil {
			return n, false, nil
		}
		if sink != nil {
			if err := sink(float64(n)*every, img); err != nil {
				return n + 1, false, err
			}
		}
	}
	var b [1]byte
	k, _ := io.ReadFull(r, b[:])
	return n, k > 0, nil
}

// openMP4 opens input and reads its start: only a file that starts with an ftyp box reaches
// a tool (see Probe for why).
func openMP4(ctx context.Context, in string) (*input, error) {
	src, err := openInput(ctx, in)
	if err != nil {
		return nil, err
	}
	if src.size == 0 {
		src.Close()
		return nil, fmt.Errorf("%w: empty file", ErrUnreadable)
	}
	head := make([]byte, min(src.size, ftypReadLimit))
	if _, err := src.ReadAt(head, 0); err != nil && !errors.Is(err, io.EOF) {
		src.Close()
		return nil, fmt.Errorf("read %s: %w", src.name, err)
	}
	if _, err := ParseFtyp(head); err != nil {
		src.Close()
		return nil, fmt.Errorf("%w: %s", ErrNotMP4, err)
	}
	return src, nil
}

// errNoFrames and errPartial are ffmpeg ending well without a single frame of video, or with
// only part of the file read.
var (
	errNoFrames = errors.New("no video frame decoded")
	errPartial  = errors.New("the file could not be read to its end")
)

// startError explains why ffmpeg did not start.
func startError(err error) error {
	if errors.Is(err, exec.ErrNotFound) {
		return errors.New("ffmpeg not found: install ffmpeg (Debian/Ubuntu: apt-get install ffmpeg)")
	}
	return fmt.Errorf("ffmpeg: %w", err)
}

// sampleError tells a file that cannot be decoded (ErrUnreadable) from reading that failed:
// storage or its connection failing while ffmpeg read (a stored file is judged unreadable only
// if storage still serves it whole, as in Probe), or a local disk. The message is ffmpeg's
// error lines, without the input's name.
func sampleError(err error, log *sampleLog, src *input) error {
	var exit *exec.ExitError
	if !errors.As(err, &exit) && err != errNoFrames && err != errPartial {
		return fmt.Errorf("ffmpeg: %w", err)
	}
	msg := redact(log.errors.String(), src.ffInput)
	if msg == "" {
		msg = err.Error()
	}
	if !isHTTP(src.ffInput) {
		if log.readFailed {
			return fmt.Errorf("ffmpeg: reading %s failed: %s", src.name, msg)
		}
		return fmt.Errorf("%w: ffmpeg: %s", ErrUnreadable, msg)
	}
	if size, serr := src.stat(); serr != nil || size != src.size || log.readFailed || isConnectionError(msg) {
		if serr != nil {
			msg = serr.Error() + "; " + msg
		}
		return fmt.Errorf("ffmpeg: reading stored file failed: %s", msg)
	}
	return fmt.Errorf("%w: ffmpeg: %s", ErrUnreadable, msg)
}

// isConnectionError says whether ffmpeg's message is about the connection, not the file.
func isConnectionError(msg string) bool {
	for _, s := range []string{"Server returned", "Connection", "I/O error"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// DecodeBaseline decodes input the plainest way (its first video and audio streams into
// nothing), with the same confinement as Sample, and returns the CPU time ffmpeg used: the
// yardstick for the scan's cost.
func DecodeBaseline(ctx context.Context, input string) (time.Duration, error) {
	src, err := openMP4(ctx, input)
	if err != nil {
		return 0, err
	}
	defer src.Close()
	args := append([]string{"-nostdin", "-hide_banner", "-nostats", "-v", "error"}, inputArgs(src.ffInput)...)
	args = append(args, "-i", src.ffInput, "-map", "0:v:0", "-map", "0:a:0?", "-f", "null", "-")
	cmd := exec.CommandContext(ctx, "ffmpeg", args...)
	var stderr bytes.Buffer
	cmd.Stderr = &limitedBuffer{b: &stderr, n: 4096}
	childproc.DieWithParent(cmd)
	if err := cmd.Start(); err != nil {
		return 0, startError(err)
	}
	childproc.Yield(cmd.Process.Pid, scanNice)
	err = cmd.Wait()
	cpu := cpuTime(cmd.ProcessState)
	switch {
	case ctx.Err() != nil:
		return cpu, fmt.Errorf("ffmpeg: %w", ctx.Err())
	case err != nil:
		return cpu, fmt.Errorf("ffmpeg: %w: %s", err, redact(stderr.String(), src.ffInput))
	}
	return cpu, nil
}

// cpuTime is the user and system CPU time of an ended process.
func cpuTime(ps *os.ProcessState) time.Duration {
	if ps == nil {
		return 0
	}
	return ps.UserTime() + ps.SystemTime()
}
