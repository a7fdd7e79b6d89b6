package export

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"minyi/internal/apperr"
	"minyi/internal/db"
	"minyi/internal/httpx"
	"minyi/internal/notify"
	"minyi/internal/users"
)

// RunArgs is the river job that writes one background export.
type RunArgs struct {
	JobID int64 `json:"export_job_id"`
}

// Kind names the job in river_job.
func (RunArgs) Kind() string { return "export_run" }

// RunAttempts is how often a job is tried before it is marked failed.
const RunAttempts = 3

// InsertOpts gives the job its attempts.
func (RunArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: RunAttempts} }

// RunTimeout bounds one attempt: a million rows take a few minutes.
const RunTimeout = time.Hour

// inserter is the insert-only river client (inserts go through the
// caller's transaction).
var inserter = sync.OnceValues(func() (*river.Client[pgx.Tx], error) {
	return river.NewClient(riverpgxv5.New(nil), &river.Config{})
})

// WorkerOptions configure the export job.
type WorkerOptions struct {
	Pool     *pgxpool.Pool
	Registry Registry
	Loc      *time.Location
	Now      func() time.Time
	Log      *slog.Logger
}

// Register adds the export job to a river client's workers (the one
// client of an instance, internal/notify's).
func Register(ws *river.Workers, o WorkerOptions) error {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	return river.AddWorkerSafely(ws, &runWorker{o: o})
}

type runWorker struct {
	river.WorkerDefaults[RunArgs]
	o WorkerOptions
}

// Timeout overrides river's one-minute default.
func (w *runWorker) Timeout(*river.Job[RunArgs]) time.Duration { return RunTimeout }

// Work writes the job's file into export_chunks, telling its progress as
// it goes. The export is built again for the owner as the account is now
// (a unit account moved to another unit exports that unit's rows; a
// disabled one nothing). An attempt that fails leaves no piece behind; a
// failure that another attempt cannot mend (the filter no longer valid,
// the owner no longer allowed), or the last attempt's, marks the job
// failed with the reason in words.
func (w *runWorker) Work(ctx context.Context, job *river.Job[RunArgs]) error {
	id := job.Args.JobID
	var j Job
	rows, _ := w.o.Pool.Query(ctx, `UPDATE export_jobs SET state = 'running', started_at = $2, rows_done = 0
		WHERE id = $1 AND state IN ('queued', 'running') RETURNING `+jobColumns, id, w.o.Now())
	j, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Job])
	if errors.Is(err, pgx.ErrNoRows) {
		return nil // deleted, or already finished
	}
	if err != nil {
		return db.Err(err)
	}
	size, n, err := w.write(ctx, j)
	if err == nil {
		return db.Tx(ctx, w.o.Pool, func(tx pgx.Tx) error {
			now := w.o.Now()
			tag, err := tx.Exec(ctx, `UPDATE export_jobs SET state = 'done', rows_done = $2, file_size = $3,
				finished_at = $4 WHERE id = $1`, id, n, size, now)
			if err != nil || tag.RowsAffected() == 0 { // deleted meanwhile: nobody to tell
				return err
			}
			return w.tell(ctx, tx, j, NoticeReady, notify.Values{"条数": httpx.GroupDigits(n),
				"格式": formatName(j.Format), "保留至": j.ExpiresAt.In(w.o.Loc).Format("2006年1月2日 15:04")}, now)
		})
	}
	cctx := context.WithoutCancel(ctx)
	if _, derr := w.o.Pool.Exec(cctx, `DELETE FROM export_chunks WHERE job_id = $1`, id); derr != nil {
		w.o.Log.Warn("export: removing the pieces of a failed attempt", "job", id, "err", derr)
	}
	lasting := apperr.Is(err, apperr.Invalid) || apperr.Is(err, apperr.Forbidden) || apperr.Is(err, apperr.NotFound) ||
		apperr.Is(err, apperr.Unauthorized)
	if !lasting && job.Attempt < job.MaxAttempts {
		_, _ = w.o.Pool.Exec(cctx, `UPDATE export_jobs SET state = 'queued' WHERE id = $1`, id)
		return err
	}
	msg := "导出时出错，请稍后重新导出。"
	if lasting {
		msg = "无法按原筛选条件导出：" + apperr.From(err).Message
	}
	w.o.Log.Warn("export failed", "job", id, "kind", j.Kind, "err", err)
	if ferr := db.Tx(cctx, w.o.Pool, func(tx pgx.Tx) error {
		now := w.o.Now()
		tag, err := tx.Exec(cctx, `UPDATE export_jobs SET state = 'failed', error = $2, finished_at = $3
			WHERE id = $1`, id, msg, now)
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		return w.tell(cctx, tx, j, NoticeFailed, notify.Values{"原因": msg}, now)
	}); ferr != nil {
		return ferr
	}
	return river.JobCancel(err)
}

// Notifications of a background export, to the account that started it.
const (
	NoticeReady  = notify.KindExportReady
	NoticeFailed = notify.KindExportFailed
)

// tell notifies the job's owner, once per job and kind, linking to the
// job on 我的导出.
func (w *runWorker) tell(ctx context.Context, tx pgx.Tx, j Job, kind string, v notify.Values, now time.Time) error {
	id := strconv.FormatInt(j.ID, 10)
	v["导出内容"] = notify.Clip(j.Title, 40)
	_, _, err := notify.Send(ctx, tx, notify.Notice{Kind: kind, Key: kind + ":" + id, To: notify.ToUser(j.UserID),
		Values: v, Link: "/console/exports?job=" + id + "#job-" + id}, now)
	return err
}

// formatName is a file format in the user's words.
func formatName(format string) string {
	if format == CSV {
		return "CSV"
	}
	return "Excel"
}

// write builds the export and stores its file; it returns the file's
// size and the rows written.
func (w *runWorker) write(ctx context.Context, j Job) (int64, int, error) {
	build, ok := w.o.Registry[j.Kind]
	if !ok {
		return 0, 0, apperr.New(apperr.Invalid, "没有这种导出")
	}
	u, err := users.FindUserByID(ctx, w.o.Pool, j.UserID)
	if err != nil {
		return 0, 0, err
	}
	if u.DisabledAt != nil {
		return 0, 0, apperr.New(apperr.Forbidden, "账号已停用")
	}
	q, err := url.ParseQuery(j.Query)
	if err != nil {
		return 0, 0, apperr.New(apperr.Invalid, "筛选条件无效")
	}
	spec, err := build(ctx, u, q)
	if err != nil {
		return 0, 0, err
	}
	// A job deleted while it runs (it expired, or a benchmark cleaned up)
	// stops at its next progress report.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cw := &chunkWriter{ctx: ctx, q: w.o.Pool, job: j.ID}
	var last time.Time
	progress := func(n int) {
		if now := time.Now(); now.Sub(last) >= 500*time.Millisecond {
			last = now
			tag, err := w.o.Pool.Exec(ctx, `UPDATE export_jobs SET rows_done = $2 WHERE id = $1`, j.ID, n)
			if err != nil {
				w.o.Log.Warn("export: progress", "job", j.ID, "err", err)
			} else if tag.RowsAffected() == 0 {
				cancel()
			}
		}
	}
	n, err := Write(ctx, cw, j.Format, spec, Meta{At: j.CreatedAt, Loc: w.o.Loc}, progress)
	if err == nil {
		err = cw.flush()
	}
	if err != nil {
		return 0, 0, fmt.Errorf("export %d: %w", j.ID, err)
	}
	return cw.size, n, nil
}
