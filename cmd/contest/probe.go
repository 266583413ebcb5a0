package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime"
	"strings"

	"github.com/jskx/contest/internal/contest"
	"github.com/jskx/contest/internal/ffmpeg"
)

// rejectedError means probe judged at least one file and rejected it (exit status 1). The
// verdicts are already on stdout; main prints only this one-line summary on stderr.
type rejectedError struct{ rejected, total int }

func (e rejectedError) Error() string {
	return fmt.Sprintf("%d of %d files rejected", e.rejected, e.total)
}

// probeResult is one line of `contest probe --json`. The field names are a stable interface:
// organizers script against them.
type probeResult struct {
	File          string           `json:"file"`
	OK            bool             `json:"ok"`
	Reasons       []contest.Reason `json:"reasons"`
	Warnings      []contest.Reason `json:"warnings"`
	Brand         string           `json:"brand"`
	Compatible    []string         `json:"compatible_brands"`
	Format        string           `json:"format_name"`
	DurationSec   float64          `json:"duration_sec"`
	Width         int              `json:"width"`
	Height        int              `json:"height"`
	DisplayWidth  int              `json:"display_width"`
	DisplayHeight int              `json:"display_height"`
	Rotation      int              `json:"rotation"`
	VideoCodec    string           `json:"video_codec"`
	AudioCodec    string           `json:"audio_codec"`
	Size          int64            `json:"size"`
}

// probe is `contest probe [flags] FILE...`: it judges local files against the contest's media
// rules, one line per file, and exits 0 when all pass, 1 when any is rejected, 2 on misuse.
func probe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	rules := contest.DefaultContest().Rules
	fs := flag.NewFlagSet("probe", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print one JSON object per file and line")
	fs.IntVar(&rules.MaxDurationSec, "max-duration", rules.MaxDurationSec, "maximum duration in seconds")
	fs.IntVar(&rules.MinShortSide, "min-short-side", rules.MinShortSide, "minimum short side of the displayed frame, in pixels")
	fs.Int64Var(&rules.MaxSizeBytes, "max-size", rules.MaxSizeBytes, "maximum file size in bytes")
	tolerance := fs.Float64("tolerance", contest.DefaultDurationTolerance, "seconds above the maximum duration still accepted")
	parallel := fs.Int("j", runtime.NumCPU(), "files checked at once (output keeps the order of the arguments)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "usage: contest probe [--json] [--max-duration S] [--min-short-side N] [--max-size BYTES] [--tolerance 0.5] [-j N] FILE...\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	switch {
	case fs.NArg() == 0:
		fs.Usage()
		return usageError{errors.New("probe: no files given")}
	case rules.MaxDurationSec <= 0 || rules.MinShortSide <= 0 || rules.MaxSizeBytes <= 0 || *tolerance < 0 || *parallel < 1:
		return usageError{errors.New("probe: limits must be positive and the tolerance not negative")}
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type outcome struct {
		res probeResult
		err error
	}
	files := fs.Args()
	outcomes := make([]chan outcome, len(files))
	slots := make(chan struct{}, *parallel)
	for i, file := range files {
		outcomes[i] = make(chan outcome, 1)
		go func() {
			slots <- struct{}{}
			defer func() { <-slots }()
			res, err := probeFile(ctx, rules, *tolerance, file)
			outcomes[i] <- outcome{res, err}
		}()
	}

	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	rejected := 0
	for _, ch := range outcomes {
		o := <-ch
		if o.err != nil {
			return o.err // cancel stops the rest
		}
		if !o.res.OK {
			rejected++
		}
		if *asJSON {
			if err := enc.Encode(o.res); err != nil {
				return err
			}
		} else {
			fmt.Fprintln(stdout, humanLine(o.res))
		}
	}
	if rejected > 0 {
		return rejectedError{rejected: rejected, total: fs.NArg()}
	}
	return nil
}

// probeFile measures and judges one file. A file that cannot be opened is judged unreadable, so
// one bad name in a folder does not stop the run; a missing ffprobe or a cancelled ctx does.
func probeFile(ctx context.Context, rules contest.MediaRules, tolerance float64, file string) (probeResult, error) {
	f, err := ffmpeg.Probe(ctx, file)
	if errors.Is(err, ffmpeg.ErrNotInstalled) || ctx.Err() != nil {
		return probeResult{}, err
	}
	v, _, jerr := rules.JudgeProbe(f, tolerance, err)
	if jerr != nil { // no such file, a folder, no permission: judged unreadable, with the cause
		f = contest.VideoFacts{}
		v = rules.Judge(f, tolerance, false)
		v.Reasons[0].Message = "无法打开文件（" + jerr.Error() + "）"
	}
	return probeResult{
		File: file, OK: v.OK, Reasons: nonNil(v.Reasons), Warnings: nonNil(v.Warnings),
		Brand: f.Brand, Compatible: nonNil(f.CompatibleBrands), Format: f.FormatName,
		DurationSec: f.DurationSec, Width: f.StoredWidth, Height: f.StoredHeight,
		DisplayWidth: f.DisplayWidth, DisplayHeight: f.DisplayHeight, Rotation: f.Rotation,
		VideoCodec: f.VideoCodec, AudioCodec: f.AudioCodec, Size: f.Size,
	}, nil
}

// humanLine is the verdict on one file as people read it:
// "a.mp4: 通过（1280×720，0分10秒，h264/aac）" or "b.mp4: 未通过：原因1；原因2".
func humanLine(r probeResult) string {
	var b strings.Builder
	if r.OK {
		fmt.Fprintf(&b, "%s: 通过（%d×%d，%s，%s", r.File, r.DisplayWidth, r.DisplayHeight,
			contest.FormatDuration(r.DurationSec), r.VideoCodec)
		if r.AudioCodec != "" {
			b.WriteString("/" + r.AudioCodec)
		}
		b.WriteString("）")
	} else {
		msgs := make([]string, len(r.Reasons))
		for i, reason := range r.Reasons {
			msgs[i] = reason.Message
		}
		fmt.Fprintf(&b, "%s: 未通过：%s", r.File, strings.Join(msgs, "；"))
	}
	for _, w := range r.Warnings {
		b.WriteString("；提示：" + w.Message)
	}
	return b.String()
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
