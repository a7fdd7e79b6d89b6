package cyclesapp

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
	"minyi/internal/ratings"
	"minyi/internal/scores"
)

// cyclePath is the console page of a cycle.
func cyclePath(id int64) string { return "/console/cycles/" + strconv.FormatInt(id, 10) }

// cycleForm is the create form as typed.
type cycleForm struct {
	Name, Year, PeriodStart, PeriodEnd string
	// Main is "1" (the year's main cycle), "0" (an extra one) or ""
	// (main when the year has none yet).
	Main string
}

type cycleRow struct {
	Cycle       cycles.Cycle
	Link        string
	ScoresLink  string
	DailyWeight string
}

type cyclesPageData struct {
	httpx.BasePage
	Rows   []cycleRow
	Total  int
	Pager  httpx.Pager
	Form   cycleForm
	Errors map[string]string
}

// cyclesPageSize is how many cycles the list shows a page.
const cyclesPageSize = 50

// CyclesListPage lists the cycles, newest year first, with the office's
// form to create one.
func (s *Handlers) CyclesListPage(c *gin.Context) {
	year := s.Now().In(s.Config.Location).Year()
	y := strconv.Itoa(year)
	form := cycleForm{Name: y + "年度", Year: y, PeriodStart: y + "-01-01", PeriodEnd: y + "-12-31"}
	s.showCycles(c, http.StatusOK, form, nil)
}

func (s *Handlers) showCycles(c *gin.Context, status int, form cycleForm, errs map[string]string) {
	page := httpx.PageParam(c)
	list, total, err := cycles.ListCycles(c, s.Pool, cycles.Page{Limit: cyclesPageSize, Offset: (page - 1) * cyclesPageSize})
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	d := cyclesPageData{BasePage: s.Base(c, "考核年度", "cycles"), Total: total, Form: form, Errors: errs}
	d.Pager = httpx.NewPager(page, cyclesPageSize, total, func(n int) string {
		return "/console/cycles?page=" + strconv.Itoa(n)
	})
	for _, cy := range list {
		d.Rows = append(d.Rows, cycleRow{Cycle: cy, Link: cyclePath(cy.ID), ScoresLink: cyclePath(cy.ID) + "/scores",
			DailyWeight: scores.Percent(cy.Config.Score.DailyWeight) + " / " + scores.Percent(cy.Config.Score.AnnualWeight)})
	}
	s.Render(c, status, "console/cycles.html", d)
}

