// Package tesseract reads text in pictures with the Tesseract OCR command (Debian/Ubuntu:
// apt-get install tesseract-ocr tesseract-ocr-chi-sim), for the content scan's search for
// makers' names on screen. Everything stays on the server: pictures go to a private temporary
// folder and are removed after the run.
package tesseract

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jskx/contest/internal/childproc"
	"github.com/jskx/contest/internal/contest"
)

// Reader recognizes text with the tesseract command: one run, on one core at the lowest
// priority, for all the pictures of a call. Use it through a pointer; it remembers whether
// tesseract and its language are installed.
type Reader struct {
	// Lang is tesseract's language (-l), default "chi_sim" (Simplified Chinese, which reads
	// Latin letters and digits as well).
	Lang string
	// Timeout bounds a call; 0 means 20 s plus 2 s per picture.
	Timeout time.Duration
	// PSM is tesseract's page segmentation mode, default 11 ("sparse text": find as much text
	// as possible in no particular order), which read names and employers in captions on busy
	// backgrounds best (name 23 of 36 bands, employer 20 of 36; 6, a uniform block, read 18
	// and 17, and split 欧阳明哲 into two lines in some fonts).
	PSM int
	// MinConf drops words read with a confidence (0..100) below it; 0 keeps every word. Right
	// characters on busy backgrounds are sometimes given a confidence of 0, and the matching is
	// fuzzy, so the default keeps them.
	MinConf float64

	mu      sync.Mutex
	checked time.Time // when the installation was found definitely usable or not
	missing error     // why OCR is unavailable, when checked
}

// ocrNice is the scheduling priority of a tesseract run: the lowest (19). The content scan only
// warns organizers, hours later is soon enough; everything else comes first.
const ocrNice = 19

// recheckMissing is how long a missing tesseract (or language) is believed missing: installed
// meanwhile, it is found without a restart.
const recheckMissing = 5 * time.Minute

var _ contest.TextReader = (*Reader)(nil)

// Bounds on what a run may print: the TSV of many frames full of text stays far below
// maxStdout; stderr only says why a run failed.
const (
	maxStdout = 8 << 20
	maxStderr = 4 << 10
)

// ReadText returns the text recognized in each picture, in order, its lines separated by "\n"
// ("" for a picture without text). Dark text on a light background reads best. An error
// wrapping contest.ErrOCRUnavailable means tesseract or its language is not installed.
func (r *Reader) ReadText(ctx context.Context, imgs []image.Image) ([]string, error) {
	if len(imgs) == 0 {
		return nil, nil
	}
	if err := r.available(ctx); err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "contest-ocr-") // 0700: the frames are the contestants'
	if err != nil {
		return nil, fmt.Errorf("tesseract: %w", err)
	}
	defer os.RemoveAll(dir)
	list, pages, err := writeImages(dir, imgs)
	if err != nil {
		return nil, fmt.Errorf("tesseract: %w", err)
	}
	texts := make([]string, len(imgs))
	if len(pages) == 0 {
		return texts, nil // only empty pictures
	}
	timeout := r.Timeout
	if timeout <= 0 {
		timeout = 20*time.Second + time.Duration(len(pages))*2*time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	out, err := r.run(ctx, dir, list, "stdout", "-l", r.lang(), "--psm", strconv.Itoa(r.psm()), "tsv")
	if err != nil {
		return nil, err
	}
	byPage, err := parseTSV(out, r.MinConf)
	if err != nil {
		return nil, fmt.Errorf("tesseract: %w", err)
	}
	for page, i := range pages {
		texts[i] = byPage[page+1] // tesseract numbers pages from 1
	}
	return texts, nil
}

func (r *Reader) psm() int {
	if r.PSM == 0 {
		return 11
	}
	return r.PSM
}

func (r *Reader) lang() string {
	if r.Lang == "" {
		return "chi_sim"
	}
	return r.Lang
}

