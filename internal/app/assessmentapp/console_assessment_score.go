package assessmentapp

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/app/evidenceform"
	"minyi/internal/apperr"
	"minyi/internal/assessment"
	"minyi/internal/cycles"
	"minyi/internal/db"
	"minyi/internal/httpx"
	"minyi/internal/units"
)

// entryCell is one leaf of one unit on the entry page.
type entryCell struct {
	assessment.Leaf
	Value    string
	NA       bool
	Version  int
	Note     string
	Evidence []evidenceLink
	Error    string
	Entered  bool
}

// entryRow is one assessed unit with the scorer's leaves.
type entryRow struct {
	Unit   units.Unit
	Cells  []entryCell
	Filled int
	Error  string
	// DetailLink opens the unit's detailed form, keeping the search.
	DetailLink string
}

type entryPageData struct {
	httpx.BasePage
	Cycle     cycles.Cycle
	Leaves    []assessment.Leaf
	Rows      []entryRow
	Detail    *entryRow
	Action    string
	UnitLink  string
	HasScheme bool
	Errors    bool
	// UploadProblems are the reasons a table upload was refused.
	UploadProblems []string
	// List is the search, count and pager of the table's units; Rows are
	// its page.
	List unitListView
	// RowAction and UploadAction are where a row and the table upload
	// post: the entry page with the table's page and search, so that the
	// page shown afterwards is the same.
	RowAction, UploadAction string
	// DetailAction is where the detailed form posts; BackLink is the
	// table's page that shows the unit.
	DetailAction, BackLink string
	// Tabs are the cycle's scheme groups the user scores on, when the
	// cycle has more than one scheme; Chain is the one shown, and
	// NoChainScheme says it has no scheme yet.
	Tabs          []schemeTab
	Chain         *assessment.Chain
	NoChainScheme bool
	// SheetLink downloads the shown scheme's entry table.
	SheetLink string
}

// schemeTab is one scheme group's tab on the entry page.
type schemeTab struct {
	Name, Categories, Link string
	Active                 bool
}

// scoreChain is the scheme chain an entry page or table works on: the
// unit's own when unitID is not 0, else the group raw names, else the
// first the scorer scores on. A unit outside the cycle is not_found.
func scoreChain(scope assessment.Scope, sc assessment.Scorer, raw string, unitID int64) (*assessment.Chain, error) {
	if unitID != 0 {
		ch := scope.UnitChain(unitID)
		if ch == nil {
			return nil, apperr.New(apperr.NotFound, "该单位不参加本考核年度考核")
		}
		return ch, nil
	}
	ch, err := pickChain(raw, scope, sc)
	if ch != nil && apperr.Is(err, apperr.NotFound) {
		err = nil // a group without a scheme yet: its tab says so
	}
	return ch, err
}

// groupValue is the ?group= of a chain when the cycle has several, "" when
// it has one.
func groupValue(scope assessment.Scope, ch *assessment.Chain) string {
	if len(scope.Chains) < 2 {
		return ""
	}
	return strconv.FormatInt(ch.GroupID, 10)
}

// EntryPage shows the entry table: the units × the leaves the user scores.
func (s *Handlers) EntryPage(c *gin.Context) {
	s.showEntryPage(c, http.StatusOK, nil)
}

// showEntryPage renders the entry table (or, with ?unit_id=, one unit's
// detailed form); failed refills the row that was refused.
func (s *Handlers) showEntryPage(c *gin.Context, status int, failed *entryRow) {
	s.showEntryPageWith(c, status, failed, nil)
}

