package db

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"runtime"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/pressly/goose/v3"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"
	"gorm.io/gorm"

	"github.com/jskx/contest/internal/contest"
)

// Background jobs run on River (riverqueue.com), a job queue kept in the same database: a job
// is inserted in the transaction that makes it necessary (a finished upload queues its check),
// survives restarts, is locked by one worker at a time across replicas, is retried with
// backoff, and a job whose worker died mid-run is rescued and run again. The database/sql
// drivers are used for both dialects, so the queue shares GORM's connection pool.

// riverSchemaVersion is the River schema migration 00004 installs. A River upgrade that needs
// a newer schema comes with a migration that moves it on.
const riverSchemaVersion = 8

// The queues. Verdicts, which contestants wait for, have a queue and workers of their own, so
// they never wait behind the poster frames and web copies (which read the whole file) nor the
// packages; housekeeping runs one task at a time beside them.
const (
	checkQueue        = "media" // verdicts; the name from before the split keeps the checks queued then
	copyQueue         = "media_copies"
	exportQueue       = "export"
	housekeepingQueue = "housekeeping"
)

// A package copies every recommended original video (up to 2 GiB each) or draws thousands of
// certificates: it gets hours, not the media check's timeout, and few attempts.
const (
	exportTimeout  = 4 * time.Hour
	exportAttempts = 3
)

// How River (v0.51, internal/maintenance and internal/leadership) finds a job whose worker
// died: the elected leader's rescuer looks every 30 s for jobs running longer than
// RescueStuckJobsAfter (and their kind's timeout), and schedules them to be retried; the
// scheduler makes retried jobs available every 5 s. A new leader is elected within about 22 s of
// the old one's death (15 s lease, 5-6 s between attempts, up to 1 s staggered start) and its
// rescuer looks at once — sooner than the next look of a live leader — so a dead leader adds
// nothing to the bound below. Neither interval can be configured.
const (
	riverRescuerInterval   = 30 * time.Second
	riverSchedulerInterval = 5 * time.Second
	// rescueMargin is how long past its timeout a verdict counts as lost: a cancelled verdict
	// records its failure within it.
	rescueMargin = 5 * time.Second
)

// riverMigration installs River's tables as a step of our own migrations, so `contest
// migrate`, goose's lock and the schema version check cover them too.
//
// River's steps run each in their own transaction (a later one uses an enum value an earlier
// one adds, which PostgreSQL allows only after a commit); a step that fails is rolled back
// alone and the next `migrate` resumes from it.
func riverMigration(dialect string) *goose.Migration {
	migrate := func(direction rivermigrate.Direction, target int) func(context.Context, *sql.DB) error {
		return func(ctx context.Context, pool *sql.DB) error {
			m, err := rivermigrate.New(riverDriver(dialect, pool), &rivermigrate.Config{Logger: quietLogger})
			if err != nil {
				return err
			}
			_, err = m.Migrate(ctx, direction, &rivermigrate.MigrateOpts{TargetVersion: target})
			return err
		}
	}
	return goose.NewGoMigration(4,
		&goose.GoFunc{RunDB: migrate(rivermigrate.DirectionUp, riverSchemaVersion)},
		&goose.GoFunc{RunDB: migrate(rivermigrate.DirectionDown, -1)})
}

var quietLogger = slog.New(slog.DiscardHandler)

func riverDriver(dialect string, pool *sql.DB) riverdriver.Driver[*sql.Tx] {
	if dialect == SQLite {
		return riversqlite.New(pool)
	}
	return riverdatabasesql.New(pool)
}

