package s3

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/jskx/contest/internal/contest"
)

// Multipart takes large objects in parts that clients PUT straight to the bucket through
// presigned URLs, so video bytes never pass through the API. Each part's Content-Length and
// SHA-256 are signed into its URL: the store refuses a part that differs before keeping it.
// It embeds the Store, so it is a contest.Storage too.
type Multipart struct {
	*Store
	core    minio.Core
	presign *minio.Client // signs part URLs for the address clients use
	origin  string        // the scheme and host of the URLs it signs, for the pages' CSP
}

var (
	_ contest.MultipartStorage = (*Multipart)(nil)
	_ contest.Storage          = (*Multipart)(nil)
)

// PublicEndpoint is the address clients reach the object store at, when it differs from the
// one the server uses (docker-compose's "minio:9000" is no use to a phone). The host is part
// of the signature, so part URLs must be signed for it.
type PublicEndpoint struct {
	Endpoint string // host:port without a scheme; empty: clients use the store's own endpoint
	UseSSL   bool
}

// NewMultipart returns the multipart side of s. With a public endpoint it builds a second
// client for signing; that client has its region set (asked once of the bucket through s), so
// it signs offline and never needs to reach the public address itself.
func NewMultipart(ctx context.Context, s *Store, pub PublicEndpoint) (*Multipart, error) {
	m := &Multipart{Store: s, core: minio.Core{Client: s.client}, presign: s.client}
	if pub.Endpoint == "" {
		m.origin = m.signedOrigin(ctx)
		return m, nil
	}
	region, err := s.client.GetBucketLocation(ctx, s.bucket)
	if err != nil {
		return nil, fmt.Errorf("s3: region of bucket %q: %w", s.bucket, err)
	}
	if region == "" {
		region = "us-east-1"
	}
	creds, err := s.client.GetCreds()
	if err != nil {
		return nil, fmt.Errorf("s3: credentials: %w", err)
	}
	c, err := minio.New(pub.Endpoint, &minio.Options{
		Creds:  credentials.NewStaticV4(creds.AccessKeyID, creds.SecretAccessKey, creds.SessionToken),
		Secure: pub.UseSSL,
		Region: region,
	})
	if err != nil {
		return nil, fmt.Errorf("s3: client for public endpoint %s: %w", pub.Endpoint, err)
	}
	m.presign = c
	m.origin = m.signedOrigin(ctx)
	return m, nil
}

// signedOrigin is the scheme and host of a URL signed for the bucket: with a virtual-hosted
// store (AWS S3, Aliyun OSS) the bucket is part of the host, so the endpoint alone would not do.
func (m *Multipart) signedOrigin(ctx context.Context) string {
	u, err := m.presign.PresignedGetObject(ctx, m.bucket, "origin", time.Minute, nil)
	if err != nil {
		u = m.presign.EndpointURL()
	}
	return u.Scheme + "://" + u.Host
}

// BrowserOrigin is where browsers send parts and fetch videos: the scheme and host that part
// and download URLs are signed for.
func (m *Multipart) BrowserOrigin() string { return m.origin }

// checksumHeader carries a part's SHA-256; signed into the URL, so it must be sent as given.
const checksumHeader = "x-amz-checksum-sha256"

// CreateMultipart starts an upload whose parts must carry SHA-256 checksums, so storage lists
// them and computes the composite at completion.
func (m *Multipart) CreateMultipart(ctx context.Context, key, contentType string) (string, error) {
	id, err := m.core.NewMultipartUpload(ctx, m.bucket, key, minio.PutObjectOptions{
		ContentType: contentType,
		// Sent as the X-Amz-Checksum-Algorithm header, not as x-amz-meta-.
		UserMetadata: map[string]string{"X-Amz-Checksum-Algorithm": "SHA256"},
	})
	if err != nil {
		return "", outage(fmt.Errorf("s3: create multipart %q: %w", key, err))
	}
	return id, nil
}

// PartTarget signs a PUT of part n. The client must send the returned headers unchanged (a
// browser sets Content-Length by itself); a body of another length fails the signature and
// one with another checksum is refused by storage. Signing does not contact storage, so an
// unknown upload shows only when the part is sent (404 NoSuchUpload).
func (m *Multipart) PartTarget(ctx context.Context, key, uploadID string, n int, size int64, sha256 string, ttl time.Duration) (contest.PartTarget, error) {
	if err := contest.ValidatePart(n, size, sha256); err != nil {
		return contest.PartTarget{}, err
	}
	length := strconv.FormatInt(size, 10)
	params := url.Values{"partNumber": {strconv.Itoa(n)}, "uploadId": {uploadID}}
	signed := http.Header{"Content-Length": {length}, http.CanonicalHeaderKey(checksumHeader): {sha256}}
	now := time.Now()
	u, err := m.presign.PresignHeader(ctx, http.MethodPut, m.bucket, key, ttl, params, signed)
	if err != nil {
		return contest.PartTarget{}, outage(fmt.Errorf("s3: sign part %d of %q: %w", n, key, err))
	}
	return contest.PartTarget{
		N:         n,
		Method:    http.MethodPut,
		URL:       u.String(),
		Headers:   map[string]string{"Content-Length": length, checksumHeader: sha256},
		ExpiresAt: now.Add(ttl),
	}, nil
}

