package ratingsapp

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"minyi/internal/apperr"
	"minyi/internal/db"
	"minyi/internal/httpx"
	"minyi/internal/items"
	"minyi/internal/metrics"
	"minyi/internal/ratings"
	"minyi/internal/secure"
	"minyi/internal/units"
)

// terminalCache remembers token → terminal for a few seconds so that a busy
// hall does not cost a database lookup per rating. It is only a cache: the
// write itself re-checks that the terminal is not revoked, so a revoked
// token never stores a rating, whatever any instance has cached.
type terminalCache struct {
	ttl time.Duration
	mu  sync.Mutex
	m   map[string]cachedTerminal
}

type cachedTerminal struct {
	t       units.Terminal
	expires time.Time
}

func newTerminalCache(ttl time.Duration) *terminalCache {
	return &terminalCache{ttl: ttl, m: map[string]cachedTerminal{}}
}

func (tc *terminalCache) get(key string, now time.Time) (units.Terminal, bool) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	e, ok := tc.m[key]
	if !ok || now.After(e.expires) {
		return units.Terminal{}, false
	}
	return e.t, true
}

func (tc *terminalCache) put(key string, t units.Terminal, now time.Time) {
	if tc.ttl <= 0 {
		return
	}
	tc.mu.Lock()
	defer tc.mu.Unlock()
	if len(tc.m) > 100_000 {
		clear(tc.m)
	}
	tc.m[key] = cachedTerminal{t: t, expires: now.Add(tc.ttl)}
}

func (tc *terminalCache) forgetID(id int64) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	for k, e := range tc.m {
		if e.t.ID == id {
			delete(tc.m, k)
		}
	}
}

// terminalResult is one rating's outcome in the terminal API's reply.
type terminalResult struct {
	ID     string            `json:"id"`
	Status string            `json:"status"`
	Error  string            `json:"error,omitempty"`
	Fields map[string]string `json:"fields,omitempty"`
	// ratingID is a created rating's id (not sent: the batch API never did).
	ratingID uuid.UUID
}

// TerminalRatings takes a batch of ratings from a service-hall terminal.
// Every rating gets a result; valid ones are stored even when others in the
// batch are rejected, and re-sending a stored id reports it as a duplicate.
func (s *Handlers) TerminalRatings(c *gin.Context) {
	term, checked, ok := s.terminalAuth(c)
	if !ok {
		return
	}
	var body struct {
		Ratings []ratings.TerminalRating `json:"ratings"`
	}
	if err := httpx.DecodeJSON(c, &body, 2<<20); err != nil {
		s.APIError(c, err)
		return
	}
	if n := len(body.Ratings); n < 1 || n > ratings.MaxBatch {
		s.APIError(c, apperr.InvalidField("ratings", "ratings 须包含 1 到 500 条评价"))
		return
	}
	results, ok := s.storeTerminalRatings(c, term, checked, body.Ratings)
	if !ok {
		return
	}
	accepted, duplicates := 0, 0
	for _, r := range results {
		switch r.Status {
		case "created":
			accepted++
		case "duplicate":
			duplicates++
		}
	}
	if accepted+duplicates == len(results) {
		// Every rating was stored: the reply is written directly (ids that
		// passed Check need no escaping), byte for byte what c.JSON writes.
		c.Data(http.StatusOK, "application/json; charset=utf-8", storedReply(accepted, duplicates, results))
		return
	}
	c.JSON(http.StatusOK, struct {
		Accepted   int              `json:"accepted"`
		Duplicates int              `json:"duplicates"`
		Rejected   int              `json:"rejected"`
		Results    []terminalResult `json:"results"`
	}{accepted, duplicates, len(results) - accepted - duplicates, results})
}

// terminalAuth authenticates the terminal by its bearer token and takes
// one from its rate limit; checked is the limiter's word that the limit
// was checked. With ok false the error answer was written.
func (s *Handlers) terminalAuth(c *gin.Context) (term units.Terminal, checked, ok bool) {
	token, ok := httpx.BearerToken(c)
	if !ok {
		s.APIError(c, apperr.New(apperr.Unauthorized, "缺少评价器令牌（Authorization: Bearer <token>）"))
		return term, false, false
	}
	key := secure.ShortHex(secure.SHA256(token))
	d := s.Limiter.Allow(c, s.Config.Limits.Terminal, "t:"+key)
	if d.Limited {
		s.LimitedAPI(c, d.RetryAfter)
		return term, false, false
	}
	now := s.Now()
	term, cached := s.terminals.get(key, now)
	if !cached {
		var err error
		if term, err = units.FindTerminalByToken(c, s.Pool, token); err != nil {
			s.APIError(c, err)
			return term, false, false
		}
		s.terminals.put(key, term, now)
	}
	return term, d.Checked, true
}

