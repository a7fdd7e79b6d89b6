package casesapp

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/app/evidenceform"
	"minyi/internal/apperr"
	"minyi/internal/assessment"
	"minyi/internal/db"
	"minyi/internal/feedback"
	"minyi/internal/httpx"
	"minyi/internal/ratings"
	"minyi/internal/users"
)

// rowError is a failed form on one row of a list, shown next to it.
type rowError struct {
	ID      int64
	Message string
	Text    string // what was typed, kept
}

type flagsPageData struct {
	httpx.BasePage
	Status string
	Flags  []feedback.Flag
	Pager  httpx.Pager
	Err    rowError
}

// FeedbackFlagsPage lists the suspicious-pattern flags.
func (s *Handlers) FeedbackFlagsPage(c *gin.Context) {
	s.showFlags(c, http.StatusOK, rowError{})
}

func (s *Handlers) showFlags(c *gin.Context, status int, rerr rowError) {
	st := c.Query("status")
	if st == "" {
		st = feedback.FlagOpen
	}
	filter := st
	if st == "all" {
		filter = ""
	}
	page := httpx.PageParam(c)
	list, total, err := feedback.ListFlags(c, s.Pool, filter, queuePageSize, (page-1)*queuePageSize)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	d := flagsPageData{BasePage: s.Base(c, "可疑评价标记", "feedback"), Status: st, Flags: list, Err: rerr}
	d.Pager = httpx.NewPager(page, queuePageSize, total, func(n int) string {
		return "/console/feedback/flags?status=" + st + "&page=" + strconv.Itoa(n)
	})
	s.Render(c, status, "console/feedback_flags.html", d)
}

// FeedbackScanSubmit scans for suspicious patterns and returns to the flags.
func (s *Handlers) FeedbackScanSubmit(c *gin.Context) {
	n, err := feedback.Scan(c, s.Pool, s.Keys, s.Config.Location, s.Now())
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	flash := "flag_scan_none"
	if n > 0 {
		flash = "flag_scan_found"
	}
	httpx.Redirect(c, "/console/feedback/flags", flash)
}

// FeedbackFlagSubmit confirms or dismisses a flag from the flags page.
func (s *Handlers) FeedbackFlagSubmit(c *gin.Context) {
	confirm := c.PostForm("decision") == "confirm"
	flash := map[bool]string{true: "flag_confirmed", false: "flag_dismissed"}[confirm]
	s.rowDecision(c, "可疑标记不存在", "note", flash, "/console/feedback/flags", s.showFlags,
		func(tx pgx.Tx, id int64, text string) error {
			_, err := feedback.DecideFlag(c, tx, httpx.CurrentUser(c).Actor(), id, confirm, text, s.Now())
			return err
		})
}

// rowDecision runs a decision form posted from a row of a list (a flag, an
// appeal) and returns to the list with flash; an invalid form or a
// conflict shows the list again with the message next to the row.
func (s *Handlers) rowDecision(c *gin.Context, notFound, field, flash, back string,
	show func(*gin.Context, int, rowError), fn func(tx pgx.Tx, id int64, text string) error) {
	id, err := httpx.IDParam(c, "id")
	if err != nil {
		s.ConsoleError(c, apperr.New(apperr.NotFound, notFound))
		return
	}
	text := c.PostForm(field)
	err = db.Tx(c, s.Pool, func(tx pgx.Tx) error { return fn(tx, id, text) })
	switch {
	case err == nil:
		httpx.Redirect(c, back, flash)
	case apperr.Is(err, apperr.Invalid), apperr.Is(err, apperr.Conflict):
		show(c, apperr.Status(apperr.From(err).Code), rowError{ID: id, Message: errorText(err), Text: text})
	default:
		s.ConsoleError(c, err)
	}
}

// errorText is an invalid or conflict error as one sentence: its field
// message when it names one, else its message.
func errorText(err error) string {
	e := apperr.From(err)
	msg := e.Message
	for _, m := range e.Fields {
		msg = m
	}
	return msg + "。"
}

type appealRow struct {
	feedback.Appeal
	Evidence []assessment.EvidenceFile
}

type appealsPageData struct {
	httpx.BasePage
	Status  string
	Appeals []appealRow
	Pager   httpx.Pager
	Err     rowError
}

// FeedbackAppealsPage lists appeals against ratings.
func (s *Handlers) FeedbackAppealsPage(c *gin.Context) {
	s.showAppeals(c, http.StatusOK, rowError{})
}

