package localfs

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jskx/contest/internal/contest"
)

// Multipart takes large objects in parts, like S3's multipart upload: parts arrive through our
// own HTTP route (WritePart), each is checked against its planned size and SHA-256 and kept in
// its own file, and completion joins them into the object.
//
// Uploads live in <root>/.uploads/<uploadID>/: a file "key" naming the object, and
// "part-<n>" files, each the part's raw 32-byte SHA-256 followed by its bytes, so size and
// checksum change together in one rename. Keys never start with a dot, so no object can
// collide with the folder and Get never sees it. It embeds the Store, so it is a
// contest.Storage too.
type Multipart struct {
	*Store
	// PartURL names the route a client sends part n of an upload to, e.g.
	// "/api/v1/uploads/{id}/parts/{n}"; the HTTP layer decides it.
	PartURL func(uploadID string, n int) string
}

var (
	_ contest.MultipartStorage = (*Multipart)(nil)
	_ contest.Storage          = (*Multipart)(nil)
)

// NewMultipart returns the multipart side of s; partURL names the route of a part.
func NewMultipart(s *Store, partURL func(uploadID string, n int) string) *Multipart {
	return &Multipart{Store: s, PartURL: partURL}
}

const (
	uploadsDir = ".uploads"
	keyFile    = "key"
	partPrefix = "part-"
	sumLen     = sha256.Size
)

// ChecksumHeader is the header carrying a part's SHA-256 (standard base64); the same as S3's,
// so clients send parts alike to both storages.
const ChecksumHeader = "x-amz-checksum-sha256"

// CreateMultipart starts an upload to key. The content type is not kept: the local folder
// stores bytes only.
func (m *Multipart) CreateMultipart(ctx context.Context, key, contentType string) (_ string, err error) {
	defer outage(&err)
	if err := checkKey(key); err != nil {
		return "", err
	}
	if err := ctx.Err(); err != nil {
		return "", err
	}
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("localfs: upload id: %w", err)
	}
	id := hex.EncodeToString(b[:])
	dir := m.uploadDir(id)
	if err := os.MkdirAll(dir, dirPerm); err != nil {
		return "", fmt.Errorf("localfs: create upload for %q: %w", key, err)
	}
	if err := writeFileSynced(dir, keyFile, []byte(key)); err != nil {
		_ = os.RemoveAll(dir)
		return "", fmt.Errorf("localfs: create upload for %q: %w", key, err)
	}
	return id, nil
}

// PartTarget names the route for part n. Its headers are those a client sends with the part;
// the route passes them to WritePart, which refuses a part that does not match them.
func (m *Multipart) PartTarget(ctx context.Context, key, uploadID string, n int, size int64, sha256 string, ttl time.Duration) (contest.PartTarget, error) {
	if err := contest.ValidatePart(n, size, sha256); err != nil {
		return contest.PartTarget{}, err
	}
	if _, err := m.openUpload(key, uploadID); err != nil {
		return contest.PartTarget{}, err
	}
	if m.PartURL == nil {
		return contest.PartTarget{}, errors.New("localfs: no PartURL set")
	}
	return contest.PartTarget{
		N:         n,
		Method:    http.MethodPut,
		URL:       m.PartURL(uploadID, n),
		Headers:   map[string]string{"Content-Length": strconv.FormatInt(size, 10), ChecksumHeader: sha256},
		ExpiresAt: time.Now().Add(ttl),
	}, nil
}

