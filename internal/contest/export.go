package contest

import (
	"archive/zip"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// Export kinds: packages built in the background because they are large.
const (
	ExportCertificates = "certificates" // every valid certificate as PDF, in one ZIP
	ExportNational     = "national"     // the works recommended to the national contest: a sheet and the videos
)

// Export states.
const (
	ExportQueued  = "queued"
	ExportRunning = "running"
	ExportDone    = "done"
	ExportFailed  = "failed"
)

// ExportJob is a package being built for an organizer, with its progress.
type ExportJob struct {
	ID         string
	ContestID  string
	Kind       string
	Status     string
	Done       int // items written so far
	Total      int
	Key        string // the ZIP in storage, once done
	Size       int64
	Error      string // why it failed, for organizers
	CreatedBy  string
	CreatedAt  time.Time
	FinishedAt *time.Time
}

// Label names the package in Chinese.
func (j ExportJob) Label() string {
	if j.Kind == ExportNational {
		return "推荐至全国作品包"
	}
	return "全部获奖证书"
}

// FileName is the name the ZIP is downloaded under.
func (j ExportJob) FileName() string {
	return fmt.Sprintf("%s-%s.zip", j.Label(), j.CreatedAt.In(Beijing).Format("20060102-1504"))
}

// ExportArgs ask for the building of one package.
type ExportArgs struct {
	ID string `json:"id"`
}

// Kind names the job for the queue.
func (ExportArgs) Kind() string { return "export" }

// ExportStore keeps export jobs.
type ExportStore interface {
	// CreateExport records the job, queues its building and records the audit entry, in one
	// transaction.
	CreateExport(ctx context.Context, j *ExportJob, a AuditEntry) error
	ExportByID(ctx context.Context, id string) (ExportJob, error)
	// SaveExport records the job's state and progress.
	SaveExport(ctx context.Context, j ExportJob) error
	// Exports returns the contest's latest jobs, newest first.
	Exports(ctx context.Context, contestID string, limit int) ([]ExportJob, error)
	// ExportsBefore returns finished jobs (done or failed) created before t, oldest first.
	ExportsBefore(ctx context.Context, t time.Time, limit int) ([]ExportJob, error)
	DeleteExport(ctx context.Context, id string) error
	// FailStaleExports marks as failed, with reason, the jobs still queued or running that were
	// created before t; it returns how many.
	FailStaleExports(ctx context.Context, t time.Time, reason string) (int64, error)
}

// ExportKeep is how long a finished package stays downloadable: packages hold videos and
// everyone's names, and are made again in minutes.
const ExportKeep = 7 * 24 * time.Hour

// ExportGiveUp is how long after its creation an unfinished package must have been lost: beyond
// every attempt (3 × 4 hours) and the waits between them.
const ExportGiveUp = 13 * time.Hour

// SweepExports deletes the packages made more than ExportKeep ago, file and record, and
// returns how many; it marks lost ones as failed. The housekeeping runs it once across replicas (deleting twice would be harmless).
func (s *ReportService) SweepExports(ctx context.Context) (int, error) {
	// A job the queue gave up on without running it (its server died in its last attempt)
	// would say "running" for ever: past all its attempts, it failed.
	if _, err := s.exports.FailStaleExports(ctx, s.Now().Add(-ExportGiveUp), "生成中断（服务重启），请重新生成"); err != nil {
		return 0, err
	}
	old, err := s.exports.ExportsBefore(ctx, s.Now().Add(-ExportKeep), 100)
	if err != nil {
		return 0, err
	}
	for _, j := range old {
		if j.Key != "" {
			if err := s.storage.Delete(ctx, j.Key); err != nil {
				return 0, err
			}
		}
		if err := s.exports.DeleteExport(ctx, j.ID); err != nil {
			return 0, err
		}
	}
	return len(old), nil
}

// SpreadsheetWriter writes sheets as one workbook (an Excel adapter).
type SpreadsheetWriter interface {
	WriteSpreadsheet(w io.Writer, sheets ...Sheet) error
}

// StartExport queues the building of a package. Organizers only.
func (s *ReportService) StartExport(ctx context.Context, actor User, kind string) (ExportJob, error) {
	if err := requireOrganizer(actor); err != nil {
		return ExportJob{}, err
	}
	if kind != ExportCertificates && kind != ExportNational {
		return ExportJob{}, Errorf(EInvalid, "未知的导出类型")
	}
	c, err := s.contests.CurrentContest(ctx)
	if err != nil {
		return ExportJob{}, err
	}
	if kind == ExportCertificates && c.Publication.PublishedAt == nil {
		return ExportJob{}, Errorf(EConflict, "结果发布后才有获奖证书")
	}
	if kind == ExportNational {
		rec, err := s.recommendations.Recommended(ctx, c.ID)
		if err != nil {
			return ExportJob{}, err
		}
		if len(rec) == 0 {
			return ExportJob{}, Errorf(EConflict, "还没有推荐至全国的作品，请先在“推荐至全国”中标记")
		}
	}
	j := ExportJob{ID: newOrderedID(), ContestID: c.ID, Kind: kind, Status: ExportQueued, CreatedBy: actor.ID, CreatedAt: s.Now()}
	if err := s.exports.CreateExport(ctx, &j, s.newAudit(actor, "export", j.ID, "start", nil, map[string]any{"kind": kind})); err != nil {
		return ExportJob{}, err
	}
	return j, nil
}

// Exports returns the latest packages. Organizers only.
func (s *ReportService) Exports(ctx context.Context, actor User) ([]ExportJob, error) {
	if err := requireOrganizer(actor); err != nil {
		return nil, err
	}
	c, err := s.contests.CurrentContest(ctx)
	if err != nil {
		return nil, err
	}
	return s.exports.Exports(ctx, c.ID, 10)
}

// Export returns one package's state. Organizers only.
func (s *ReportService) Export(ctx context.Context, actor User, id string) (ExportJob, error) {
	if err := requireOrganizer(actor); err != nil {
		return ExportJob{}, err
	}
	return s.exports.ExportByID(ctx, id)
}

// OpenExport opens a finished package for download. Organizers only; audited (the national
// package holds the original videos, the certificates everyone's names).
func (s *ReportService) OpenExport(ctx context.Context, actor User, id string) (ExportJob, io.ReadCloser, error) {
	j, err := s.Export(ctx, actor, id)
	if err != nil {
		return ExportJob{}, nil, err
	}
	if j.Status != ExportDone {
		return ExportJob{}, nil, Errorf(EConflict, "文件还在生成中，请稍候")
	}
	if err := s.audit(ctx, actor, "export", j.ID, "download", nil, map[string]any{"kind": j.Kind, "size": j.Size}); err != nil {
		return ExportJob{}, nil, err
	}
	rc, err := s.storage.Get(ctx, j.Key)
	return j, rc, err
}

// PermanentExportError reports whether a failed package would fail the same way if tried again
// (a part is missing, the request is invalid): the queue then gives it up at once.
func PermanentExportError(err error) bool {
	code := ErrorCode(err)
	return code == EUnavailable || code == EInvalid || code == ENotFound
}

// ExportKey is where a package is stored.
func ExportKey(id string) string { return "exports/" + id + ".zip" }

// RunExport builds one package: a ZIP in a temporary file, then stored. Progress is saved as
// it goes, so the organizers' page can show it. final says it is the last attempt: a failure
// is then recorded on the job.
func (s *ReportService) RunExport(ctx context.Context, a ExportArgs, attempt int, final bool) error {
	j, err := s.exports.ExportByID(ctx, a.ID)
	if err != nil {
		return err
	}
	if j.Status == ExportDone {
		return nil
	}
	j.Status, j.Done, j.Error = ExportRunning, 0, ""
	if err := s.exports.SaveExport(ctx, j); err != nil {
		return err
	}
	err = s.buildExport(ctx, &j)
	if err == nil {
		now := s.Now()
		j.Status, j.FinishedAt = ExportDone, &now
		return s.exports.SaveExport(context.WithoutCancel(ctx), j)
	}
	j.Error = ErrorMessage(err)
	if ErrorCode(err) == EInternal {
		j.Error = truncate(err.Error(), 500) // organizers see the cause, as with failed checks
	}
	j.Status = ExportQueued // tried again shortly; the page says so with the cause
	if final || PermanentExportError(err) {
		now := s.Now()
		j.Status, j.FinishedAt = ExportFailed, &now
	}
	_ = s.exports.SaveExport(context.WithoutCancel(ctx), j)
	return err
}

func (s *ReportService) buildExport(ctx context.Context, j *ExportJob) error {
	f, err := os.CreateTemp(s.tempDir, "export-*.zip")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	z := zip.NewWriter(f)
	c, err := s.contests.ContestByID(ctx, j.ContestID)
	if err != nil {
		return err
	}
	progress := func(done, total int) error {
		j.Done, j.Total = done, total
		if done == total || done%max(1, total/50) == 0 {
			return s.exports.SaveExport(ctx, *j)
		}
		return nil
	}
	if j.Kind == ExportNational {
		err = s.writeNational(ctx, c, z, progress)
	} else {
		err = s.writeCertificates(ctx, c, z, progress, &j.Error)
	}
	if err != nil {
		return err
	}
	if err := z.Close(); err != nil {
		return err
	}
	size, err := f.Seek(0, io.SeekCurrent)
	if err != nil {
		return err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	j.Key, j.Size = ExportKey(j.ID), size
	return s.storage.Put(ctx, j.Key, f, size, "application/zip")
}

// safeName keeps a title usable as a file name in a ZIP: no path separators or control
// characters, at most n characters.
func safeName(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || strings.ContainsRune(`/\:*?"<>|`, r) {
			return '_'
		}
		return r
	}, strings.TrimSpace(s))
	if r := []rune(s); len(r) > n {
		s = string(r[:n])
	}
	if s == "" {
		return "作品"
	}
	return s
}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

func round1(f float64) float64 { return float64(int(f*10+0.5)) / 10 }
