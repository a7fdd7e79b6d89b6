package casesapp

import (
	"net/url"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/db"
	"minyi/internal/feedback"
	"minyi/internal/httpx"
	"minyi/internal/ratings"
)

// heldError is a failed decision on a group of held ratings, shown next
// to the group with what was typed.
type heldError struct {
	Key, Message, Reason string
}

// heldRow is a group of held ratings in the review queue, with its
// decision form.
type heldRow struct {
	feedback.HoldGroup
	Source   string // the address, or the network's name and range
	Until    string // the last held rating's time, which the decision covers
	Action   string
	FeedLink string
	Err      heldError
}

// heldPageSize is how many groups the queue shows a page.
const heldPageSize = 20

// heldRows reads the page of groups of held ratings the queue's filter
// selects (the hpage parameter pages them) and its httpx.Pager, through tx.
func (s *Handlers) heldRows(c *gin.Context, tx db.DBTX, f feedback.Filter, q queueQuery, herr heldError) ([]heldRow, httpx.Pager, error) {
	page := httpx.PageNumber(c.Query("hpage"))
	f.Limit, f.Offset = heldPageSize, (page-1)*heldPageSize
	list, total, err := feedback.HoldGroups(c, tx, s.Config.Location, f)
	if err != nil {
		return nil, httpx.Pager{}, err
	}
	v := q.values()
	link := func(n int) string {
		w := q.values()
		if n > 1 {
			w.Set("hpage", strconv.Itoa(n))
		}
		return "/console/feedback?" + w.Encode() + "#held"
	}
	if page > 1 {
		v.Set("hpage", strconv.Itoa(page))
	}
	suffix := ""
	if len(v) > 0 {
		suffix = "?" + v.Encode()
	}
	rows := make([]heldRow, 0, len(list))
	for _, g := range list {
		feed := url.Values{"unit_id": {strconv.FormatInt(g.UnitID, 10)}, "from": {g.DayText}, "to": {g.DayText}, "channel": {"qr"}}
		if g.Pending > 0 {
			feed.Set("held", "true")
		}
		r := heldRow{HoldGroup: g, Source: "地址 " + g.Address, Action: "/console/feedback/held/" + g.Key + "/decide" + suffix,
			FeedLink: "/console/ratings?" + feed.Encode()}
		if g.NetworkID != nil {
			r.Source = "登记网络 " + g.Address
			if g.NetworkName != nil && *g.NetworkName != "" {
				r.Source = "登记网络“" + *g.NetworkName + "” " + g.Address
			}
		}
		if g.LastAt != nil {
			r.Until = g.LastAt.Format(time.RFC3339Nano)
		}
		if herr.Key == g.Key {
			r.Err = herr
		}
		rows = append(rows, r)
	}
	return rows, httpx.NewPager(page, heldPageSize, total, link), nil
}

// HeldDecideSubmit counts a group of held ratings, or keeps it out of the
// score with a reason, and returns to the queue with its filter; a missing
// reason or a group decided meanwhile shows the queue with the message.
func (s *Handlers) HeldDecideSubmit(c *gin.Context) {
	d := ratings.HoldDecision{Key: c.Param("key"), Count: c.PostForm("decision") == "count",
		Reason: c.PostForm("reason")}
	if v := c.PostForm("until"); v != "" {
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			s.ConsoleError(c, apperr.New(apperr.NotFound, "该组评价不存在"))
			return
		}
		d.Until = t
	}
	err := db.Tx(c, s.Pool, func(tx pgx.Tx) error {
		_, err := ratings.DecideHoldGroup(c, tx, httpx.CurrentUser(c).Actor(), d)
		return err
	})
	switch {
	case err == nil:
		flash := map[bool]string{true: "hold_counted", false: "hold_not_counted"}[d.Count]
		httpx.Redirect(c, queueBack(c, "#held"), flash)
	case apperr.Is(err, apperr.Invalid), apperr.Is(err, apperr.Conflict):
		s.showQueue(c, apperr.Status(apperr.From(err).Code), queueState{held: heldError{Key: d.Key, Message: errorText(err), Reason: d.Reason}})
	default:
		s.ConsoleError(c, err)
	}
}

// queueBack is the queue with the filter of the request's query, where a
// decision returns to, at the anchor (#held, #queue).
func queueBack(c *gin.Context, anchor string) string {
	if q := c.Request.URL.Query(); len(q) > 0 {
		q.Del("msg")
		return "/console/feedback?" + q.Encode() + anchor
	}
	return "/console/feedback" + anchor
}
