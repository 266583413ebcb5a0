// Package s3 stores files in a bucket of an S3-compatible object store (MinIO in our set-up)
// through minio-go. It implements contest.Storage for production; package localfs is the
// single-machine alternative.
package s3

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/jskx/contest/internal/contest"
)

// Config says where the bucket is and how to reach it.
type Config struct {
	Endpoint  string // host:port, without a scheme, e.g. "127.0.0.1:9000"
	AccessKey string
	SecretKey string
	Bucket    string
	Region    string // may be empty for MinIO
	UseSSL    bool
	// MaxRetries is how many times a request that fails on the network or with a 5xx answer
	// is tried before the store is reported unavailable (503); 0 means minio-go's 10, about
	// 5 s of backoff.
	MaxRetries int
}

// Store keeps objects in one bucket.
type Store struct {
	client *minio.Client
	bucket string
}

var _ contest.Storage = (*Store)(nil)

// New connects to the object store and creates the bucket if it does not exist yet. Several
// replicas may start at once; a bucket created by another one meanwhile is fine.
func New(ctx context.Context, cfg Config) (*Store, error) {
	if cfg.Endpoint == "" {
		return nil, errors.New("s3: no endpoint")
	}
	if cfg.Bucket == "" {
		return nil, errors.New("s3: no bucket")
	}
	client, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:      credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure:     cfg.UseSSL,
		Region:     cfg.Region,
		MaxRetries: cfg.MaxRetries,
	})
	if err != nil {
		return nil, fmt.Errorf("s3: client for %s: %w", cfg.Endpoint, err)
	}
	s := &Store{client: client, bucket: cfg.Bucket}
	if err := s.ensureBucket(ctx, cfg.Region); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Store) ensureBucket(ctx context.Context, region string) error {
	ok, err := s.client.BucketExists(ctx, s.bucket)
	if err != nil {
		return fmt.Errorf("s3: bucket %q: %w", s.bucket, err)
	}
	if ok {
		return nil
	}
	err = s.client.MakeBucket(ctx, s.bucket, minio.MakeBucketOptions{Region: region})
	if err == nil {
		return nil
	}
	// Another replica may have won the race. "Already owned by you" settles it; otherwise ask
	// again, since "already exists" can also mean the name is taken by someone else.
	if minio.ToErrorResponse(err).Code == minio.BucketAlreadyOwnedByYou {
		return nil
	}
	if ok, exErr := s.client.BucketExists(ctx, s.bucket); exErr == nil && ok {
		return nil
	}
	return fmt.Errorf("s3: create bucket %q: %w", s.bucket, err)
}

// Client returns the underlying minio-go client, for operations beyond contest.Storage such as
// presigned multipart uploads.
func (s *Store) Client() *minio.Client { return s.client }

// Bucket returns the name of the bucket the store uses.
func (s *Store) Bucket() string { return s.bucket }

// Put stores size bytes from r under key with the given content type, replacing any object
// there. A negative size means unknown: r is read to its end (in a multipart upload). When r
// ends before size bytes the upload fails and any previous object under key is kept.
func (s *Store) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	if size >= 0 {
		if rs, ok := r.(readSeekerAt); ok {
			// Passed on as it is, so minio-go can rewind it to retry a failed request. A body
			// shorter than size would fail each retry too; refuse it before sending anything.
			if err := checkLength(rs, size); err != nil {
				return fmt.Errorf("s3: put %q: %w", key, err)
			}
		} else {
			r = &exactReader{r: r, left: size}
		}
	}
	_, err := s.client.PutObject(ctx, s.bucket, key, r, size, minio.PutObjectOptions{ContentType: contentType})
	if err != nil {
		return outage(fmt.Errorf("s3: put %q: %w", key, err))
	}
	return nil
}

// Get opens the object under key. The error has code ENotFound when there is none.
func (s *Store) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	obj, err := s.client.GetObject(ctx, s.bucket, key, minio.GetObjectOptions{})
	if err != nil {
		return nil, s.readErr(key, err)
	}
	// GetObject is lazy; Stat makes the request, so a missing key shows up here.
	if _, err := obj.Stat(); err != nil {
		_ = obj.Close()
		return nil, s.readErr(key, err)
	}
	return obj, nil
}

func (s *Store) readErr(key string, err error) error {
	if minio.ToErrorResponse(err).Code == minio.NoSuchKey {
		return &contest.Error{
			Code:    contest.ENotFound,
			Message: "文件不存在", // the file does not exist
			Err:     fmt.Errorf("s3: get %q: %w", key, err),
		}
	}
	return outage(fmt.Errorf("s3: get %q: %w", key, err))
}

// Delete removes the object under key; deleting a missing object is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	err := s.client.RemoveObject(ctx, s.bucket, key, minio.RemoveObjectOptions{})
	if err != nil && minio.ToErrorResponse(err).Code != minio.NoSuchKey {
		return outage(fmt.Errorf("s3: delete %q: %w", key, err))
	}
	return nil
}

// Ping reports whether the object store answers and the bucket exists.
func (s *Store) Ping(ctx context.Context) error {
	ok, err := s.client.BucketExists(ctx, s.bucket)
	if err != nil {
		return fmt.Errorf("s3: ping: %w", err)
	}
	if !ok {
		return fmt.Errorf("s3: ping: bucket %q does not exist", s.bucket)
	}
	return nil
}

// readSeekerAt is what minio-go needs to rewind a body and retry a failed upload.
type readSeekerAt interface {
	io.ReaderAt
	io.Seeker
}

// checkLength reports an error unless rs holds at least size bytes from its current offset,
// and leaves the offset where it was.
func checkLength(rs io.Seeker, size int64) error {
	cur, err := rs.Seek(0, io.SeekCurrent)
	if err != nil {
		return err
	}
	end, err := rs.Seek(0, io.SeekEnd)
	if err != nil {
		return err
	}
	if _, err := rs.Seek(cur, io.SeekStart); err != nil {
		return err
	}
	if end-cur < size {
		return fmt.Errorf("body has %d of %d bytes: %w", end-cur, size, io.ErrUnexpectedEOF)
	}
	return nil
}

// exactReader passes on at most left bytes of r and turns an early end into an error wrapping
// io.ErrUnexpectedEOF, so a short body fails the upload on every minio-go code path instead of
// relying on each one to notice.
type exactReader struct {
	r    io.Reader
	left int64
}

func (e *exactReader) Read(p []byte) (int, error) {
	if e.left <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > e.left {
		p = p[:e.left]
	}
	n, err := e.r.Read(p)
	e.left -= int64(n)
	if errors.Is(err, io.EOF) && e.left > 0 {
		// Not io.ErrUnexpectedEOF itself: minio-go treats that as an ordinary end of a part
		// and would send the short part, fail and retry it before giving up.
		return n, fmt.Errorf("body ended %d bytes short: %w", e.left, io.ErrUnexpectedEOF)
	}
	return n, err
}

var _ contest.MediaReader = (*Store)(nil)

// MediaInput signs a GET of key for the server's own address, so ffprobe and ffmpeg read the
// object in place with range requests. The error has code ENotFound when there is no object.
func (s *Store) MediaInput(ctx context.Context, key string, ttl time.Duration) (string, error) {
	if _, err := s.client.StatObject(ctx, s.bucket, key, minio.StatObjectOptions{}); err != nil {
		return "", s.readErr(key, err)
	}
	u, err := s.client.PresignedGetObject(ctx, s.bucket, key, ttl, nil)
	if err != nil {
		return "", outage(fmt.Errorf("s3: sign read of %q: %w", key, err))
	}
	return u.String(), nil
}
