package s3_test

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/jskx/contest/internal/s3"
	"github.com/jskx/contest/internal/storagetest"
)

// MustNew returns a store on a fresh bucket of the test MinIO; the bucket and everything in it
// are removed when the test ends.
func MustNew(tb testing.TB) *s3.Store {
	tb.Helper()
	endpoint, access, secret := storagetest.MinIOConfigFromEnv(tb)
	cfg := s3.Config{
		Endpoint:  endpoint,
		AccessKey: access,
		SecretKey: secret,
		Bucket:    "test-" + storagetest.RandomHex(tb, 8),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := s3.New(ctx, cfg)
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	tb.Cleanup(func() { removeBucket(tb, s) })
	return s
}

func removeBucket(tb testing.TB, s *s3.Store) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c := s.Client()
	objects := c.ListObjects(ctx, s.Bucket(), minio.ListObjectsOptions{Recursive: true})
	for rerr := range c.RemoveObjects(ctx, s.Bucket(), objects, minio.RemoveObjectsOptions{}) {
		tb.Errorf("remove %s: %v", rerr.ObjectName, rerr.Err)
	}
	// Uploads a failed test left open would keep the bucket from being removed.
	for up := range c.ListIncompleteUploads(ctx, s.Bucket(), "", true) {
		if up.Err == nil {
			c.RemoveIncompleteUpload(ctx, s.Bucket(), up.Key)
		}
	}
	if err := c.RemoveBucket(ctx, s.Bucket()); err != nil {
		tb.Errorf("remove bucket %s: %v", s.Bucket(), err)
	}
}

func TestStore_Conformance(t *testing.T) {
	storagetest.Run(t, MustNew(t))
}

func TestNew_BucketThatExistsIsReused(t *testing.T) {
	s := MustNew(t)
	storagetest.MustPut(t, s, "kept.txt", []byte("kept"), "text/plain")
	endpoint, access, secret := storagetest.MinIOConfigFromEnv(t)
	again, err := s3.New(t.Context(), s3.Config{Endpoint: endpoint, AccessKey: access, SecretKey: secret, Bucket: s.Bucket()})
	if err != nil {
		t.Fatalf("New on an existing bucket: %v", err)
	}
	if got := string(storagetest.MustGet(t, again, "kept.txt")); got != "kept" {
		t.Fatalf("kept.txt = %q, want %q", got, "kept")
	}
}

func TestNew_ConcurrentReplicasShareTheBucket(t *testing.T) {
	endpoint, access, secret := storagetest.MinIOConfigFromEnv(t)
	cfg := s3.Config{Endpoint: endpoint, AccessKey: access, SecretKey: secret, Bucket: "test-" + storagetest.RandomHex(t, 8)}
	const replicas = 4
	stores := make(chan *s3.Store, replicas)
	errs := make(chan error, replicas)
	for range replicas {
		go func() {
			s, err := s3.New(t.Context(), cfg)
			if err != nil {
				errs <- err
				return
			}
			stores <- s
		}()
	}
	cleanup := false
	for range replicas {
		select {
		case err := <-errs:
			t.Errorf("replica New: %v", err)
		case s := <-stores:
			if !cleanup {
				cleanup = true
				t.Cleanup(func() { removeBucket(t, s) })
			}
		}
	}
}

func TestStore_PutKeepsContentType(t *testing.T) {
	s := MustNew(t)
	storagetest.MustPut(t, s, "consent/scan.pdf", []byte("%PDF-1.7"), "application/pdf")
	info, err := s.Client().StatObject(t.Context(), s.Bucket(), "consent/scan.pdf", minio.StatObjectOptions{})
	if err != nil {
		t.Fatalf("StatObject: %v", err)
	}
	if info.ContentType != "application/pdf" {
		t.Fatalf("content type %q, want %q", info.ContentType, "application/pdf")
	}
}

func TestStore_PingFailsWithoutBucket(t *testing.T) {
	s := MustNew(t)
	if err := s.Client().RemoveBucket(t.Context(), s.Bucket()); err != nil {
		t.Fatalf("RemoveBucket: %v", err)
	}
	if err := s.Ping(t.Context()); err == nil {
		t.Fatal("Ping succeeded without the bucket")
	}
	// Put the bucket back so the cleanup finds what it expects.
	if err := s.Client().MakeBucket(t.Context(), s.Bucket(), minio.MakeBucketOptions{}); err != nil {
		t.Fatalf("MakeBucket: %v", err)
	}
}

// zeros reads as an endless run of zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func TestStore_ShortMultipartUploadLeavesNothing(t *testing.T) {
	s := MustNew(t)
	// Larger than minio-go's 16 MiB part, so the upload goes in parts; the body ends in part two.
	body := struct{ io.Reader }{io.LimitReader(zeros{}, 20<<20)}
	if err := s.Put(t.Context(), "big.bin", body, 30<<20, "application/octet-stream"); err == nil {
		t.Fatal("Put of 20 MiB announced as 30 MiB succeeded, want an error")
	}
	storagetest.MustNotFound(t, s, "big.bin")
	uploads := s.Client().ListIncompleteUploads(t.Context(), s.Bucket(), "big.bin", true)
	for u := range uploads {
		if u.Err != nil {
			t.Fatalf("ListIncompleteUploads: %v", u.Err)
		}
		t.Errorf("multipart upload %s left behind", u.UploadID)
	}
}

func TestStore_ListsItsObjectsNotItsUploads(t *testing.T) {
	storagetest.RunList(t, MustNewMultipart(t, s3.PublicEndpoint{}), true)
}
