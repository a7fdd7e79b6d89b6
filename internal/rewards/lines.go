package rewards

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/assessment"
	"minyi/internal/db"
	"minyi/internal/results"
)

// UnitLine is one unit's use of its final result: its grade and place,
// the factors and amount of the bonus table, whether it is proposed for
// 通报批评 (不合格, or counted deductions above the threshold) and for a
// rectification case (不合格, or 合格 three years in a row), and what the
// office has recorded.
type UnitLine struct {
	UnitID       int64   `json:"unit_id"`
	UnitName     string  `json:"unit_name"`
	Category     string  `json:"category"`
	Rank         int     `json:"rank"`
	Grade        string  `json:"grade"`
	GradeLabel   string  `json:"grade_label"`
	StaffCount   *int    `json:"staff_count"`
	Deductions   float64 `json:"deductions_counted"`
	Factors      Factors `json:"factors"`
	FactorsSaved bool    `json:"factors_saved"`
	Bonus        Line    `json:"bonus"`
	// ProposeCriticism: 不合格 or counted deductions above the threshold;
	// ProposeCase: "fail" or "three_pass" (empty when none).
	ProposeCriticism bool    `json:"propose_criticism"`
	ProposeCase      string  `json:"propose_case,omitempty"`
	Criticism        *Record `json:"criticism"`
	Commendation     *Record `json:"commendation"`
	CaseID           *int64  `json:"case_id"`
	// Suggested is what the records suggest for the factors (Suggest);
	// nil when not asked.
	Suggested *Suggestion `json:"suggested,omitempty"`
}

// CaseReasonLabel says why a unit's rectification case is opened.
func CaseReasonLabel(r string) string {
	switch r {
	case CaseFail:
		return "不合格等次，限期整改"
	case CaseThreePass:
		return "连续三年合格等次，限期整改"
	}
	return ""
}

// Reasons of a rectification case opened for a result.
const (
	CaseFail      = "fail"
	CaseThreePass = "three_pass"
)

// Filter pages the lines: Offset/Limit in ranking order (category, place);
// UnitID limits them to one unit; Proposed keeps the units proposed for
// 通报批评 or a case, or 优秀 (for 表彰).
type Filter struct {
	UnitID   *int64
	Proposed bool
	Offset   int
	Limit    int
}

// Lines returns the cycle's lines a page at a time and how many there are
// in all; conflict while no final results are in force. Only the page's
// units are computed; the three-year streaks read the three years' grades
// (no breakdowns).
func Lines(ctx context.Context, q db.DBTX, cycleID int64, f Filter) ([]UnitLine, int, Settings, error) {
	set, err := LoadSettings(ctx, q, cycleID)
	if err != nil {
		return nil, 0, Settings{}, err
	}
	pub, err := finalPublication(ctx, q, cycleID)
	if err != nil {
		return nil, 0, set, err
	}
	var proposed []int64
	if f.Proposed {
		if proposed, err = proposedUnits(ctx, q, cycleID, pub, set.CriticismThreshold); err != nil {
			return nil, 0, set, err
		}
	}
	var total int
	if err := q.QueryRow(ctx, `SELECT count(*) FROM assessment_results WHERE publication_id = $1
		AND ($2::bigint IS NULL OR unit_id = $2) AND ($3::bigint[] IS NULL OR unit_id = ANY($3))`, pub, f.UnitID, nilIfAll(f.Proposed, proposed)).Scan(&total); err != nil {
		return nil, 0, set, db.Err(err)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = total + 1
	}
	rows, _ := q.Query(ctx, `SELECT r.unit_id, u.name, r.category, r.rank, r.grade,
			r.deductions_counted::float8, s.staff_count,
			COALESCE(f.outstanding, false),
			COALESCE(f.accountability, 0),
			COALESCE(f.failed_tasks, 0), f.unit_id IS NOT NULL, uc.case_id
		FROM assessment_results r JOIN units u ON u.id = r.unit_id
		LEFT JOIN assessment_staff_counts s ON s.cycle_id = r.cycle_id AND s.unit_id = r.unit_id
		LEFT JOIN result_use_factors f ON f.cycle_id = r.cycle_id AND f.unit_id = r.unit_id
		LEFT JOIN result_use_cases uc ON uc.cycle_id = r.cycle_id AND uc.unit_id = r.unit_id
		WHERE r.publication_id = $1 AND ($2::bigint IS NULL OR r.unit_id = $2) AND ($3::bigint[] IS NULL OR r.unit_id = ANY($3))
		ORDER BY r.category, r.rank, r.unit_id LIMIT $4 OFFSET $5`, pub, f.UnitID, nilIfAll(f.Proposed, proposed), limit, max(f.Offset, 0))
	out := []UnitLine{}
	var l UnitLine
	_, err = pgx.ForEachRow(rows, []any{&l.UnitID, &l.UnitName, &l.Category, &l.Rank, &l.Grade, &l.Deductions, &l.StaffCount,
		&l.Factors.Outstanding, &l.Factors.Accountability, &l.Factors.FailedTasks, &l.FactorsSaved, &l.CaseID}, func() error {
		out = append(out, l)
		return nil
	})
	if err != nil {
		return nil, 0, set, db.Err(err)
	}
	ids := make([]int64, len(out))
	for i := range out {
		ids[i] = out[i].UnitID
	}
	three, err := results.ThreePassUnits(ctx, q, cycleID, ids)
	if err != nil {
		return nil, 0, set, err
	}
	recs, err := records(ctx, q, cycleID, ids)
	if err != nil {
		return nil, 0, set, err
	}
	for i := range out {
		l := &out[i]
		l.GradeLabel = assessment.GradeLabel(l.Grade)
		staff := 0
		if l.StaffCount != nil {
			staff = *l.StaffCount
		}
		l.Bonus = Compute(set.Table, Unit{Grade: l.Grade, Staff: staff, Outstanding: l.Factors.Outstanding,
			Accountability: l.Factors.Accountability, FailedTasks: l.Factors.FailedTasks})
		l.ProposeCriticism = l.Grade == assessment.GradeFail || l.Deductions > set.CriticismThreshold
		if l.Grade == assessment.GradeFail {
			l.ProposeCase = CaseFail
		} else if three[l.UnitID] {
			l.ProposeCase = CaseThreePass
		}
		if r, ok := recs[recKey{l.UnitID, KindCriticism}]; ok {
			l.Criticism = &r
		}
		if r, ok := recs[recKey{l.UnitID, KindCommendation}]; ok {
			l.Commendation = &r
		}
	}
	return out, total, set, nil
}

