package ratingsapp

import (
	"context"
	"minyi/internal/cycles"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/db"
	"minyi/internal/httpx"
	"minyi/internal/ratings"
	"minyi/internal/units"
	"minyi/internal/users"
)

// qrView is a QR code with the links the console shows around it.
type qrView struct {
	Code     string
	URL      string // what the code encodes
	Image    string // the PNG, served by this site
	Download string
	Poster   string
}

func (s *Handlers) qrView(code, poster string) qrView {
	if code == "" {
		return qrView{}
	}
	img := "/q/" + code + "/qr.png"
	return qrView{Code: code, URL: s.codeURL(code), Image: img, Download: img + "?download=1", Poster: poster}
}

func unitPath(id int64) string { return "/console/units/" + strconv.FormatInt(id, 10) }

func pointPath(id int64) string { return "/console/points/" + strconv.FormatInt(id, 10) }

type unitRow struct {
	Unit      units.Unit
	ShortCode string
	Link      string
	QR        qrView
	// Abolished is the day the unit was abolished as pages write it.
	Abolished string
}

type unitsPageData struct {
	httpx.BasePage
	Categories []string
	Category   string
	// State filters by abolition: "" every unit (those that exist first),
	// "current" or "abolished".
	State  string
	Rows   []unitRow
	Total  int
	Form   units.UnitInput
	Errors map[string]string
}

// UnitsPage lists the units the user may see, filtered by category, with
// the form to create one for the office.
func (s *Handlers) UnitsPage(c *gin.Context) {
	s.showUnits(c, http.StatusOK, units.UnitInput{}, nil)
}

func (s *Handlers) showUnits(c *gin.Context, status int, form units.UnitInput, errs map[string]string) {
	list, err := units.ListUnits(c, s.Pool, httpx.CurrentUser(c).UnitID)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	d := unitsPageData{BasePage: s.Base(c, "单位管理", "units"), Categories: s.unitCategories(c, s.Pool),
		Category: c.Query("category"), State: c.Query("state"), Form: form, Errors: errs, Total: len(list)}
	if d.State != "current" && d.State != "abolished" {
		d.State = ""
	}
	for _, u := range list {
		if (d.Category != "" && u.Category != d.Category) || (d.State == "current" && u.AbolishedOn != nil) ||
			(d.State == "abolished" && u.AbolishedOn == nil) {
			continue
		}
		r := unitRow{Unit: u, ShortCode: httpx.Deref(u.ShortCode), Link: unitPath(u.ID), QR: s.qrView(u.QRCode, unitPath(u.ID)+"/poster")}
		if u.AbolishedOn != nil {
			r.Abolished = units.DateText(*u.AbolishedOn)
		}
		d.Rows = append(d.Rows, r)
	}
	s.Render(c, status, "console/units.html", d)
}

func unitForm(c *gin.Context) units.UnitInput {
	in := units.UnitInput{Name: c.PostForm("name"), ShortCode: c.PostForm("short_code"), Category: c.PostForm("category"),
		CreditCode: c.PostForm("credit_code"), AreaCode: c.PostForm("area_code")}
	in.Normalize()
	return in
}

