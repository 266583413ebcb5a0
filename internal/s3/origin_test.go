package s3

import (
	"context"
	"testing"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// TestBrowserOrigin_IsTheHostURLsAreSignedFor: on a virtual-hosted store (Aliyun OSS, AWS S3)
// the bucket is part of the host browsers reach, so the pages' CSP must name that host, not
// the endpoint's.
func TestBrowserOrigin_IsTheHostURLsAreSignedFor(t *testing.T) {
	for _, tc := range []struct{ endpoint, want string }{
		{"oss-cn-hangzhou.aliyuncs.com", "https://contest.oss-cn-hangzhou.aliyuncs.com"},
		{"minio.example.org:9000", "https://minio.example.org:9000"}, // path style
	} {
		c, err := minio.New(tc.endpoint, &minio.Options{Creds: credentials.NewStaticV4("k", "s", ""), Secure: true, Region: "cn-north-1"})
		if err != nil {
			t.Fatal(err)
		}
		m := &Multipart{Store: &Store{client: c, bucket: "contest"}, presign: c}
		if got := m.signedOrigin(context.Background()); got != tc.want {
			t.Errorf("%s: origin %q, want %q", tc.endpoint, got, tc.want)
		}
	}
}
