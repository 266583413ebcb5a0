package db_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jskx/contest/internal/contest"
	"github.com/jskx/contest/internal/db"
	"github.com/jskx/contest/internal/db/dbtest"
)

const (
	idZhang = "11010519491231002X"
	idLi    = "110105198001010016"
	mobile  = "13800138000"
)

// mustSubmission stores a contest, a user and a submission with two participants.
func mustSubmission(t testing.TB, d *db.DB) contest.Submission {
	t.Helper()
	ctx := context.Background()
	now := time.Date(2022, 5, 15, 2, 0, 0, 0, time.UTC)
	c := contest.DefaultContest()
	c.ID, c.CreatedAt, c.UpdatedAt = contest.NewID(), now, now
	st := d.Stores()
	if err := st.CreateContest(ctx, &c); err != nil {
		t.Fatal(err)
	}
	u := contest.User{ID: contest.NewID(), Email: "z@example.org", Name: "张三", Role: contest.RoleContestant, PasswordHash: "x", CreatedAt: now}
	if err := st.CreateUser(ctx, &u); err != nil {
		t.Fatal(err)
	}
	s := contest.Submission{
		ID: contest.NewID(), ContestID: c.ID, OwnerID: u.ID, Reference: "2022-000001", Status: contest.StatusDraft, CreatedAt: now, UpdatedAt: now,
		Registration: contest.Registration{Title: "作品", LeadName: "张三", ContactIDType: contest.IDResident,
			ContactIDNumber: idZhang, Mobile: mobile, Email: "z@example.org"},
		Participants: []contest.Participant{
			{ID: contest.NewID(), Name: "张三", IDType: contest.IDResident, IDNumber: idZhang, ConsentToken: "tok-1"},
			{ID: contest.NewID(), Name: "李四", IDType: contest.IDResident, IDNumber: idLi, ConsentToken: "tok-2"},
		},
	}
	if err := st.CreateSubmission(ctx, &s, nil); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSubmissions_PersonalNumbersAreEncryptedAtRest(t *testing.T) {
	for _, dialect := range dbtest.Dialects {
		t.Run(dialect, func(t *testing.T) {
			d := dbtest.MustOpen(t, dialect, dbtest.MustBox(t))
			s := mustSubmission(t, d)
			for _, table := range []string{"submissions", "participants"} {
				rows, err := d.RawRows(context.Background(), "SELECT * FROM "+table)
				if err != nil {
					t.Fatal(err)
				}
				if len(rows) == 0 {
					t.Fatalf("%s is empty; nothing was checked", table)
				}
				for _, row := range rows {
					for col, v := range row {
						text := fmt.Sprint(v)
						for _, secret := range []string{idZhang, idLi, mobile, "19491231", "0013800"} {
							if strings.Contains(text, secret) {
								t.Errorf("%s.%s holds %q in the clear: %q", table, col, secret, text)
							}
						}
					}
				}
			}
			got, err := d.Stores().SubmissionByID(context.Background(), s.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Registration.ContactIDNumber != idZhang || got.Registration.Mobile != mobile || got.Participants[1].IDNumber != idLi {
				t.Fatalf("decrypted: %+v %+v", got.Registration, got.Participants)
			}
		})
	}
}

func TestSubmissions_WrongKeyCannotRead(t *testing.T) {
	d := dbtest.MustOpen(t, db.SQLite, dbtest.MustBox(t))
	s := mustSubmission(t, d)
	other, err := db.Open(context.Background(), d.Path(), "", db.MustOtherBox(t), db.Discard())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.Stores().SubmissionByID(context.Background(), s.ID); contest.ErrorCode(err) != contest.EInternal {
		t.Fatalf("reading with another key: %v; want an internal error", err)
	}
}

func TestSubmissions_StaleUpdateIsRefusedSoAConsentIsNotLost(t *testing.T) {
	for _, dialect := range dbtest.Dialects {
		t.Run(dialect, func(t *testing.T) {
			d := dbtest.MustOpen(t, dialect, dbtest.MustBox(t))
			ctx, st := context.Background(), d.Stores()
			s := mustSubmission(t, d)
			edit, _ := st.SubmissionByID(ctx, s.ID) // the owner opens the form…
			// …meanwhile 李四 consents through the link.
			if err := st.SaveConsent(ctx, s.ID, s.Version, s.Participants[1].ID, contest.Consent{Name: "李四", At: time.Now(), IP: "192.0.2.1"}); err != nil {
				t.Fatal(err)
			}
			// A second consent from the same, now stale, version writes nothing.
			if err := st.SaveConsent(ctx, s.ID, s.Version, s.Participants[0].ID, contest.Consent{Name: "张三", At: time.Now()}); contest.ErrorCode(err) != contest.EConflict {
				t.Fatalf("consent on a stale version: %v; want conflict", err)
			}
			edit.Registration.Address = "新地址"
			if err := st.UpdateSubmission(ctx, &edit); contest.ErrorCode(err) != contest.EConflict {
				t.Fatalf("stale update: %v; want conflict", err)
			}
			got, _ := st.SubmissionByID(ctx, s.ID)
			if got.Participants[0].Consent != nil || got.Participants[1].Consent == nil || got.Participants[1].Consent.IP != "192.0.2.1" {
				t.Fatal("the consent was lost")
			}
			got.Registration.Address = "新地址"
			if err := st.UpdateSubmission(ctx, &got); err != nil {
				t.Fatalf("fresh update: %v", err)
			}
		})
	}
}

func TestMigrate_IsIdempotentAndVersionChecked(t *testing.T) {
	for _, dialect := range dbtest.Dialects {
		t.Run(dialect, func(t *testing.T) {
			d := dbtest.MustOpen(t, dialect, dbtest.MustBox(t))
			n, err := d.Migrate(context.Background())
			if err != nil || n != 0 {
				t.Fatalf("second migrate applied %d (%v)", n, err)
			}
			if err := d.CheckVersion(context.Background()); err != nil {
				t.Fatal(err)
			}
		})
	}
}