// JobSettings tune the background jobs.
type JobSettings struct {
	Workers      int           // verdicts run at once on this replica
	CopyWorkers  int           // poster frames and web copies made at once on this replica (0: 1)
	ScanWorkers  int           // content scans run at once on this replica (0: 1)
	CheckTimeout time.Duration // a verdict running longer is cancelled and retried (0: Timeout)
	Timeout      time.Duration // a poster frame and web copy running longer is cancelled and retried
	MaxAttempts  int           // attempts before a job is given up (its check then shows as failed)
	RetryBase    time.Duration // wait before the first retry; it doubles each time
	RetryMax     time.Duration // longest wait between attempts
	PollInterval time.Duration // how often an idle replica looks for new jobs
	// HousekeepingInterval is how often each housekeeping task runs, once across replicas
	// (0: DefaultHousekeepingInterval).
	HousekeepingInterval time.Duration
	// MailWorkers is how many e-mails this replica sends at once (0: DefaultMailWorkers).
	MailWorkers int
	// MailTimeout bounds one attempt to send an e-mail; one running longer lost its replica
	// and is sent again (0: DefaultMailTimeout).
	MailTimeout time.Duration
}

// The e-mail defaults: two sends at a time per replica, each within MailTimeoutFor the SMTP
// client's default 30 s.
const (
	DefaultMailWorkers = 2
	DefaultMailTimeout = 65 * time.Second
)

// MailTimeoutFor is the time an attempt to send an e-mail gets with an SMTP client whose
// timeout is smtpTimeout: the client bounds the connection and greeting with it, then the
// commands from MAIL to the end of DATA again; 5 s more to record the outcome.
func MailTimeoutFor(smtpTimeout time.Duration) time.Duration { return 2*smtpTimeout + 5*time.Second }

// DefaultHousekeepingInterval is how often the housekeeping tasks run.
const DefaultHousekeepingInterval = 15 * time.Minute

// DefaultJobSettings run as many verdicts at once as the machine has cores (a verdict is one
// ffprobe, a fraction of a second of one core), half as many copies, and bound a verdict to
// 45 s so that one whose replica died is running again elsewhere within Takeover (100 s).
// The cores are those the process may use (GOMAXPROCS follows a container's CPU limit;
// NumCPU counts the host's), at most 64, the most the settings accept.
func DefaultJobSettings() JobSettings {
	cores := min(runtime.GOMAXPROCS(0), 64)
	return JobSettings{Workers: cores, CopyWorkers: max(1, cores/2), CheckTimeout: 45 * time.Second,
		Timeout: 15 * time.Minute, MaxAttempts: 6, RetryBase: 10 * time.Second, RetryMax: 10 * time.Minute,
		PollInterval: time.Second, HousekeepingInterval: DefaultHousekeepingInterval,
		MailWorkers: DefaultMailWorkers, MailTimeout: DefaultMailTimeout}
}

func (s JobSettings) withDefaults() JobSettings {
	if s.CheckTimeout <= 0 {
		s.CheckTimeout = s.Timeout
	}
	s.CopyWorkers = max(s.CopyWorkers, 1)
	s.ScanWorkers = max(s.ScanWorkers, 1)
	if s.HousekeepingInterval <= 0 {
		s.HousekeepingInterval = DefaultHousekeepingInterval
	}
	if s.MailWorkers <= 0 {
		s.MailWorkers = DefaultMailWorkers
	}
	if s.MailTimeout <= 0 {
		s.MailTimeout = DefaultMailTimeout
	}
	return s
}

// RescueAfter is how long a verdict runs before River counts its worker as dead (killed, its
// machine gone) and runs it again.
func (s JobSettings) RescueAfter() time.Duration { return s.withDefaults().CheckTimeout + rescueMargin }

// Takeover is the longest a verdict whose replica died waits, from its start, until it runs
// again on another replica: counted lost after RescueAfter, found by the rescuer within its
// interval, retried after the first backoff (+10 % jitter), made available by the scheduler,
// fetched within the poll interval.
func (s JobSettings) Takeover() time.Duration {
	return s.RescueAfter() + riverRescuerInterval + s.RetryBase*11/10 + riverSchedulerInterval + s.PollInterval
}

