package storagetest

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/jskx/contest/internal/contest"
)

// PutPart sends one part the way a client would: body is the bytes actually sent, which a test
// may make differ from what the target was planned for.
type PutPart func(target contest.PartTarget, body []byte) error

// Reopen returns a new value of the storage under test on the same folder or bucket, as after
// a restart of the server.
type Reopen func(tb testing.TB) contest.MultipartStorage

// RunMultipart runs the multipart conformance suite against s, which must also be a
// contest.Storage, as subtests of t. put sends a part as a client would (S3: an HTTP PUT to the
// presigned URL; local: the route's call of WritePart); reopen simulates a restart. Parts are
// real-sized (S3 refuses non-last parts under 5 MiB at completion), so each case moves about
// 11 MiB. Every part but the last is SuitePartSize, so part n starts at (n-1)×SuitePartSize.
func RunMultipart(t *testing.T, s contest.MultipartStorage, put PutPart, reopen Reopen) {
	t.Helper()
	store, ok := s.(contest.Storage)
	if !ok {
		t.Fatalf("%T is not a contest.Storage", s)
	}
	prefix := "test/" + RandomHex(t, 8) + "/"
	const ttl = 5 * time.Minute

	t.Run("OutOfOrderPartsMakeTheObject", func(t *testing.T) {
		key := prefix + "whole.bin"
		data, plan := Plan(t, SuitePartSize, SuitePartSize, 1<<20+123)
		id := MustCreate(t, s, key)
		for _, i := range []int{2, 0, 1} { // parts 3, 1, 2
			MustPutPart(t, s, put, key, id, plan[i], Slice(data, plan, i), ttl)
		}
		if diff := cmp.Diff(plan, MustListParts(t, s, key, id)); diff != "" {
			t.Fatalf("ListParts (-want +got):\n%s", diff)
		}
		sum, size, err := s.CompleteMultipart(t.Context(), key, id, plan)
		if err != nil {
			t.Fatalf("CompleteMultipart: %v", err)
		}
		if want := MustComposite(t, plan); sum != want {
			t.Errorf("composite = %q, want %q", sum, want)
		}
		if size != int64(len(data)) {
			t.Errorf("size = %d, want %d", size, len(data))
		}
		got := MustGet(t, store, key)
		if sha256.Sum256(got) != sha256.Sum256(data) {
			t.Fatalf("object has %d bytes (sha256 %x), want %d bytes (sha256 %x)",
				len(got), sha256.Sum256(got), len(data), sha256.Sum256(data))
		}

		// Complete is not repeatable and the upload is gone.
		if _, _, err := s.CompleteMultipart(t.Context(), key, id, plan); contest.ErrorCode(err) != contest.ENotFound {
			t.Errorf("second CompleteMultipart: code %q (%v), want %q", contest.ErrorCode(err), err, contest.ENotFound)
		}
		MustUploadNotFound(t, s, key, id)
	})

	t.Run("WrongBodyIsRefusedAndNotListed", func(t *testing.T) {
		key := prefix + "corrupt.bin"
		data, plan := Plan(t, 1<<20)
		id := MustCreate(t, s, key)
		defer MustAbort(t, s, key, id)
		target := MustTarget(t, s, key, id, plan[0], ttl)
		bad := bytes.Clone(data)
		bad[len(bad)/2] ^= 1 // one bit flipped in transit
		err := put(target, bad)
		if err == nil {
			t.Fatal("a part with a flipped bit was accepted")
		}
		t.Logf("refused as it should be: %v", err)
		if got := MustListParts(t, s, key, id); len(got) != 0 {
			t.Fatalf("ListParts after a refused part = %v, want none", got)
		}
		MustPutPart(t, s, put, key, id, plan[0], data, ttl) // a retry with the right bytes
		if diff := cmp.Diff(plan, MustListParts(t, s, key, id)); diff != "" {
			t.Fatalf("ListParts after the retry (-want +got):\n%s", diff)
		}
	})

	t.Run("WrongLengthIsRefused", func(t *testing.T) {
		key := prefix + "short.bin"
		data, plan := Plan(t, 1<<20)
		id := MustCreate(t, s, key)
		defer MustAbort(t, s, key, id)
		target := MustTarget(t, s, key, id, plan[0], ttl)
		for name, body := range map[string][]byte{"short": data[:len(data)-1], "long": append(bytes.Clone(data), 0)} {
			err := put(target, body)
			if err == nil {
				t.Errorf("a part one byte %s was accepted", name)
				continue
			}
			t.Logf("one byte %s, refused as it should be: %v", name, err)
		}
		if got := MustListParts(t, s, key, id); len(got) != 0 {
			t.Fatalf("ListParts after refused parts = %v, want none", got)
		}
	})

	t.Run("MissingPartIsIncompleteAndResumable", func(t *testing.T) {
		key := prefix + "gap.bin"
		data, plan := Plan(t, SuitePartSize, SuitePartSize, 1000)
		id := MustCreate(t, s, key)
		MustPutPart(t, s, put, key, id, plan[0], Slice(data, plan, 0), ttl)
		MustPutPart(t, s, put, key, id, plan[2], Slice(data, plan, 2), ttl)
		_, _, err := s.CompleteMultipart(t.Context(), key, id, plan)
		MustUploadRefusal(t, err, contest.CodeUploadIncomplete)
		// Leaving out a stored part is refused too: the object would not be the file.
		_, _, err = s.CompleteMultipart(t.Context(), key, id, plan[:1])
		MustUploadRefusal(t, err, contest.CodeUploadIncomplete)
		// Out-of-order or skipping lists are refused before storage is asked.
		_, _, err = s.CompleteMultipart(t.Context(), key, id, []contest.PartInfo{plan[0], plan[2]})
		MustUploadRefusal(t, err, contest.CodeUploadIncomplete)
		MustNotFound(t, store, key)

		want := []contest.PartInfo{plan[0], plan[2]}
		if diff := cmp.Diff(want, MustListParts(t, s, key, id)); diff != "" {
			t.Fatalf("ListParts after refused completes (-want +got):\n%s", diff)
		}
		MustPutPart(t, s, put, key, id, plan[1], Slice(data, plan, 1), ttl)
		mustCompleteAs(t, s, store, key, id, plan, data, "after the missing part came")
	})

	t.Run("WrongPartListIsRefused", func(t *testing.T) {
		key := prefix + "mismatch.bin"
		data, plan := Plan(t, 1000)
		id := MustCreate(t, s, key)
		defer MustAbort(t, s, key, id)
		MustPutPart(t, s, put, key, id, plan[0], data, ttl)
		other := plan[0]
		other.SHA256 = base64.StdEncoding.EncodeToString(make([]byte, sha256.Size))
		_, _, err := s.CompleteMultipart(t.Context(), key, id, []contest.PartInfo{other})
		MustUploadRefusal(t, err, contest.CodeChecksumMismatch)
		other = plan[0]
		other.Size++
		_, _, err = s.CompleteMultipart(t.Context(), key, id, []contest.PartInfo{other})
		MustUploadRefusal(t, err, contest.CodePartSize)
	})

	t.Run("PartsSurviveARestart", func(t *testing.T) {
		key := prefix + "resume.bin"
		data, plan := Plan(t, SuitePartSize, 1<<20+7)
		id := MustCreate(t, s, key)
		MustPutPart(t, s, put, key, id, plan[0], Slice(data, plan, 0), ttl)

		again := reopen(t)
		if diff := cmp.Diff(plan[:1], MustListParts(t, again, key, id)); diff != "" {
			t.Fatalf("ListParts after a restart (-want +got):\n%s", diff)
		}
		MustPutPart(t, again, put, key, id, plan[1], Slice(data, plan, 1), ttl)
		mustCompleteAs(t, again, store, key, id, plan, data, "after a restart")
	})

	t.Run("AbortThenListIsNotFound", func(t *testing.T) {
		key := prefix + "aborted.bin"
		data, plan := Plan(t, 1000)
		id := MustCreate(t, s, key)
		MustPutPart(t, s, put, key, id, plan[0], data, ttl)
		MustAbort(t, s, key, id)
		MustUploadNotFound(t, s, key, id)
		MustAbort(t, s, key, id) // idempotent
		MustNotFound(t, store, key)
	})

	t.Run("PartNumberOutOfRange", func(t *testing.T) {
		key := prefix + "range.bin"
		_, plan := Plan(t, 1000)
		id := MustCreate(t, s, key)
		defer MustAbort(t, s, key, id)
		for _, n := range []int{0, -1, contest.MaxParts + 1} {
			_, err := s.PartTarget(t.Context(), key, id, n, plan[0].Size, plan[0].SHA256, ttl)
			MustUploadRefusal(t, err, contest.CodePartOutOfRange)
		}
		_, err := s.PartTarget(t.Context(), key, id, 1, 1000, "not base64", ttl)
		MustUploadRefusal(t, err, contest.CodeChecksumFormat)
	})
}