// showEntryPageWith is showEntryPage listing the problems of a refused
// table upload. The table shows a page of the units (?page=, ?q= searches
// their names); a refused row is shown on the page it is on.
func (s *Handlers) showEntryPageWith(c *gin.Context, status int, failed *entryRow, problems []string) {
	cy, ok := s.assessCycle(c)
	if !ok {
		return
	}
	sc := scorer(c)
	d := entryPageData{BasePage: s.Base(c, cy.Name+" 考评打分", "cycles"), Cycle: cy,
		Action: assessPath(cy.ID) + "/score", Errors: failed != nil, UploadProblems: problems}
	if sc.UnitID != nil {
		d.UnitLink = assessUnitPath(cy.ID, *sc.UnitID)
	}
	scope, err := assessment.LoadScope(c, s.Pool, cy.ID)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	if !scope.HasScheme() {
		s.Render(c, status, "console/assess_score.html", d)
		return
	}
	q := readUnitListQuery(c)
	var unitID int64
	if raw := c.Query("unit_id"); raw != "" {
		var perr error
		if unitID, perr = strconv.ParseInt(raw, 10, 64); perr != nil || unitID <= 0 {
			s.ConsoleError(c, apperr.New(apperr.NotFound, "单位不存在"))
			return
		}
	} else if failed != nil {
		unitID = failed.Unit.ID
	}
	ch, err := scoreChain(scope, sc, q.Group, unitID)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	q.Group = groupValue(scope, ch)
	leaves := ch.Leaves(sc)
	list := ch.Units
	d.HasScheme, d.Leaves, d.Chain, d.NoChainScheme = true, leaves, ch, ch.Scheme == nil
	d.SheetLink = unitListQuery{Group: q.Group}.link(d.Action + ".csv")
	// A unit user that scores nothing gets no tabs, only the notice.
	if len(scope.Chains) > 1 && (sc.Office || len(leaves) > 0) {
		tabs := scope.Chains
		for _, x := range tabs {
			if !sc.Office && len(x.Leaves(sc)) == 0 && x.GroupID != ch.GroupID {
				continue
			}
			d.Tabs = append(d.Tabs, schemeTab{Name: x.Name, Categories: x.CategoriesText(), Active: x.GroupID == ch.GroupID,
				Link: unitListQuery{Group: strconv.FormatInt(x.GroupID, 10)}.link(d.Action)})
		}
	}
	name := func(i int) string { return list[i].Name }
	id := func(i int) int64 { return list[i].ID }
	detailQuery := unitListQuery{Search: q.Search, Group: q.Group}
	var shown []units.Unit
	var only *int64 // the detailed form's unit
	if c.Query("unit_id") != "" {
		i := slices.IndexFunc(list, func(u units.Unit) bool { return u.ID == unitID })
		shown, only = list[i:i+1], &unitID
		d.DetailAction = detailQuery.link(d.Action)
		d.BackLink = unitPageOf(len(list), name, id, q, unitID).link(d.Action) + "#u" + strconv.FormatInt(unitID, 10)
	} else {
		var focus int64
		if failed != nil {
			focus = failed.Unit.ID
		}
		p := pageUnits(len(list), name, id, q, focus, d.Action)
		for _, i := range p.Shown {
			shown = append(shown, list[i])
		}
		d.List = p.View
		d.RowAction, d.UploadAction = p.Query.link(d.Action), p.Query.link(d.Action+"/upload")
		detailQuery.Search = p.Query.Search
	}
	entries, err := assessment.ListEntries(c, s.Pool, cy.ID, leafKeys(leaves), only)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	byCell := map[string]assessment.Entry{}
	for _, e := range entries {
		byCell[strconv.FormatInt(e.UnitID, 10)+"/"+e.LeafKey] = e
	}
	for _, u := range shown {
		r := entryRow{Unit: u, DetailLink: detailQuery.link(d.Action, "unit_id", strconv.FormatInt(u.ID, 10))}
		for _, l := range leaves {
			cell := entryCell{Leaf: l}
			if e, ok := byCell[strconv.FormatInt(u.ID, 10)+"/"+l.Key]; ok {
				cell.Entered, cell.NA, cell.Version, cell.Note = true, e.NotApplicable, e.Version, e.Note
				if e.Points != nil {
					cell.Value = fnum(*e.Points)
				}
				if only != nil {
					if cell.Evidence, err = s.evidenceLinks(c, e.EvidenceIDs); err != nil {
						s.ConsoleError(c, err)
						return
					}
				}
				r.Filled++
			}
			r.Cells = append(r.Cells, cell)
		}
		if failed != nil && failed.Unit.ID == u.ID {
			for i := range r.Cells {
				f := failed.Cells[i]
				r.Cells[i].Value, r.Cells[i].NA, r.Cells[i].Note, r.Cells[i].Error = f.Value, f.NA, f.Note, f.Error
			}
			r.Error = failed.Error
		}
		if only != nil {
			d.Detail = &r
		} else {
			d.Rows = append(d.Rows, r)
		}
	}
	s.Render(c, status, "console/assess_score.html", d)
}

