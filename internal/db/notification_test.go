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

// The header's unread count and the message centre read only the recipient's own rows through
// an index, however many notifications other people have (here 2 000 people with 20 each), and
// marking read touches only the recipient's.
func TestNotifications_ReadOnlyTheRecipientsRows(t *testing.T) {
	for _, dialect := range dbtest.Dialects {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			d := dbtest.MustOpen(t, dialect, dbtest.MustBox(t))
			s := mustSubmission(t, d)
			dbtest.MustCloneWorks(t, d, s.ID, 1, 2000) // their owners seed-u-1 … seed-u-2000
			if err := d.RawExec(ctx, `WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 20)
				INSERT INTO notifications (id, recipient, kind, event_key, subject, body, link, created_at)
				SELECT 'n-' || u.id || '-' || k.i, u.id, 'video_accepted', 'e' || k.i, '视频检查通过', '正文', '', ?
				FROM users u, k WHERE u.id LIKE 'seed-u-%'`, time.Date(2022, 5, 15, 2, 0, 0, 0, time.UTC)); err != nil {
				t.Fatal(err)
			}
			for name, q := range map[string]string{
				"unread count": fmt.Sprintf("SELECT count(*) FROM notifications WHERE recipient = '%s' AND read_at IS NULL", s.OwnerID),
				"message page": fmt.Sprintf("SELECT * FROM notifications WHERE recipient = '%s' ORDER BY created_at DESC, id DESC LIMIT 20", s.OwnerID),
			} {
				plan := mustPlan(t, d, q)
				for _, bad := range []string{"SCAN notifications", "Seq Scan"} {
					if strings.Contains(plan, bad) {
						t.Errorf("%s: plan has %q:\n%s", name, bad, plan)
					}
				}
				if !strings.Contains(plan, "notifications_") {
					t.Errorf("%s: plan uses no notifications index:\n%s", name, plan)
				}
			}

			// The store: the owner has none of the others' messages, and marking all read
			// leaves theirs unread.
			st := d.Stores()
			now := time.Date(2022, 5, 16, 2, 0, 0, 0, time.UTC)
			if n, err := st.CountUnread(ctx, s.OwnerID); err != nil || n != 0 {
				t.Fatalf("owner's unread = %d, %v", n, err)
			}
			if n, err := st.MarkNotificationsRead(ctx, s.OwnerID, nil, now); err != nil || n != 0 {
				t.Fatalf("owner marking all read changed %d, %v", n, err)
			}
			if n, err := st.MarkNotificationsRead(ctx, s.OwnerID, []string{"n-seed-u-1-1"}, now); err != nil || n != 0 {
				t.Fatalf("owner marking another's message found %d, %v", n, err)
			}
			p, err := st.ListNotifications(ctx, "seed-u-7", contest.MessagePageSize, 0)
			if err != nil || len(p.Items) != 20 || p.Total != 20 || p.Unread != 20 {
				t.Fatalf("seed-u-7's page = %d items, total %d, unread %d, %v", len(p.Items), p.Total, p.Unread, err)
			}
		})
	}
}