// WritePart stores part n of an upload from r, which must hold exactly size bytes with the
// given SHA-256. The bytes are streamed to a temporary file and hashed on the way; a part that
// differs is refused and nothing is kept. A part sent again replaces the previous one whole.
func (m *Multipart) WritePart(ctx context.Context, key, uploadID string, n int, size int64, sha256Sum string, r io.Reader) (err error) {
	defer outage(&err)
	if err := contest.ValidatePart(n, size, sha256Sum); err != nil {
		return err
	}
	want, _ := contest.DecodeSHA256(sha256Sum)
	dir, err := m.openUpload(key, uploadID)
	if err != nil {
		return err
	}
	// No MkdirAll: a folder removed by complete or abort meanwhile means the upload is gone.
	f, err := os.CreateTemp(dir, tempPattern)
	if err != nil {
		if missing(err) {
			return contest.UploadNotFound(err)
		}
		return fmt.Errorf("localfs: part %d of %q: %w", n, key, err)
	}
	pending := &pendingFile{File: f}
	defer pending.discard()

	// Room for the checksum, written once the bytes are known to match it.
	if _, err := f.Write(make([]byte, sumLen)); err != nil {
		return fmt.Errorf("localfs: part %d of %q: %w", n, key, err)
	}
	h := sha256.New()
	// One byte more than planned shows a body that is too long.
	got, err := io.Copy(io.MultiWriter(f, h), io.LimitReader(&ctxReader{ctx: ctx, r: r}, size+1))
	if err != nil {
		return fmt.Errorf("localfs: part %d of %q: %w", n, key, err)
	}
	if got != size {
		what := fmt.Sprint(got)
		if got > size {
			what = "more"
		}
		return contest.UploadError(contest.CodePartSize, fmt.Errorf("localfs: part %d of %q: got %s bytes, want %d", n, key, what, size))
	}
	if sum := h.Sum(nil); string(sum) != string(want) {
		return contest.UploadError(contest.CodeChecksumMismatch, fmt.Errorf("localfs: part %d of %q: sha256 %s, want %s",
			n, key, base64.StdEncoding.EncodeToString(sum), sha256Sum))
	}
	if _, err := f.WriteAt(want, 0); err != nil {
		return fmt.Errorf("localfs: part %d of %q: %w", n, key, err)
	}
	if err := pending.commit(filepath.Join(dir, partPrefix+strconv.Itoa(n))); err != nil {
		if missing(err) {
			return contest.UploadNotFound(err)
		}
		return fmt.Errorf("localfs: part %d of %q: %w", n, key, err)
	}
	if err := syncDir(dir); err != nil {
		return fmt.Errorf("localfs: part %d of %q: sync folder: %w", n, key, err)
	}
	return nil
}

// ListParts returns the parts stored so far, sorted by number. It reads the folder, so it
// survives restarts.
func (m *Multipart) ListParts(ctx context.Context, key, uploadID string) (_ []contest.PartInfo, err error) {
	defer outage(&err)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	dir, err := m.openUpload(key, uploadID)
	if err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		if missing(err) {
			return nil, contest.UploadNotFound(err)
		}
		return nil, fmt.Errorf("localfs: list parts of %q: %w", key, err)
	}
	var parts []contest.PartInfo
	for _, e := range entries {
		n, ok := partNumber(e.Name())
		if !ok {
			continue
		}
		p, err := readPartInfo(filepath.Join(dir, e.Name()), n)
		if err != nil {
			if missing(err) {
				continue // replaced or removed meanwhile
			}
			return nil, fmt.Errorf("localfs: list parts of %q: %w", key, err)
		}
		parts = append(parts, p)
	}
	slices.SortFunc(parts, func(a, b contest.PartInfo) int { return a.N - b.N })
	return parts, nil
}

// CompleteMultipart checks that exactly the given parts are stored, joins them into the object
// under key (a temporary file renamed into place, so the object is absent or whole), and
// removes the upload.
func (m *Multipart) CompleteMultipart(ctx context.Context, key, uploadID string, parts []contest.PartInfo) (_ string, _ int64, err error) {
	defer outage(&err)
	checksum, err := contest.CompositeChecksum(parts)
	if err != nil {
		return "", 0, err
	}
	stored, err := m.ListParts(ctx, key, uploadID)
	if err != nil {
		return "", 0, err
	}
	if err := contest.MatchParts(parts, stored); err != nil {
		return "", 0, err
	}
	dst, err := m.Path(key)
	if err != nil {
		return "", 0, err
	}
	dir := m.uploadDir(uploadID)
	f, err := m.createTemp(filepath.Dir(dst))
	if err != nil {
		return "", 0, fmt.Errorf("localfs: complete %q: %w", key, err)
	}
	pending := &pendingFile{File: f}
	defer pending.discard()
	var size int64
	for _, p := range parts {
		if err := ctx.Err(); err != nil {
			return "", 0, err
		}
		n, err := appendPart(f, filepath.Join(dir, partPrefix+strconv.Itoa(p.N)), p)
		if err != nil {
			return "", 0, fmt.Errorf("localfs: complete %q: %w", key, err)
		}
		size += n
	}
	if err := pending.commit(dst); err != nil {
		return "", 0, fmt.Errorf("localfs: complete %q: %w", key, err)
	}
	if err := syncDir(filepath.Dir(dst)); err != nil {
		return "", 0, fmt.Errorf("localfs: complete %q: sync folder: %w", key, err)
	}
	if err := os.RemoveAll(dir); err != nil {
		return "", 0, fmt.Errorf("localfs: complete %q: remove upload: %w", key, err)
	}
	return checksum, size, nil
}

