package instrumentsapp

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/cycles"
	"minyi/internal/db"
	"minyi/internal/httpx"
	"minyi/internal/instruments"
)

const partnersPageSize = 100

func partnersPath(id int64) string { return instrumentPath(id) + "/partners" }

func partnerPath(id, unitID int64) string {
	return partnersPath(id) + "/" + strconv.FormatInt(unitID, 10)
}

// unitFilterOf reads ?q=, ?category=, ?chosen=1 and ?page= of the partners
// pages.
func unitFilterOf(v url.Values) (instruments.UnitFilter, int) {
	page := httpx.PageNumber(v.Get("page"))
	return instruments.UnitFilter{Q: v.Get("q"), Category: v.Get("category"), ChosenOnly: v.Get("chosen") == "1",
		Limit: partnersPageSize, Offset: (page - 1) * partnersPageSize}, page
}

// pageLink is path with the filter of v and page n.
func pageLink(path string, v url.Values, n int) string {
	q := url.Values{}
	for _, k := range []string{"q", "category", "chosen"} {
		if x := v.Get(k); x != "" {
			q.Set(k, x)
		}
	}
	if n > 1 {
		q.Set("page", strconv.Itoa(n))
	}
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

type partnersBase struct {
	httpx.BasePage
	Cycle      cycles.Cycle
	Inst       instrumentRow
	Filter     instruments.UnitFilter
	Categories []string
	Units      []instruments.PartnerUnit
	Pager      httpx.Pager
	// Closed is true once the instrument ended: the partners are shown,
	// not edited.
	Closed bool
}

// partnersBase loads the 部门互评 of the path with its cycle and the
// categories a filter offers (ofCategories, or the cycle's when empty).
func (s *Handlers) partnersBase(c *gin.Context, title string) (partnersBase, error) {
	id, err := httpx.IDParam(c, "id")
	var in instruments.Instrument
	var cy cycles.Cycle
	if err == nil {
		in, err = instruments.Find(c, s.Pool, id)
	}
	if err == nil && in.Purpose != instruments.PurposePeer {
		err = apperr.New(apperr.NotFound, "只有部门互评可以设置协作单位")
	}
	if err == nil {
		cy, err = cycles.FindCycle(c, s.Pool, in.CycleID)
	}
	if err != nil {
		return partnersBase{}, err
	}
	return partnersBase{BasePage: s.Base(c, title+" · "+in.Name, "cycles"), Cycle: cy, Inst: rowOf(in),
		Closed: in.Status == instruments.StatusClosed}, nil
}

func (s *Handlers) categoriesFor(c *gin.Context, cycleID int64, chosen []string) ([]string, error) {
	if len(chosen) > 0 {
		return chosen, nil
	}
	return cycles.Categories(c, s.Pool, cycleID, s.Config.UnitCategories)
}

type partnersPage struct{ partnersBase }

// PartnersPage lists the units answering a 部门互评, a page at a time,
// searchable by name and category, each with its number of partners and a
// link to edit them.
func (s *Handlers) PartnersPage(c *gin.Context) {
	b, err := s.partnersBase(c, "协作单位")
	if err == nil {
		b.Categories, err = s.categoriesFor(c, b.Cycle.ID, b.Inst.RaterCategories)
	}
	var page, total int
	if err == nil {
		b.Filter, page = unitFilterOf(c.Request.URL.Query())
		b.Units, total, err = instruments.RaterUnits(c, s.Pool, b.Inst.Instrument, b.Filter)
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	b.Pager = httpx.NewPager(page, partnersPageSize, total, func(n int) string {
		return pageLink(partnersPath(b.Inst.ID), c.Request.URL.Query(), n)
	})
	b.Pager.Unit = "个单位"
	s.Render(c, http.StatusOK, "console/instrument_partners.html", partnersPage{b})
}

type partnerPage struct {
	partnersBase
	Rater  instruments.PartnerUnit
	Chosen int
	Back   string
	Self   string
	Error  string
}

// PartnerPage edits the units one rater unit works with: a page of the
// candidate units (of the rated categories, never the unit itself),
// filtered by name, category or chosen only, each with a box.
func (s *Handlers) PartnerPage(c *gin.Context) { s.showPartner(c, http.StatusOK, "") }

func (s *Handlers) showPartner(c *gin.Context, status int, msg string) {
	b, err := s.partnersBase(c, "设置协作单位")
	var unitID int64
	if err == nil {
		unitID, err = httpx.IDParam(c, "unit_id")
	}
	d := partnerPage{Error: msg}
	if err == nil {
		d.Rater, err = instruments.FindUnit(c, s.Pool, unitID)
	}
	if err == nil && !b.Inst.RatesBy(d.Rater.Category) {
		err = apperr.New(apperr.NotFound, "该单位不是本评价项目的评价单位")
	}
	if err == nil {
		b.Categories, err = s.categoriesFor(c, b.Cycle.ID, b.Inst.RatedCategories)
	}
	// A form posted back keeps its filter (sent as hidden fields).
	query := c.Request.URL.Query()
	if c.Request.Method == http.MethodPost {
		query = url.Values{"q": {c.PostForm("q")}, "category": {c.PostForm("category")},
			"chosen": {c.PostForm("chosen")}, "page": {c.PostForm("page")}}
	}
	var page, total int
	var chosen []int64
	if err == nil {
		b.Filter, page = unitFilterOf(query)
		b.Units, total, err = instruments.Candidates(c, s.Pool, b.Inst.Instrument, unitID, b.Filter)
	}
	if err == nil {
		chosen, err = instruments.Partners(c, s.Pool, b.Inst.ID, unitID)
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	if c.Request.Method == http.MethodPost {
		// Show the boxes as ticked, not as stored.
		shown, _ := idList(c.PostFormArray("shown"))
		on, _ := idList(c.PostFormArray("on"))
		for i, u := range b.Units {
			if slices.Contains(shown, u.ID) {
				b.Units[i].Chosen = slices.Contains(on, u.ID)
			}
		}
	}
	d.partnersBase, d.Chosen = b, len(chosen)
	d.Self = partnerPath(b.Inst.ID, unitID)
	d.Back = partnersPath(b.Inst.ID)
	d.Pager = httpx.NewPager(page, partnersPageSize, total, func(n int) string { return pageLink(d.Self, query, n) })
	d.Pager.Unit = "个单位"
	s.Render(c, status, "console/instrument_partner.html", d)
}

// SavePartnersSubmit saves the boxes of the page shown: shown are the
// candidate units the page listed, on those ticked; partners on other
// pages stay. Refusals (its own unit, an unknown unit, a closed
// instrument) show the page again with the message, nothing changed.
func (s *Handlers) SavePartnersSubmit(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	var unitID int64
	if err == nil {
		unitID, err = httpx.IDParam(c, "unit_id")
	}
	var shown, on []int64
	if err == nil {
		shown, err = idList(c.PostFormArray("shown"))
	}
	if err == nil {
		on, err = idList(c.PostFormArray("on"))
	}
	if err == nil {
		err = db.Tx(c, s.Pool, func(tx pgx.Tx) error {
			cur, err := instruments.Partners(c, tx, id, unitID)
			if err != nil {
				return err
			}
			next := slices.DeleteFunc(cur, func(u int64) bool { return slices.Contains(shown, u) })
			next = append(next, on...)
			return instruments.SetPartners(c, tx, httpx.CurrentUser(c).Actor(), id, unitID, next)
		})
	}
	if apperr.Is(err, apperr.Invalid) || apperr.Is(err, apperr.Conflict) {
		s.showPartner(c, apperr.Status(apperr.CodeOf(err)), httpx.PageMessage(apperr.From(err)))
		return
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	back := url.Values{"q": {c.PostForm("q")}, "category": {c.PostForm("category")}, "chosen": {c.PostForm("chosen")}}
	httpx.Redirect(c, pageLink(partnerPath(id, unitID), back, httpx.PageNumber(c.PostForm("page"))), "partners_saved")
}

// idList parses posted unit ids (at most instruments.MaxPartners).
func idList(vs []string) ([]int64, error) {
	if len(vs) > instruments.MaxPartners {
		return nil, apperr.InvalidField("units", "一次最多提交"+strconv.Itoa(instruments.MaxPartners)+"个单位")
	}
	out := make([]int64, 0, len(vs))
	for _, v := range vs {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return nil, apperr.InvalidField("units", "协作单位须为已登记的单位")
		}
		out = append(out, n)
	}
	return out, nil
}