// Work is what the background jobs run: each function runs one attempt of a job; final says
// it is the last. Copy and Export may be nil on replicas that do not run them (tests).
type Work struct {
	Check func(ctx context.Context, a contest.VideoCheckArgs, attempt int, final bool) error
	Copy  func(ctx context.Context, a contest.VideoCopyArgs, attempt int, final bool) error
	// Scan runs a video's content scan (queue media_scans, one at a time); nil on replicas
	// that run none.
	Scan   func(ctx context.Context, a contest.VideoScanArgs, attempt int, final bool) error
	Export func(ctx context.Context, a contest.ExportArgs, attempt int, final bool) error
	// Email sends one notification's e-mail (queue mail); nil on replicas that send none.
	Email func(ctx context.Context, a contest.EmailArgs, attempt int, final bool) error
	// SMS sends one notification's SMS (queue sms); nil on replicas that send none.
	SMS func(ctx context.Context, a contest.SMSArgs, attempt int, final bool) error
	// Account sends one account mail (a reset or invitation link; queue mail); nil on
	// replicas that send none.
	Account func(ctx context.Context, a contest.AccountMailArgs, attempt int, final bool) error
	// Housekeeping are tasks run every HousekeepingInterval (and when a replica becomes the
	// leader), once across replicas: River's elected leader queues them.
	Housekeeping []Task
	// ObserveJob, if not nil, is told how long each attempt of a job ran and how it ended, by
	// kind (video_check, video_copy, video_scan, export, notification_email, housekeeping).
	ObserveJob func(kind string, d time.Duration, err error)
}

// Task is a housekeeping task: Run does one round and says how many things it handled.
type Task struct {
	Name string
	Run  func(ctx context.Context) (int, error)
	// Interval, if not 0, is how often this task runs in place of HousekeepingInterval.
	Interval time.Duration
}

// Jobs runs this replica's background workers.
type Jobs struct {
	client   *river.Client[*sql.Tx]
	listener *pgxpool.Pool // PostgreSQL: the connection that LISTENs for new jobs
}

