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
	"minyi/internal/schemes"
)

// schemeEditRow is one item of the editor as the page shows it.
type schemeEditRow struct {
	draftRow
	Index int
	// Root, Group and ParentWeighted decide which fields the row offers.
	Root, Group, ParentWeighted bool
	CanUp, CanDown              bool
	// DerivedMax is the group's maximum when left empty; Rule says how the
	// item is computed; Problems are what keeps the draft from saving.
	DerivedMax string
	Rule       string
	Problems   []string
	// MappedTo names the register unit the assessor is mapped to.
	MappedTo string
	Focus    bool
	// Sources are an automatic item's choices of where its value comes
	// from: the public evaluation or an instrument of the cycle, by name.
	Sources []sourceOption
}

// sourceOption is a choice of an automatic item's source.
type sourceOption struct {
	Value, Label string
	On           bool
}

type schemeEditPageData struct {
	httpx.BasePage
	Cycle     cycles.Cycle
	CycleLink string
	// Base is the newest version when editing began (0: none); From says
	// what the draft started from.
	Base       int
	From       string
	Name, Note string
	Rows       []schemeEditRow
	Kinds      []schemeKindOption
	Units      []unitName
	Problems   []string
	Total      string
	Valid      bool
	Checked    bool
	// Group is the scheme chain edited: the default scheme or a group's.
	Group schemeGroup
	// saveErrs are the problems found only on saving (an instrument of
	// another cycle), by field ("tree.<key>"), shown beside their rows.
	saveErrs map[string]string
}

type schemeKindOption struct{ Value, Label string }

type unitName struct {
	ID   int64
	Name string
}

var editKinds = []schemeKindOption{
	{schemes.KindManual, schemes.KindLabel(schemes.KindManual)},
	{schemes.KindAuto, "自动取数"},
	{schemes.KindSum, "下级项目求和"},
	{schemes.KindWeighted, "下级项目加权"},
	{schemes.KindProrated, "按参加项目折算"},
}

