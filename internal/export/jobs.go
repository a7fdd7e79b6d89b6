package export

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/db"
)

// Job is a background export (migration 0073): its owner, what it
// exports, how far it is and, once done, its file in export_chunks.
type Job struct {
	ID         int64      `json:"id" db:"id"`
	UserID     int64      `json:"-" db:"user_id"`
	Kind       string     `json:"kind" db:"kind"`
	Format     string     `json:"format" db:"format"`
	Query      string     `json:"-" db:"query"`
	Title      string     `json:"title" db:"title"`
	FilterText string     `json:"filter" db:"filter_text"`
	State      string     `json:"state" db:"state"`
	RowsTotal  int64      `json:"rows_total" db:"rows_total"`
	RowsDone   int64      `json:"rows_done" db:"rows_done"`
	FileSize   int64      `json:"file_size" db:"file_size"`
	Error      string     `json:"error,omitempty" db:"error"`
	CreatedAt  time.Time  `json:"created_at" db:"created_at"`
	StartedAt  *time.Time `json:"started_at" db:"started_at"`
	FinishedAt *time.Time `json:"finished_at" db:"finished_at"`
	ExpiresAt  time.Time  `json:"expires_at" db:"expires_at"`
}

// The states of a job.
const (
	Queued  = "queued"
	Running = "running"
	Done    = "done"
	Failed  = "failed"
)

// StateLabel is a state in the users' words.
func StateLabel(state string) string {
	switch state {
	case Queued:
		return "排队中"
	case Running:
		return "正在导出"
	case Done:
		return "可以下载"
	}
	return "导出失败"
}

// Percent is how far the job is, 0–100: the rows written against the
// estimate, which may be off, so never 100 before the job is done.
func (j Job) Percent() int {
	switch {
	case j.State == Done:
		return 100
	case j.RowsTotal <= 0:
		return 0
	}
	return int(min(99, j.RowsDone*100/j.RowsTotal))
}

const jobColumns = `id, user_id, kind, format, query, title, filter_text, state, rows_total, rows_done, file_size,
	error, created_at, started_at, finished_at, expires_at`

// NewJob is a background export to record.
type NewJob struct {
	UserID        int64
	Kind, Format  string
	Query         string
	Title, Filter string
	RowsTotal     int
	ExpiresAt     time.Time
}

// CreateJob records the job and enqueues its river job in tx, so the job
// exists exactly when its row does.
func CreateJob(ctx context.Context, tx pgx.Tx, n NewJob) (Job, error) {
	const q = `INSERT INTO export_jobs (user_id, kind, format, query, title, filter_text, rows_total, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ` + jobColumns
	rows, _ := tx.Query(ctx, q, n.UserID, n.Kind, n.Format, n.Query, n.Title, n.Filter, n.RowsTotal, n.ExpiresAt)
	j, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Job])
	if err != nil {
		return Job{}, db.Err(err)
	}
	client, err := inserter()
	if err != nil {
		return Job{}, fmt.Errorf("export: river client: %w", err)
	}
	if _, err := client.InsertTx(ctx, tx, RunArgs{JobID: j.ID}, nil); err != nil {
		return Job{}, fmt.Errorf("export: enqueue job %d: %w", j.ID, db.Err(err))
	}
	return j, nil
}

// FindJob returns userID's job id; another user's job is not_found too.
func FindJob(ctx context.Context, q db.DBTX, userID, id int64) (Job, error) {
	rows, _ := q.Query(ctx, `SELECT `+jobColumns+` FROM export_jobs WHERE id = $1 AND user_id = $2`, id, userID)
	j, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Job])
	if err != nil {
		if err = db.Err(err); apperr.Is(err, apperr.NotFound) {
			return Job{}, apperr.New(apperr.NotFound, "导出任务不存在或已过期")
		}
		return Job{}, err
	}
	return j, nil
}

// ListJobs returns userID's newest jobs, at most limit.
func ListJobs(ctx context.Context, q db.DBTX, userID int64, limit int) ([]Job, error) {
	rows, _ := q.Query(ctx, `SELECT `+jobColumns+` FROM export_jobs WHERE user_id = $1 ORDER BY id DESC LIMIT $2`,
		userID, limit)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[Job])
	return list, db.Err(err)
}

// DeleteExpired deletes the jobs (and files) whose time is up.
func DeleteExpired(ctx context.Context, q db.DBTX, now time.Time) (int64, error) {
	tag, err := q.Exec(ctx, `DELETE FROM export_jobs WHERE expires_at <= $1`, now)
	return tag.RowsAffected(), db.Err(err)
}

// chunkSize is the size of one piece of a stored file.
const chunkSize = 1 << 20

// chunkWriter stores what is written to it as the job's pieces.
type chunkWriter struct {
	ctx  context.Context
	q    db.DBTX
	job  int64
	seq  int
	buf  []byte
	size int64
}

func (w *chunkWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		take := min(len(p), chunkSize-len(w.buf))
		w.buf = append(w.buf, p[:take]...)
		p = p[take:]
		if len(w.buf) == chunkSize {
			if err := w.flush(); err != nil {
				return 0, err
			}
		}
	}
	return n, nil
}

func (w *chunkWriter) flush() error {
	if len(w.buf) == 0 {
		return nil
	}
	if _, err := w.q.Exec(w.ctx, `INSERT INTO export_chunks (job_id, seq, data) VALUES ($1, $2, $3)`,
		w.job, w.seq, w.buf); err != nil {
		return db.Err(err)
	}
	w.size += int64(len(w.buf))
	w.seq++
	w.buf = w.buf[:0]
	return nil
}

// CopyFile writes job id's stored file to w a piece at a time.
func CopyFile(ctx context.Context, q db.DBTX, id int64, w io.Writer) error {
	for seq := 0; ; seq++ {
		var data []byte
		err := q.QueryRow(ctx, `SELECT data FROM export_chunks WHERE job_id = $1 AND seq = $2`, id, seq).Scan(&data)
		if err == pgx.ErrNoRows {
			return nil
		}
		if err != nil {
			return db.Err(err)
		}
		if _, err := w.Write(data); err != nil {
			return err
		}
	}
}
