package ffmpeg

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
)

// input is a file to measure: read in place through ReadAt, and named for ffprobe/ffmpeg.
type input struct {
	io.ReaderAt
	io.Closer
	size    int64
	name    string // for error messages; never a signed URL
	ffInput string // what ffprobe and ffmpeg are given
	// stat asks for the size again (storage still serving the file whole, after a failure).
	stat func() (int64, error)
}

func isHTTP(s string) bool {
	return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://")
}

// openInput opens a local file, or an http(s) URL read with range requests.
func openInput(ctx context.Context, in string) (*input, error) {
	if isHTTP(in) {
		r := &httpReaderAt{ctx: ctx, url: in, client: http.DefaultClient}
		size, err := r.stat()
		if err != nil {
			return nil, err
		}
		r.size = size
		return &input{ReaderAt: r, Closer: io.NopCloser(nil), size: size, name: "stored file", ffInput: in, stat: r.stat}, nil
	}
	file, err := os.Open(in)
	if err != nil {
		return nil, err
	}
	st, err := file.Stat()
	if err != nil {
		file.Close()
		return nil, err
	}
	if !st.Mode().IsRegular() {
		file.Close()
		return nil, fmt.Errorf("%s: not a regular file", in)
	}
	stat := func() (int64, error) {
		st, err := file.Stat()
		if err != nil {
			return 0, err
		}
		return st.Size(), nil
	}
	return &input{ReaderAt: file, Closer: file, size: st.Size(), name: in, ffInput: "file:" + in, stat: stat}, nil
}

// httpReaderAt reads byte ranges of a URL, one GET with a Range header per call. Presigned
// URLs are signed for GET only, so the size is learnt from a first ranged GET, not a HEAD.
type httpReaderAt struct {
	ctx    context.Context
	url    string
	client *http.Client
	size   int64        // learnt by stat
	read   atomic.Int64 // bytes received, for tests and benchmarks
}

// errStorage describes an answer from storage that is not the file's bytes; the URL is left
// out because it carries a signature.
func errStorage(status string) error {
	return fmt.Errorf("reading stored file: storage answered %s", status)
}

// stat returns the size of the resource.
func (r *httpReaderAt) stat() (int64, error) {
	resp, err := r.get(0, 0)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusRequestedRangeNotSatisfiable: // an empty object
		return 0, nil
	case http.StatusOK:
		if resp.ContentLength < 0 {
			return 0, errors.New("reading stored file: storage gave no length and no range")
		}
		return resp.ContentLength, nil
	case http.StatusPartialContent:
		// Content-Range: bytes 0-0/12345
		cr := resp.Header.Get("Content-Range")
		if i := strings.LastIndexByte(cr, '/'); i >= 0 {
			if n, err := strconv.ParseInt(cr[i+1:], 10, 64); err == nil {
				return n, nil
			}
		}
		return 0, fmt.Errorf("reading stored file: bad Content-Range %q", cr)
	}
	return 0, errStorage(resp.Status)
}

func (r *httpReaderAt) get(from, to int64) (*http.Response, error) {
	req, err := http.NewRequestWithContext(r.ctx, http.MethodGet, r.url, nil)
	if err != nil {
		return nil, errors.New("reading stored file: bad URL")
	}
	req.Header.Set("Range", fmt.Sprintf("bytes=%d-%d", from, to))
	resp, err := r.client.Do(req)
	if err != nil {
		var uerr interface{ Unwrap() error }
		if errors.As(err, &uerr) { // *url.Error names the URL; keep only the cause
			return nil, fmt.Errorf("reading stored file: %w", uerr.Unwrap())
		}
		return nil, fmt.Errorf("reading stored file: %w", err)
	}
	return resp, nil
}

// ReadAt reads len(p) bytes at off, fewer with io.EOF at the end of the resource.
func (r *httpReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	resp, err := r.get(off, off+int64(len(p))-1)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusPartialContent:
	case http.StatusRequestedRangeNotSatisfiable:
		return 0, io.EOF
	default:
		return 0, errStorage(resp.Status)
	}
	n, err := io.ReadFull(resp.Body, p)
	r.read.Add(int64(n))
	if errors.Is(err, io.ErrUnexpectedEOF) && r.size > 0 && off+int64(n) == r.size {
		err = io.EOF // the range ran past the end of the resource
	} else if err != nil {
		err = fmt.Errorf("reading stored file: %w", err) // a dropped connection, not a short file
	}
	return n, err
}

// redact removes the input's name (a signed URL) from ffmpeg's messages and trims them.
func redact(msg, in string) string {
	msg = strings.TrimSpace(msg)
	if in != "" {
		msg = strings.ReplaceAll(msg, in, "<input>")
	}
	if i := strings.Index(in, "?"); i > 0 { // ffmpeg sometimes prints the URL without its query
		msg = strings.ReplaceAll(msg, in[:i], "<input>")
	}
	return msg
}
