package casesapp

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/db"
	"minyi/internal/feedback"
	"minyi/internal/httpx"
	"minyi/internal/ratings"
	"minyi/internal/units"
)

// queuePageSize is how many feedback items the queue shows a page.
const queuePageSize = 50

// queueQuery is the queue's filter as typed, kept to refill the form.
type queueQuery struct {
	UnitID, Source, Channel, Level, From, To, Status, Tone, Q string
}

func (q queueQuery) values() url.Values {
	v := url.Values{}
	for k, val := range map[string]string{"unit_id": q.UnitID, "source": q.Source, "channel": q.Channel,
		"level": q.Level, "from": q.From, "to": q.To, "status": q.Status, "tone": q.Tone, "q": q.Q} {
		if val != "" {
			v.Set(k, val)
		}
	}
	return v
}

type queueRow struct {
	feedback.Item
	Ref     string // kind:id:version, the merge checkbox's value
	Link    string
	When    string // the rating's time, or the survey opinion's day
	Checked bool
}

type feedbackPageData struct {
	httpx.BasePage
	Q          queueQuery
	Units      []units.Unit
	Levels     []ratings.LevelName
	Rows       []queueRow
	Pager      httpx.KeysetPager
	Export     httpx.ExportLinks
	FilterErrs []string
	Message    string
	Problem    string
	Period     string
	// Held are the groups of ratings the daily cap held (console_dailycap.go).
	Held      []heldRow
	HeldPager httpx.Pager
	// Query is the filter as a query string, for the bulk actions; Matching
	// the pending items they may mark read at once (0: none, or too many
	// or not counted exactly).
	Query    string
	Matching int
	// TooMany says the pending items are more than one bulk verdict takes.
	TooMany  bool
	AutoRule feedback.AutoRule
	MaxBulk  int
}

// queueState is what a failed action brings back to the queue: msg,
// checked and problem refill a merge, held a decision on held ratings.
type queueState struct {
	msg     string
	checked map[string]bool
	problem string
	held    heldError
}

// queueFieldNames turns the filter's field errors into Chinese.
var queueFieldNames = map[string]string{
	"from":    "开始日期格式应为“年-月-日”，查询区间不能超过400天。",
	"to":      "结束日期格式应为“年-月-日”，且不能早于开始日期。",
	"source":  "来源无效。",
	"channel": "渠道无效。",
	"level":   "评价等级无效。",
	"unit_id": "所选单位无效。",
	"status":  "核查状态无效。",
	"tone":    "反馈类型无效。",
	"cursor":  "翻页位置无效，请从最新一页重新翻阅。",
	"q":       "搜索词无效：最多50个字、5个词，不能含有无法识别的字符。",
}

// FeedbackPage shows the review queue.
func (s *Handlers) FeedbackPage(c *gin.Context) {
	s.showQueue(c, http.StatusOK, queueState{})
}