// AbortMultipart removes the upload and its parts; an unknown upload is not an error.
func (m *Multipart) AbortMultipart(ctx context.Context, key, uploadID string) (err error) {
	defer outage(&err)
	if err := ctx.Err(); err != nil {
		return err
	}
	dir, err := m.openUpload(key, uploadID)
	if err != nil {
		if contest.ErrorCode(err) == contest.ENotFound {
			return nil
		}
		return err
	}
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("localfs: abort upload of %q: %w", key, err)
	}
	return nil
}

func (m *Multipart) uploadDir(uploadID string) string {
	return filepath.Join(m.root, uploadsDir, uploadID)
}

// openUpload returns the folder of an upload after checking that it exists and is for key. A
// malformed id, an unknown one, or one for another key is ENotFound.
func (m *Multipart) openUpload(key, uploadID string) (string, error) {
	if err := checkKey(key); err != nil {
		return "", err
	}
	if !validUploadID(uploadID) {
		return "", contest.UploadNotFound(fmt.Errorf("localfs: malformed upload id %q", uploadID))
	}
	dir := m.uploadDir(uploadID)
	b, err := os.ReadFile(filepath.Join(dir, keyFile))
	if err != nil {
		if missing(err) {
			return "", contest.UploadNotFound(fmt.Errorf("localfs: upload %s: %w", uploadID, err))
		}
		return "", fmt.Errorf("localfs: upload %s: %w", uploadID, err)
	}
	if string(b) != key {
		return "", contest.UploadNotFound(fmt.Errorf("localfs: upload %s is for another key", uploadID))
	}
	return dir, nil
}

func validUploadID(id string) bool {
	if len(id) != 32 {
		return false
	}
	_, err := hex.DecodeString(id)
	return err == nil && strings.ToLower(id) == id
}

// partNumber parses "part-<n>".
func partNumber(name string) (int, bool) {
	s, ok := strings.CutPrefix(name, partPrefix)
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > contest.MaxParts || strconv.Itoa(n) != s {
		return 0, false
	}
	return n, true
}

func readPartInfo(path string, n int) (contest.PartInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return contest.PartInfo{}, err
	}
	defer f.Close()
	var sum [sumLen]byte
	if _, err := io.ReadFull(f, sum[:]); err != nil {
		return contest.PartInfo{}, fmt.Errorf("part %d: %w", n, err)
	}
	info, err := f.Stat()
	if err != nil {
		return contest.PartInfo{}, err
	}
	return contest.PartInfo{N: n, Size: info.Size() - sumLen, SHA256: base64.StdEncoding.EncodeToString(sum[:])}, nil
}

// appendPart copies the bytes of one part file to dst (copy_file_range where the system has
// it) and checks that they are the part as listed.
func appendPart(dst *os.File, path string, p contest.PartInfo) (int64, error) {
	src, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("part %d: %w", p.N, err)
	}
	defer src.Close()
	var sum [sumLen]byte
	if _, err := io.ReadFull(src, sum[:]); err != nil {
		return 0, fmt.Errorf("part %d: %w", p.N, err)
	}
	if base64.StdEncoding.EncodeToString(sum[:]) != p.SHA256 {
		// Replaced between listing and joining.
		return 0, contest.UploadError(contest.CodeChecksumMismatch, fmt.Errorf("part %d changed while joining", p.N))
	}
	n, err := io.Copy(dst, src)
	if err != nil {
		return n, fmt.Errorf("part %d: %w", p.N, err)
	}
	if n != p.Size {
		// Replaced between listing and joining.
		return n, contest.UploadError(contest.CodePartSize, fmt.Errorf("part %d: %d bytes, listed %d", p.N, n, p.Size))
	}
	return n, nil
}

// writeFileSynced writes a small file durably: temporary file, sync, rename.
func writeFileSynced(dir, name string, data []byte) error {
	f, err := os.CreateTemp(dir, tempPattern)
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(dir, name))
	}
	if err != nil {
		_ = os.Remove(tmp)
		return err
	}
	return syncDir(dir)
}