// StartJobs starts working the queues on this replica. Stop it before closing the database.
func (db *DB) StartJobs(ctx context.Context, s JobSettings, work Work, log *slog.Logger) (*Jobs, error) {
	s = s.withDefaults()
	workers := river.NewWorkers()
	river.AddWorker(workers, &jobWorker[contest.VideoCheckArgs]{run: work.Check, observe: work.ObserveJob, timeout: s.CheckTimeout})
	queues := map[string]river.QueueConfig{checkQueue: {MaxWorkers: s.Workers}}
	if work.Copy != nil {
		river.AddWorker(workers, &jobWorker[contest.VideoCopyArgs]{run: work.Copy, observe: work.ObserveJob, timeout: s.Timeout})
		queues[copyQueue] = river.QueueConfig{MaxWorkers: s.CopyWorkers}
	}
	if work.Scan != nil {
		river.AddWorker(workers, &scanWorker{jobWorker[contest.VideoScanArgs]{run: work.Scan, observe: work.ObserveJob, timeout: s.Timeout}})
		queues[scanQueue] = river.QueueConfig{MaxWorkers: s.ScanWorkers}
	}
	if work.Export != nil {
		river.AddWorker(workers, &exportWorker{jobWorker[contest.ExportArgs]{run: work.Export, observe: work.ObserveJob, timeout: exportTimeout}})
		queues[exportQueue] = river.QueueConfig{MaxWorkers: 1}
	}
	if work.Email != nil {
		river.AddWorker(workers, &mailWorker[contest.EmailArgs]{jobWorker[contest.EmailArgs]{run: work.Email, observe: work.ObserveJob, timeout: s.MailTimeout}})
		queues[mailQueue] = river.QueueConfig{MaxWorkers: s.MailWorkers}
	}
	if work.SMS != nil {
		river.AddWorker(workers, &smsWorker{jobWorker: jobWorker[contest.SMSArgs]{run: work.SMS, observe: work.ObserveJob, timeout: time.Minute},
			maxWait: s.RetryMax})
		queues[smsQueue] = river.QueueConfig{MaxWorkers: smsWorkers}
	}
	if work.Account != nil {
		river.AddWorker(workers, &mailWorker[contest.AccountMailArgs]{jobWorker[contest.AccountMailArgs]{run: func(ctx context.Context, a contest.AccountMailArgs, attempt int, final bool) error {
			a, err := db.openAccountMail(a)
			if err != nil {
				return river.JobCancel(err) // it would not open at the next attempt either
			}
			return work.Account(ctx, a, attempt, final)
		}, observe: work.ObserveJob, timeout: s.MailTimeout}})
		queues[mailQueue] = river.QueueConfig{MaxWorkers: s.MailWorkers}
	}
	var periodic []*river.PeriodicJob
	if len(work.Housekeeping) > 0 {
		hw := &housekeepingWorker{tasks: map[string]Task{}, observe: work.ObserveJob, log: log}
		for _, t := range work.Housekeeping {
			hw.tasks[t.Name] = t
			periodic = append(periodic, housekeepingJob(t.Name, cmp.Or(t.Interval, s.HousekeepingInterval)))
		}
		river.AddWorker(workers, hw)
		queues[housekeepingQueue] = river.QueueConfig{MaxWorkers: 1}
	}
	sqlDB, err := db.gorm.DB()
	if err != nil {
		return nil, err
	}
	driver, jobs := riverDriver(db.dialect, sqlDB), &Jobs{}
	if db.dialect == Postgres {
		// database/sql cannot LISTEN; one pgx connection does, so a replica starts a check as
		// soon as a job is inserted (inserts NOTIFY in their transaction) instead of polling.
		cfg, err := pgxpool.ParseConfig(db.url)
		if err != nil {
			return nil, fmt.Errorf("jobs: %w", err)
		}
		cfg.MaxConns, cfg.MinConns = 2, 0
		if jobs.listener, err = pgxpool.NewWithConfig(ctx, cfg); err != nil {
			return nil, fmt.Errorf("jobs: listener: %w", err)
		}
		driver = riverdatabasesql.NewWithPgxListener(sqlDB, jobs.listener)
	}
	client, err := river.NewClient(driver, &river.Config{
		Queues:  queues,
		Workers: workers,
		// Each kind has its own timeout (the workers' Timeout); this one is for the verdicts,
		// and a verdict still running past it lost its worker and is run again.
		JobTimeout:           s.CheckTimeout,
		RescueStuckJobsAfter: s.RescueAfter(),
		MaxAttempts:          s.MaxAttempts,
		RetryPolicy:          backoff{base: s.RetryBase, max: s.RetryMax},
		FetchPollInterval:    s.PollInterval,
		FetchCooldown:        min(s.PollInterval, 100*time.Millisecond),
		PeriodicJobs:         periodic,
		Logger:               log,
	})
	if err != nil {
		jobs.close()
		return nil, fmt.Errorf("jobs: %w", err)
	}
	if err := client.Start(ctx); err != nil {
		jobs.close()
		return nil, fmt.Errorf("jobs: start: %w", err)
	}
	db.checkAttempts = s.MaxAttempts
	jobs.client = client
	return jobs, nil
}

func (j *Jobs) close() {
	if j.listener != nil {
		j.listener.Close()
	}
}

// Stop lets running jobs finish until ctx is done, then cancels them; a cancelled job is run
// again later, here or on another replica.
func (j *Jobs) Stop(ctx context.Context) error {
	defer j.close()
	err := j.client.Stop(ctx)
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return j.client.StopAndCancel(context.Background())
	}
	return err
}

// jobWorker runs one kind of job with its own timeout, and tells observe how long it ran.
type jobWorker[T river.JobArgs] struct {
	river.WorkerDefaults[T]
	run     func(ctx context.Context, a T, attempt int, final bool) error
	observe func(kind string, d time.Duration, err error)
	timeout time.Duration
}

func (w *jobWorker[T]) Timeout(*river.Job[T]) time.Duration { return w.timeout }

func (w *jobWorker[T]) Work(ctx context.Context, job *river.Job[T]) error {
	start := time.Now()
	err := w.run(ctx, job.Args, job.Attempt, job.Attempt >= job.MaxAttempts)
	if w.observe != nil {
		w.observe(job.Kind, time.Since(start), err)
	}
	return err
}

