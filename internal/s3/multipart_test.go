package s3_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/jskx/contest/internal/contest"
	"github.com/jskx/contest/internal/s3"
	"github.com/jskx/contest/internal/storagetest"
)

// partClient sends parts as a browser would: plain HTTP, no credentials.
var partClient = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 8}, Timeout: time.Minute}

// putPart PUTs body to a part target. Go sets Content-Length from the body, as a browser does,
// so a body of another length than planned fails the signature.
func putPart(target contest.PartTarget, body []byte) error {
	return putPartHost(target, body, "")
}

// putPartHost sends the part to the URL's address but, when host is set, names that host in
// the request: how a request signed for a public name arrives through a proxy.
func putPartHost(target contest.PartTarget, body []byte, via string) error {
	u := target.URL
	var host string
	if via != "" {
		parsed, err := url.Parse(u)
		if err != nil {
			return err
		}
		host = parsed.Host
		parsed.Host = via
		u = parsed.String()
	}
	req, err := http.NewRequest(target.Method, u, bytes.NewReader(body))
	if err != nil {
		return err
	}
	if host != "" {
		req.Host = host
	}
	for k, v := range target.Headers {
		if http.CanonicalHeaderKey(k) == "Content-Length" {
			continue // from the body
		}
		req.Header.Set(k, v)
	}
	resp, err := partClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	if resp.StatusCode != http.StatusOK {
		return &statusError{code: resp.StatusCode, body: string(msg)}
	}
	return nil
}

type statusError struct {
	code int
	body string
}

func (e *statusError) Error() string {
	var xe struct{ Code, Message string }
	if xml.Unmarshal([]byte(e.body), &xe) == nil && xe.Code != "" {
		return fmt.Sprintf("HTTP %d %s: %s", e.code, xe.Code, xe.Message)
	}
	return fmt.Sprintf("HTTP %d: %s", e.code, e.body)
}

// MustNewMultipart returns the multipart side of a store on a fresh bucket.
func MustNewMultipart(tb testing.TB, pub s3.PublicEndpoint) *s3.Multipart {
	tb.Helper()
	m, err := s3.NewMultipart(context.Background(), MustNew(tb), pub)
	if err != nil {
		tb.Fatalf("NewMultipart: %v", err)
	}
	return m
}

func TestMultipart_Conformance(t *testing.T) {
	m := MustNewMultipart(t, s3.PublicEndpoint{})
	storagetest.RunMultipart(t, m, putPart, func(tb testing.TB) contest.MultipartStorage {
		endpoint, access, secret := storagetest.MinIOConfigFromEnv(tb)
		again, err := s3.New(tb.Context(), s3.Config{Endpoint: endpoint, AccessKey: access, SecretKey: secret, Bucket: m.Bucket()})
		if err != nil {
			tb.Fatalf("New: %v", err)
		}
		mm, err := s3.NewMultipart(tb.Context(), again, s3.PublicEndpoint{})
		if err != nil {
			tb.Fatalf("NewMultipart: %v", err)
		}
		return mm
	})
}

func TestMultipart_PartAfterURLExpiryIsForbidden(t *testing.T) {
	m := MustNewMultipart(t, s3.PublicEndpoint{})
	key := "videos/late.mp4"
	id := storagetest.MustCreate(t, m, key)
	defer storagetest.MustAbort(t, m, key, id)
	data, plan := storagetest.Plan(t, 1000)
	target := storagetest.MustTarget(t, m, key, id, plan[0], time.Second)
	time.Sleep(2 * time.Second)
	err := putPart(target, data)
	if se, ok := err.(*statusError); !ok || se.code != http.StatusForbidden {
		t.Fatalf("PUT after expiry: %v, want HTTP 403", err)
	}
	if parts := storagetest.MustListParts(t, m, key, id); len(parts) != 0 {
		t.Fatalf("ListParts = %v, want none", parts)
	}
}

// A public endpoint's URLs are signed for its host, offline: the name need not resolve.
func TestMultipart_PublicEndpointSignsForItsHost(t *testing.T) {
	endpoint, _, _ := storagetest.MinIOConfigFromEnv(t)
	const public = "files.contest.invalid:9000"
	m := MustNewMultipart(t, s3.PublicEndpoint{Endpoint: public, UseSSL: true})
	key := "videos/public.mp4"
	id := storagetest.MustCreate(t, m, key)
	defer storagetest.MustAbort(t, m, key, id)
	data, plan := storagetest.Plan(t, 1000)
	target := storagetest.MustTarget(t, m, key, id, plan[0], time.Minute)
	u, err := url.Parse(target.URL)
	if err != nil {
		t.Fatal(err)
	}
	if u.Host != public || u.Scheme != "https" {
		t.Fatalf("part URL %s, want https://%s/…", target.URL, public)
	}
	// Through a TLS-terminating proxy that keeps Host: plain HTTP to MinIO, Host the public name.
	u.Scheme = "http"
	target.URL = u.String()
	if err := putPartHost(target, data, endpoint); err != nil {
		t.Fatalf("PUT with the public Host: %v", err)
	}
	if parts := storagetest.MustListParts(t, m, key, id); len(parts) != 1 {
		t.Fatalf("ListParts = %v, want the part", parts)
	}
}

// BenchmarkMultipartVsPutObject compares our path (8 MiB parts hashed on the client, 4 PUT in
// parallel to presigned URLs, then complete) with a raw PutObject of the same 64 MiB.
func BenchmarkMultipartVsPutObject(b *testing.B) {
	const size, partSize, parallel = 64 << 20, 8 << 20, 4
	m := MustNewMultipart(b, s3.PublicEndpoint{})
	data := storagetest.RandomBytes(b, size)

	b.Run("Multipart", func(b *testing.B) {
		b.SetBytes(size)
		for i := 0; b.Loop(); i++ {
			key := fmt.Sprintf("bench/multipart-%d.bin", i)
			id := storagetest.MustCreate(b, m, key)
			parts := make([]contest.PartInfo, size/partSize)
			sem := make(chan struct{}, parallel)
			var wg sync.WaitGroup
			errs := make(chan error, len(parts))
			for j := range parts {
				wg.Go(func() {
					sem <- struct{}{}
					defer func() { <-sem }()
					body := data[j*partSize : (j+1)*partSize]
					p := contest.PartInfo{N: j + 1, Size: partSize, SHA256: storagetest.SHA256(body)}
					parts[j] = p
					target, err := m.PartTarget(context.Background(), key, id, p.N, p.Size, p.SHA256, time.Minute)
					if err == nil {
						err = putPart(target, body)
					}
					if err != nil {
						errs <- err
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				b.Fatal(err)
			}
			if _, _, err := m.CompleteMultipart(context.Background(), key, id, parts); err != nil {
				b.Fatal(err)
			}
		}
	})

	b.Run("PutObject", func(b *testing.B) {
		b.SetBytes(size)
		for i := 0; b.Loop(); i++ {
			key := fmt.Sprintf("bench/put-%d.bin", i)
			_, err := m.Client().PutObject(context.Background(), m.Bucket(), key, bytes.NewReader(data), size, minio.PutObjectOptions{})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
}
