package localfs

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
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
// own HTTP route (WritePart), each is checked against its planned size and SHA-256 and written
// where it will stay, and completion checks the parts and renames the file into place.
//
// Uploads live in <root>/.uploads/<uploadID>/: a file "key" naming the object, the file "data"
// that becomes the object, each part written into it at its offset, and for every part
// received whole a record "sum-<n>" (its raw 32-byte SHA-256, offset and size). A record is
// written only once its bytes are checked and on disk, and removed before a part sent again is
// overwritten, so a record always describes the bytes in place; completion costs the same
// whatever the file's size. Keys never start with a dot, so no object can collide with the
// folder and Get never sees it. It embeds the Store, so it is a contest.Storage too.
type Multipart struct {
	*Store
	// PartURL names the route a client sends part n of an upload to, e.g.
	// "/api/v1/uploads/{id}/parts/{n}"; the HTTP layer decides it.
	PartURL func(uploadID string, n int) string

	// locks: a part is written by one request at a time (a retry waits for the attempt still
	// running), and completion waits for every part being written.
	locks keyedLocks
}

var (
	_ contest.MultipartStorage = (*Multipart)(nil)
	_ contest.Storage          = (*Multipart)(nil)
	_ contest.PartWriter       = (*Multipart)(nil)
)

// NewMultipart returns the multipart side of s; partURL names the route of a part.
func NewMultipart(s *Store, partURL func(uploadID string, n int) string) *Multipart {
	return &Multipart{Store: s, PartURL: partURL}
}

