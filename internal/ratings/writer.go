package ratings

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"minyi/internal/apperr"
	"minyi/internal/db"
)

// NewRating is one rating ready to be stored. ID is assigned by the writer.
type NewRating struct {
	ID          uuid.UUID
	Origin      int64  // the terminal id, or 0 for QR submissions
	ClientID    string // the client's idempotency key; "" for none
	Channel     string
	UnitID      int64
	PointID     *int64
	TerminalID  *int64
	QRCode      string
	Level       int
	Points      float64
	Reasons     []string
	Comment     string
	PhoneEnc    []byte
	PhoneMask   string
	CaseNo      string
	WindowNo    string
	StaffNo     string
	ClientHash  []byte
	RatedAt     time.Time
	RateChecked bool
	// Day and Marks carry the once-a-day rule: the rating is refused when
	// any mark was already used for the unit on Day.
	Day   time.Time
	Marks [][]byte
}

// Outcome of storing one rating.
const (
	Created      = "created"
	Duplicate    = "duplicate"     // the same client id was stored before
	Revoked      = "revoked"       // the terminal's token was revoked
	CaseConflict = "case_conflict" // the unit already has a rating for the case number
	DailyLimit   = "daily_limit"   // the device or phone already rated the unit today
)

// Result is the outcome for one NewRating, in the order given.
type Result struct {
	ID     uuid.UUID
	Status string
}

// Writer stores ratings with group commit: requests queue their ratings and
// whichever flusher is free writes everything queued so far in one
// statement, so throughput grows with load without a fixed wait window. A
// result is returned only after the commit, so a reply means durable.
type Writer struct {
	pool     *pgxpool.Pool
	queue    chan *job
	maxBatch int
	log      *slog.Logger
	wg       sync.WaitGroup
	stop     chan struct{}
}

type job struct {
	items   []NewRating
	results []Result
	err     error
	done    chan struct{}
}

// NewWriter starts flushers goroutines writing batches of at most maxBatch ratings.
func NewWriter(pool *pgxpool.Pool, flushers, maxBatch int, log *slog.Logger) *Writer {
	w := &Writer{pool: pool, queue: make(chan *job, 4096), maxBatch: maxBatch, log: log, stop: make(chan struct{})}
	for range flushers {
		w.wg.Add(1)
		go w.flusher()
	}
	return w
}

// Close stops the flushers after the queue is drained.
func (w *Writer) Close() {
	close(w.stop)
	w.wg.Wait()
}

// Write stores the ratings and returns one result each. It returns
// unavailable when the database cannot be reached (nothing was stored then:
// each batch is one atomic statement) and the context's error when ctx ends
// first (the ratings may still be stored; re-sending them is harmless).
func (w *Writer) Write(ctx context.Context, items []NewRating) ([]Result, error) {
	if len(items) == 0 {
		return nil, nil
	}
	for i := range items {
		if items[i].ID == uuid.Nil {
			items[i].ID = uuid.Must(uuid.NewV7())
		}
	}
	j := &job{items: items, done: make(chan struct{})}
	select {
	case w.queue <- j:
	case <-ctx.Done():
		return nil, apperr.Wrap(apperr.Unavailable, "服务繁忙，请稍后重试", ctx.Err())
	}
	select {
	case <-j.done:
		return j.results, j.err
	case <-ctx.Done():
		return nil, apperr.Wrap(apperr.Unavailable, "服务繁忙，请稍后重试", ctx.Err())
	}
}

func (w *Writer) flusher() {
	defer w.wg.Done()
	for {
		var first *job
		select {
		case first = <-w.queue:
		case <-w.stop:
			// Drain what is left before stopping.
			for {
				select {
				case j := <-w.queue:
					w.flush([]*job{j})
				default:
					return
				}
			}
		}
		jobs := []*job{first}
		n := len(first.items)
	collect:
		for n < w.maxBatch {
			select {
			case j := <-w.queue:
				jobs = append(jobs, j)
				n += len(j.items)
			default:
				break collect
			}
		}
		w.flush(jobs)
	}
}

func (w *Writer) flush(jobs []*job) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := w.writeJobs(ctx, jobs)
	if err != nil && len(jobs) > 1 && !db.IsUnavailable(err) {
		// One bad job must not fail its neighbours: write each on its own.
		w.log.Warn("rating batch failed; retrying job by job", "err", err, "jobs", len(jobs))
		for _, j := range jobs {
			if jerr := w.writeJobs(ctx, []*job{j}); jerr != nil {
				j.err = storeErr(jerr)
				w.log.Error("rating write failed", "err", jerr, "ratings", len(j.items))
			}
			close(j.done)
		}
		return
	}
	if err != nil {
		w.log.Error("rating write failed", "err", err, "jobs", len(jobs))
	}
	for _, j := range jobs {
		if err != nil {
			j.err = storeErr(err)
		}
		close(j.done)
	}
}