// ListParts returns the parts storage holds, sorted by number, reading past S3's 1000 parts
// a page.
func (m *Multipart) ListParts(ctx context.Context, key, uploadID string) ([]contest.PartInfo, error) {
	parts, err := m.listParts(ctx, key, uploadID)
	if err != nil {
		return nil, err
	}
	out := make([]contest.PartInfo, len(parts))
	for i, p := range parts {
		out[i] = contest.PartInfo{N: p.PartNumber, Size: p.Size, SHA256: p.ChecksumSHA256}
	}
	return out, nil
}

func (m *Multipart) listParts(ctx context.Context, key, uploadID string) ([]minio.ObjectPart, error) {
	var parts []minio.ObjectPart
	marker := 0
	for {
		res, err := m.core.ListObjectParts(ctx, m.bucket, key, uploadID, marker, 1000)
		if err != nil {
			return nil, uploadErr("list parts of", key, err)
		}
		parts = append(parts, res.ObjectParts...)
		if !res.IsTruncated || res.NextPartNumberMarker <= marker {
			break
		}
		marker = res.NextPartNumberMarker
	}
	slices.SortFunc(parts, func(a, b minio.ObjectPart) int { return a.PartNumber - b.PartNumber })
	return parts, nil
}

// CompleteMultipart checks that storage holds exactly the given parts (MinIO would otherwise
// complete with gaps), joins them, and checks storage's composite checksum against the one
// computed from the parts. Once it succeeds the upload is gone: a second call is ENotFound.
func (m *Multipart) CompleteMultipart(ctx context.Context, key, uploadID string, parts []contest.PartInfo) (string, int64, error) {
	want, err := contest.CompositeChecksum(parts)
	if err != nil {
		return "", 0, err
	}
	stored, err := m.listParts(ctx, key, uploadID)
	if err != nil {
		return "", 0, err
	}
	listed := make([]contest.PartInfo, len(stored))
	complete := make([]minio.CompletePart, len(stored))
	for i, p := range stored {
		listed[i] = contest.PartInfo{N: p.PartNumber, Size: p.Size, SHA256: p.ChecksumSHA256}
		complete[i] = minio.CompletePart{PartNumber: p.PartNumber, ETag: p.ETag, ChecksumSHA256: p.ChecksumSHA256}
	}
	if err := contest.MatchParts(parts, listed); err != nil {
		return "", 0, err
	}
	info, err := m.core.CompleteMultipartUpload(ctx, m.bucket, key, uploadID, complete, minio.PutObjectOptions{})
	if err != nil {
		return "", 0, uploadErr("complete", key, err)
	}
	if info.ChecksumSHA256 != want {
		// Only a misbehaving storage gets here. The key belongs to this upload alone, so the
		// object it made can go.
		_ = m.Delete(ctx, key)
		return "", 0, contest.UploadError(contest.CodeChecksumMismatch,
			fmt.Errorf("s3: complete %q: storage composite %q, parts give %q", key, info.ChecksumSHA256, want))
	}
	// CompleteMultipartUpload reports no size.
	st, err := m.client.StatObject(ctx, m.bucket, key, minio.StatObjectOptions{})
	if err != nil {
		return "", 0, outage(fmt.Errorf("s3: stat %q after complete: %w", key, err))
	}
	return info.ChecksumSHA256, st.Size, nil
}

// AbortMultipart drops the upload and its parts; an unknown upload is not an error.
func (m *Multipart) AbortMultipart(ctx context.Context, key, uploadID string) error {
	err := m.core.AbortMultipartUpload(ctx, m.bucket, key, uploadID)
	if err != nil && minio.ToErrorResponse(err).Code != "NoSuchUpload" {
		return outage(fmt.Errorf("s3: abort multipart %q: %w", key, err))
	}
	return nil
}

var _ contest.Linker = (*Multipart)(nil)

// DownloadURL signs a GET of key for the public endpoint: the browser fetches the object from
// storage itself, with range requests, and the response carries the given Content-Disposition.
func (m *Multipart) DownloadURL(ctx context.Context, key, disposition string, ttl time.Duration) (string, error) {
	params := url.Values{}
	if disposition != "" {
		params.Set("response-content-disposition", disposition)
	}
	u, err := m.presign.PresignedGetObject(ctx, m.bucket, key, ttl, params)
	if err != nil {
		return "", outage(fmt.Errorf("s3: sign download of %q: %w", key, err))
	}
	return u.String(), nil
}

// uploadErr translates storage's refusals of a multipart call into domain codes, and an
// outage into EUnavailable.
func uploadErr(op, key string, err error) error {
	cause := fmt.Errorf("s3: %s %q: %w", op, key, err)
	switch minio.ToErrorResponse(err).Code {
	case "NoSuchUpload":
		return contest.UploadNotFound(cause)
	case "EntityTooSmall":
		return contest.UploadError(contest.CodePartSize, cause)
	case "InvalidPart", "InvalidPartOrder":
		return contest.UploadError(contest.CodeUploadIncomplete, cause)
	case "BadDigest", "XAmzContentChecksumMismatch":
		return contest.UploadError(contest.CodeChecksumMismatch, cause)
	}
	return outage(cause)
}