func nilIfAll(filtered bool, ids []int64) []int64 {
	if !filtered {
		return nil
	}
	if ids == nil {
		return []int64{}
	}
	return ids
}

// proposedUnits returns the units of the publication proposed for
// 通报批评 or a rectification case, or graded 优秀 (for 表彰), or with a
// record or a case already.
func proposedUnits(ctx context.Context, q db.DBTX, cycleID, pub int64, threshold float64) ([]int64, error) {
	rows, _ := q.Query(ctx, `SELECT r.unit_id, r.grade IN ('fail', 'excellent')
			OR r.deductions_counted::float8 > $3
			OR EXISTS (SELECT 1 FROM result_use_records x WHERE x.cycle_id = $2 AND x.unit_id = r.unit_id)
			OR EXISTS (SELECT 1 FROM result_use_cases x WHERE x.cycle_id = $2 AND x.unit_id = r.unit_id),
			r.grade = 'pass'
		FROM assessment_results r WHERE r.publication_id = $1`, pub, cycleID, threshold)
	var ids, pass []int64
	var id int64
	var in, isPass bool
	_, err := pgx.ForEachRow(rows, []any{&id, &in, &isPass}, func() error {
		if in {
			ids = append(ids, id)
		} else if isPass {
			pass = append(pass, id)
		}
		return nil
	})
	if err != nil {
		return nil, db.Err(err)
	}
	three, err := results.ThreePassUnits(ctx, q, cycleID, pass)
	for id := range three {
		ids = append(ids, id)
	}
	return ids, err
}

// Record is the office's record of 通报批评 or 表彰 of a unit.
type Record struct {
	ID        int64     `json:"id"`
	UnitID    int64     `json:"unit_id"`
	Kind      string    `json:"kind"`
	DocNo     string    `json:"doc_no"`
	DocDate   string    `json:"doc_date"`
	Body      string    `json:"body"`
	CreatedAt time.Time `json:"created_at"`
}

type recKey struct {
	unit int64
	kind string
}

func records(ctx context.Context, q db.DBTX, cycleID int64, unitIDs []int64) (map[recKey]Record, error) {
	rows, _ := q.Query(ctx, `SELECT id, unit_id, kind, doc_no, doc_date::text, body, created_at FROM result_use_records
		WHERE cycle_id = $1 AND unit_id = ANY($2)`, cycleID, unitIDs)
	out := map[recKey]Record{}
	var r Record
	_, err := pgx.ForEachRow(rows, []any{&r.ID, &r.UnitID, &r.Kind, &r.DocNo, &r.DocDate, &r.Body, &r.CreatedAt}, func() error {
		out[recKey{r.UnitID, r.Kind}] = r
		return nil
	})
	return out, db.Err(err)
}

// Yuan writes an amount in cents as yuan with two decimals and thousands
// separators: "12,000.50".
func Yuan(cents int64) string {
	neg := cents < 0
	if neg {
		cents = -cents
	}
	whole := strconv.FormatInt(cents/100, 10)
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	out := b.String() + "." + fmt.Sprintf("%02d", cents%100)
	if neg {
		out = "-" + out
	}
	return out
}

// Text helpers for the page.
func (l Line) BaseText() string  { return Yuan(l.Base) }
func (l Line) RaiseText() string { return Yuan(l.Raise) }
func (l Line) CutText() string   { return Yuan(l.Cut) }
func (l Line) TotalText() string { return Yuan(l.Total) }

// CaseLabel says why the unit is proposed for a case.
func (l UnitLine) CaseLabel() string { return CaseReasonLabel(l.ProposeCase) }