// SuitePartSize is the size of every part but the last in RunMultipart's plans.
const SuitePartSize = 5 << 20

// Plan returns random bytes of the total of sizes and the parts they split into.
func Plan(tb testing.TB, sizes ...int) ([]byte, []contest.PartInfo) {
	tb.Helper()
	total := 0
	for _, n := range sizes {
		total += n
	}
	data := RandomBytes(tb, total)
	parts := make([]contest.PartInfo, len(sizes))
	off := 0
	for i, n := range sizes {
		parts[i] = contest.PartInfo{N: i + 1, Size: int64(n), SHA256: SHA256(data[off : off+n])}
		off += n
	}
	return data, parts
}

// Slice returns the bytes of part i of a plan.
func Slice(data []byte, plan []contest.PartInfo, i int) []byte {
	var off int64
	for _, p := range plan[:i] {
		off += p.Size
	}
	return data[off : off+plan[i].Size]
}

// SHA256 returns the standard-base64 SHA-256 of b, as parts carry it.
func SHA256(b []byte) string {
	sum := sha256.Sum256(b)
	return base64.StdEncoding.EncodeToString(sum[:])
}

// MustCreate starts an upload to key; the test fails on error.
func MustCreate(tb testing.TB, s contest.MultipartStorage, key string) string {
	tb.Helper()
	id, err := s.CreateMultipart(tb.Context(), key, "application/octet-stream")
	if err != nil {
		tb.Fatalf("CreateMultipart %q: %v", key, err)
	}
	return id
}

