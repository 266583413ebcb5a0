package contest

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io"
)

// joinedBefore reports whether storage already joined the parts of u into the object under
// its key, though the upload is still open in the database: a completion whose recording
// failed after storage had joined the parts (the database went down between the two), so
// storage no longer lists them. The object must be u.Size bytes whose parts give checksum. It
// reads the object once; only a completion retried after such a failure comes here. The key
// belongs to this upload alone, so an object under it is this upload's.
func (s *MediaService) joinedBefore(ctx context.Context, u Upload, checksum string) (bool, error) {
	rc, err := s.storage.Get(ctx, u.Key)
	if ErrorCode(err) == ENotFound {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer rc.Close()
	parts := make([]PartInfo, u.PartCount)
	for i := range parts {
		n := i + 1
		h := sha256.New()
		if _, err := io.CopyN(h, rc, u.PartSizeOf(n)); err != nil {
			if errors.Is(err, io.EOF) {
				return false, nil // shorter than planned: not this upload's whole video
			}
			return false, err
		}
		parts[i] = PartInfo{N: n, Size: u.PartSizeOf(n), SHA256: base64.StdEncoding.EncodeToString(h.Sum(nil))}
	}
	if n, _ := rc.Read(make([]byte, 1)); n > 0 {
		return false, nil // longer than planned
	}
	composite, err := CompositeChecksum(parts)
	if err != nil {
		return false, err
	}
	return composite == checksum, nil
}
