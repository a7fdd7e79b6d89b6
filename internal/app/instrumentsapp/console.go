package instrumentsapp

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/cycles"
	"minyi/internal/db"
	"minyi/internal/httpx"
	"minyi/internal/instruments"
)

// instrumentRow is an instrument as listed.
type instrumentRow struct {
	instruments.Instrument
	Link, PurposeLabel, StatusLabel, ScaleText, Source string
}

func rowOf(in instruments.Instrument) instrumentRow {
	return instrumentRow{Instrument: in, Link: instrumentPath(in.ID), PurposeLabel: instruments.PurposeLabel(in.Purpose),
		StatusLabel: instruments.StatusLabel(in.Status), ScaleText: in.ScaleText(), Source: in.Source()}
}

// choice is an option of a select or a box of a list.
type choice struct {
	Value, Label string
	On           bool
}

// instrumentForm is the instrument form as typed.
type instrumentForm struct {
	Key, Name, Purpose, Scale, MinAnswers string
	Points                                [4]string
	Anonymous, PartnersOnly               bool
	Rated, Raters                         []choice
	Purposes                              []choice
}

func (s *Handlers) formOf(in instruments.Input) instrumentForm {
	f := instrumentForm{Key: in.Key, Name: in.Name, Purpose: in.Purpose, Scale: in.Scale, Anonymous: in.Anonymous,
		PartnersOnly: in.PartnersOnly, MinAnswers: strconv.Itoa(in.MinAnswers)}
	if f.Scale == "" {
		f.Scale = instruments.ScaleGrades
	}
	if in.MinAnswers == 0 {
		f.MinAnswers = "1"
	}
	pts := in.GradePoints
	if len(pts) != 4 {
		pts = instruments.DefaultGradePoints
	}
	for i, p := range pts {
		f.Points[i] = strconv.FormatFloat(p, 'f', -1, 64)
	}
	for _, p := range instruments.Purposes {
		f.Purposes = append(f.Purposes, choice{p, instruments.PurposeLabel(p), p == in.Purpose})
	}
	for _, cat := range s.Config.UnitCategories {
		f.Rated = append(f.Rated, choice{cat, cat, contains(in.RatedCategories, cat)})
		f.Raters = append(f.Raters, choice{cat, cat, contains(in.RaterCategories, cat)})
	}
	return f
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// readForm reads the posted instrument form (the key is not typed: a new
// instrument's is chosen by FreeKey, an existing one's stays): name, purpose, scale,
// p0–p3 (the grades' points), min_answers, anonymous, partners_only,
// rated and raters (category boxes).
func readForm(c *gin.Context) (instruments.Input, error) {
	in := instruments.Input{Name: c.PostForm("name"), Purpose: c.PostForm("purpose"),
		Scale: c.PostForm("scale"), Anonymous: c.PostForm("anonymous") == "1", PartnersOnly: c.PostForm("partners_only") == "1",
		RatedCategories: c.PostFormArray("rated"), RaterCategories: c.PostFormArray("raters")}
	f := apperr.Fields{}
	if v := strings.TrimSpace(c.PostForm("min_answers")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			f.Add("min_answers", "最少评价份数须为整数")
		}
		in.MinAnswers = n
	}
	for i := range 4 {
		p, err := strconv.ParseFloat(strings.TrimSpace(c.PostForm("p"+strconv.Itoa(i))), 64)
		if err != nil {
			f.Add("grade_points", "各档分值须为数字")
			break
		}
		in.GradePoints = append(in.GradePoints, p)
	}
	return in, f.Err()
}

type instrumentsPage struct {
	httpx.BasePage
	Cycle  cycles.Cycle
	Rows   []instrumentRow
	Form   instrumentForm
	Errors map[string]string
	Error  string
	// Editing and Frozen are false: the form adds an instrument.
	Editing, Frozen bool
}

// InstrumentsPage lists a cycle's instruments with the form to add one.
func (s *Handlers) InstrumentsPage(c *gin.Context) {
	s.showInstruments(c, http.StatusOK, nil, nil)
}

func (s *Handlers) showInstruments(c *gin.Context, status int, in *instruments.Input, err error) {
	id, e := httpx.IDParam(c, "id")
	var cy cycles.Cycle
	if e == nil {
		cy, e = cycles.FindCycle(c, s.Pool, id)
	}
	var list []instruments.Instrument
	if e == nil {
		list, e = instruments.ForCycle(c, s.Pool, id)
	}
	if e != nil {
		s.ConsoleError(c, e)
		return
	}
	d := instrumentsPage{BasePage: s.Base(c, cy.Name+" · 评价项目", "cycles"), Cycle: cy}
	for _, i := range list {
		d.Rows = append(d.Rows, rowOf(i))
	}
	if in == nil {
		in = &instruments.Input{Purpose: instruments.PurposeLeaders, Anonymous: true}
	}
	d.Form = s.formOf(*in)
	if err != nil {
		d.Errors, _ = httpx.FieldErrors(err)
		d.Error = httpx.PageMessage(apperr.From(err))
	}
	s.Render(c, status, "console/instruments.html", d)
}

// CreateInstrumentSubmit adds an instrument from the form.
func (s *Handlers) CreateInstrumentSubmit(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	in, err := readForm(c)
	var made instruments.Instrument
	if err == nil {
		err = db.Tx(c, s.Pool, func(tx pgx.Tx) (err error) {
			// The key is chosen for the office (the purpose, as the presets' leaves name it).
			if in.Key, err = instruments.FreeKey(c, tx, id, strings.TrimSpace(in.Purpose)); err != nil {
				return err
			}
			made, err = instruments.Create(c, tx, httpx.CurrentUser(c).Actor(), id, in)
			return err
		})
	}
	if err != nil {
		if apperr.Is(err, apperr.Invalid) {
			in.Normalize()
			s.showInstruments(c, http.StatusUnprocessableEntity, &in, err)
			return
		}
		s.ConsoleError(c, err)
		return
	}
	httpx.Redirect(c, instrumentPath(made.ID), "instrument_created")
}
