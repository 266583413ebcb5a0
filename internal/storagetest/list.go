package storagetest

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/jskx/contest/internal/contest"
)

// Lister is a storage that takes uploads in parts and lists its objects.
type Lister interface {
	contest.Storage
	contest.MultipartStorage
	contest.ObjectLister
}

// RunList checks that s lists exactly its objects, in key order, with their sizes and, when
// keepsTypes, their content types, and not an upload still in progress. s must start empty.
func RunList(t *testing.T, s Lister, keepsTypes bool) {
	t.Helper()
	ctx := context.Background()
	MustPut(t, s, "videos/b/work.mp4", RandomBytes(t, 1000), "video/mp4")
	MustPut(t, s, "consent/a.pdf", RandomBytes(t, 10), "application/pdf")
	MustPut(t, s, "videos/a.poster.jpg", nil, "image/jpeg")
	MustCreate(t, s, "videos/c/unfinished.mp4")

	var got []contest.ObjectInfo
	if err := s.List(ctx, func(o contest.ObjectInfo) error { got = append(got, o); return nil }); err != nil {
		t.Fatalf("List: %v", err)
	}
	want := []contest.ObjectInfo{
		{Key: "consent/a.pdf", Size: 10, ContentType: "application/pdf"},
		{Key: "videos/a.poster.jpg", Size: 0, ContentType: "image/jpeg"},
		{Key: "videos/b/work.mp4", Size: 1000, ContentType: "video/mp4"},
	}
	if !keepsTypes {
		for i := range want {
			want[i].ContentType = ""
		}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("List = %+v\nwant %+v", got, want)
	}
	stop := context.Canceled
	n := 0
	if err := s.List(ctx, func(contest.ObjectInfo) error { n++; return stop }); !errors.Is(err, stop) || n != 1 {
		t.Fatalf("List with fn failing = %v after %d objects, want fn's error after 1", err, n)
	}
}
