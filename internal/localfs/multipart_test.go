package localfs_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jskx/contest/internal/contest"
	"github.com/jskx/contest/internal/localfs"
	"github.com/jskx/contest/internal/storagetest"
)

func partURL(uploadID string, n int) string {
	return fmt.Sprintf("/api/v1/uploads/%s/parts/%d", uploadID, n)
}

// MustNewMultipart returns a multipart store on a fresh folder.
func MustNewMultipart(tb testing.TB) *localfs.Multipart {
	tb.Helper()
	return localfs.NewMultipart(MustNew(tb), partURL)
}

// putPart does what the part route will: it takes the upload and part number from the URL and
// the planned size and checksum from the headers the client sent, and calls WritePart. The
// route finds the key in the database; this test reads it from the upload's folder.
func putPart(m *localfs.Multipart) storagetest.PutPart {
	return func(target contest.PartTarget, body []byte) error {
		rest, ok := strings.CutPrefix(target.URL, "/api/v1/uploads/")
		if !ok {
			return fmt.Errorf("unexpected part URL %q", target.URL)
		}
		id, num, ok := strings.Cut(rest, "/parts/")
		if !ok {
			return fmt.Errorf("unexpected part URL %q", target.URL)
		}
		n, err := strconv.Atoi(num)
		if err != nil {
			return err
		}
		size, err := strconv.ParseInt(target.Headers["Content-Length"], 10, 64)
		if err != nil {
			return err
		}
		key, err := os.ReadFile(filepath.Join(m.Root(), ".uploads", id, "key"))
		if err != nil {
			return err
		}
		offset := int64(n-1) * storagetest.SuitePartSize
		return m.WritePart(context.Background(), string(key), id, n, offset, size, target.Headers[localfs.ChecksumHeader], bytes.NewReader(body))
	}
}

func TestMultipart_Conformance(t *testing.T) {
	m := MustNewMultipart(t)
	storagetest.RunMultipart(t, m, putPart(m), func(tb testing.TB) contest.MultipartStorage {
		again, err := localfs.New(m.Root())
		if err != nil {
			tb.Fatalf("New: %v", err)
		}
		return localfs.NewMultipart(again, partURL)
	})
}

func TestMultipart_PartTargetNamesTheRoute(t *testing.T) {
	m := MustNewMultipart(t)
	id := storagetest.MustCreate(t, m, "videos/a.mp4")
	_, plan := storagetest.Plan(t, 10)
	target := storagetest.MustTarget(t, m, "videos/a.mp4", id, plan[0], time.Minute)
	if want := partURL(id, 1); target.Method != "PUT" || target.URL != want {
		t.Errorf("target = %s %s, want PUT %s", target.Method, target.URL, want)
	}
	if target.Headers["Content-Length"] != "10" || target.Headers[localfs.ChecksumHeader] != plan[0].SHA256 {
		t.Errorf("headers = %v, want the planned length and checksum", target.Headers)
	}
}

func TestMultipart_RetriedPartReplacesThePrevious(t *testing.T) {
	m := MustNewMultipart(t)
	key := "videos/retry.mp4"
	id := storagetest.MustCreate(t, m, key)
	first, plan1 := storagetest.Plan(t, 100)
	second, plan2 := storagetest.Plan(t, 50)
	for _, c := range []struct {
		data []byte
		p    contest.PartInfo
	}{{first, plan1[0]}, {second, plan2[0]}} {
		if err := m.WritePart(t.Context(), key, id, 1, 0, c.p.Size, c.p.SHA256, bytes.NewReader(c.data)); err != nil {
			t.Fatalf("WritePart: %v", err)
		}
	}
	parts := storagetest.MustListParts(t, m, key, id)
	if len(parts) != 1 || parts[0] != plan2[0] {
		t.Fatalf("ListParts = %v, want only %v", parts, plan2[0])
	}
}

func TestMultipart_UnknownOrForeignUploadIsNotFound(t *testing.T) {
	m := MustNewMultipart(t)
	id := storagetest.MustCreate(t, m, "videos/mine.mp4")
	data, plan := storagetest.Plan(t, 10)
	for _, c := range []struct{ key, id string }{
		{"videos/mine.mp4", strings.Repeat("0", 32)},
		{"videos/mine.mp4", "../../etc"},
		{"videos/other.mp4", id}, // the id of an upload to another key
	} {
		err := m.WritePart(t.Context(), c.key, c.id, 1, 0, plan[0].Size, plan[0].SHA256, bytes.NewReader(data))
		if code := contest.ErrorCode(err); code != contest.ENotFound {
			t.Errorf("WritePart(%q, %q): code %q (%v), want %q", c.key, c.id, code, err, contest.ENotFound)
		}
		storagetest.MustUploadNotFound(t, m, c.key, c.id)
	}
}

func TestMultipart_UploadsAreNotObjects(t *testing.T) {
	m := MustNewMultipart(t)
	id := storagetest.MustCreate(t, m, "videos/hidden.mp4")
	if _, err := m.Get(t.Context(), ".uploads/"+id+"/key"); contest.ErrorCode(err) != contest.EInvalid {
		t.Fatalf("Get of the upload folder: code %q (%v), want %q", contest.ErrorCode(err), err, contest.EInvalid)
	}
	storagetest.MustNotFound(t, m, "videos/hidden.mp4")
}

func TestMultipart_RefusedPartLeavesNoFile(t *testing.T) {
	m := MustNewMultipart(t)
	key := "videos/refused.mp4"
	id := storagetest.MustCreate(t, m, key)
	data, plan := storagetest.Plan(t, 1000)
	bad := bytes.Clone(data)
	bad[0] ^= 0x80
	err := m.WritePart(t.Context(), key, id, 1, 0, plan[0].Size, plan[0].SHA256, bytes.NewReader(bad))
	storagetest.MustUploadRefusal(t, err, contest.CodeChecksumMismatch)
	entries, err := os.ReadDir(filepath.Join(m.Root(), ".uploads", id))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() != "key" && e.Name() != "data" {
			t.Fatalf("upload folder holds %v, want only the key and the data file", entries)
		}
	}
	if parts := storagetest.MustListParts(t, m, key, id); len(parts) != 0 {
		t.Fatalf("ListParts = %v, want none", parts)
	}
}
