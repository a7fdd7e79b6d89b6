package assessmentapp

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/assessment"
	"minyi/internal/db"
	"minyi/internal/httpx"
	"minyi/internal/sheet"
	"minyi/internal/units"
)

// The entry table as a file: the scorer downloads a CSV of the units × its
// leaves with the current scores, fills it in Excel or WPS, and uploads it
// (CSV or .xlsx). Cells are points or "不参加"; blank cells change nothing.

// MaxScoreSheetBytes is the largest entry table a scorer may upload; its
// route caps the body with it.
const MaxScoreSheetBytes = 5 << 20

// maxScoreSheetRows is the most data rows an entry table may have.
const maxScoreSheetRows = 5000

// naText is how a not-applicable entry is written in the table.
const naText = "不参加"

// leafColumns are the table's columns: the unit, then one per leaf,
// headed by its path and also accepted by key or (when unique) by name.
func leafColumns(leaves []assessment.Leaf) []sheet.Column {
	names := map[string]int{}
	for _, l := range leaves {
		names[l.Name]++
	}
	cols := []sheet.Column{{Field: "unit", Names: []string{"单位", "单位名称", "unit"}, Required: true}}
	for _, l := range leaves {
		n := []string{l.Path, l.Key}
		if names[l.Name] == 1 && l.Name != l.Path {
			n = append(n, l.Name)
		}
		cols = append(cols, sheet.Column{Field: "leaf:" + l.Key, Names: n})
	}
	return cols
}

