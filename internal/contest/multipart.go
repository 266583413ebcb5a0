package contest

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strconv"
	"time"
)

// Limits of a multipart upload, the same as S3's so both storages accept the same plans.
const (
	MaxParts    = 10000   // part numbers run from 1 to MaxParts
	MaxPartSize = 5 << 30 // 5 GiB
)

// Refusal codes of multipart uploads. They come as the code of the UploadField entry of an
// EInvalid error's Fields, so clients match on them as on any validation error.
const (
	UploadField = "upload"

	CodePartOutOfRange   = "part_out_of_range" // part number outside 1..MaxParts
	CodePartSize         = "part_size"         // a part's length differs from the one planned
	CodeChecksumFormat   = "checksum_format"   // a SHA-256 that is not 32 bytes in standard base64
	CodeChecksumMismatch = "checksum_mismatch" // bytes or composite differ from the checksum given
	CodeUploadIncomplete = "upload_incomplete" // parts missing or extra at completion
	CodeUploadTooLarge   = "upload_too_large"  // the file is larger than the contest allows
	CodeUploadType       = "upload_type"       // not an MP4 file by name and type
	CodeUploadEmpty      = "upload_empty"      // a file of 0 bytes
	CodeUploadClosed     = "upload_closed"     // the upload was cancelled, replaced or abandoned
)

var uploadMessages = map[string]string{
	CodePartOutOfRange:   "分片编号超出范围",             // part number out of range
	CodePartSize:         "分片大小与计划不符",            // part size differs from the plan
	CodeChecksumFormat:   "校验值格式无效",              // malformed checksum
	CodeChecksumMismatch: "校验值不一致，数据可能已损坏，请重新上传", // checksum differs, data may be damaged
	CodeUploadIncomplete: "上传尚未完成：分片缺失或多余",       // upload incomplete: parts missing or extra
	CodeUploadType:       "仅接受MP4格式的视频（文件名以 .mp4 结尾）。手机或剪辑软件导出的MOV等格式，请先导出为MP4",
	CodeUploadEmpty:      "所选文件是空的（0字节），请重新选择视频文件",
	CodeUploadClosed:     "这次上传已被取消或已过期，请重新选择文件上传",
}

// PartInfo is one stored part: number (1-based), size, and its SHA-256 (standard base64).
type PartInfo struct {
	N      int
	Size   int64
	SHA256 string
}

// PartTarget tells a client where and how to send one part: an HTTP request with this method
// to this URL carrying exactly these headers (a browser sets Content-Length itself), valid
// until ExpiresAt.
type PartTarget struct {
	N         int
	Method    string
	URL       string
	Headers   map[string]string
	ExpiresAt time.Time
}

// MultipartStorage is implemented by storages that take large files in parts, so a video can
// be uploaded in pieces, resumed after a drop, and checked piece by piece.
type MultipartStorage interface {
	// CreateMultipart starts an upload to key and returns its storage-side id.
	CreateMultipart(ctx context.Context, key, contentType string) (uploadID string, err error)
	// PartTarget signs (S3) or names (local) the destination of part n, of exactly size bytes
	// with the given SHA-256; storage refuses a part whose length or checksum differ.
	PartTarget(ctx context.Context, key, uploadID string, n int, size int64, sha256 string, ttl time.Duration) (PartTarget, error)
	// ListParts returns the stored parts sorted by N; ENotFound for an unknown or finished
	// upload.
	ListParts(ctx context.Context, key, uploadID string) ([]PartInfo, error)
	// CompleteMultipart joins exactly the given parts (must be 1..len(parts), each as listed)
	// and returns the composite checksum (see CompositeChecksum) and the object size.
	CompleteMultipart(ctx context.Context, key, uploadID string, parts []PartInfo) (checksum string, size int64, err error)
	// AbortMultipart drops the upload and its parts; aborting twice is not an error.
	AbortMultipart(ctx context.Context, key, uploadID string) error
}