// MustTarget returns the target of part p.
func MustTarget(tb testing.TB, s contest.MultipartStorage, key, id string, p contest.PartInfo, ttl time.Duration) contest.PartTarget {
	tb.Helper()
	target, err := s.PartTarget(tb.Context(), key, id, p.N, p.Size, p.SHA256, ttl)
	if err != nil {
		tb.Fatalf("PartTarget %d: %v", p.N, err)
	}
	return target
}

// MustPutPart asks for the target of part p and sends body to it.
func MustPutPart(tb testing.TB, s contest.MultipartStorage, put PutPart, key, id string, p contest.PartInfo, body []byte, ttl time.Duration) {
	tb.Helper()
	if err := put(MustTarget(tb, s, key, id, p, ttl), body); err != nil {
		tb.Fatalf("put part %d: %v", p.N, err)
	}
}

// MustListParts lists the parts of an upload.
func MustListParts(tb testing.TB, s contest.MultipartStorage, key, id string) []contest.PartInfo {
	tb.Helper()
	parts, err := s.ListParts(tb.Context(), key, id)
	if err != nil {
		tb.Fatalf("ListParts: %v", err)
	}
	return slices.Clip(parts)
}

// mustCompleteAs completes the upload with plan and checks that the object is data.
func mustCompleteAs(tb testing.TB, s contest.MultipartStorage, store contest.Storage, key, id string, plan []contest.PartInfo, data []byte, when string) {
	tb.Helper()
	if _, _, err := s.CompleteMultipart(tb.Context(), key, id, plan); err != nil {
		tb.Fatalf("CompleteMultipart %s: %v", when, err)
	}
	if got := MustGet(tb, store, key); !bytes.Equal(got, data) {
		tb.Fatalf("object %s has %d bytes, want the %d bytes of the file", when, len(got), len(data))
	}
}

// MustAbort aborts an upload.
func MustAbort(tb testing.TB, s contest.MultipartStorage, key, id string) {
	tb.Helper()
	if err := s.AbortMultipart(tb.Context(), key, id); err != nil {
		tb.Fatalf("AbortMultipart: %v", err)
	}
}

// MustComposite returns CompositeChecksum of parts.
func MustComposite(tb testing.TB, parts []contest.PartInfo) string {
	tb.Helper()
	sum, err := contest.CompositeChecksum(parts)
	if err != nil {
		tb.Fatalf("CompositeChecksum: %v", err)
	}
	return sum
}

// MustUploadNotFound fails the test unless ListParts of the upload is ENotFound.
func MustUploadNotFound(tb testing.TB, s contest.MultipartStorage, key, id string) {
	tb.Helper()
	parts, err := s.ListParts(tb.Context(), key, id)
	if code := contest.ErrorCode(err); code != contest.ENotFound {
		tb.Fatalf("ListParts = %v, code %q (%v), want %q", parts, code, err, contest.ENotFound)
	}
}

// MustUploadRefusal fails the test unless err is an EInvalid upload refusal with code.
func MustUploadRefusal(tb testing.TB, err error, code string) {
	tb.Helper()
	if contest.ErrorCode(err) != contest.EInvalid || contest.UploadErrorCode(err) != code {
		tb.Fatalf("error %v: code %q/%q, want %q/%q", err, contest.ErrorCode(err), contest.UploadErrorCode(err), contest.EInvalid, code)
	}
}