// SchemeEditPage opens the scheme editor (方案编辑) on the newest version,
// on ?version=N or on ?preset=key; a cycle without a scheme starts from one
// total with one item.
func (s *Handlers) SchemeEditPage(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	var cy cycles.Cycle
	if err == nil {
		cy, err = cycles.FindCycle(c, s.Pool, id)
	}
	var group schemeGroup
	if err == nil {
		group, err = s.readSchemeGroup(c, cy, c.Query("group"), schemePath(id)+"/edit")
	}
	var newest schemes.Version
	if err == nil {
		newest, err = schemes.FindIn(c, s.Pool, id, group.ptr(), 0)
		if apperr.Is(err, apperr.NotFound) {
			err = nil
		}
	}
	d := schemeEditPageData{Cycle: cy, Base: newest.Version, Group: group}
	var tree schemes.Node
	switch {
	case err != nil:
	case c.Query("preset") != "":
		var p schemes.Preset
		if p, err = schemes.FindPreset(c.Query("preset")); err != nil {
			err = apperr.New(apperr.NotFound, "该预置方案不存在")
		}
		tree, d.Name, d.From = p.Tree, p.Name, "以预置方案“"+p.Name+"”为基础"
	case c.Query("version") != "":
		n, perr := httpx.ParseInt(c.Query("version"))
		var v schemes.Version
		if v, err = schemes.FindIn(c, s.Pool, id, group.ptr(), n); perr != nil || err != nil {
			err = apperr.New(apperr.NotFound, "该考核方案版本不存在")
		}
		tree, d.Name, d.From = v.Tree, v.Name, "以第"+strconv.Itoa(v.Version)+"版为基础"
	case newest.Version > 0:
		tree, d.Name, d.From = newest.Tree, newest.Name, "以当前第"+strconv.Itoa(newest.Version)+"版为基础"
	default:
		tree = schemes.Node{Key: "total", Name: "综合考核", Kind: schemes.KindSum,
			Children: []schemes.Node{{Key: newDraftKey(), Kind: schemes.KindManual}}}
		d.From = "新建方案"
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	s.showSchemeEditor(c, http.StatusOK, d, rowsOf(tree), -1, false)
}

// readDraftRows reads the editor's rows: k.<i>, d.<i>, name.<i>,
// kind.<i>, max.<i>, weight.<i>, assessor.<i>, aid.<i>, awas.<i> for i
// below n.
func readDraftRows(c *gin.Context) []draftRow {
	n, err := strconv.Atoi(c.PostForm("n"))
	if err != nil || n < 0 {
		n = 0
	}
	rows := make([]draftRow, 0, min(n, maxDraftRows))
	for i := range min(n, maxDraftRows) {
		f := func(name string) string { return c.PostForm(name + "." + strconv.Itoa(i)) }
		depth, _ := strconv.Atoi(f("d"))
		unit, _ := strconv.ParseInt(f("aid"), 10, 64)
		rows = append(rows, draftRow{Key: strings.TrimSpace(f("k")), Depth: depth, Name: f("name"), Kind: f("kind"),
			Max: f("max"), Weight: f("weight"), Assessor: f("assessor"), AssessorUnit: unit, AssessorWas: f("awas"), Source: f("src")})
	}
	return rows
}

// SchemeEditSubmit applies one editor action to the draft the form
// carries: op "child:i", "after:i", "up:i", "down:i" or "delete:i" changes
// the rows, "check" validates, "save" stores the draft as the cycle's next
// version (refused while another version was saved since editing began).
// Nothing is stored but on save.
func (s *Handlers) SchemeEditSubmit(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	var cy cycles.Cycle
	if err == nil {
		cy, err = cycles.FindCycle(c, s.Pool, id)
	}
	var group schemeGroup
	if err == nil {
		group, err = s.readSchemeGroup(c, cy, c.PostForm("group"), schemePath(id)+"/edit")
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	base, _ := strconv.Atoi(c.PostForm("base"))
	d := schemeEditPageData{Cycle: cy, Base: base, From: c.PostForm("from"),
		Name: c.PostForm("name"), Note: c.PostForm("note"), Group: group}
	rows := readDraftRows(c)
	if len(rows) == 0 {
		s.ConsoleError(c, apperr.New(apperr.Invalid, "编辑内容已失效，请重新打开方案编辑"))
		return
	}
	op := c.PostForm("op")
	if op != "save" {
		focus := -1
		if op != "check" {
			rows, focus = applyDraftOp(rows, op)
		}
		s.showSchemeEditor(c, http.StatusOK, d, rows, focus, op == "check")
		return
	}
	units, err := s.unitNames(c)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	tree, typedOK := draftTree(rows, unitIDs(units))
	if !typedOK {
		s.showSchemeEditor(c, http.StatusUnprocessableEntity, d, rows, -1, true)
		return
	}
	changed := false
	err = db.Tx(c, s.Pool, func(tx pgx.Tx) error {
		newest, err := schemes.FindIn(c, tx, id, group.ptr(), 0)
		if err != nil && !apperr.Is(err, apperr.NotFound) {
			return err
		}
		if newest.Version != base {
			return apperr.New(apperr.Conflict, "在您编辑期间，考核方案已被保存为第"+strconv.Itoa(newest.Version)+
				"版。为免覆盖他人的修改，本次未保存；请打开当前版本重新编辑。")
		}
		_, changed, err = schemes.Set(c, tx, httpx.CurrentUser(c).Actor(), id,
			schemes.Change{GroupID: group.ptr(), Name: d.Name, Note: d.Note, Tree: &tree})
		return err
	})
	if apperr.Is(err, apperr.Conflict) {
		d.Problems = []string{apperr.From(err).Message}
		s.showSchemeEditor(c, http.StatusConflict, d, rows, -1, false)
		return
	}
	if _, invalid := httpx.FieldErrors(err); invalid {
		d.Problems = schemeProblems(err, schemes.Change{Tree: &tree})
		d.saveErrs, _ = httpx.FieldErrors(err)
		s.showSchemeEditor(c, http.StatusUnprocessableEntity, d, rows, -1, true)
		return
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	flash := "scheme_saved"
	if !changed {
		flash = "scheme_unchanged"
	}
	httpx.Redirect(c, schemePath(id)+group.query(), flash)
}

func (s *Handlers) unitNames(c *gin.Context) ([]unitName, error) {
	rows, _ := s.Pool.Query(c, `SELECT id, name FROM units ORDER BY name, id`)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByPos[unitName])
	return list, db.Err(err)
}

// unitIDs maps each unit name to its id (the first, for a name used twice).
func unitIDs(list []unitName) map[string]int64 {
	m := make(map[string]int64, len(list))
	for _, u := range list {
		if _, dup := m[u.Name]; !dup {
			m[u.Name] = u.ID
		}
	}
	return m
}