// UploadError returns the EInvalid refusal with one of the Code* values above; err is the
// cause, for logs.
func UploadError(code string, err error) *Error {
	msg, ok := uploadMessages[code]
	if !ok {
		msg = "上传请求无效" // invalid upload request
	}
	return &Error{
		Code:    EInvalid,
		Message: msg,
		Fields:  map[string]FieldError{UploadField: {Code: code, Message: msg}},
		Err:     err,
	}
}

// UploadErrorCode returns the refusal code of an UploadError, or "" for any other error.
func UploadErrorCode(err error) string {
	return ErrorFields(err)[UploadField].Code
}

// UploadNotFound is the error for an upload id the storage does not know (never created,
// finished or aborted).
func UploadNotFound(err error) *Error {
	return &Error{Code: ENotFound, Message: "上传不存在或已结束", Err: err} // upload unknown or ended
}

// ValidatePart checks a planned part before a storage signs or accepts it.
func ValidatePart(n int, size int64, sha256 string) error {
	if n < 1 || n > MaxParts {
		return UploadError(CodePartOutOfRange, fmt.Errorf("part %d not in 1..%d", n, MaxParts))
	}
	if size < 1 || size > MaxPartSize {
		return UploadError(CodePartSize, fmt.Errorf("part %d: size %d not in 1..%d", n, size, int64(MaxPartSize)))
	}
	if _, err := DecodeSHA256(sha256); err != nil {
		return err
	}
	return nil
}

// DecodeSHA256 returns the 32 raw bytes of a standard-base64 SHA-256.
func DecodeSHA256(b64 string) ([]byte, error) {
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(raw) != sha256.Size {
		return nil, UploadError(CodeChecksumFormat, fmt.Errorf("sha256 %q is not 32 bytes of standard base64", b64))
	}
	return raw, nil
}

// CompositeChecksum computes the checksum S3 gives a multipart object whose parts carry
// SHA-256 checksums: base64(sha256(raw sha256 of each part, concatenated)) + "-" + N. The local
// folder computes the same value, so a video's checksum does not depend on the storage.
func CompositeChecksum(parts []PartInfo) (string, error) {
	if len(parts) == 0 {
		return "", UploadError(CodeUploadIncomplete, fmt.Errorf("no parts"))
	}
	h := sha256.New()
	for _, p := range parts {
		raw, err := DecodeSHA256(p.SHA256)
		if err != nil {
			return "", err
		}
		h.Write(raw)
	}
	return base64.StdEncoding.EncodeToString(h.Sum(nil)) + "-" + strconv.Itoa(len(parts)), nil
}

// MatchParts checks a completion request against the parts storage holds: the request must
// name parts 1..len(want) in order, storage must hold exactly those, each with the size and
// checksum requested. Storages call it before joining, since S3 (MinIO) would complete an
// upload with gaps.
func MatchParts(want, stored []PartInfo) error {
	if len(want) == 0 {
		return UploadError(CodeUploadIncomplete, fmt.Errorf("no parts requested"))
	}
	have := make(map[int]PartInfo, len(stored))
	for _, p := range stored {
		have[p.N] = p
	}
	for i, p := range want {
		if p.N != i+1 {
			return UploadError(CodeUploadIncomplete, fmt.Errorf("part %d requested at position %d", p.N, i+1))
		}
		got, ok := have[p.N]
		if !ok {
			return UploadError(CodeUploadIncomplete, fmt.Errorf("part %d missing", p.N))
		}
		if got.Size != p.Size {
			return UploadError(CodePartSize, fmt.Errorf("part %d: stored %d bytes, requested %d", p.N, got.Size, p.Size))
		}
		if got.SHA256 != p.SHA256 {
			return UploadError(CodeChecksumMismatch, fmt.Errorf("part %d: stored sha256 %s, requested %s", p.N, got.SHA256, p.SHA256))
		}
	}
	if len(stored) != len(want) {
		return UploadError(CodeUploadIncomplete, fmt.Errorf("storage holds %d parts, %d requested", len(stored), len(want)))
	}
	return nil
}
