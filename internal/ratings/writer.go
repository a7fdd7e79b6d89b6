package ratings

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
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
	// Dims are the national record's dimensions; a case number is taken
	// once per stage (Dims.Stage, "" for none).
	Dims Dimensions
	// Day and Marks carry the once-a-day rule: the rating is refused when
	// any mark was already used for the unit on Day.
	Day   time.Time
	Marks [][]byte
	// Cap is the daily cap the rating counts against on Day (see held.go);
	// beyond it the rating is stored held.
	Cap DailyCap
}

// Outcome of storing one rating.
const (
	Created      = "created"
	Duplicate    = "duplicate"     // the same client id was stored before
	Revoked      = "revoked"       // the terminal's token was revoked
	CaseConflict = "case_conflict" // the unit already has a rating for the case number and stage
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
// result is returned only after the commit, so a reply means durable. Each
// batch costs Postgres a fixed overhead on top of its ratings, so fewer
// flushers, making larger batches, store more ratings per CPU second; on
// two cores one flusher does best (see docs/benchmarks.md).
type Writer struct {
	pool     *pgxpool.Pool
	queue    chan *job
	maxBatch int
	log      *slog.Logger
	wg       sync.WaitGroup
	stop     chan struct{}

	// touched remembers when this writer last refreshed a terminal's
	// last_seen_at, so that a batch asks Postgres to refresh only those
	// not refreshed within the minute (the statement checks that too).
	touchMu sync.Mutex
	touched map[int64]time.Time

	// loc is the zone of the daily aggregate's days (see lateCutoff).
	loc *time.Location

	// observer hears about each batch (see SetObserver).
	observer atomic.Pointer[observerBox]
}

// touchEvery is how often a terminal's last_seen_at is refreshed at most.
const touchEvery = time.Minute

type job struct {
	items   []NewRating
	results []Result
	err     error
	done    chan struct{}
}

// NewWriter starts flushers goroutines writing batches of at most maxBatch
// ratings. loc is the configured time zone, the zone of the daily
// aggregate's days; with nil the writer marks every rating more than a few
// minutes old as late (see lateCutoff), which is exact too but marks more
// than needed, e.g. all ratings of a terminal whose clock runs behind.
func NewWriter(pool *pgxpool.Pool, flushers, maxBatch int, loc *time.Location, log *slog.Logger) *Writer {
	w := &Writer{pool: pool, queue: make(chan *job, 4096), maxBatch: maxBatch, log: log, stop: make(chan struct{}),
		touched: map[int64]time.Time{}, loc: loc}
	for range max(flushers, 1) {
		w.wg.Add(1)
		go w.flusher()
	}
	return w
}

// lateCutoff is the time before which a rating written at now is late and
// marks its unit and minute dirty for the daily aggregate: the later of the
// start of the local day lateAfter ago and the start of the quarter hour
// (todayStep, UTC-aligned like Postgres's date_bin) lateAfter ago, or
// without a zone lateAfter ago. A rating not marked belongs to a day and a
// quarter hour that had not ended at now − lateAfter, and RollUp and
// RollUpToday roll either only closeMargin after its end.
func lateCutoff(now time.Time, loc *time.Location) time.Time {
	t := now.Add(-lateAfter)
	if loc == nil {
		return t
	}
	step := t.Truncate(todayStep)
	l := t.In(loc)
	if day := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc); day.After(step) {
		return day
	}
	return step
}

// Close stops the flushers after the queue is drained.
func (w *Writer) Close() {
	close(w.stop)
	w.wg.Wait()
}

// Write stores the ratings and returns one result each. It returns
// unavailable when the database cannot be reached (nothing was stored then:
// each batch is written atomically) and the context's error when ctx ends
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
	if err != nil && len(jobs) > 1 && !notStored(err) {
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

// notStored reports whether err failed the whole batch for a reason of the
// database, not of one job: it could not be reached, or the batch ran out
// of time (its 10 s, or Postgres cancelled it: a statement_timeout, an
// administrator). Nothing was stored then, and retrying job by job would
// not help.
func notStored(err error) bool { return db.IsUnavailable(err) || db.IsTimeout(err) }

func storeErr(err error) error {
	if notStored(err) {
		return apperr.Wrap(apperr.Unavailable, "数据库暂时不可用，评价尚未保存，请稍后重试", err)
	}
	return db.Err(err)
}

// writeJobs stores every rating of the jobs as one atomic batch (see
// writeBatch) and fills in each job's results.
func (w *Writer) writeJobs(ctx context.Context, jobs []*job) error {
	all := jobs[0].items
	if len(jobs) > 1 {
		n := 0
		for _, j := range jobs {
			n += len(j.items)
		}
		all = make([]NewRating, 0, n)
		for _, j := range jobs {
			all = append(all, j.items...)
		}
	}
	now := time.Now()
	touch := w.toTouch(all, now)
	status, err := writeBatch(ctx, w.pool, all, touch, lateCutoff(now, w.loc))
	w.observe(len(all), time.Since(now), err)
	if err != nil {
		return err
	}
	w.markTouched(all, status, touch, now)
	k := 0
	for _, j := range jobs {
		j.results = make([]Result, len(j.items))
		for i, it := range j.items {
			j.results[i] = Result{ID: it.ID, Status: status[k]}
			k++
		}
	}
	return nil
}

// toTouch lists the terminals of the batch whose last_seen_at this writer
// has not refreshed within touchEvery.
func (w *Writer) toTouch(items []NewRating, now time.Time) []int64 {
	w.touchMu.Lock()
	defer w.touchMu.Unlock()
	var ids []int64
	seen := map[int64]bool{}
	for i := range items {
		t := items[i].TerminalID
		if t == nil || seen[*t] {
			continue
		}
		seen[*t] = true
		if last, ok := w.touched[*t]; !ok || now.Sub(last) >= touchEvery {
			ids = append(ids, *t)
		}
	}
	return ids
}

// markTouched records the refresh of the listed terminals that stored a
// rating, and forgets refreshes that no longer matter.
func (w *Writer) markTouched(items []NewRating, status []string, touch []int64, now time.Time) {
	if len(touch) == 0 {
		return
	}
	w.touchMu.Lock()
	defer w.touchMu.Unlock()
	if len(w.touched) > 100_000 {
		for id, last := range w.touched {
			if now.Sub(last) >= touchEvery {
				delete(w.touched, id)
			}
		}
	}
	listed := make(map[int64]bool, len(touch))
	for _, id := range touch {
		listed[id] = true
	}
	for i := range items {
		if t := items[i].TerminalID; t != nil && status[i] == Created && listed[*t] {
			w.touched[*t] = now
		}
	}
}
