package db_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/jskx/contest/internal/contest"
	"github.com/jskx/contest/internal/db"
)

// withAcceptedVideo gives s a video whose check accepted it, through the verdict's store call,
// and returns the work as stored.
func withAcceptedVideo(t *testing.T, st *db.Stores, s contest.Submission, now time.Time) contest.Submission {
	t.Helper()
	ctx := context.Background()
	u := contest.Upload{ID: contest.NewID(), SubmissionID: s.ID, OwnerID: s.OwnerID, Key: "videos/" + s.ID + "/v.mp4",
		StorageID: "sid-" + s.ID, FileName: "作品.mp4", ContentType: "video/mp4", Size: 10, PartSize: 10, PartCount: 1,
		State: contest.UploadOpen, CreatedAt: now, UpdatedAt: now, ExpiresAt: now.Add(time.Hour)}
	if err := st.CreateUpload(ctx, &u); err != nil {
		t.Fatal(err)
	}
	read, err := st.SubmissionByID(ctx, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	read.AttachVideo(contest.Video{Attachment: contest.Attachment{Key: u.Key, Name: u.FileName, Size: 10}, UploadedAt: now})
	done := u
	done.State, done.CompletedAt = contest.UploadCompleted, &now
	if err := st.FinishUpload(ctx, &done, &read, false, ""); err != nil {
		t.Fatal(err)
	}
	check := contest.VideoCheck{State: contest.CheckAccepted, CheckedAt: &now, Attempts: 1}
	follow := contest.VerdictFollowUp{Scan: &contest.VideoScanArgs{SubmissionID: s.ID, VideoKey: u.Key}}
	if err := st.SaveVideoVerdict(ctx, s.ID, u.Key, check, follow); err != nil {
		t.Fatal(err)
	}
	out, err := st.SubmissionByID(ctx, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// An accepted verdict queues the video's scan in its transaction; a scan saved keeps its
// findings and hashes; a duplicate found by the later work is listed on the earlier one's scan
// too; a scan of a replaced video is stale; the clearance is kept with its audit entry; a video
// accepted without a scan (from before scans) is queued by the housekeeping.
func TestScans_StoreFindingsDuplicatesBothWaysAndRequeue(t *testing.T) {
	withWork(t, func(t *testing.T, d *db.DB, st *db.Stores, first contest.Submission) {
		ctx := context.Background()
		now := time.Date(2022, 5, 20, 2, 0, 0, 0, time.UTC)
		first = withAcceptedVideo(t, st, first, now)
		queued, err := st.VideoScan(ctx, first.Video.Key)
		if err != nil || queued.State != contest.ScanQueued || queued.ContestID != first.ContestID {
			t.Fatalf("after an accepted verdict the scan is %+v, %v; want queued", queued, err)
		}

		second := first
		second.ID, second.Reference, second.Video, second.Registration.Title = contest.NewID(), "2022-000002", nil, "另一部作品"
		second.Participants = []contest.Participant{{ID: contest.NewID(), Name: "王五", IDType: contest.IDResident, IDNumber: idLi, ConsentToken: "tok-3"}}
		if err := st.CreateSubmission(ctx, &second, nil); err != nil {
			t.Fatal(err)
		}
		second = withAcceptedVideo(t, st, second, now)

		hashes := []contest.FrameHash{{At: 0, Hash: 0xdeadbeefcafef00d}, {At: 1.0, Hash: 1}, {At: 2.5, Hash: 1 << 63}}
		f := contest.ScanFindings{Sound: contest.SoundPicture{HasAudio: true, Loudness: -31.2, TruePeak: -4, Frames: 10},
			Leaks:     []contest.LeakHit{{Kind: contest.LeakName, At: 3.5, Region: contest.RegionBottom, Read: "主创：张三", Matched: "张三", Score: 1, Frame: 1}},
			Subtitles: contest.Subtitles{Sampled: 5, WithText: 0}}
		scan := contest.VideoScan{SubmissionID: first.ID, ContestID: first.ContestID, VideoKey: first.Video.Key, State: contest.ScanDone,
			Findings: f, Hashes: hashes, Attempts: 1, ScannedAt: &now}
		if err := st.SaveVideoScan(ctx, scan); err != nil {
			t.Fatal(err)
		}
		got, err := st.VideoScan(ctx, first.Video.Key)
		if err != nil || got.State != contest.ScanDone || !reflect.DeepEqual(got.Findings, f) {
			t.Fatalf("stored scan %+v, %v; want the findings saved", got, err)
		}

		others, err := st.ScanHashes(ctx, first.ContestID, second.Video.Key)
		if err != nil || len(others) != 1 || others[0].SubmissionID != first.ID || others[0].Title != first.Registration.Title || !reflect.DeepEqual(others[0].Hashes, hashes) {
			t.Fatalf("the contest's other hashes %+v, %v", others, err)
		}
		dup := contest.DuplicateHit{SubmissionID: first.ID, Title: first.Registration.Title, SameOwner: true, Share: 0.9, Offset: 2}
		later := contest.VideoScan{SubmissionID: second.ID, ContestID: second.ContestID, VideoKey: second.Video.Key, State: contest.ScanDone,
			Findings: contest.ScanFindings{Duplicates: []contest.DuplicateHit{dup}}, Hashes: hashes, ScannedAt: &now}
		if err := st.SaveVideoScan(ctx, later); err != nil {
			t.Fatal(err)
		}
		back, err := st.VideoScan(ctx, first.Video.Key)
		want := contest.DuplicateHit{SubmissionID: second.ID, Title: "另一部作品", SameOwner: true, Share: 0.9, Offset: -2}
		if err != nil || len(back.Findings.Duplicates) != 1 || back.Findings.Duplicates[0] != want {
			t.Fatalf("the earlier work's duplicates %+v, %v; want %+v", back.Findings.Duplicates, err, want)
		}
		byWork, err := st.WorkScans(ctx, []string{first.ID, second.ID, "nobody"})
		if err != nil || len(byWork) != 2 || byWork[second.ID].Findings.Duplicates[0].SubmissionID != first.ID {
			t.Fatalf("scans by work %+v, %v", byWork, err)
		}

		stale := scan
		stale.VideoKey = "videos/replaced.mp4"
		if err := st.SaveVideoScan(ctx, stale); !errors.Is(err, contest.ErrStale) {
			t.Fatalf("saving the scan of a video that is not the work's: %v, want ErrStale", err)
		}

		pending := func() []string {
			page, err := st.ListSubmissions(ctx, contest.SubmissionFilter{ContestID: first.ContestID, Reason: contest.WScanPending, Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, it := range page.Items {
				ids = append(ids, it.ID)
			}
			return ids
		}
		if got := pending(); len(got) != 2 {
			t.Errorf("the list's 画面提示待处理 holds %v; want both works (a name on one, the duplicate on both)", got)
		}
		clearance := &contest.ScanClearance{ByID: "org", At: now, Note: "署名为讲解对象"}
		if err := st.ClearVideoScan(ctx, first.Video.Key, clearance, auditEntry(now)); err != nil {
			t.Fatal(err)
		}
		if got, err := st.VideoScan(ctx, first.Video.Key); err != nil || got.Cleared == nil || got.Cleared.Note != "署名为讲解对象" {
			t.Fatalf("cleared scan %+v, %v", got.Cleared, err)
		}
		if got := pending(); len(got) != 1 || got[0] != second.ID {
			t.Errorf("after clearing the first work, 画面提示待处理 holds %v; want the second only", got)
		}
		// A new scan naming the same keeps the clearance; the copy's new scan no longer finding
		// the first work takes the hit back from it.
		cleared, err := st.VideoScan(ctx, first.Video.Key)
		if err != nil {
			t.Fatal(err)
		}
		rescan := scan
		rescan.Findings = cleared.Findings
		if err := st.SaveVideoScan(ctx, rescan); err != nil {
			t.Fatal(err)
		}
		if got, err := st.VideoScan(ctx, first.Video.Key); err != nil || got.Cleared == nil {
			t.Fatalf("a new scan finding the same: cleared %+v, %v; want the clearance kept", got.Cleared, err)
		}
		later.Findings.Duplicates = nil
		if err := st.SaveVideoScan(ctx, later); err != nil {
			t.Fatal(err)
		}
		if got, err := st.VideoScan(ctx, first.Video.Key); err != nil || len(got.Findings.Duplicates) != 0 || got.Cleared == nil {
			t.Fatalf("after the copy's new scan: duplicates %+v, cleared %v, %v; want none, still cleared", got.Findings.Duplicates, got.Cleared != nil, err)
		}
		if got := pending(); len(got) != 0 {
			t.Errorf("with no duplicate left and the name cleared, 画面提示待处理 holds %v", got)
		}
		// A duplicate found later, by a new scan of the copy, is not covered by the clearance.
		later.Findings.Duplicates = []contest.DuplicateHit{dup}
		if err := st.SaveVideoScan(ctx, later); err != nil {
			t.Fatal(err)
		}
		if got, err := st.VideoScan(ctx, first.Video.Key); err != nil || got.Cleared != nil {
			t.Fatalf("a new duplicate of a cleared work: cleared %+v, %v; want the clearance taken back", got.Cleared, err)
		}
		if err := st.ClearVideoScan(ctx, first.Video.Key, clearance, auditEntry(now)); err != nil {
			t.Fatal(err)
		}

		// The retention purge: the frames are listed for deletion, what was read is dropped.
		if keys, err := st.ScanFrameKeys(ctx, first.ContestID); err != nil || len(keys) != 1 || keys[0] != contest.ScanFrameKey(first.Video.Key, 1) {
			t.Fatalf("frame keys %v, %v", keys, err)
		}
		c, err := st.ContestByID(ctx, first.ContestID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.PurgePersonalData(ctx, c, func(contest.PurgeCounts) contest.AuditEntry { return auditEntry(now) }); err != nil {
			t.Fatal(err)
		}
		if got, err := st.VideoScan(ctx, first.Video.Key); err != nil || len(got.Findings.Leaks) != 0 || len(got.Findings.Duplicates) != 1 {
			t.Fatalf("after the purge: leaks %+v, duplicates %d, %v; want no names left, the duplicate kept", got.Findings.Leaks, len(got.Findings.Duplicates), err)
		}
		if err := d.RawExec(ctx, "DELETE FROM video_scans WHERE video_key = ?", second.Video.Key); err != nil {
			t.Fatal(err)
		}
		lost := time.Now().Add(-time.Hour)
		if n, err := st.RequeueScans(ctx, lost, 10); err != nil || n != 1 {
			t.Fatalf("requeued %d scans, %v; want the one video without a scan", n, err)
		}
		if again, err := st.VideoScan(ctx, second.Video.Key); err != nil || again.State != contest.ScanQueued {
			t.Fatalf("requeued scan %+v, %v", again, err)
		}
		if n, err := st.RequeueScans(ctx, lost, 10); err != nil || n != 0 {
			t.Fatalf("requeued %d scans the second time, %v; want none", n, err)
		}
		// A scan queued long ago and never finished lost its job: it is queued again.
		if err := d.RawExec(ctx, "UPDATE video_scans SET queued_at = ? WHERE video_key = ?", time.Now().Add(-2*time.Hour).UTC(), second.Video.Key); err != nil {
			t.Fatal(err)
		}
		if n, err := st.RequeueScans(ctx, lost, 10); err != nil || n != 1 {
			t.Fatalf("requeued %d lost scans, %v; want 1", n, err)
		}
	})
}

// Asking twice for a video's scan (a double click on 重新扫描, the housekeeping finding a scan
// still waiting) queues one job.
func TestScans_OneJobPerVideoAtATime(t *testing.T) {
	withWork(t, func(t *testing.T, d *db.DB, st *db.Stores, s contest.Submission) {
		ctx := context.Background()
		s = withAcceptedVideo(t, st, s, time.Date(2022, 5, 20, 2, 0, 0, 0, time.UTC))
		for range 2 {
			if err := st.RequestVideoScan(ctx, s.ContestID, s.ID, s.Video.Key); err != nil {
				t.Fatal(err)
			}
		}
		args := "CAST(args AS TEXT)" // SQLite keeps the JSON as a blob
		if d.Dialect() == db.Postgres {
			args = "args::text"
		}
		rows, err := d.RawRows(ctx, "SELECT id FROM river_job WHERE kind = 'video_scan' AND "+args+" LIKE '%"+s.Video.Key+"%'")
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1 {
			t.Errorf("%d scan jobs queued for one video (the verdict's and two requests), want 1", len(rows))
		}
	})
}