// showQueue renders the queue for the filter in the request's query (the
// console shows pending items unless status=all or decided), the groups
// of held ratings first; st brings back an action that failed.
func (s *Handlers) showQueue(c *gin.Context, status int, st queueState) {
	q := queueQuery{UnitID: c.Query("unit_id"), Source: c.Query("source"), Channel: c.Query("channel"),
		Level: c.Query("level"), From: c.Query("from"), To: c.Query("to"), Status: c.Query("status"), Tone: c.Query("tone"),
		Q: strings.TrimSpace(c.Query("q"))}
	d := feedbackPageData{BasePage: s.Base(c, "民意核查", "feedback"), Q: q, Levels: ratings.LevelNames(), Message: st.msg,
		Problem: st.problem}
	checked := st.checked
	verdict := q.Status
	switch q.Status {
	case "":
		d.Q.Status, verdict = "pending", "pending"
	case "all":
		verdict = ""
	}
	f, err := s.feedbackFilter(c, verdict)
	if q.Tone == "" {
		// What needs a decision comes first: 差评 and messages below 满意;
		// praise is one choice away (tone=praise, or all).
		d.Q.Tone, f.Tone = feedback.ToneComplaint, feedback.ToneComplaint
	}
	if err == nil {
		err = queueCursors(c, &f)
	}
	if err != nil {
		seen := map[string]bool{}
		for field := range apperr.From(err).Fields {
			if m := queueFieldNames[field]; m != "" && !seen[m] {
				seen[m] = true
				d.FilterErrs = append(d.FilterErrs, m)
			}
		}
		if len(d.FilterErrs) == 0 {
			d.FilterErrs = []string{"筛选条件有误，请检查后重试。"}
		}
		status = http.StatusUnprocessableEntity
	} else {
		d.Period = f.From.In(s.Config.Location).Format("2006-01-02") + " 至 " +
			f.To.Add(-1).In(s.Config.Location).Format("2006-01-02")
		// The held groups, the page and the units of the filter are read
		// side by side (each on its own connection of the pool).
		var p feedback.QueuePage
		pf := f
		pf.Limit = queuePageSize
		err = db.Parallel(s.Pool,
			func(q db.DBTX) (err error) { d.Held, d.HeldPager, err = s.heldRows(c, q, f, d.Q, st.held); return err },
			func(q db.DBTX) (err error) { p, err = feedback.Queue(c, q, s.Config.Location, pf); return err },
			func(q db.DBTX) (err error) { d.Units, err = units.ListUnits(c, q, nil); return err },
			func(q db.DBTX) (err error) { d.AutoRule, err = feedback.FindAutoRule(c, q); return err })
		if err != nil {
			s.ConsoleError(c, err)
			return
		}
		f = pf
		d.Query, d.MaxBulk = d.Q.values().Encode(), feedback.MaxBulk
		d.Export = httpx.NewExportLinks("/console/feedback", d.Q.values())
		if d.Q.Status == "pending" && p.Total.Exact && p.Total.N <= feedback.MaxBulk {
			d.Matching = p.Total.N
		}
		d.TooMany = d.Q.Status == "pending" && p.Total.N > feedback.MaxBulk
		link := func(param, cursor string) string {
			v := d.Q.values()
			if param != "" {
				v.Set(param, cursor)
			}
			return "/console/feedback?" + v.Encode()
		}
		d.Pager = httpx.NewKeysetPager(p.Total.N, p.Total.Exact, p.Total.Estimated, "条", ratings.CursorParam(p.Older),
			ratings.CursorParam(p.Newer), f.Older != nil || f.Newer != nil, link)
		list := p.Items
		for _, it := range list {
			ref := it.Kind + ":" + it.ID + ":" + strconv.Itoa(it.Version)
			when := it.At.In(s.Config.Location).Format("2006-01-02 15:04")
			if it.Kind == feedback.KindResponse {
				when = it.At.In(s.Config.Location).Format("2006-01-02")
			}
			d.Rows = append(d.Rows, queueRow{Item: it, Ref: ref, Link: itemPath(it.Kind, it.ID), When: when, Checked: checked[ref]})
		}
	}
	if d.Units == nil {
		if d.Units, err = units.ListUnits(c, s.Pool, nil); err != nil {
			s.ConsoleError(c, err)
			return
		}
	}
	s.Render(c, status, "console/feedback.html", d)
}

// queueCursors reads the queue's paging: older=<cursor> for the page after
// an item, newer=<cursor> for the page before it.
func queueCursors(c *gin.Context, f *feedback.Filter) error {
	var err error
	if f.Older, f.Newer, err = ratings.ParseCursors(c.Query("older"), c.Query("newer")); err != nil {
		return apperr.InvalidField("cursor", "翻页位置无效")
	}
	return f.Validate()
}

func itemPath(kind, id string) string { return "/console/feedback/item/" + kind + "/" + id }

// parseRef reads a "kind:id:version" checkbox value.
func parseRef(v string) (feedback.Ref, bool) {
	parts := strings.Split(v, ":")
	if len(parts) != 3 {
		return feedback.Ref{}, false
	}
	n, err := httpx.ParseInt(parts[2])
	if err != nil || n < 0 {
		return feedback.Ref{}, false
	}
	return feedback.Ref{Kind: parts[0], ID: parts[1], Version: n}, true
}

// FeedbackMergeSubmit opens one case from the selected items (one item is
// a plain "valid"; several are merged duplicates).
func (s *Handlers) FeedbackMergeSubmit(c *gin.Context) {
	in := feedback.ValidInput{Problem: c.PostForm("problem")}
	checked := map[string]bool{}
	for _, v := range c.PostFormArray("item") {
		ref, ok := parseRef(v)
		if !ok {
			s.ConsoleError(c, apperr.New(apperr.NotFound, "该反馈不存在或不在核查范围内"))
			return
		}
		checked[v] = true
		in.Items = append(in.Items, ref)
	}
	var cs feedback.Case
	err := db.Tx(c, s.Pool, func(tx pgx.Tx) (err error) {
		cs, err = s.markValid(c, tx, in)
		return err
	})
	switch {
	case err == nil:
		flash := "feedback_valid"
		if len(in.Items) > 1 {
			flash = "feedback_merged"
		}
		httpx.Redirect(c, "/console/cases#case-"+cs.IDString(), flash)
	case apperr.Is(err, apperr.Invalid), apperr.Is(err, apperr.Conflict), apperr.Is(err, apperr.NotFound):
		s.showQueue(c, apperr.Status(apperr.From(err).Code), queueState{msg: errorText(err), checked: checked, problem: in.Problem})
	default:
		s.ConsoleError(c, err)
	}
}

