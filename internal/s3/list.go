package s3

import (
	"context"
	"fmt"

	"github.com/minio/minio-go/v7"

	"github.com/jskx/contest/internal/contest"
)

var _ contest.ObjectLister = (*Store)(nil)

// List calls fn for every object in the bucket, in key order, with its content type. Uploads
// in progress (incomplete multipart uploads) are not objects and are not listed. MinIO gives
// the content types in the listing; another store is asked object by object.
func (s *Store) List(ctx context.Context, fn func(contest.ObjectInfo) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // stops the listing's goroutine when fn fails
	for obj := range s.client.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Recursive: true, WithMetadata: true}) {
		if obj.Err != nil {
			return outage(fmt.Errorf("s3: list: %w", obj.Err))
		}
		ct := obj.ContentType
		if ct == "" {
			ct = obj.UserMetadata["content-type"]
		}
		if ct == "" {
			st, err := s.client.StatObject(ctx, s.bucket, obj.Key, minio.StatObjectOptions{})
			if err != nil {
				return s.readErr(obj.Key, err)
			}
			ct = st.ContentType
		}
		if err := fn(contest.ObjectInfo{Key: obj.Key, Size: obj.Size, ContentType: ct}); err != nil {
			return err
		}
	}
	return nil
}
