package ratingsapp

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"minyi/internal/apperr"
	"minyi/internal/httpx"
	"minyi/internal/items"
	"minyi/internal/ratings"
	"minyi/internal/units"
	"minyi/internal/windowreq"
)

// MaxRequestWait is the longest a terminal's poll for a window request is
// held open.
const MaxRequestWait = 25 * time.Second

// pollFallback is how often a held poll re-reads Postgres when Redis
// cannot be subscribed to (no wake-ups then).
const pollFallback = 2 * time.Second

// terminalRequest is a window request as its terminal gets it: what the
// rating page shows, with the catalogue's names.
type terminalRequest struct {
	ID            string    `json:"id"`
	State         string    `json:"state"`
	CaseNo        string    `json:"case_no"`
	ItemCode      string    `json:"item_code"`
	ItemName      string    `json:"item_name"`
	Stage         string    `json:"stage"`
	StageName     string    `json:"stage_name"`
	Window        string    `json:"window"`
	StaffNo       string    `json:"staff_no"`
	ApplicantType int       `json:"applicant_type"`
	ExpiresAt     time.Time `json:"expires_at"`
	RatingID      *string   `json:"rating_id"`
}

// TerminalNextRequest gives the terminal the next evaluation request for
// it or its window. With ?wait=N (seconds, at most 25) it holds the
// request open until one arrives — answering at once when one does — or
// N seconds pass (204 No Content); without it, it answers at once (a
// cheap poll). The request is created on any instance: the wait is woken
// through Redis (windowreq.Hub), and every answer is read from Postgres.
func (s *Handlers) TerminalNextRequest(c *gin.Context) {
	term, _, ok := s.terminalAuth(c)
	if !ok {
		return
	}
	wait, err := requestWait(c)
	if err != nil {
		s.APIError(c, err)
		return
	}
	if dl, ok := c.Request.Context().Deadline(); ok {
		wait = min(wait, time.Until(dl)-2*time.Second)
	}
	keys := []string{windowreq.TerminalKey(term.ID)}
	if term.PointID != nil {
		keys = append(keys, windowreq.PointKey(*term.PointID))
	}
	var woken <-chan struct{}
	var fallback <-chan time.Time
	if wait > 0 {
		// Subscribed before the first read, so a request created between
		// the read and the wait still wakes it.
		ch, stop, err := s.hub.Wait(c, keys...)
		if err != nil {
			s.redisWarn.warn(s.Log, "window requests: no Redis wake-ups, polling Postgres", "err", err)
			tick := time.NewTicker(pollFallback)
			defer tick.Stop()
			fallback = tick.C
		} else {
			defer stop()
			woken = ch
		}
	}
	timer := time.NewTimer(max(wait, 0))
	defer timer.Stop()
	for {
		r, err := windowreq.Next(c, s.Pool, term.ID, term.PointID, s.Now())
		if err == nil {
			s.sendTerminalRequest(c, term, r)
			return
		}
		if !windowreq.IsNone(err) {
			s.APIError(c, err)
			return
		}
		if wait <= 0 {
			c.Status(http.StatusNoContent)
			return
		}
		select {
		case <-woken:
		case <-fallback:
		case <-timer.C:
			c.Status(http.StatusNoContent)
			return
		case <-c.Done():
			return
		}
	}
}

// requestWait reads ?wait= (whole seconds, 0 to 25).
func requestWait(c *gin.Context) (time.Duration, error) {
	v := c.Query("wait")
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > int(MaxRequestWait/time.Second) {
		return 0, apperr.InvalidField("wait", "wait 须为 0 到 25 之间的整数（秒）")
	}
	return time.Duration(n) * time.Second, nil
}

// sendTerminalRequest answers with the request and the catalogue's names
// of its item and stage.
func (s *Handlers) sendTerminalRequest(c *gin.Context, term units.Terminal, r windowreq.Request) {
	known, err := items.Lookup(c, s.Pool, term.UnitID, []string{r.ItemCode}, []string{r.Stage})
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"request": toTerminalRequest(r.At(s.Now()), known)})
}

func toTerminalRequest(r windowreq.Request, known items.Known) terminalRequest {
	out := terminalRequest{ID: r.ID.String(), State: r.State, CaseNo: r.CaseNo, ItemCode: r.ItemCode,
		ItemName: known.ItemName(r.ItemCode), Stage: r.Stage, StageName: known.StageName(r.Stage), Window: r.WindowNo,
		StaffNo: r.StaffNo, ApplicantType: r.ApplicantType, ExpiresAt: r.ExpiresAt}
	if r.RatingID != nil {
		id := r.RatingID.String()
		out.RatingID = &id
	}
	return out
}

// requestRating is what the terminal posts for a request: the citizen's
// answer; the case, item, stage, staff and applicant come from the request.
type requestRating struct {
	Level       int      `json:"level"`
	Reasons     []string `json:"reasons"`
	Comment     string   `json:"comment"`
	ReasonCodes []string `json:"reason_codes"`
	PF          int      `json:"pf"`
	RatedAt     string   `json:"rated_at"`
}

// TerminalRequestRating stores the rating of a request the terminal was
// given and marks the request rated. The rating is bound to the request's
// case, item, stage, window, staff number and applicant type, and is
// taken once: a replay answers the same rating ("duplicate"). A case
// already rated at the stage is 409 case_conflict; an expired request 409
// conflict.
func (s *Handlers) TerminalRequestRating(c *gin.Context) {
	term, checked, ok := s.terminalAuth(c)
	if !ok {
		return
	}
	id, err := windowreq.ParseID(c.Param("id"))
	if err != nil {
		s.APIError(c, err)
		return
	}
	now := s.Now()
	req, err := windowreq.ForTerminal(c, s.Pool, id, term.ID, term.PointID, now)
	if err != nil {
		s.APIError(c, err)
		return
	}
	var body requestRating
	if err := httpx.DecodeJSON(c, &body, 64<<10); err != nil {
		s.APIError(c, err)
		return
	}
	if body.RatedAt == "" {
		body.RatedAt = now.Format(time.RFC3339)
	}
	tr := ratings.TerminalRating{ID: windowreq.RatingClientID(req.ID), Level: body.Level, RatedAt: body.RatedAt,
		CaseNo: req.CaseNo, Window: req.WindowNo, StaffNo: req.StaffNo, Reasons: body.Reasons, Comment: body.Comment,
		DimensionsInput: ratings.DimensionsInput{ItemCode: req.ItemCode, Stage: req.Stage, PF: body.PF,
			ApplicantType: req.ApplicantType, ReasonCodes: body.ReasonCodes}}
	results, ok := s.storeTerminalRatings(c, term, checked, []ratings.TerminalRating{tr})
	if !ok {
		return
	}
	res := results[0]
	ratingID := res.ratingID
	switch res.Status {
	case "created":
	case "duplicate":
		if ratingID, err = windowreq.RatingOf(c, s.Pool, term.ID, tr.ID); err != nil {
			s.APIError(c, err)
			return
		}
	default:
		code := apperr.Invalid
		if res.Error == "case_conflict" {
			code = apperr.Conflict
		}
		s.APIError(c, &apperr.Error{Code: code, Message: "评价未保存", Fields: res.Fields})
		return
	}
	if req, err = windowreq.MarkRated(c, s.Pool, req.ID, ratingID, now); err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": res.Status, "request": toTerminalRequest(req, items.Known{})})
}
