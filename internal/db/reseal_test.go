package db_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/jskx/contest/internal/contest"
	"github.com/jskx/contest/internal/db"
	"github.com/jskx/contest/internal/pii"
)

// A key rotation without downtime: a replica given the new key and the old one reads every
// value sealed under the old key and finds it by search and by its consent link; the re-seal
// moves every value onto the new key once; then a replica with the new key alone reads and
// finds everything.
func TestReseal_RotatesThePersonalDataKey(t *testing.T) {
	withWork(t, func(t *testing.T, d *db.DB, st *db.Stores, s contest.Submission) {
		ctx := context.Background()
		oldKey := make([]byte, pii.KeySize)
		copy(oldKey, "dbtest key, never used in prod") // dbtest.MustBox's
		newKey := bytes.Repeat([]byte{7}, pii.KeySize)
		open := func(keys ...[]byte) (*db.DB, *db.Stores) {
			box, err := pii.New(keys[0], keys[1:]...)
			if err != nil {
				t.Fatal(err)
			}
			r, err := db.Open(ctx, d.URL(), "", box, db.Discard())
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { r.Close() })
			return r, r.Stores()
		}
		reads := func(what string, st *db.Stores) {
			t.Helper()
			got, err := st.SubmissionByID(ctx, s.ID)
			if err != nil || got.Participants[1].IDNumber != idLi || got.Registration.Mobile != mobile {
				t.Fatalf("%s: the work reads as %+v, %v", what, got.Participants, err)
			}
			page, err := st.ListSubmissions(ctx, contest.SubmissionFilter{ContestID: s.ContestID, IDKey: st.SearchKey(idLi), Limit: 10})
			if err != nil || len(page.Items) != 1 {
				t.Fatalf("%s: searching by ID number found %d, %v", what, len(page.Items), err)
			}
			if got, i, err := st.ParticipantByConsentToken(ctx, "tok-2"); err != nil || got.ID != s.ID || i != 1 {
				t.Fatalf("%s: the consent link finds %v #%d, %v", what, got.ID, i, err)
			}
		}
		during, dst := open(newKey, oldKey)
		reads("during the rotation, before the re-seal", dst)
		n, err := during.ResealPersonalData(ctx)
		if err != nil || n.Submissions != 1 || n.Participants != 2 {
			t.Fatalf("re-sealed %+v, %v; want the work and its two participants", n, err)
		}
		if again, err := during.ResealPersonalData(ctx); err != nil || again.Total() != 0 {
			t.Errorf("a second re-seal changed %+v, %v", again, err)
		}
		_, after := open(newKey)
		reads("with the new key alone", after)
		if _, err := st.SubmissionByID(ctx, s.ID); err == nil {
			t.Error("the old key alone still reads the re-sealed work")
		}
	})
}