// writeImages writes each non-empty picture as a PGM file in dir and lists them in a file for
// tesseract. pages[k] is the index in imgs of the k-th listed picture.
func writeImages(dir string, imgs []image.Image) (list string, pages []int, err error) {
	var names bytes.Buffer
	for i, img := range imgs {
		if img == nil || img.Bounds().Empty() {
			continue
		}
		name := filepath.Join(dir, strconv.Itoa(i)+".pgm")
		if err := writePGM(name, img); err != nil {
			return "", nil, err
		}
		names.WriteString(name + "\n")
		pages = append(pages, i)
	}
	list = filepath.Join(dir, "images.txt")
	return list, pages, os.WriteFile(list, names.Bytes(), 0o600)
}

// run runs tesseract with args in dir under ctx, on one core at the lowest priority, with a
// minimal environment, and returns what it printed.
func (r *Reader) run(ctx context.Context, dir string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "tesseract", args...)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "OMP_THREAD_LIMIT=1"}
	if p := os.Getenv("TESSDATA_PREFIX"); p != "" {
		cmd.Env = append(cmd.Env, "TESSDATA_PREFIX="+p)
	}
	var stdout, stderr bytes.Buffer
	out := &limitedBuffer{b: &stdout, n: maxStdout}
	cmd.Stdout, cmd.Stderr = out, &limitedBuffer{b: &stderr, n: maxStderr}
	childproc.DieWithParent(cmd)
	err := cmd.Start()
	if err == nil {
		childproc.Yield(cmd.Process.Pid, ocrNice)
		err = cmd.Wait()
	}
	switch {
	case err == nil && out.over:
		return nil, fmt.Errorf("tesseract: more than %d bytes of output", maxStdout)
	case err == nil:
		return stdout.Bytes(), nil // stderr holds "Estimating resolution…" noise
	case ctx.Err() != nil:
		return nil, fmt.Errorf("tesseract: %w", ctx.Err())
	case errors.Is(err, exec.ErrNotFound):
		return nil, fmt.Errorf("%w: tesseract: %v", contest.ErrOCRUnavailable, err)
	}
	return nil, fmt.Errorf("tesseract: %w: %s", err, strings.TrimSpace(stderr.String()))
}

// available checks that tesseract runs and knows the reader's languages. A usable
// installation is remembered; a missing one for recheckMissing; a check cut short (ctx, a busy
// machine) is tried again next call.
func (r *Reader) available(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.checked.IsZero() && (r.missing == nil || time.Since(r.checked) < recheckMissing) {
		return r.missing
	}
	r.missing = nil
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	out, err := r.run(ctx, "", "--list-langs")
	switch {
	case errors.Is(err, contest.ErrOCRUnavailable):
		r.checked, r.missing = time.Now(), err
		return err
	case err != nil:
		return err
	}
	r.checked = time.Now()
	if lang := missingLang(string(out), r.lang()); lang != "" {
		r.missing = fmt.Errorf("%w: tesseract has no %q language (Debian: apt-get install tesseract-ocr-%s)",
			contest.ErrOCRUnavailable, lang, strings.ReplaceAll(lang, "_", "-"))
	}
	return r.missing
}

// missingLang returns the first language of lang ("chi_sim+eng") not in tesseract's
// --list-langs output, or "".
func missingLang(listed, lang string) string {
	have := map[string]bool{}
	for _, line := range strings.Split(listed, "\n")[1:] { // the first line is a heading
		have[strings.TrimSpace(line)] = true
	}
	for _, l := range strings.Split(lang, "+") {
		if !have[l] {
			return l
		}
	}
	return ""
}

// limitedBuffer keeps the first n bytes written to it and discards the rest (noting it), so a
// chatty tesseract cannot fill memory.
type limitedBuffer struct {
	b    *bytes.Buffer
	n    int
	over bool
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	room := l.n - l.b.Len()
	if len(p) > room {
		l.over = true
	}
	if room > 0 {
		l.b.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}