// storeTerminalRatings checks and stores the terminal's ratings and
// returns one result each (a created one with the rating's id); valid
// ones are stored even when others are rejected. With ok false the error
// answer was written.
func (s *Handlers) storeTerminalRatings(c *gin.Context, term units.Terminal, checked bool,
	list []ratings.TerminalRating) (results []terminalResult, ok bool) {
	now := s.Now()
	results = make([]terminalResult, len(list))
	failed := 0
	defer func() { s.countTerminalResults(results, failed) }()
	items := make([]ratings.NewRating, 0, len(list))
	index := make([]int, 0, len(list))
	abolished := 0
	for i := range list {
		r := &list[i]
		results[i].ID = r.ID
		if f := r.Check(now, s.Config.TerminalMaxAge); len(f) > 0 {
			results[i].Status, results[i].Error, results[i].Fields = "rejected", "invalid", f
			continue
		}
		// A rating made on or after the day the unit was abolished is not
		// stored; one made before (an offline terminal's) is.
		if on := term.UnitAbolishedOn; on != nil && r.RatedAtTime().In(s.Config.Location).Format(time.DateOnly) >= *on {
			abolished++
			results[i].Status, results[i].Error = "rejected", "unit_abolished"
			results[i].Fields = map[string]string{"rated_at": abolishedMessage(*on)}
			continue
		}
		index = append(index, i)
	}
	// The items and stages the batch names are checked in one query.
	known, err := lookupDims(c, s.Pool, term.UnitID, list, index)
	if err != nil {
		failed = len(index)
		s.APIError(c, err)
		return results, false
	}
	kept := index[:0]
	for _, i := range index {
		r := &list[i]
		dims := r.Dims()
		if f := known.Problem(dims.ItemCode, dims.Stage, r.RatedAtTime()); f != nil {
			results[i].Status, results[i].Error, results[i].Fields = "rejected", "invalid", f
			continue
		}
		dims.AddReasons(r.Reasons, known.Online(dims.ItemCode))
		tid := term.ID
		items = append(items, ratings.NewRating{
			Origin: term.ID, ClientID: r.ID, Channel: ratings.ChannelTerminal, UnitID: term.UnitID,
			PointID: term.PointID, TerminalID: &tid, Level: r.Level, Points: s.Config.PointsFor(r.Level),
			Reasons: r.Reasons, Comment: r.Comment, CaseNo: r.CaseNo, WindowNo: r.Window, StaffNo: r.StaffNo,
			RatedAt: r.RatedAtTime(), RateChecked: checked, Dims: dims,
		})
		kept = append(kept, i)
	}
	index = kept
	if abolished == len(results) {
		s.APIError(c, apperr.New(apperr.Conflict, abolishedMessage(*term.UnitAbolishedOn)))
		return results, false
	}
	if len(items) > 0 {
		out, err := s.Writer.Write(c, items)
		if err != nil {
			failed = len(items)
			s.APIError(c, err)
			return results, false
		}
		revoked := 0
		for k, res := range out {
			r := &results[index[k]]
			switch res.Status {
			case ratings.Created:
				r.Status, r.ratingID = "created", res.ID
			case ratings.Duplicate:
				r.Status = "duplicate"
			case ratings.CaseConflict:
				r.Status, r.Error = "rejected", "case_conflict"
				r.Fields = map[string]string{"case_no": caseConflictMessage(list[index[k]], known)}
			default:
				revoked++
				r.Status, r.Error = "rejected", "revoked"
			}
		}
		if revoked > 0 {
			s.terminals.forgetID(term.ID)
			s.APIError(c, apperr.New(apperr.Unauthorized, "评价器令牌已吊销"))
			return results, false
		}
	}
	return results, true
}

// caseConflictMessage says that the unit already has a rating of the
// rating's case number (at its stage, when it names one).
func caseConflictMessage(r ratings.TerminalRating, known items.Known) string {
	if st := r.Dims().Stage; st != "" {
		return "本单位已有该办件编号（" + r.CaseNo + "）在“" + known.StageName(st) + "”环节的评价"
	}
	return "本单位已有该办件编号（" + r.CaseNo + "）的评价"
}

// lookupDims reads what the catalogues say of the items and stages the
// listed ratings name, in one query (none when they name none).
func lookupDims(ctx context.Context, q db.DBTX, unitID int64, rs []ratings.TerminalRating, index []int) (items.Known, error) {
	var codes, stages []string
	for _, i := range index {
		d := rs[i].Dims()
		codes, stages = append(codes, d.ItemCode), append(stages, d.Stage)
	}
	return items.Lookup(ctx, q, unitID, codes, stages)
}

// abolishedMessage is the terminal's refusal of a rating made after its
// unit was abolished on day (YYYY-MM-DD).
func abolishedMessage(day string) string {
	return "本单位已于" + units.DateText(day) + "撤销，评价器不再接收评价"
}

// storedReply is the JSON reply for a batch whose ratings were all created
// or duplicates.
func storedReply(accepted, duplicates int, results []terminalResult) []byte {
	b := make([]byte, 0, 64+len(results)*48)
	b = append(b, `{"accepted":`...)
	b = strconv.AppendInt(b, int64(accepted), 10)
	b = append(b, `,"duplicates":`...)
	b = strconv.AppendInt(b, int64(duplicates), 10)
	b = append(b, `,"rejected":0,"results":[`...)
	for i, r := range results {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"id":"`...)
		b = append(b, r.ID...)
		b = append(b, `","status":"`...)
		b = append(b, r.Status...)
		b = append(b, `"}`...)
	}
	return append(b, "]}"...)
}

// countTerminalResults records the outcome of each rating of a terminal
// batch, from its results, and failed more that were not stored because
// storing failed.
func (s *Handlers) countTerminalResults(results []terminalResult, failed int) {
	var created, duplicate, invalid, conflict, revoked int
	for _, r := range results {
		switch {
		case r.Status == "created":
			created++
		case r.Status == "duplicate":
			duplicate++
		case r.Error == "invalid":
			invalid++
		case r.Error == "case_conflict":
			conflict++
		case r.Error == "revoked":
			revoked++
		}
	}
	m, ch := s.Metrics, ratings.ChannelTerminal
	m.Ratings(ch, ratings.Created, created)
	m.Ratings(ch, ratings.Duplicate, duplicate)
	m.Ratings(ch, metrics.RatingInvalid, invalid)
	m.Ratings(ch, ratings.CaseConflict, conflict)
	m.Ratings(ch, ratings.Revoked, revoked)
	m.Ratings(ch, metrics.RatingFailed, failed)
}