// showAppeals lists appeals: the office sees all, a unit its own.
func (s *Handlers) showAppeals(c *gin.Context, status int, rerr rowError) {
	st := c.Query("status")
	f := feedback.AppealFilter{Status: st}
	u := httpx.CurrentUser(c)
	var err error
	if f.UnitID, err = unitQueryScope(c); err != nil {
		s.ConsoleError(c, err)
		return
	}
	page := httpx.PageParam(c)
	f.Limit, f.Offset = queuePageSize, (page-1)*queuePageSize
	list, total, err := feedback.ListAppeals(c, s.Pool, f)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	d := appealsPageData{BasePage: s.Base(c, "评价申诉", "feedback"), Status: st, Err: rerr}
	if u.Role != users.RoleOffice {
		d.Active = "ratings"
	}
	for _, a := range list {
		files, err := assessment.EvidenceInfo(c, s.Pool, a.EvidenceIDs)
		if err != nil {
			s.ConsoleError(c, err)
			return
		}
		d.Appeals = append(d.Appeals, appealRow{Appeal: a, Evidence: files})
	}
	d.Pager = httpx.NewPager(page, queuePageSize, total, func(n int) string {
		return "/console/feedback/appeals?status=" + st + "&page=" + strconv.Itoa(n)
	})
	s.Render(c, status, "console/feedback_appeals.html", d)
}

// FeedbackAppealSubmit upholds or rejects an appeal from the appeals page.
func (s *Handlers) FeedbackAppealSubmit(c *gin.Context) {
	uphold := c.PostForm("decision") == "uphold"
	flash := map[bool]string{true: "rating_appeal_upheld", false: "rating_appeal_rejected"}[uphold]
	s.rowDecision(c, "申诉不存在", "reason", flash, "/console/feedback/appeals", s.showAppeals,
		func(tx pgx.Tx, id int64, text string) error {
			_, err := feedback.DecideAppeal(c, tx, httpx.CurrentUser(c).Actor(), id, uphold, text, s.Now())
			return err
		})
}

type appealFormData struct {
	httpx.BasePage
	Rating  ratings.Rating
	Appeals []feedback.Appeal
	Grounds string
	Errors  map[string]string
	Message string
}

// AppealFormPage shows a unit's appeal form for one of its ratings.
func (s *Handlers) AppealFormPage(c *gin.Context) {
	s.showAppealForm(c, http.StatusOK, "", nil, "")
}

// showAppealForm renders a unit's appeal form for one of its ratings, with
// the appeals already filed on it.
func (s *Handlers) showAppealForm(c *gin.Context, status int, grounds string, errs map[string]string, msg string) {
	unit, err := appealUnit(c)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	id, err := httpx.UUIDParam(c, "id")
	var r ratings.Rating
	if err == nil {
		r, err = ratings.Find(c, s.Pool, id)
	}
	if err == nil && r.UnitID != unit {
		err = apperr.New(apperr.NotFound, "评价不存在")
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	list := []ratings.Rating{r}
	ratings.ShowPhones(list, s.Keys, s.fullPhones(httpx.CurrentUser(c)))
	d := appealFormData{BasePage: s.Base(c, "评价申诉", "ratings"), Rating: list[0], Grounds: grounds, Errors: errs, Message: msg}
	if d.Appeals, _, err = feedback.ListAppeals(c, s.Pool, feedback.AppealFilter{UnitID: &unit, RatingID: &id}); err != nil {
		s.ConsoleError(c, err)
		return
	}
	s.Render(c, status, "console/feedback_appeal_form.html", d)
}

// AppealSubmit files the appeal with its optional evidence file, stored in
// the same transaction (nothing is kept when the appeal is refused).
func (s *Handlers) AppealSubmit(c *gin.Context) {
	unit, err := appealUnit(c)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	id, err := httpx.UUIDParam(c, "id")
	if err != nil {
		s.ConsoleError(c, apperr.New(apperr.NotFound, "评价不存在"))
		return
	}
	grounds := strings.TrimSpace(c.PostForm("grounds"))
	err = db.Tx(c, s.Pool, func(tx pgx.Tx) error {
		files, err := evidenceform.Save(c, tx, "file", &unit)
		if err != nil {
			return err
		}
		_, err = feedback.FileAppeal(c, tx, httpx.CurrentUser(c).Actor(), unit, id, feedback.AppealInput{Grounds: grounds, EvidenceIDs: files}, s.Now())
		return err
	})
	switch {
	case err == nil:
		httpx.Redirect(c, "/console/feedback/appeals", "rating_appeal_filed")
	case apperr.Is(err, apperr.Invalid):
		errs, _ := httpx.FieldErrors(err)
		s.showAppealForm(c, http.StatusUnprocessableEntity, grounds, errs, "")
	case apperr.Is(err, apperr.Conflict):
		s.showAppealForm(c, http.StatusConflict, grounds, nil, apperr.From(err).Message+"。")
	default:
		s.ConsoleError(c, err)
	}
}
