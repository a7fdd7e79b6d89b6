package instrumentsapp

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/citizensms"
	"minyi/internal/cycles"
	"minyi/internal/db"
	"minyi/internal/httpx"
	"minyi/internal/instruments"
)

const resultsPageSize = 100

// resultRow is a rated unit's result as shown.
type resultRow struct {
	instruments.UnitResult
	MeanText, Link string
}

type inviteeRow struct {
	instruments.Invitee
	Link string
	// SMS says what became of the invitee's SMS invitation ("" when none
	// was sent).
	SMS string
}

type instrumentPage struct {
	httpx.BasePage
	Cycle      cycles.Cycle
	Inst       instrumentRow
	Form       instrumentForm
	Frozen     bool
	Editing    bool
	Results    []resultRow
	Short      int
	Pager      httpx.Pager
	Invitees   []inviteeRow
	InvPager   httpx.Pager
	Errors     map[string]string
	Error      string
	InvitedErr string
	// SMS is whether invitations can go by SMS (a gateway is configured).
	SMS bool
	// Export offers the answers once the instrument has opened.
	Export httpx.ExportLinks
}

// InstrumentPage shows an instrument: its settings, state, invitees with
// their links, and its results per rated unit with counts and the flag.
func (s *Handlers) InstrumentPage(c *gin.Context) { s.showInstrument(c, http.StatusOK, nil, nil, "") }

func (s *Handlers) showInstrument(c *gin.Context, status int, form *instruments.Input, formErr error, invErr string) {
	id, err := httpx.IDParam(c, "id")
	var in instruments.Instrument
	var cy cycles.Cycle
	if err == nil {
		in, err = instruments.Find(c, s.Pool, id)
	}
	if err == nil {
		cy, err = cycles.FindCycle(c, s.Pool, in.CycleID)
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	d := instrumentPage{BasePage: s.Base(c, in.Name+" · 评价项目", "cycles"), Cycle: cy, Inst: rowOf(in),
		Frozen: in.Status != instruments.StatusDraft, Editing: true, InvitedErr: invErr, SMS: s.SMS.Enabled}
	if form == nil {
		f := instruments.Input{Key: in.Key, Name: in.Name, Purpose: in.Purpose, Scale: in.Scale, GradePoints: in.GradePoints,
			MinAnswers: in.MinAnswers, Anonymous: in.Anonymous, PartnersOnly: in.PartnersOnly,
			RatedCategories: in.RatedCategories, RaterCategories: in.RaterCategories}
		form = &f
	}
	d.Form = s.formOf(*form)
	if formErr != nil {
		d.Errors, _ = httpx.FieldErrors(formErr)
		d.Error = httpx.PageMessage(apperr.From(formErr))
	}
	page := httpx.PageParam(c)
	list, total, err := instruments.Results(c, s.Pool, in, resultsPageSize, (page-1)*resultsPageSize)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	for _, r := range list {
		row := resultRow{UnitResult: r, MeanText: "—", Link: instrumentPath(in.ID) + "/units/" + strconv.FormatInt(r.UnitID, 10)}
		if r.Mean != nil {
			row.MeanText = strconv.FormatFloat(*r.Mean, 'f', 2, 64)
		}
		if r.Short && r.Answers > 0 {
			d.Short++
		}
		d.Results = append(d.Results, row)
	}
	d.Pager = httpx.NewPager(page, resultsPageSize, total, func(n int) string {
		return instrumentPath(in.ID) + "?page=" + strconv.Itoa(n)
	})
	d.Pager.Unit = "个单位"
	if d.Frozen {
		d.Export = httpx.NewExportLinks(instrumentPath(in.ID)+"/answers", nil)
	}
	if !in.ByUnits() {
		invPage := httpx.PageNumber(c.Query("ipage"))
		vs, vt, err := instruments.ListInvitees(c, s.Pool, in.ID, instruments.InviteeFilter{Limit: 50, Offset: (invPage - 1) * 50})
		if err != nil {
			s.ConsoleError(c, err)
			return
		}
		for _, v := range vs {
			token, err := v.Token(s.Keys)
			if err != nil {
				s.ConsoleError(c, err)
				return
			}
			row := inviteeRow{Invitee: v, Link: s.Config.PublicBaseURL + "/e/" + token}
			if v.SMSState != nil {
				row.SMS = citizensms.StateNames[*v.SMSState]
			}
			d.Invitees = append(d.Invitees, row)
		}
		d.InvPager = httpx.NewPager(invPage, 50, vt, func(n int) string {
			return instrumentPath(in.ID) + "?ipage=" + strconv.Itoa(n) + "#invitees"
		})
		d.InvPager.Unit = "人"
	}
	s.Render(c, status, "console/instrument.html", d)
}

// UpdateInstrumentSubmit saves the instrument's settings.
func (s *Handlers) UpdateInstrumentSubmit(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	in, err := readForm(c)
	if err == nil {
		err = db.Tx(c, s.Pool, func(tx pgx.Tx) error {
			_, err := instruments.Update(c, tx, httpx.CurrentUser(c).Actor(), id, in)
			return err
		})
	}
	if apperr.Is(err, apperr.Invalid) {
		in.Normalize()
		s.showInstrument(c, http.StatusUnprocessableEntity, &in, err, "")
		return
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	httpx.Redirect(c, instrumentPath(id), "instrument_updated")
}

// OpenInstrumentSubmit and CloseInstrumentSubmit change the state.
func (s *Handlers) OpenInstrumentSubmit(c *gin.Context) {
	s.setState(c, instruments.Open, "instrument_opened")
}

func (s *Handlers) CloseInstrumentSubmit(c *gin.Context) {
	s.setState(c, instruments.Close, "instrument_closed")
}

type stateChange func(ctx context.Context, tx pgx.Tx, actor audit.Actor, id int64, now time.Time) (instruments.Instrument, error)

func (s *Handlers) setState(c *gin.Context, fn stateChange, flash string) {
	id, err := httpx.IDParam(c, "id")
	if err == nil {
		err = db.Tx(c, s.Pool, func(tx pgx.Tx) error {
			_, err := fn(c, tx, httpx.CurrentUser(c).Actor(), id, s.Now())
			return err
		})
	}
	if apperr.Is(err, apperr.Invalid) || apperr.Is(err, apperr.Conflict) {
		s.showInstrument(c, http.StatusUnprocessableEntity, nil, err, "")
		return
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	httpx.Redirect(c, instrumentPath(id), flash)
}

// AddInviteeSubmit invites a rater from the form (name, group).
func (s *Handlers) AddInviteeSubmit(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	var added bool
	err = db.Tx(c, s.Pool, func(tx pgx.Tx) (err error) {
		_, added, err = instruments.AddInvitee(c, tx, s.Keys, httpx.CurrentUser(c).Actor(), id,
			instruments.InviteeInput{Name: c.PostForm("name"), Group: c.PostForm("group"), Phone: c.PostForm("phone")})
		return err
	})
	if apperr.Is(err, apperr.Invalid) || apperr.Is(err, apperr.Conflict) {
		s.showInstrument(c, http.StatusUnprocessableEntity, nil, nil, httpx.PageMessage(apperr.From(err)))
		return
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	flash := "invitee_added"
	if !added {
		flash = "invitee_exists"
	}
	httpx.Redirect(c, instrumentPath(id)+"#invitees", flash)
}