// exportWorker builds packages: a long timeout, and an error that would repeat (a font or the
// site address missing) ends the job at once instead of being retried.
type exportWorker struct{ jobWorker[contest.ExportArgs] }

func (w *exportWorker) Work(ctx context.Context, job *river.Job[contest.ExportArgs]) error {
	err := w.jobWorker.Work(ctx, job)
	if err != nil && contest.PermanentExportError(err) {
		return river.JobCancel(err)
	}
	return err
}

// scanWorker runs content scans: a file that cannot be decoded is not tried again (the scan
// records the failure).
type scanWorker struct {
	jobWorker[contest.VideoScanArgs]
}

func (w *scanWorker) Work(ctx context.Context, job *river.Job[contest.VideoScanArgs]) error {
	err := w.jobWorker.Work(ctx, job)
	if errors.Is(err, contest.ErrUnreadableMedia) {
		return river.JobCancel(err)
	}
	return err
}

// mailWorker sends e-mails (notifications' and account links'): a mail the server refused
// for good is not tried again.
type mailWorker[T river.JobArgs] struct{ jobWorker[T] }

func (w *mailWorker[T]) Work(ctx context.Context, job *river.Job[T]) error {
	err := w.jobWorker.Work(ctx, job)
	if errors.Is(err, contest.ErrMailRefused) {
		return river.JobCancel(err)
	}
	return err
}

// backoff doubles the wait after each failed attempt, from base up to max, with ±10% jitter so
// that jobs failing together do not come back together.
type backoff struct{ base, max time.Duration }

func (b backoff) NextRetry(job *rivertype.JobRow) time.Time {
	d := b.base
	for i := 1; i < job.Attempt && d < b.max; i++ {
		d *= 2
	}
	d = min(d, b.max)
	d += time.Duration((rand.Float64()*0.2 - 0.1) * float64(d))
	return time.Now().Add(d)
}

// insertClient returns a client that only inserts jobs (it works none).
func (db *DB) insertClient() (*river.Client[*sql.Tx], error) {
	db.insertOnce.Do(func() {
		db.inserter, db.insertErr = river.NewClient(riverDriver(db.dialect, nil), &river.Config{Logger: quietLogger})
	})
	return db.inserter, db.insertErr
}

// queueCheck inserts the check of a video in the transaction tx. The caller records when (the
// video_check_queued_at column), so that the housekeeper queues only checks that are lost.
func (db *DB) queueCheck(ctx context.Context, tx *gorm.DB, a contest.VideoCheckArgs) error {
	return db.insertTx(ctx, tx, a, &river.InsertOpts{Queue: checkQueue, MaxAttempts: db.checkAttempts, Priority: 1})
}

// queueCopy inserts the job that makes a video's poster frame and web copy in the transaction
// tx. A second one for the same video (a verdict run twice) finds the work done.
func (db *DB) queueCopy(ctx context.Context, tx *gorm.DB, a contest.VideoCopyArgs) error {
	return db.insertTx(ctx, tx, a, &river.InsertOpts{Queue: copyQueue, MaxAttempts: db.checkAttempts, Priority: 2})
}

// insertTx inserts a job in the GORM transaction tx: it runs only if tx commits.
func (db *DB) insertTx(ctx context.Context, tx *gorm.DB, a river.JobArgs, opts *river.InsertOpts) error {
	return db.insertManyTx(ctx, tx, []river.InsertManyParams{{Args: a, InsertOpts: opts}})
}

// insertManyTx inserts jobs in the GORM transaction tx: they run only if tx commits.
func (db *DB) insertManyTx(ctx context.Context, tx *gorm.DB, jobs []river.InsertManyParams) error {
	sqlTx, ok := tx.Statement.ConnPool.(*sql.Tx)
	if !ok {
		return fmt.Errorf("jobs: queue %d jobs outside a transaction", len(jobs))
	}
	client, err := db.insertClient()
	if err != nil {
		return err
	}
	_, err = client.InsertManyTx(ctx, sqlTx, jobs)
	return err
}

