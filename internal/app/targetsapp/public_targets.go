package targetsapp

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/cycles"
	"minyi/internal/db"
	"minyi/internal/httpx"
	"minyi/internal/targets"
)

// targetFieldChange is one field's value before and after a change, in Chinese.
type targetFieldChange struct {
	Label, Before, After string
}

// targetChangeLine describes one changed indicator for reading.
type targetChangeLine struct {
	Kind, KindLabel, Name string
	Fields                []targetFieldChange
	Indicator             *targets.Indicator // the added or removed one
}

// indicatorField returns an indicator's field as shown.
func indicatorField(in targets.Indicator, field string) string {
	switch field {
	case "name":
		return in.Name
	case "tasks":
		return in.Tasks
	case "points":
		return formatNum(in.Points)
	case "standard":
		return in.Standard
	case "deadline":
		return in.Deadline
	case "assessor":
		return in.AssessorName
	case "scheme_key":
		return in.SchemeKey
	}
	return ""
}

// changeLines describes changes in Chinese.
func changeLines(list []targets.Change) []targetChangeLine {
	out := make([]targetChangeLine, 0, len(list))
	for _, ch := range list {
		l := targetChangeLine{Kind: ch.Kind, Name: ch.Name}
		switch ch.Kind {
		case targets.ChangeAdded:
			l.KindLabel, l.Indicator = "新增指标", ch.After
		case targets.ChangeRemoved:
			l.KindLabel, l.Indicator = "删除指标", ch.Before
		default:
			l.KindLabel = "修改指标"
			for _, f := range ch.Fields {
				l.Fields = append(l.Fields, targetFieldChange{Label: targets.FieldLabel(f),
					Before: indicatorField(*ch.Before, f), After: indicatorField(*ch.After, f)})
			}
		}
		out = append(out, l)
	}
	return out
}

// targetChangeView is a change request for reading.
type targetChangeView struct {
	targets.ChangeRequest
	StatusLabel string
	Lines       []targetChangeLine
	Action      string
}

// newChangeView describes a request; a pending one is compared with the
// current indicators, a decided one with what it was based on as stored
// in its result version or, when rejected, with current indicators.
func newChangeView(r targets.ChangeRequest, current []targets.Indicator) targetChangeView {
	cur := make([]targets.Indicator, len(current))
	for i, in := range current {
		in.ReviewComment = ""
		cur[i] = in
	}
	return targetChangeView{ChangeRequest: r, StatusLabel: targets.RequestStatusLabel(r.Status),
		Lines:  changeLines(targets.Diff(cur, r.Indicators)),
		Action: targetPath(r.SheetID) + "/changes/" + strconv.FormatInt(r.ID, 10)}
}

// targetVersionView is a published version for reading.
type targetVersionView struct {
	targets.Version
	Label string
	Total string
	Lines []targetChangeLine
}

func versionViews(list []targets.Version) []targetVersionView {
	out := make([]targetVersionView, 0, len(list))
	for _, v := range list {
		out = append(out, targetVersionView{Version: v, Label: targets.VersionLabel(v.Version),
			Total: formatNum(targets.TotalPoints(v.Indicators)), Lines: changeLines(v.Changes)})
	}
	return out
}

type publicTargetUnit struct {
	Name, Category, Link string
	Version              int
	Indicators           int
	Points               string
	ApprovedAt           time.Time
}

type publicTargetsData struct {
	Title string
	Cycle cycles.Cycle
	Units []publicTargetUnit
}