// CreateUnitSubmit creates a unit from the units page.
func (s *Handlers) CreateUnitSubmit(c *gin.Context) {
	in := unitForm(c)
	var u units.Unit
	err := db.Tx(c, s.Pool, func(tx pgx.Tx) (err error) {
		u, err = units.CreateUnit(c, tx, httpx.CurrentUser(c).Actor(), in, s.unitCategories(c, tx))
		return err
	})
	if errs, ok := httpx.FieldErrors(err); ok {
		s.showUnits(c, http.StatusUnprocessableEntity, in, errs)
		return
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	httpx.Redirect(c, unitPath(u.ID), "unit_created")
}

// unitPageData is the unit's page: its details, QR code, service points
// and terminals, with the office's forms and any errors they came back with.
type unitPageData struct {
	httpx.BasePage
	Unit       units.Unit
	ShortCode  string
	QR         qrView
	Points     []pointRow
	Terminals  httpx.TokenTable
	Categories []string
	CanEdit    bool
	UnitForm   units.UnitInput
	UnitErrs   map[string]string
	PointForm  units.PointInput
	PointErrs  map[string]string
	TermName   string
	TermPoint  string
	TermErrs   map[string]string
	Stats      ratings.UnitStats
	Mean       struct{ Today, Month, Year string }
	FeedLink   string
	// The hall networks and their daily caps, for the office only: they
	// name addresses (console_networks.go).
	Networks    []networkRow
	networkList []units.Network
	NetForm     networkForm
	NetErrs     map[string]string
	DefaultCap  int
	// Lineage is the unit's predecessors and successors; LinUnits the
	// units the office may add as a predecessor (console_lineage.go).
	Lineage  units.Lineage
	LinUnits []units.Unit
	LinForm  units.PredecessorInput
	LinErrs  map[string]string
	allUnits []units.Unit
	// Abolition is the unit's abolition (撤销) and the office's forms
	// (console_abolish.go).
	Abolition abolitionView
	// Accounts are the unit's staff accounts, for the office.
	Accounts   []users.Listed
	ClientAddr string // the address the console sees this user at
}

type pointRow struct {
	Point     units.ServicePoint
	KindLabel string
	QR        qrView
	RotateURL string
}

// terminalTable lists the unit's terminals with the names of their service
// points (by id); the office may revoke those in use.
func terminalTable(terms []units.Terminal, pointNames map[int64]string, canEdit bool, csrf string) httpx.TokenTable {
	t := httpx.TokenTable{Lead: []string{"名称", "服务点"}, Active: "正常", ShowRevokedAt: true, LastUsed: "最近上报",
		NeverUsed: "从未上报", Created: "注册时间", Empty: "还没有评价器。", CSRF: csrf}
	for _, term := range terms {
		row := httpx.TokenRow{Lead: []string{term.Name, ""}, Hint: term.TokenHint, CreatedAt: term.CreatedAt,
			LastUsed: term.LastSeenAt, RevokedAt: term.RevokedAt}
		if term.PointID != nil {
			row.Lead[1] = pointNames[*term.PointID]
		}
		if canEdit && term.RevokedAt == nil {
			row.RevokeURL = "/console/terminals/" + strconv.FormatInt(term.ID, 10) + "/revoke"
			row.Confirm = "确定吊销评价器“" + term.Name + "”吗？吊销后其令牌立即失效，且无法恢复。"
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// loadUnitPage reads the unit named in the path with everything its page
// shows; it shows the error page and returns false when it cannot.
func (s *Handlers) loadUnitPage(c *gin.Context) (unitPageData, bool) {
	var d unitPageData
	var err error
	d.Unit, err = s.visibleUnit(c)
	id := d.Unit.ID
	var points []units.ServicePoint
	if err == nil {
		points, err = units.ListPoints(c, s.Pool, id)
	}
	var terms []units.Terminal
	if err == nil {
		terms, err = units.ListTerminals(c, s.Pool, id)
	}
	var stats map[int64]ratings.UnitStats
	if err == nil {
		stats, err = ratings.Stats(c, s.Pool, s.Now(), s.Config.Location, &id, s.Config.LevelPoints)
	}
	if err == nil {
		err = s.loadLineage(c, &d)
	}
	if err == nil && httpx.CurrentUser(c).Role == users.RoleOffice {
		d.networkList, err = units.ListNetworks(c, s.Pool, id)
		var accounts users.ListPage
		if err == nil {
			accounts, err = users.List(c, s.Pool, users.Filter{UnitID: &id, Limit: 50})
		}
		d.Accounts = accounts.Items
	}
	if err != nil {
		s.ConsoleError(c, err)
		return d, false
	}
	u := d.Unit
	d.BasePage = s.Base(c, u.Name, "units")
	d.CanEdit = d.Office
	d.ShortCode = httpx.Deref(u.ShortCode)
	d.QR = s.qrView(u.QRCode, unitPath(u.ID)+"/poster")
	d.Categories = s.unitCategories(c, s.Pool)
	d.UnitForm = units.UnitInput{Name: u.Name, ShortCode: d.ShortCode, Category: u.Category,
		CreditCode: httpx.Deref(u.CreditCode), AreaCode: httpx.Deref(u.AreaCode)}
	d.PointForm.Kind = units.KindWindow
	names := map[int64]string{}
	for _, p := range points {
		names[p.ID] = p.Name
		d.Points = append(d.Points, pointRow{Point: p, KindLabel: units.KindLabel(p.Kind),
			QR: s.qrView(p.QRCode, pointPath(p.ID)+"/poster"), RotateURL: pointPath(p.ID) + "/rotate"})
	}
	d.Terminals = terminalTable(terms, names, d.CanEdit, d.CSRF)
	s.fillAbolition(c, &d)
	d.Stats = stats[id]
	d.Mean.Today = meanText(d.Stats.Today)
	d.Mean.Month = meanText(d.Stats.Month)
	d.Mean.Year = meanText(d.Stats.Year)
	d.FeedLink = "/console/ratings?unit_id=" + strconv.FormatInt(id, 10)
	d.Networks = networkRows(d.networkList, networkRow{})
	d.NetForm = networkForm{DailyCap: "2000"}
	d.DefaultCap = s.Config.RatePublicDailyPerAddress
	d.ClientAddr = c.ClientIP()
	return d, true
}

// UnitPage shows a unit; unit-role users see their own unit read-only.
func (s *Handlers) UnitPage(c *gin.Context) {
	if d, ok := s.loadUnitPage(c); ok {
		s.Render(c, http.StatusOK, "console/unit.html", d)
	}
}

// showUnitForm shows the unit's page again with a form's input and errors,
// filled in by fill; the page's data is read only on this path, so a
// successful post costs no more than its write.
func (s *Handlers) showUnitForm(c *gin.Context, fill func(*unitPageData)) {
	if d, ok := s.loadUnitPage(c); ok {
		fill(&d)
		s.Render(c, http.StatusUnprocessableEntity, "console/unit.html", d)
	}
}

// UpdateUnitSubmit saves a unit's name, short code and category.
func (s *Handlers) UpdateUnitSubmit(c *gin.Context) {
	u, err := s.visibleUnit(c)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	in := unitForm(c)
	err = db.Tx(c, s.Pool, func(tx pgx.Tx) error {
		_, err := units.UpdateUnit(c, tx, httpx.CurrentUser(c).Actor(), u.ID, in, s.unitCategories(c, tx))
		return err
	})
	if errs, ok := httpx.FieldErrors(err); ok {
		s.showUnitForm(c, func(d *unitPageData) { d.UnitForm, d.UnitErrs = in, errs })
		return
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	httpx.Redirect(c, unitPath(u.ID), "unit_updated")
}

// RotateUnitSubmit replaces the unit's QR code; the old one stops taking
// ratings.
func (s *Handlers) RotateUnitSubmit(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	if err == nil {
		err = db.Tx(c, s.Pool, func(tx pgx.Tx) error {
			_, err := units.RotateUnitCode(c, tx, httpx.CurrentUser(c).Actor(), id)
			return err
		})
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	httpx.Redirect(c, unitPath(id)+"#qr", "qr_rotated")
}

// unitCategories are the categories a unit may be registered under: those
// of every cycle (the newest cycle's first), and the server's
// UNIT_CATEGORIES while a cycle has none set.
func (s *Handlers) unitCategories(ctx context.Context, q db.DBTX) []string {
	list, err := cycles.KnownCategories(ctx, q, s.Config.UnitCategories)
	if err != nil || len(list) == 0 {
		return s.Config.UnitCategories
	}
	return list
}
