package db_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jskx/contest/internal/contest"
	"github.com/jskx/contest/internal/db/dbtest"
)

// An account's number is stored sealed, with its mask beside it; accounts read back carry only
// the mask, and removing the number clears both.
func TestUserMobile_IsSealedAtRestAndReadBackMasked(t *testing.T) {
	for _, dialect := range dbtest.Dialects {
		t.Run(dialect, func(t *testing.T) {
			d := dbtest.MustOpen(t, dialect, dbtest.MustBox(t))
			st, ctx := d.Stores(), context.Background()
			now := time.Date(2022, 5, 15, 2, 0, 0, 0, time.UTC)
			u := contest.User{ID: contest.NewID(), Email: "a@example.org", Name: "张三", Role: contest.RoleContestant, PasswordHash: "x",
				CreatedAt: now, Mobile: "13800138000"}
			s := contest.Session{TokenHash: "h", UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
			if err := st.CreateAccount(ctx, &u, &s); err != nil {
				t.Fatal(err)
			}
			rows, err := d.RawRows(ctx, "SELECT mobile_enc, mobile_masked FROM users WHERE email = 'a@example.org'")
			if err != nil || len(rows) != 1 {
				t.Fatal(rows, err)
			}
			if enc := fmt.Sprint(rows[0]["mobile_enc"]); enc == "" || strings.Contains(enc, "13800138000") || rows[0]["mobile_masked"] != "138****8000" {
				t.Errorf("stored %v, want the number sealed and its mask", rows[0])
			}
			got, err := st.UserByID(ctx, u.ID)
			if err != nil || got.MobileMasked != "138****8000" || got.Mobile != "" {
				t.Errorf("read back %+v, %v: want only the mask", got, err)
			}
			if err := st.SetUserMobile(ctx, u.ID, ""); err != nil {
				t.Fatal(err)
			}
			rows, _ = d.RawRows(ctx, "SELECT mobile_enc, mobile_masked FROM users WHERE email = 'a@example.org'")
			if rows[0]["mobile_enc"] != "" || rows[0]["mobile_masked"] != "" {
				t.Errorf("after removal: %v", rows[0])
			}
			if err := st.SetUserMobile(ctx, "nobody", "13800138000"); contest.ErrorCode(err) != contest.ENotFound {
				t.Errorf("another id: %v, want not found", err)
			}
		})
	}
}

// Two replicas taking a number's next place from the same rate: only one gets it.
func TestSMSRate_OnlyOneSwapFromTheSameRateWins(t *testing.T) {
	for _, dialect := range dbtest.Dialects {
		t.Run(dialect, func(t *testing.T) {
			st, ctx := dbtest.MustOpen(t, dialect, dbtest.MustBox(t)).Stores(), context.Background()
			at := time.Date(2022, 5, 15, 2, 0, 0, 0, time.UTC)
			first := contest.SMSRate{LastSentAt: &at, Day: "2022-05-15", DayCount: 1, Version: 1}
			for i, want := range []bool{true, false} {
				if ok, err := st.SwapSMSRate(ctx, "key", contest.SMSRate{}, first); err != nil || ok != want {
					t.Fatalf("insert %d: %v, %v; want %v", i, ok, err, want)
				}
			}
			later := at.Add(time.Minute)
			second := contest.SMSRate{LastSentAt: &later, Day: "2022-05-15", DayCount: 2, Version: 2}
			for i, want := range []bool{true, false} {
				if ok, err := st.SwapSMSRate(ctx, "key", first, second); err != nil || ok != want {
					t.Fatalf("update %d: %v, %v; want %v", i, ok, err, want)
				}
			}
			got, err := st.SMSRate(ctx, "key")
			if err != nil || got.DayCount != 2 || got.Version != 2 || !got.LastSentAt.Equal(later) {
				t.Errorf("rate = %+v, %v", got, err)
			}
			if none, err := st.SMSRate(ctx, "other"); err != nil || none.Version != 0 {
				t.Errorf("a number never sent to: %+v, %v", none, err)
			}
		})
	}
}

// smsRecorder records the SMS it is asked to send.
type smsRecorder struct{ sent []contest.SMS }

func (r *smsRecorder) SendSMS(_ context.Context, m contest.SMS) error {
	r.sent = append(r.sent, m)
	return nil
}

// A number that already got its ten SMS today gets no eleventh: the delivery fails with the
// cause, the number masked, and the job is not retried.
func TestSendSMS_PastTheDaysLimitFailsWithTheCause(t *testing.T) {
	for _, dialect := range dbtest.Dialects {
		t.Run(dialect, func(t *testing.T) {
			box := dbtest.MustBox(t)
			d := dbtest.MustOpen(t, dialect, box)
			st, ctx := d.Stores(), context.Background()
			now := time.Date(2022, 5, 15, 2, 0, 0, 0, time.UTC) // 10:00 Beijing
			u := contest.User{ID: contest.NewID(), Email: "a@example.org", Name: "张三", Role: contest.RoleContestant, PasswordHash: "x",
				CreatedAt: now, Mobile: "13800138000"}
			if err := st.CreateUser(ctx, &u); err != nil {
				t.Fatal(err)
			}
			id := contest.NewID()
			if err := d.RawExec(ctx, `INSERT INTO notifications (id, recipient, kind, event_key, subject, body, link, created_at)
				VALUES (?, ?, 'video_rejected', 'k', '视频检查未通过', '正文', '', ?)`, id, u.ID, now); err != nil {
				t.Fatal(err)
			}
			if err := d.RawExec(ctx, `INSERT INTO notification_deliveries (notification_id, channel, state, attempts, last_error, params, created_at, updated_at)
				VALUES (?, 'sms', 'pending', 0, '', '["星空"]', ?, ?)`, id, now, now); err != nil {
				t.Fatal(err)
			}
			earlier := now.Add(-time.Hour)
			full := contest.SMSRate{LastSentAt: &earlier, Day: "2022-05-15", DayCount: contest.SMSPerDay, Version: 1}
			if ok, err := st.SwapSMSRate(ctx, box.Index("13800138000"), contest.SMSRate{}, full); !ok || err != nil {
				t.Fatal(ok, err)
			}
			sms := &smsRecorder{}
			svc := contest.New(st, nil, contest.Options{Now: func() time.Time { return now },
				SMS: contest.SMSSettings{Sender: sms, Templates: map[contest.NotificationKind]string{contest.NoteVideoRejected: "1001"}}})

			err := svc.Messages.SendSMS(ctx, contest.SMSArgs{NotificationID: id}, 1, false)
			if !contest.SMSFinished(err) || len(sms.sent) != 0 {
				t.Fatalf("SendSMS = %v with %d sent; want none sent and the job finished", err, len(sms.sent))
			}
			list, err := st.ListDeliveries(ctx, 10, "")
			if err != nil || len(list) != 1 {
				t.Fatal(list, err)
			}
			got := list[0]
			if got.Channel != "sms" || got.State != contest.DeliveryFailed || got.Recipient != "138****8000" ||
				!strings.Contains(got.LastError, "每日上限") || !strings.Contains(got.LastError, "138****8000") || strings.Contains(got.LastError, "13800138000") {
				t.Errorf("delivery = %+v, want failed for the day's limit, the number masked", got)
			}
			// The job runs again (a retry after a crash): still nothing sent.
			if err := svc.Messages.SendSMS(ctx, contest.SMSArgs{NotificationID: id}, 2, false); err != nil || len(sms.sent) != 0 {
				t.Errorf("again: %v, %d sent", err, len(sms.sent))
			}
		})
	}
}