func storeErr(err error) error {
	if db.IsUnavailable(err) {
		return apperr.Wrap(apperr.Unavailable, "数据库暂时不可用，评价尚未保存，请稍后重试", err)
	}
	return db.Err(err)
}

// writeJobs stores every rating of the jobs in one transaction and fills in
// each job's results.
func (w *Writer) writeJobs(ctx context.Context, jobs []*job) error {
	var all []NewRating
	for _, j := range jobs {
		all = append(all, j.items...)
	}
	status, err := writeBatch(ctx, w.pool, all)
	if err != nil {
		return err
	}
	for _, j := range jobs {
		j.results = make([]Result, len(j.items))
		for i, it := range j.items {
			j.results[i] = Result{ID: it.ID, Status: status[it.ID]}
		}
	}
	return nil
}

// insertSQL stores a batch in one statement: it claims each client id, then
// each case number, then each daily mark, and inserts the ratings that
// claimed all theirs. Claims are made in batch order, so within a batch the
// first rating for a case number wins. It returns every input's outcome.
const insertSQL = `
WITH input AS (
	SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::text[], $4::bigint[], $5::bigint[], $6::bigint[], $7::text[],
		$8::text[], $9::smallint[], $10::numeric[], $11::text[], $12::text[], $13::bytea[], $14::text[], $15::text[],
		$16::text[], $17::text[], $18::bytea[], $19::timestamptz[], $20::bool[], $21::int[]) WITH ORDINALITY
	AS t(id, origin, client_id, unit_id, point_id, terminal_id, channel, qr_code, level, points, reasons, comment,
		phone_enc, phone_mask, case_no, window_no, staff_no, client_hash, rated_at, rate_checked, nmarks, ord)
), live AS (
	SELECT i.* FROM input i LEFT JOIN terminals t ON t.id = i.terminal_id
	WHERE i.terminal_id IS NULL OR t.revoked_at IS NULL
), req AS (
	INSERT INTO rating_requests (origin, client_id, rating_id)
	SELECT origin, client_id, id FROM live WHERE client_id IS NOT NULL ORDER BY ord
	ON CONFLICT DO NOTHING RETURNING rating_id
), fresh AS (
	SELECT l.* FROM live l WHERE l.client_id IS NULL OR l.id IN (SELECT rating_id FROM req)
), cases AS (
	INSERT INTO rating_cases (unit_id, case_no, rating_id)
	SELECT unit_id, case_no, id FROM fresh WHERE case_no IS NOT NULL ORDER BY ord
	ON CONFLICT DO NOTHING RETURNING rating_id
), marks AS (
	INSERT INTO rating_daily_marks (rating_id, unit_id, day, mark)
	SELECT m.rating_id, m.unit_id, m.day, m.mark
	FROM unnest($22::uuid[], $23::bigint[], $24::date[], $25::bytea[]) WITH ORDINALITY AS m(rating_id, unit_id, day, mark, ord)
	WHERE m.rating_id IN (SELECT id FROM fresh) ORDER BY m.ord
	ON CONFLICT DO NOTHING RETURNING rating_id
), ok AS (
	SELECT f.* FROM fresh f
	WHERE (f.case_no IS NULL OR f.id IN (SELECT rating_id FROM cases))
	  AND f.nmarks = (SELECT count(*) FROM marks m WHERE m.rating_id = f.id)
), ins AS (
	INSERT INTO ratings (id, rated_at, channel, unit_id, point_id, terminal_id, qr_code, level, points, reasons,
		comment, phone_enc, phone_mask, client_id, case_no, window_no, staff_no, client_hash, rate_checked)
	SELECT id, rated_at, channel, unit_id, point_id, terminal_id, qr_code, level, points,
		string_to_array(reasons, E'\x1f'), comment, phone_enc, phone_mask, client_id, case_no, window_no, staff_no,
		client_hash, rate_checked
	FROM ok RETURNING id
), touch AS (
	UPDATE terminals SET last_seen_at = now()
	WHERE id IN (SELECT terminal_id FROM ok WHERE terminal_id IS NOT NULL)
	  AND (last_seen_at IS NULL OR last_seen_at < now() - interval '1 minute')
	RETURNING id
)
SELECT i.id, CASE
	WHEN i.id IN (SELECT id FROM ins) THEN 'created'
	WHEN i.id NOT IN (SELECT id FROM live) THEN 'revoked'
	WHEN i.id NOT IN (SELECT id FROM fresh) THEN 'duplicate'
	WHEN i.case_no IS NOT NULL AND i.id NOT IN (SELECT rating_id FROM cases) THEN 'case_conflict'
	ELSE 'daily_limit' END
FROM input i`