type feedbackItemData struct {
	httpx.BasePage
	Item    feedback.Item
	Reasons []struct{ Key, Label string }
	Case    *feedback.Case
	Appeals []feedback.Appeal
	Form    map[string]string
	Errors  map[string]string
	Message string
}

// FeedbackItemPage shows one item of the queue with its verdict forms.
func (s *Handlers) FeedbackItemPage(c *gin.Context) {
	s.showItem(c, http.StatusOK, nil, nil, "")
}

// showItem renders one item with its verdict forms; form and errs refill
// a failed form, msg says why a verdict was refused.
func (s *Handlers) showItem(c *gin.Context, status int, form, errs map[string]string, msg string) {
	it, err := feedback.FindItem(c, s.Pool, s.Config.Location, c.Param("kind"), c.Param("id"))
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	d := feedbackItemData{BasePage: s.Base(c, "反馈核查", "feedback"), Item: it, Reasons: feedback.InvalidReasons,
		Form: form, Errors: errs, Message: msg}
	if d.Form == nil {
		d.Form = map[string]string{"problem": it.ProblemText()}
	}
	if it.CaseID != nil {
		cs, err := feedback.FindCase(c, s.Pool, *it.CaseID)
		if err != nil {
			s.ConsoleError(c, err)
			return
		}
		d.Case = &cs
	}
	if it.Kind == feedback.KindRating {
		rid := uuid.MustParse(it.ID)
		if d.Appeals, _, err = feedback.ListAppeals(c, s.Pool, feedback.AppealFilter{RatingID: &rid}); err != nil {
			s.ConsoleError(c, err)
			return
		}
	}
	s.Render(c, status, "console/feedback_item.html", d)
}

// itemSubmit runs a verdict form's action and returns to the item; an
// invalid form or a conflict shows the item again with the message.
func (s *Handlers) itemSubmit(c *gin.Context, flash string, form map[string]string, fn func(tx pgx.Tx, version int) error) {
	version, _ := httpx.ParseInt(c.PostForm("version"))
	err := db.Tx(c, s.Pool, func(tx pgx.Tx) error { return fn(tx, version) })
	switch {
	case err == nil:
		httpx.Redirect(c, itemPath(c.Param("kind"), c.Param("id")), flash)
	case apperr.Is(err, apperr.Invalid):
		errs, _ := httpx.FieldErrors(err)
		s.showItem(c, http.StatusUnprocessableEntity, form, errs, "")
	case apperr.Is(err, apperr.Conflict):
		s.showItem(c, http.StatusConflict, form, nil, apperr.From(err).Message+"。")
	default:
		s.ConsoleError(c, err)
	}
}

// FeedbackValidSubmit finds an item valid from its page, opening a case.
func (s *Handlers) FeedbackValidSubmit(c *gin.Context) {
	form := map[string]string{"form": "valid", "problem": c.PostForm("problem")}
	s.itemSubmit(c, "feedback_valid", form, func(tx pgx.Tx, version int) error {
		_, err := s.markValid(c, tx, feedback.ValidInput{
			Items: []feedback.Ref{{Kind: c.Param("kind"), ID: c.Param("id"), Version: version}}, Problem: form["problem"]})
		return err
	})
}

// FeedbackInvalidSubmit finds an item invalid from its page.
func (s *Handlers) FeedbackInvalidSubmit(c *gin.Context) {
	form := map[string]string{"form": "invalid", "reason": c.PostForm("reason"), "note": c.PostForm("note")}
	s.itemSubmit(c, "feedback_invalid", form, func(tx pgx.Tx, version int) error {
		_, err := feedback.MarkInvalid(c, tx, s.Config.Location, httpx.CurrentUser(c).Actor(), feedback.InvalidInput{
			Kind: c.Param("kind"), ID: c.Param("id"), Version: version, Reason: form["reason"], Note: form["note"]}, s.Now())
		return err
	})
}

// FeedbackReopenSubmit puts a decided item back in the queue from its page.
func (s *Handlers) FeedbackReopenSubmit(c *gin.Context) {
	s.itemSubmit(c, "feedback_reopened", nil, func(tx pgx.Tx, version int) error {
		_, err := feedback.Reopen(c, tx, s.Config.Location, httpx.CurrentUser(c).Actor(), c.Param("kind"), c.Param("id"), version)
		return err
	})
}
