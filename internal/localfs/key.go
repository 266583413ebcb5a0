package localfs

import (
	"fmt"
	"strings"

	"github.com/jskx/contest/internal/contest"
)

// Limits on keys, well inside what common file systems allow for a path and a file name.
const (
	maxKeyLen     = 1024
	maxSegmentLen = 255
)

// checkKey reports whether key is a storage key this store accepts: a relative, slash-separated
// path whose segments use only ASCII letters, digits, '.', '_' and '-'. A segment may not start
// with a dot, so "." and ".." never occur and the store's own hidden temporary files are never
// mistaken for objects.
func checkKey(key string) error {
	if reason := keyProblem(key); reason != "" {
		return &contest.Error{
			Code:    contest.EInvalid,
			Message: "文件路径无效", // invalid file path
			Err:     fmt.Errorf("localfs: key %q: %s", key, reason),
		}
	}
	return nil
}

// keyProblem returns why key is not acceptable, or "" when it is.
func keyProblem(key string) string {
	if key == "" {
		return "empty"
	}
	if len(key) > maxKeyLen {
		return "too long"
	}
	for seg := range strings.SplitSeq(key, "/") {
		switch {
		case seg == "":
			return "empty segment (leading, trailing or double slash)"
		case len(seg) > maxSegmentLen:
			return "segment too long"
		case seg[0] == '.':
			return "segment starts with a dot"
		}
		for i := 0; i < len(seg); i++ {
			if !keyByte(seg[i]) {
				return fmt.Sprintf("character %q not allowed", seg[i])
			}
		}
	}
	return ""
}

func keyByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '.' || c == '_' || c == '-'
}
