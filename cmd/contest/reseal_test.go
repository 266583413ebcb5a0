package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jskx/contest/internal/contest"
	"github.com/jskx/contest/internal/db"
	"github.com/jskx/contest/internal/localfs"
	"github.com/jskx/contest/internal/pii"
)

// A key rotation on the embedded default: a work sealed under the old key, with a sealed scan
// of its 授权书, is sealed again by `contest reseal` under the new key, after which the new key
// alone reads the ID number and opens the scan.
func TestReseal_MovesTheDataAndTheScansToTheNewKey(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	oldKey, newKey := bytes.Repeat([]byte{3}, pii.KeySize), bytes.Repeat([]byte{4}, pii.KeySize)
	b64 := base64.StdEncoding.EncodeToString
	box := func(keys ...[]byte) *pii.Box {
		b, err := pii.New(keys[0], keys[1:]...)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	openDB := func(b *pii.Box) *db.DB {
		d, err := db.Open(ctx, "", dir, b, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	files, err := localfs.New(filepath.Join(dir, "files"))
	if err != nil {
		t.Fatal(err)
	}

	// Before: data and a scan sealed under the old key.
	before := openDB(box(oldKey))
	if _, err := before.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	st, now := before.Stores(), time.Now().UTC()
	c := contest.DefaultContest()
	c.ID, c.CreatedAt, c.UpdatedAt = contest.NewID(), now, now
	if err := st.CreateContest(ctx, &c); err != nil {
		t.Fatal(err)
	}
	u := contest.User{ID: contest.NewID(), Email: "z@example.org", Name: "张三", Role: contest.RoleContestant, PasswordHash: "x", CreatedAt: now}
	if err := st.CreateUser(ctx, &u); err != nil {
		t.Fatal(err)
	}
	const id = "11010519491231002X"
	sealedScan, err := box(oldKey).SealFile([]byte("%PDF 签字版授权书"))
	if err != nil {
		t.Fatal(err)
	}
	scanKey := "scans/w/scan.pdf"
	if err := files.Put(ctx, scanKey, bytes.NewReader(sealedScan), int64(len(sealedScan)), "application/octet-stream"); err != nil {
		t.Fatal(err)
	}
	s := contest.Submission{ID: contest.NewID(), ContestID: c.ID, OwnerID: u.ID, Reference: "2022-000001", Status: contest.StatusDraft,
		CreatedAt: now, UpdatedAt: now, Scan: &contest.Attachment{Key: scanKey, Name: "授权书.pdf", ContentType: "application/pdf", Size: 10},
		Registration: contest.Registration{Title: "作品", LeadName: "张三", ContactIDType: contest.IDResident, ContactIDNumber: id, Mobile: "13800138000"},
		Participants: []contest.Participant{{ID: contest.NewID(), Name: "张三", IDType: contest.IDResident, IDNumber: id, ConsentToken: "tok"}}}
	if err := st.CreateSubmission(ctx, &s, nil); err != nil {
		t.Fatal(err)
	}
	before.Close()

	getenv := func(k string) string {
		return map[string]string{"CONTEST_DATA_DIR": dir, "CONTEST_SECRET_KEY": b64(newKey), "CONTEST_PREVIOUS_SECRET_KEY": b64(oldKey),
			"CONTEST_LOG_LEVEL": "warn"}[k]
	}
	var out bytes.Buffer
	if err := run(ctx, []string{"reseal"}, getenv, &out, io.Discard); err != nil {
		t.Fatalf("reseal: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "1 works, 1 participants") || !strings.Contains(out.String(), "授权书 sealed again: 1") {
		t.Errorf("reseal said:\n%s", out.String())
	}

	// After: the new key alone.
	after := openDB(box(newKey))
	defer after.Close()
	got, err := after.Stores().SubmissionByID(ctx, s.ID)
	if err != nil || got.Participants[0].IDNumber != id || got.Registration.ContactIDNumber != id {
		t.Fatalf("with the new key alone: %+v, %v", got.Participants, err)
	}
	rc, err := files.Get(ctx, scanKey)
	if err != nil {
		t.Fatal(err)
	}
	stored, _ := io.ReadAll(rc)
	rc.Close()
	if plain, err := box(newKey).OpenFile(stored); err != nil || string(plain) != "%PDF 签字版授权书" {
		t.Errorf("the scan with the new key alone: %q, %v", plain, err)
	}

	// Without the old key the command refuses to start.
	noOld := func(k string) string {
		if k == "CONTEST_PREVIOUS_SECRET_KEY" {
			return ""
		}
		return getenv(k)
	}
	if err := run(ctx, []string{"reseal"}, noOld, io.Discard, io.Discard); exitCode(err) != 2 {
		t.Errorf("reseal without the old key: %v (exit %d), want a usage error", err, exitCode(err))
	}
}

// A replica given a key the data has never been sealed with refuses to start, rather than
// failing on every work it loads; the keys of a rotation are accepted.
func TestOpen_RefusesAKeyTheDataHasNeverSeen(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	a, b := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{5}, pii.KeySize)), base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{6}, pii.KeySize))
	migrate := func(current, previous string) error {
		env := map[string]string{"CONTEST_DATA_DIR": dir, "CONTEST_SECRET_KEY": current, "CONTEST_PREVIOUS_SECRET_KEY": previous, "CONTEST_LOG_LEVEL": "warn"}
		return run(ctx, []string{"migrate"}, func(k string) string { return env[k] }, io.Discard, io.Discard)
	}
	if err := migrate(a, ""); err != nil {
		t.Fatal(err)
	}
	if err := migrate(b, ""); !errors.Is(err, db.ErrUnknownKey) {
		t.Fatalf("another key alone: %v, want refused", err)
	}
	if err := migrate(b, a); err != nil {
		t.Fatalf("a rotation to b from a: %v", err)
	}
	if err := migrate(b, ""); err != nil {
		t.Fatalf("b alone after the rotation: %v", err)
	}
}