// CreateCycleSubmit creates a cycle from the list page's form, with the
// default configuration, and redirects to it; a refused form comes back
// with its messages.
func (s *Handlers) CreateCycleSubmit(c *gin.Context) {
	form := cycleForm{Name: c.PostForm("name"), Year: strings.TrimSpace(c.PostForm("year")),
		PeriodStart: c.PostForm("period_start"), PeriodEnd: c.PostForm("period_end"), Main: c.PostForm("main")}
	in := cycles.CycleInput{Name: form.Name, PeriodStart: form.PeriodStart, PeriodEnd: form.PeriodEnd}
	switch form.Main {
	case "1", "0":
		main := form.Main == "1"
		in.Main = &main
	}
	in.Normalize()
	year, yearErr := httpx.ParseInt(form.Year)
	if yearErr != nil {
		// Show every field's problem at once, the year's in words.
		errs, _ := httpx.FieldErrors(in.Validate())
		if errs == nil {
			errs = map[string]string{}
		}
		errs["year"] = "请填写年度，如 " + strconv.Itoa(s.Now().In(s.Config.Location).Year())
		s.showCycles(c, http.StatusUnprocessableEntity, form, errs)
		return
	}
	in.Year = year
	var cy cycles.Cycle
	err := db.Tx(c, s.Pool, func(tx pgx.Tx) (err error) {
		cy, err = cycles.CreateCycle(c, tx, httpx.CurrentUser(c).Actor(), in, cycles.DefaultConfig(s.Config.LevelPoints))
		if err != nil {
			return err
		}
		cy, err = s.seedCategories(c, tx, cy)
		return err
	})
	if errs, ok := httpx.FieldErrors(err); ok {
		s.showCycles(c, http.StatusUnprocessableEntity, form, errs)
		return
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	httpx.Redirect(c, cyclePath(cy.ID), "cycle_created")
}

// levelPointView is one level's points in a configuration.
type levelPointView struct {
	Level  int
	Label  string
	Points string
}

// configView is a configuration in Chinese for reading.
type configView struct {
	Version       int
	LevelPoints   []levelPointView
	DailyWeight   string
	AnnualWeight  string
	MinDailyCount int
	ShortRule     string
	Groups        []groupView
}

type groupView struct {
	Key, Name, Weight string
	MinSample         int
}

// newConfigView describes cfg in Chinese.
func newConfigView(version int, cfg cycles.Config) configView {
	sc := cfg.Score
	v := configView{Version: version, DailyWeight: scores.Percent(sc.DailyWeight), AnnualWeight: scores.Percent(sc.AnnualWeight),
		MinDailyCount: sc.MinDailyCount, ShortRule: "日常评价仍按其权重计入（标记“日常评价数量低于最低要求”）"}
	if sc.AnnualCarriesWhenDailyShort {
		v.ShortRule = "由年度评价计全部得分，日常评价不计入"
	}
	for level := 5; level >= 1; level-- {
		v.LevelPoints = append(v.LevelPoints, levelPointView{Level: level, Label: ratings.LevelLabel(level),
			Points: strconv.FormatFloat(cfg.LevelPoints[5-level], 'f', -1, 64)})
	}
	for _, g := range sc.Groups {
		v.Groups = append(v.Groups, groupView{Key: g.Key, Name: g.Name, Weight: scores.Percent(g.Weight), MinSample: g.MinSample})
	}
	return v
}

type versionRow struct {
	cycles.VersionInfo
	Link             string
	Newest, Selected bool
}

type cyclePageData struct {
	httpx.BasePage
	Cycle      cycles.Cycle
	View       configView
	ViewingOld bool
	Versions   []versionRow
	VersionsN  int
	Form       configForm
	Errors     map[string]string
	ScoresLink string
}

// CycleDetailPage shows a cycle: its period, the configuration (the newest,
// or ?version=N) in Chinese, the version history and, for the office, the
// form that stores a new version.
func (s *Handlers) CycleDetailPage(c *gin.Context) {
	s.showCycle(c, http.StatusOK, nil, nil)
}

// showCycle renders the cycle's page; form and errs refill a refused edit.
func (s *Handlers) showCycle(c *gin.Context, status int, form *configForm, errs map[string]string) {
	id, err := httpx.IDParam(c, "id")
	var cy cycles.Cycle
	if err == nil {
		cy, err = cycles.FindCycle(c, s.Pool, id)
	}
	version := cy.ConfigVersion
	if v := c.Query("version"); err == nil && v != "" && form == nil {
		if version, err = httpx.ParseInt(v); err != nil || version < 1 {
			err = apperr.New(apperr.NotFound, "该配置版本不存在")
		}
	}
	cfg := cy.Config
	if err == nil && version != cy.ConfigVersion {
		var v cycles.ConfigVersion
		if v, err = cycles.FindConfigVersion(c, s.Pool, id, version); err == nil {
			cfg = v.Config
		}
	}
	var list []cycles.VersionInfo
	var total int
	if err == nil {
		list, total, err = cycles.ListConfigVersions(c, s.Pool, id, cycles.Page{Limit: 100})
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	d := cyclePageData{BasePage: s.Base(c, cy.Name, "cycles"), Cycle: cy, View: newConfigView(version, cfg),
		ViewingOld: version != cy.ConfigVersion, VersionsN: total, Errors: errs, ScoresLink: cyclePath(id) + "/scores"}
	for _, v := range list {
		link := cyclePath(id)
		if v.Version != cy.ConfigVersion {
			link += "?version=" + strconv.Itoa(v.Version)
		}
		d.Versions = append(d.Versions, versionRow{VersionInfo: v, Link: link + "#config",
			Newest: v.Version == cy.ConfigVersion, Selected: v.Version == version})
	}
	if form != nil {
		d.Form = *form
	} else {
		d.Form = newConfigForm(cy.Config)
	}
	d.Form.addBlankRows()
	d.Form.attachErrors(errs)
	s.Render(c, status, "console/cycle.html", d)
}

// CycleConfigSubmit stores the configuration form as the cycle's next
// version when it differs from the newest; a refused form comes back with
// its messages next to the fields.
func (s *Handlers) CycleConfigSubmit(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	form := readConfigForm(c)
	cfg, parseErrs := form.config()
	changed := false
	if len(parseErrs) == 0 {
		err = db.Tx(c, s.Pool, func(tx pgx.Tx) (err error) {
			_, changed, err = cycles.SetConfigIfChanged(c, tx, httpx.CurrentUser(c).Actor(), id, cfg, form.Note)
			return err
		})
	} else {
		// Report the other fields' problems too, with the typed values.
		err = cfg.Validate()
	}
	errs, invalid := httpx.FieldErrors(err)
	if len(parseErrs) > 0 || invalid {
		merged := percentMessages(errs)
		for k, v := range parseErrs {
			merged[k] = v
		}
		s.showCycle(c, http.StatusUnprocessableEntity, &form, merged)
		return
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	flash := "cycle_config_saved"
	if !changed {
		flash = "cycle_config_unchanged"
	}
	httpx.Redirect(c, cyclePath(id)+"#config", flash)
}