// PublicTargetsPage lists, without sign-in, the units whose target sheets
// of the cycle are approved and published.
func (s *Handlers) PublicTargetsPage(c *gin.Context) {
	id, err := httpx.IDParam(c, "cycle")
	var cy cycles.Cycle
	if err == nil {
		cy, err = cycles.FindCycle(c, s.Pool, id)
	}
	if err != nil {
		s.publicTargetsError(c, err)
		return
	}
	type row struct {
		UnitID     int64     `db:"unit_id"`
		Name       string    `db:"name"`
		Category   string    `db:"category"`
		Version    int       `db:"version"`
		Indicators int       `db:"indicators"`
		Points     float64   `db:"points"`
		ApprovedAt time.Time `db:"approved_at"`
	}
	rows, _ := s.Pool.Query(c, `SELECT s.unit_id, u.name, u.category, v.version,
			jsonb_array_length(v.indicators) AS indicators,
			COALESCE((SELECT sum((x->>'points')::numeric) FROM jsonb_array_elements(v.indicators) x), 0)::float8 AS points,
			v.approved_at
		FROM target_sheets s JOIN units u ON u.id = s.unit_id
		JOIN target_sheet_versions v ON v.sheet_id = s.id AND v.version = s.published_version
		WHERE s.cycle_id = $1 AND s.published_version > 0 ORDER BY u.category, u.name`, cy.ID)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[row])
	if err != nil {
		s.publicTargetsError(c, err)
		return
	}
	d := publicTargetsData{Title: cy.Name + "各单位绩效目标", Cycle: cy}
	for _, r := range list {
		d.Units = append(d.Units, publicTargetUnit{Name: r.Name, Category: r.Category, Version: r.Version, Indicators: r.Indicators,
			Points: formatNum(r.Points), ApprovedAt: r.ApprovedAt,
			Link: "/targets/" + strconv.FormatInt(cy.ID, 10) + "/" + strconv.FormatInt(r.UnitID, 10)})
	}
	s.Render(c, http.StatusOK, "public/targets.html", d)
}

type publicTargetData struct {
	Title    string
	Cycle    cycles.Cycle
	Sheet    targets.Sheet
	Shown    targetVersionView
	Newest   int
	Versions []targetVersionView
	Back     string
	// Completion is each indicator's completion by id when the cycle
	// publishes it and its results are final (public_completion.go); nil
	// otherwise, and on an old version.
	Completion map[int64]indicatorCompletion
}

// PublicTargetPage shows, without sign-in, a unit's published targets (the
// newest version, or ?version=N) and the history of approved changes,
// with each indicator's completion where the cycle publishes it. Sheets
// never approved are not found.
func (s *Handlers) PublicTargetPage(c *gin.Context) {
	cid, err := httpx.IDParam(c, "cycle")
	var uid int64
	if err == nil {
		uid, err = httpx.IDParam(c, "unit")
	}
	var sh targets.Sheet
	if err == nil {
		sh, err = targets.FindSheetFor(c, s.Pool, cid, uid)
	}
	if err == nil && sh.PublishedVersion == 0 {
		err = httpx.ErrNotFound
	}
	var versions []targets.Version
	if err == nil {
		versions, err = targets.ListVersions(c, s.Pool, sh.ID)
	}
	if err != nil {
		s.publicTargetsError(c, err)
		return
	}
	views := versionViews(versions)
	d := publicTargetData{Title: sh.UnitName + " · " + sh.CycleName + "绩效目标", Sheet: sh, Shown: views[0], Newest: sh.PublishedVersion,
		Versions: views, Back: "/targets/" + strconv.FormatInt(cid, 10)}
	if v := c.Query("version"); v != "" {
		n, perr := httpx.ParseInt(v)
		found := false
		for _, vv := range views {
			if perr == nil && vv.Version.Version == n {
				d.Shown, found = vv, true
			}
		}
		if !found {
			s.publicTargetsError(c, httpx.ErrNotFound)
			return
		}
	}
	if d.Shown.Version.Version == d.Newest {
		if d.Completion, err = completionData(c, s.Pool, sh); err != nil {
			s.publicTargetsError(c, err)
			return
		}
	}
	s.Render(c, http.StatusOK, "public/targets_unit.html", d)
}

// publicTargetsError shows a not-found or error page to the public.
func (s *Handlers) publicTargetsError(c *gin.Context, err error) {
	if apperr.Status(apperr.CodeOf(db.Err(err))) >= 500 {
		s.Log.Error("public targets failed", "path", c.FullPath(), "err", err)
		s.ErrorPage(c, http.StatusServiceUnavailable, "系统繁忙", "页面暂时无法打开，请稍后再试。")
		return
	}
	s.ErrorPage(c, http.StatusNotFound, "页面不存在", "该考核年度或单位的目标尚未公开。")
}
