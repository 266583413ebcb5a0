package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
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

// mediaQueue is the queue of media checks; exportQueue builds packages (certificates, the
// national package), one at a time per replica so that checks keep their cores.
const (
	mediaQueue  = "media"
	exportQueue = "export"
)

// A package copies every recommended original video (up to 2 GiB each) or draws thousands of
// certificates: it gets hours, not the media check's timeout, and few attempts.
const (
	exportTimeout  = 4 * time.Hour
	exportAttempts = 3
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
	Workers      int           // media checks run at once on this replica
	Timeout      time.Duration // a job running longer is cancelled and retried
	MaxAttempts  int           // attempts before a job is given up (its check then shows as failed)
	RetryBase    time.Duration // wait before the first retry; it doubles each time
	RetryMax     time.Duration // longest wait between attempts
	PollInterval time.Duration // how often an idle replica looks for new jobs
}

// DefaultJobSettings suit a 2-core server.
func DefaultJobSettings() JobSettings {
	return JobSettings{Workers: 2, Timeout: 15 * time.Minute, MaxAttempts: 6, RetryBase: 10 * time.Second,
		RetryMax: 10 * time.Minute, PollInterval: time.Second}
}

// Work is what the background jobs run: each function runs one attempt of a job; final says
// it is the last.
type Work struct {
	Check  func(ctx context.Context, a contest.VideoCheckArgs, attempt int, final bool) error
	Export func(ctx context.Context, a contest.ExportArgs, attempt int, final bool) error
}

// Jobs runs this replica's background workers.
type Jobs struct {
	client   *river.Client[*sql.Tx]
	listener *pgxpool.Pool // PostgreSQL: the connection that LISTENs for new jobs
}

// StartJobs starts working the queues on this replica. Stop it before closing the database.
func (db *DB) StartJobs(ctx context.Context, s JobSettings, work Work, log *slog.Logger) (*Jobs, error) {
	workers := river.NewWorkers()
	river.AddWorker(workers, &jobWorker[contest.VideoCheckArgs]{run: work.Check})
	queues := map[string]river.QueueConfig{mediaQueue: {MaxWorkers: s.Workers}}
	if work.Export != nil {
		river.AddWorker(workers, &exportWorker{jobWorker[contest.ExportArgs]{run: work.Export}})
		queues[exportQueue] = river.QueueConfig{MaxWorkers: 1}
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
		Queues:               queues,
		Workers:              workers,
		JobTimeout:           s.Timeout,
		RescueStuckJobsAfter: 2 * s.Timeout, // a job still running then lost its worker (killed)
		MaxAttempts:          s.MaxAttempts,
		RetryPolicy:          backoff{base: s.RetryBase, max: s.RetryMax},
		FetchPollInterval:    s.PollInterval,
		FetchCooldown:        min(s.PollInterval, 100*time.Millisecond),
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

type jobWorker[T river.JobArgs] struct {
	river.WorkerDefaults[T]
	run func(ctx context.Context, a T, attempt int, final bool) error
}

func (w *jobWorker[T]) Work(ctx context.Context, job *river.Job[T]) error {
	return w.run(ctx, job.Args, job.Attempt, job.Attempt >= job.MaxAttempts)
}

// exportWorker builds packages: a long timeout, and an error that would repeat (a font or the
// site address missing) ends the job at once instead of being retried.
type exportWorker struct{ jobWorker[contest.ExportArgs] }

func (w *exportWorker) Timeout(*river.Job[contest.ExportArgs]) time.Duration { return exportTimeout }

func (w *exportWorker) Work(ctx context.Context, job *river.Job[contest.ExportArgs]) error {
	err := w.jobWorker.Work(ctx, job)
	if err != nil && contest.PermanentExportError(err) {
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
	sqlTx, ok := tx.Statement.ConnPool.(*sql.Tx)
	if !ok {
		return fmt.Errorf("jobs: queue %s outside a transaction", a.Kind())
	}
	client, err := db.insertClient()
	if err != nil {
		return err
	}
	_, err = client.InsertTx(ctx, sqlTx, a, &river.InsertOpts{Queue: mediaQueue, MaxAttempts: db.checkAttempts})
	return err
}

// RequeueChecks queues the checks of videos that are checking with no check queued (videos
// uploaded before checks existed), or whose check was queued before lostBefore and has not
// ended (a job lost some other way; pass a time well beyond a job's attempts and retries). It
// returns how many it queued.
func (db *DB) RequeueChecks(ctx context.Context, lostBefore time.Time, limit int) (int, error) {
	var rows []submissionRow
	err := db.gorm.WithContext(ctx).Select("id", "video_key").
		Where("video_check = ? AND video_key <> '' AND (video_check_queued_at IS NULL OR video_check_queued_at < ?)",
			string(contest.CheckPending), lostBefore.UTC()).
		Order("video_uploaded_at").Limit(limit).Find(&rows).Error
	if err != nil {
		return 0, translate(err, "作品")
	}
	for _, r := range rows {
		err := db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			err := tx.Model(&submissionRow{}).Where("id = ? AND video_key = ?", r.ID, r.VideoKey).
				Update("video_check_queued_at", time.Now().UTC()).Error
			if err != nil {
				return err
			}
			return db.queueCheck(ctx, tx, contest.VideoCheckArgs{SubmissionID: r.ID, VideoKey: r.VideoKey})
		})
		if err != nil {
			return 0, translate(err, "作品")
		}
	}
	return len(rows), nil
}