const (
	uploadsDir = ".uploads"
	keyFile    = "key"
	dataFile   = "data"
	partPrefix = "sum-"
	sumLen     = sha256.Size
	recordLen  = sumLen + 16 // SHA-256, then offset and size (big-endian)
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
	// The data file first: an upload folder with its key always has one.
	if err := createFileSynced(dir, dataFile); err != nil {
		_ = os.RemoveAll(dir)
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
// given SHA-256, at offset in the upload's file. The bytes are hashed on their way to disk; a
// part that differs is refused and not recorded (its bytes are overwritten when it is sent
// again). A part sent again replaces the previous one whole: its record is removed first, so a
// crash or a refusal midway leaves the part missing, never listed with other bytes.
func (m *Multipart) WritePart(ctx context.Context, key, uploadID string, n int, offset, size int64, sha256Sum string, r io.Reader) (err error) {
	defer outage(&err)
	if err := contest.ValidatePart(n, size, sha256Sum); err != nil {
		return err
	}
	if offset < 0 || offset > int64(n-1)*contest.MaxPartSize {
		return contest.UploadError(contest.CodePartSize, fmt.Errorf("localfs: part %d at offset %d", n, offset))
	}
	want, _ := contest.DecodeSHA256(sha256Sum)
	dir, err := m.openUpload(key, uploadID)
	if err != nil {
		return err
	}
	unlockUpload, err := m.locks.rlock(ctx, uploadID)
	if err != nil {
		return fmt.Errorf("localfs: part %d of %q: %w", n, key, err)
	}
	defer unlockUpload()
	unlockPart, err := m.locks.lock(ctx, uploadID+"/"+strconv.Itoa(n))
	if err != nil {
		return fmt.Errorf("localfs: part %d of %q: %w", n, key, err)
	}
	defer unlockPart()

	// No O_CREATE: a file renamed by completion or removed by abort means the upload is gone.
	f, err := os.OpenFile(filepath.Join(dir, dataFile), os.O_WRONLY, 0)
	if err != nil {
		if missing(err) {
			return contest.UploadNotFound(err)
		}
		return fmt.Errorf("localfs: part %d of %q: %w", n, key, err)
	}
	defer f.Close()
	record := filepath.Join(dir, partPrefix+strconv.Itoa(n))
	switch err := os.Remove(record); {
	case err == nil:
		// The record must be gone on disk before its bytes change.
		if err := syncDir(dir); err != nil {
			return fmt.Errorf("localfs: part %d of %q: sync folder: %w", n, key, err)
		}
	case !missing(err):
		return fmt.Errorf("localfs: part %d of %q: %w", n, key, err)
	}

	h := sha256.New()
	body := &ctxReader{ctx: ctx, r: r}
	got, err := io.Copy(io.MultiWriter(io.NewOffsetWriter(f, offset), h), io.LimitReader(body, size))
	if err != nil {
		return fmt.Errorf("localfs: part %d of %q: %w", n, key, err)
	}
	if got == size {
		// One byte more than planned shows a body that is too long; it is not written.
		var extra [1]byte
		if k, _ := io.ReadFull(body, extra[:]); k > 0 {
			return contest.UploadError(contest.CodePartSize, fmt.Errorf("localfs: part %d of %q: got more bytes, want %d", n, key, size))
		}
	}
	if got != size {
		return contest.UploadError(contest.CodePartSize, fmt.Errorf("localfs: part %d of %q: got %d bytes, want %d", n, key, got, size))
	}
	if sum := h.Sum(nil); string(sum) != string(want) {
		return contest.UploadError(contest.CodeChecksumMismatch, fmt.Errorf("localfs: part %d of %q: sha256 %s, want %s",
			n, key, base64.StdEncoding.EncodeToString(sum), sha256Sum))
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("localfs: part %d of %q: sync: %w", n, key, err)
	}
	rec := make([]byte, recordLen)
	copy(rec, want)
	binary.BigEndian.PutUint64(rec[sumLen:], uint64(offset))
	binary.BigEndian.PutUint64(rec[sumLen+8:], uint64(size))
	if err := writeFileSynced(dir, partPrefix+strconv.Itoa(n), rec); err != nil {
		if missing(err) {
			return contest.UploadNotFound(err)
		}
		return fmt.Errorf("localfs: part %d of %q: %w", n, key, err)
	}
	return nil
}

// ListParts returns the parts stored so far, sorted by number. It reads the folder, so it
// survives restarts.
func (m *Multipart) ListParts(ctx context.Context, key, uploadID string) (_ []contest.PartInfo, err error) {
	defer outage(&err)
	records, err := m.records(ctx, key, uploadID)
	if err != nil {
		return nil, err
	}
	parts := make([]contest.PartInfo, len(records))
	for i, r := range records {
		parts[i] = r.PartInfo
	}
	return parts, nil
}

// partRecord is a part as its record describes it.
type partRecord struct {
	contest.PartInfo
	Offset int64
}

func (m *Multipart) records(ctx context.Context, key, uploadID string) ([]partRecord, error) {
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
	var parts []partRecord
	for _, e := range entries {
		n, ok := partNumber(e.Name())
		if !ok {
			continue
		}
		p, err := readRecord(filepath.Join(dir, e.Name()), n)
		if err != nil {
			if missing(err) {
				continue // being replaced, or removed meanwhile
			}
			return nil, fmt.Errorf("localfs: list parts of %q: %w", key, err)
		}
		parts = append(parts, p)
	}
	slices.SortFunc(parts, func(a, b partRecord) int { return a.N - b.N })
	return parts, nil
}

// CompleteMultipart checks that exactly the given parts are stored, one after the other, then
// renames the upload's file into place under key (so the object is absent or whole) and
// removes the upload. No byte is copied: the parts were written where they stay. Completing
// again after a crash between the rename and the clean-up finds the object and answers the same.
func (m *Multipart) CompleteMultipart(ctx context.Context, key, uploadID string, parts []contest.PartInfo) (_ string, _ int64, err error) {
	defer outage(&err)
	checksum, err := contest.CompositeChecksum(parts)
	if err != nil {
		return "", 0, err
	}
	if _, err := m.openUpload(key, uploadID); err != nil {
		return "", 0, err
	}
	unlock, err := m.locks.lock(ctx, uploadID)
	if err != nil {
		return "", 0, fmt.Errorf("localfs: complete %q: %w", key, err)
	}
	defer unlock()
	records, err := m.records(ctx, key, uploadID)
	if err != nil {
		return "", 0, err
	}
	stored := make([]contest.PartInfo, len(records))
	for i, r := range records {
		stored[i] = r.PartInfo
	}
	if err := contest.MatchParts(parts, stored); err != nil {
		return "", 0, err
	}
	var size int64
	for _, r := range records {
		if r.Offset != size {
			return "", 0, contest.UploadError(contest.CodeUploadIncomplete, fmt.Errorf("localfs: complete %q: part %d at %d, want %d", key, r.N, r.Offset, size))
		}
		size += r.Size
	}
	dst, err := m.Path(key)
	if err != nil {
		return "", 0, err
	}
	dir := m.uploadDir(uploadID)
	if err := m.moveData(filepath.Join(dir, dataFile), dst, size); err != nil {
		return "", 0, fmt.Errorf("localfs: complete %q: %w", key, err)
	}
	if err := os.RemoveAll(dir); err != nil {
		return "", 0, fmt.Errorf("localfs: complete %q: remove upload: %w", key, err)
	}
	return checksum, size, nil
}

// moveData cuts the upload's file to size (a part sent again shorter may have left bytes
// past the end), syncs it and renames it to dst. When the file is gone but dst has the size,
// an earlier completion renamed it and stopped before removing the upload. The file is the
// upload's only copy of what the contestant sent: whatever fails (a full disk while making the
// work's folder, an I/O error, a rename across file systems), it stays where it is, with its
// records, and the completion can be sent again.
func (m *Multipart) moveData(src, dst string, size int64) error {
	f, err := os.OpenFile(src, os.O_RDWR, 0)
	if missing(err) {
		if info, serr := os.Stat(dst); serr == nil && info.Size() == size {
			return nil
		}
		return contest.UploadNotFound(err)
	}
	if err != nil {
		return err
	}
	err = f.Truncate(size)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	// A Delete of the folder's last object may prune the folder between MkdirAll and Rename:
	// make it again and retry.
	for attempt := 0; ; attempt++ {
		if err := os.MkdirAll(filepath.Dir(dst), dirPerm); err != nil {
			return err
		}
		err := os.Rename(src, dst)
		if err == nil {
			break
		}
		if !missing(err) || attempt == 3 {
			return fmt.Errorf("rename: %w", err)
		}
		if _, serr := os.Stat(src); serr != nil {
			return fmt.Errorf("rename: %w", err)
		}
	}
	return syncDir(filepath.Dir(dst))
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

// partNumber parses a record's name, "sum-<n>".
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

func readRecord(path string, n int) (partRecord, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return partRecord{}, err
	}
	if len(b) != recordLen {
		return partRecord{}, fmt.Errorf("part %d: record of %d bytes, want %d", n, len(b), recordLen)
	}
	return partRecord{
		PartInfo: contest.PartInfo{N: n, Size: int64(binary.BigEndian.Uint64(b[sumLen+8:])),
			SHA256: base64.StdEncoding.EncodeToString(b[:sumLen])},
		Offset: int64(binary.BigEndian.Uint64(b[sumLen:])),
	}, nil
}

// createFileSynced makes an empty file (0600) durably.
func createFileSynced(dir, name string) error {
	f, err := os.OpenFile(filepath.Join(dir, name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
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