// RequeueChecks queues the checks of videos that are checking with no check queued (videos
// uploaded before checks existed), or whose check was queued before lostBefore and has not
// ended (a job lost some other way; pass a time well beyond a job's attempts and retries). It
// returns how many it queued.
func (db *DB) RequeueChecks(ctx context.Context, lostBefore time.Time, limit int) (int, error) {
	lost := "video_check = ? AND video_key <> '' AND (video_check_queued_at IS NULL OR video_check_queued_at < ?)"
	var rows []submissionRow
	err := db.gorm.WithContext(ctx).Select("id", "video_key").Where(lost, string(contest.CheckPending), lostBefore.UTC()).
		Order("video_uploaded_at").Limit(limit).Find(&rows).Error
	if err != nil {
		return 0, translate(err, "作品")
	}
	// And the candidate videos' (migration 00020), in what is left of the limit.
	var cands []candidateRow
	if len(rows) < limit {
		err = db.gorm.WithContext(ctx).Select("submission_id", "video_key").Where(lost, string(contest.CheckPending), lostBefore.UTC()).
			Order("video_uploaded_at").Limit(limit - len(rows)).Find(&cands).Error
		if err != nil {
			return 0, translate(err, "作品")
		}
	}
	checks := make([]contest.VideoCheckArgs, 0, len(rows)+len(cands))
	for _, r := range rows {
		checks = append(checks, contest.VideoCheckArgs{SubmissionID: r.ID, VideoKey: r.VideoKey})
	}
	for _, r := range cands {
		checks = append(checks, contest.VideoCheckArgs{SubmissionID: r.SubmissionID, VideoKey: r.VideoKey})
	}
	for _, a := range checks {
		err := db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			if _, err := updateVideoByKey(tx, a.SubmissionID, a.VideoKey, map[string]any{"video_check_queued_at": time.Now().UTC()}); err != nil {
				return err
			}
			return db.queueCheck(ctx, tx, a)
		})
		if err != nil {
			return 0, translate(err, "作品")
		}
	}
	return len(checks), nil
}

// HousekeepingArgs ask for one round of a housekeeping task.
type HousekeepingArgs struct {
	Task string `json:"task"`
}

// Kind names the job for the queue.
func (HousekeepingArgs) Kind() string { return "housekeeping" }

// housekeepingJob queues the task every interval, and at once when a replica becomes the
// leader; a round already queued or run in this interval is not queued again.
func housekeepingJob(task string, interval time.Duration) *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(interval), func() (river.JobArgs, *river.InsertOpts) {
		return HousekeepingArgs{Task: task}, &river.InsertOpts{Queue: housekeepingQueue, MaxAttempts: 1,
			UniqueOpts: river.UniqueOpts{ByArgs: true, ByPeriod: interval}}
	}, &river.PeriodicJobOpts{ID: "housekeeping-" + task, RunOnStart: true})
}

// housekeepingWorker runs a round of the task a job names; a failed round is not retried (the
// next one comes within the interval).
type housekeepingWorker struct {
	river.WorkerDefaults[HousekeepingArgs]
	tasks   map[string]Task
	observe func(kind string, d time.Duration, err error)
	log     *slog.Logger
}

func (w *housekeepingWorker) Timeout(*river.Job[HousekeepingArgs]) time.Duration {
	return 10 * time.Minute
}

func (w *housekeepingWorker) Work(ctx context.Context, job *river.Job[HousekeepingArgs]) error {
	t, ok := w.tasks[job.Args.Task]
	if !ok { // queued by a replica of another version
		return river.JobCancel(fmt.Errorf("unknown housekeeping task %q", job.Args.Task))
	}
	start := time.Now()
	n, err := t.Run(ctx)
	if w.observe != nil {
		w.observe(job.Kind, time.Since(start), err)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", t.Name, err)
	}
	if n > 0 {
		w.log.Info("housekeeping", "task", t.Name, "count", n)
	}
	return nil
}