// releaseSQL gives back the keys that refused ratings claimed, so that a
// retry of a refused rating is refused again for the same reason rather
// than reported as a duplicate.
const releaseSQL = `
WITH r AS (DELETE FROM rating_requests WHERE rating_id = ANY($1) AND (origin, client_id) IN
		(SELECT * FROM unnest($2::bigint[], $3::text[]))),
	c AS (DELETE FROM rating_cases WHERE rating_id = ANY($1) AND (unit_id, case_no) IN
		(SELECT * FROM unnest($4::bigint[], $5::text[])))
DELETE FROM rating_daily_marks WHERE rating_id = ANY($1) AND (unit_id, day) IN
		(SELECT * FROM unnest($6::bigint[], $7::date[]))`

func writeBatch(ctx context.Context, pool *pgxpool.Pool, items []NewRating) (map[uuid.UUID]string, error) {
	n := len(items)
	var (
		ids                           = make([]uuid.UUID, n)
		origins                       = make([]int64, n)
		clientIDs, qrCodes            = make([]*string, n), make([]*string, n)
		unitIDs                       = make([]int64, n)
		pointIDs, terminalIDs         = make([]*int64, n), make([]*int64, n)
		channels, reasons, comments   = make([]string, n), make([]string, n), make([]string, n)
		levels                        = make([]int16, n)
		points                        = make([]float64, n)
		phoneEnc, clientHash          = make([][]byte, n), make([][]byte, n)
		phoneMask, caseNo, win, staff = make([]*string, n), make([]*string, n), make([]*string, n), make([]*string, n)
		ratedAt                       = make([]time.Time, n)
		checked                       = make([]bool, n)
		nmarks                        = make([]int32, n)
		mRating                       []uuid.UUID
		mUnit                         []int64
		mDay                          []time.Time
		mKey                          [][]byte
	)
	for i, it := range items {
		ids[i], origins[i], unitIDs[i] = it.ID, it.Origin, it.UnitID
		clientIDs[i], qrCodes[i] = optional(it.ClientID), optional(it.QRCode)
		pointIDs[i], terminalIDs[i] = it.PointID, it.TerminalID
		channels[i], reasons[i], comments[i] = it.Channel, strings.Join(it.Reasons, "\x1f"), it.Comment
		levels[i], points[i] = int16(it.Level), it.Points
		phoneEnc[i], clientHash[i] = it.PhoneEnc, it.ClientHash
		phoneMask[i], caseNo[i], win[i], staff[i] = optional(it.PhoneMask), optional(it.CaseNo), optional(it.WindowNo), optional(it.StaffNo)
		ratedAt[i], checked[i], nmarks[i] = it.RatedAt, it.RateChecked, int32(len(it.Marks))
		for _, m := range it.Marks {
			mRating, mUnit, mDay, mKey = append(mRating, it.ID), append(mUnit, it.UnitID), append(mDay, it.Day), append(mKey, m)
		}
	}
	status := make(map[uuid.UUID]string, n)
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, insertSQL, ids, origins, clientIDs, unitIDs, pointIDs, terminalIDs, channels, qrCodes,
			levels, points, reasons, comments, phoneEnc, phoneMask, caseNo, win, staff, clientHash, ratedAt, checked, nmarks,
			mRating, mUnit, mDay, mKey)
		if err != nil {
			return err
		}
		var id uuid.UUID
		var st string
		if _, err := pgx.ForEachRow(rows, []any{&id, &st}, func() error { status[id] = st; return nil }); err != nil {
			return err
		}
		return release(ctx, tx, items, status)
	})
	if err != nil {
		return nil, err
	}
	if len(status) != n {
		return nil, errors.New("ratings: batch returned a different number of outcomes")
	}
	return status, nil
}

// release frees the keys claimed by ratings refused for a case conflict or
// the daily limit.
func release(ctx context.Context, tx pgx.Tx, items []NewRating, status map[uuid.UUID]string) error {
	var ids []uuid.UUID
	var rOrigin, cUnit, mUnit []int64
	var rClient, cCase []string
	var mDay []time.Time
	for _, it := range items {
		if s := status[it.ID]; s != CaseConflict && s != DailyLimit {
			continue
		}
		ids = append(ids, it.ID)
		if it.ClientID != "" {
			rOrigin, rClient = append(rOrigin, it.Origin), append(rClient, it.ClientID)
		}
		if it.CaseNo != "" {
			cUnit, cCase = append(cUnit, it.UnitID), append(cCase, it.CaseNo)
		}
		if len(it.Marks) > 0 {
			mUnit, mDay = append(mUnit, it.UnitID), append(mDay, it.Day)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	_, err := tx.Exec(ctx, releaseSQL, ids, rOrigin, rClient, cUnit, cCase, mUnit, mDay)
	return err
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