// EntrySubmit saves one unit's row of entries (or its detailed form) in
// one transaction: either every changed leaf is saved or none.
func (s *Handlers) EntrySubmit(c *gin.Context) {
	cy, ok := s.assessCycle(c)
	if !ok {
		return
	}
	unitID, err := strconv.ParseInt(c.PostForm("unit_id"), 10, 64)
	if err != nil || unitID <= 0 {
		s.ConsoleError(c, apperr.New(apperr.NotFound, "单位不存在"))
		return
	}
	detail := c.PostForm("mode") == "detail"
	sc := scorer(c)
	// The unit's own scheme's leaves.
	scope, err := assessment.LoadScope(c, s.Pool, cy.ID)
	var ch *assessment.Chain
	if err == nil {
		ch, err = scoreChain(scope, sc, "", unitID)
	}
	var leaves []assessment.Leaf
	var entries []assessment.Entry
	if err == nil {
		leaves = ch.Leaves(sc)
		entries, err = assessment.ListEntries(c, s.Pool, cy.ID, leafKeys(leaves), &unitID)
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	if len(leaves) == 0 {
		s.ConsoleError(c, apperr.New(apperr.Forbidden, "本单位没有负责考评的项目"))
		return
	}
	stored := map[string]assessment.Entry{}
	for _, e := range entries {
		stored[e.LeafKey] = e
	}
	row := entryRow{Unit: units.Unit{ID: unitID}}
	failed := false
	err = db.Tx(c, s.Pool, func(tx pgx.Tx) error {
		for _, l := range leaves {
			cell := entryCell{Leaf: l, Value: strings.TrimSpace(c.PostForm("p_" + l.Key)),
				NA: c.PostForm("na_"+l.Key) == "1", Note: c.PostForm("n_" + l.Key)}
			cell.Version, _ = httpx.ParseInt(c.PostForm("v_" + l.Key))
			e, had := stored[l.Key]
			if !detail {
				cell.Note = e.Note
			}
			if cell.Value == "" && !cell.NA {
				if had && detail && cell.Note != e.Note {
					cell.Error = "请填写得分"
					failed = true
				}
				row.Cells = append(row.Cells, cell)
				continue
			}
			in := assessment.EntryInput{NotApplicable: cell.NA, Note: cell.Note, Version: cell.Version, EvidenceIDs: e.EvidenceIDs}
			var perr error
			if !cell.NA {
				in.Points, perr = parsePoints(cell.Value, "points")
			}
			if perr == nil && detail {
				in.EvidenceIDs = c.PostFormArray("keep_" + l.Key)
				var up []string
				up, perr = evidenceform.Save(c, tx, "f_"+l.Key, sc.UnitID)
				in.EvidenceIDs = append(in.EvidenceIDs, up...)
			}
			if perr == nil {
				_, perr = assessment.SaveEntry(c, tx, sc, cy.ID, unitID, l.Key, in)
			}
			if perr != nil {
				e := apperr.From(perr)
				if e.Code != apperr.Invalid && e.Code != apperr.Conflict {
					return perr
				}
				cell.Error = e.Message
				for _, m := range e.Fields {
					cell.Error = m
				}
				failed = true
			}
			row.Cells = append(row.Cells, cell)
		}
		if failed {
			return errRowRefused
		}
		return nil
	})
	list := readUnitListQuery(c)
	list.Group = groupValue(scope, ch)
	if err == errRowRefused {
		row.Error = "本行未保存，请按提示修改后再保存。"
		if detail {
			c.Request.URL.RawQuery = unitListQuery{Search: list.Search, Group: list.Group}.encode("unit_id", strconv.FormatInt(unitID, 10))
		}
		s.showEntryPage(c, http.StatusUnprocessableEntity, &row)
		return
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	// Back to the page the form was on: the table's page and search, or
	// the detailed form (keeping the search for its way back).
	target := list.link(assessPath(cy.ID)+"/score") + "#u" + strconv.FormatInt(unitID, 10)
	if detail {
		target = unitListQuery{Search: list.Search, Group: list.Group}.link(assessPath(cy.ID)+"/score", "unit_id", strconv.FormatInt(unitID, 10))
	}
	httpx.Redirect(c, target, "entries_saved")
}

// errRowRefused rolls back a row with refused cells.
var errRowRefused = apperr.New(apperr.Invalid, "本行未保存")