// ScoreSheetDownload sends the entry table as a CSV to fill in and upload.
func (s *Handlers) ScoreSheetDownload(c *gin.Context) {
	cy, ok := s.assessCycle(c)
	if !ok {
		return
	}
	// The entry table of one scheme (?group=): its units and leaves.
	sc := scorer(c)
	scope, err := assessment.LoadScope(c, s.Pool, cy.ID)
	var ch *assessment.Chain
	if err == nil {
		ch, err = pickChain(readUnitListQuery(c).Group, scope, sc)
	}
	var leaves []assessment.Leaf
	var list []units.Unit
	var entries []assessment.Entry
	if err == nil {
		leaves, list = ch.Leaves(sc), ch.Units
		entries, err = assessment.ListEntries(c, s.Pool, cy.ID, leafKeys(leaves), nil)
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	cell := map[string]string{}
	for _, e := range entries {
		v := naText
		if e.Points != nil {
			v = fnum(*e.Points)
		}
		cell[strconv.FormatInt(e.UnitID, 10)+"/"+e.LeafKey] = v
	}
	var buf bytes.Buffer
	buf.WriteString("\uFEFF")
	w := csv.NewWriter(&buf)
	w.UseCRLF = true
	header := []string{"单位"}
	for _, l := range leaves {
		header = append(header, l.Path)
	}
	_ = w.Write(header)
	for _, u := range list {
		rec := []string{u.Name}
		for _, l := range leaves {
			rec = append(rec, cell[strconv.FormatInt(u.ID, 10)+"/"+l.Key])
		}
		_ = w.Write(rec)
	}
	w.Flush()
	title := cy.Name + "考评打分表"
	if len(scope.Chains) > 1 {
		title += "（" + ch.Name + "）"
	}
	httpx.Attachment(c, "scores.csv", title+".csv")
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}

// ScoreSheetUpload saves an uploaded entry table in one transaction: every
// filled cell is saved (as the entry's newest version, keeping its note
// and evidence), or, when any cell is refused, nothing and the page lists
// each problem by row and column.
func (s *Handlers) ScoreSheetUpload(c *gin.Context) {
	cy, ok := s.assessCycle(c)
	if !ok {
		return
	}
	sc := scorer(c)
	// The table is one scheme's (?group=): its units and leaves.
	scope, err := assessment.LoadScope(c, s.Pool, cy.ID)
	var ch *assessment.Chain
	if err == nil {
		ch, err = pickChain(readUnitListQuery(c).Group, scope, sc)
	}
	var leaves []assessment.Leaf
	var list []units.Unit
	if err == nil {
		leaves, list = ch.Leaves(sc), ch.Units
		if len(leaves) == 0 {
			err = apperr.New(apperr.Forbidden, "本单位没有负责考评的项目")
		}
	}
	// Units of the cycle on another scheme, and of the register outside
	// the cycle, are named as such.
	var others, register map[string]bool
	var all []units.Unit
	if err == nil {
		all, err = units.ListUnits(c, s.Pool, nil)
	}
	if err == nil {
		others, register = map[string]bool{}, map[string]bool{}
		for _, u := range scope.Units {
			others[u.Name] = true
		}
		for _, u := range all {
			register[u.Name] = true
		}
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	var problems []string
	_, data, chosen, err := formUpload(c, "file")
	if err == nil && !chosen {
		err = apperr.InvalidField("file", "请选择要上传的 CSV 或 Excel 文件")
	}
	var table *sheet.Table
	var m *sheet.Mapped
	if err == nil {
		table, err = sheet.Read(c, data, maxScoreSheetRows)
	}
	if apperr.Is(err, apperr.Unavailable) { // too many files being read at once
		s.showEntryPageWith(c, http.StatusServiceUnavailable, nil, []string{apperr.From(err).Message})
		return
	}
	if err == nil {
		m, err = table.Map(leafColumns(leaves))
	}
	saved := 0
	if err == nil {
		byName := map[string]int64{}
		for _, u := range list {
			byName[u.Name] = u.ID
		}
		err = db.Tx(c, s.Pool, func(tx pgx.Tx) error {
			entries, err := assessment.ListEntries(c, tx, cy.ID, leafKeys(leaves), nil)
			if err != nil {
				return err
			}
			stored := map[string]assessment.Entry{}
			for _, e := range entries {
				stored[strconv.FormatInt(e.UnitID, 10)+"/"+e.LeafKey] = e
			}
			for _, r := range table.Rows {
				line := "第" + strconv.Itoa(r.Line) + "行"
				unitID, ok := byName[m.Get(r, "unit")]
				if !ok && others[m.Get(r, "unit")] {
					problems = append(problems, line+"：单位“"+m.Get(r, "unit")+"”不按“"+ch.Name+"”考核，请在其所属方案分组的打分表中录入")
					continue
				}
				if !ok && register[m.Get(r, "unit")] {
					problems = append(problems, line+"：单位“"+m.Get(r, "unit")+"”不参加本考核年度考核")
					continue
				}
				if !ok {
					problems = append(problems, line+"：单位“"+m.Get(r, "unit")+"”不在单位名录中")
					continue
				}
				for _, l := range leaves {
					raw := m.Get(r, "leaf:"+l.Key)
					if raw == "" {
						continue
					}
					e := stored[strconv.FormatInt(unitID, 10)+"/"+l.Key]
					in := assessment.EntryInput{NotApplicable: raw == naText, Note: e.Note, EvidenceIDs: e.EvidenceIDs, Version: e.Version}
					var perr error
					if !in.NotApplicable {
						in.Points, perr = parsePoints(raw, "points")
					}
					if perr == nil {
						_, perr = assessment.SaveEntry(c, tx, sc, cy.ID, unitID, l.Key, in)
					}
					if perr != nil {
						ae := apperr.From(perr)
						if ae.Code != apperr.Invalid && ae.Code != apperr.Conflict {
							return perr
						}
						msg := ae.Message
						for _, f := range ae.Fields {
							msg = f
						}
						problems = append(problems, line+" “"+m.Header("leaf:"+l.Key)+"”："+msg)
						continue
					}
					saved++
				}
			}
			if len(problems) > 0 {
				return errRowRefused
			}
			return nil
		})
	}
	if err != nil && err != errRowRefused {
		fe, ok := httpx.FieldErrors(err)
		if !ok {
			s.ConsoleError(c, err)
			return
		}
		for _, m := range fe {
			problems = append(problems, m)
		}
	}
	if len(problems) > 0 {
		s.showEntryPageWith(c, http.StatusUnprocessableEntity, nil, trimProblems(problems))
		return
	}
	flash := "entries_uploaded"
	if saved == 0 {
		flash = "entries_upload_empty"
	}
	back := readUnitListQuery(c)
	back.Group = groupValue(scope, ch)
	httpx.Redirect(c, back.link(assessPath(cy.ID)+"/score"), flash)
}

// uploadProblemsLimit is how many problems of an upload the page lists.
const uploadProblemsLimit = 50

// trimProblems keeps the first problems and says how many more there are.
func trimProblems(p []string) []string {
	if len(p) <= uploadProblemsLimit {
		return p
	}
	return append(p[:uploadProblemsLimit:uploadProblemsLimit], "另有 "+strconv.Itoa(len(p)-uploadProblemsLimit)+" 处问题未列出")
}
