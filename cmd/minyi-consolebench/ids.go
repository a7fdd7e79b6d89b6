package main

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/reports"
)

// ids are the real ids the placeholders of the catalogue stand for; a
// missing one leaves its routes untimed, with the reason in the table.
type ids map[string]string

// placeholder matches {name} in a spec's path.
var placeholder = regexp.MustCompile(`\{([a-z_]+)\}`)

// fill replaces the placeholders of path, or names the first one missing.
func (v ids) fill(path string) (string, string) {
	missing := ""
	out := placeholder.ReplaceAllStringFunc(path, func(m string) string {
		name := m[1 : len(m)-1]
		if val, ok := v[name]; ok && val != "" {
			return val
		}
		if missing == "" {
			missing = name
		}
		return m
	})
	return out, missing
}

// prepare makes, through the API as a user would, what the pages of a
// cycle need and the generated database lacks: the current year's cycle
// with a scheme, a survey with a respondent and an agency, the unit's
// target sheet, an evidence file and the cycle's instruments with their
// answers. Each is made once: a rerun finds it.
func prepare(ctx context.Context, conn *pgx.Conn, officeAPI, unitAPI *client, unitID int64, now time.Time) error {
	// A province's accounts: one for every unit, as the office hands them
	// out (the call is idempotent), so that the accounts pages are timed
	// over a thousand accounts, not two.
	if err := officeAPI.postJSON("/api/v1/users/unit-accounts", map[string]any{}, http.StatusCreated, nil); err != nil {
		return fmt.Errorf("the units' accounts: %w", err)
	}
	year := now.Year()
	var cycle int64
	err := conn.QueryRow(ctx, `SELECT id FROM assessment_cycles WHERE year = $1 ORDER BY id LIMIT 1`, year).Scan(&cycle)
	if errors.Is(err, pgx.ErrNoRows) {
		var c struct{ ID int64 }
		err = officeAPI.postJSON("/api/v1/cycles", map[string]any{"name": fmt.Sprintf("%d年度", year), "year": year,
			"period_start": fmt.Sprintf("%d-01-01", year), "period_end": fmt.Sprintf("%d-12-31", year)}, http.StatusCreated, &c)
		cycle = c.ID
	}
	if err != nil {
		return fmt.Errorf("the cycle: %w", err)
	}
	if n := count(ctx, conn, `SELECT count(*) FROM cycle_schemes WHERE cycle_id = $1`, cycle); n == 0 {
		if err := officeAPI.putJSON(fmt.Sprintf("/api/v1/cycles/%d/scheme", cycle), map[string]any{"preset": "jiangxi", "note": "基准测试"}); err != nil {
			return fmt.Errorf("the scheme: %w", err)
		}
	}
	var survey int64
	err = conn.QueryRow(ctx, `SELECT id FROM surveys WHERE cycle_id = $1 ORDER BY id LIMIT 1`, cycle).Scan(&survey)
	if errors.Is(err, pgx.ErrNoRows) {
		var s struct{ ID int64 }
		err = officeAPI.postJSON("/api/v1/surveys", map[string]any{"cycle_id": cycle, "title": fmt.Sprintf("%d年度满意度测评", year),
			"questions": []map[string]string{{"key": "efficiency"}, {"key": "attitude"}}}, http.StatusCreated, &s)
		survey = s.ID
	}
	if err != nil {
		return fmt.Errorf("the survey: %w", err)
	}
	if count(ctx, conn, `SELECT count(*) FROM survey_respondents WHERE survey_id = $1`, survey) == 0 {
		var group string
		if err := conn.QueryRow(ctx, `SELECT group_key FROM survey_groups WHERE survey_id = $1 ORDER BY 1 LIMIT 1`, survey).Scan(&group); err != nil {
			return fmt.Errorf("the survey's groups: %w", err)
		}
		err := officeAPI.postJSON(fmt.Sprintf("/api/v1/surveys/%d/respondents", survey),
			map[string]any{"name": "张三", "group": group, "organisation": "市人大"}, http.StatusCreated, nil)
		if err != nil {
			return fmt.Errorf("a respondent: %w", err)
		}
	}
	if count(ctx, conn, `SELECT count(*) FROM survey_agencies WHERE survey_id = $1`, survey) == 0 {
		err := officeAPI.postJSON(fmt.Sprintf("/api/v1/surveys/%d/agencies", survey),
			map[string]any{"name": "甲调查公司", "contact": "李四"}, http.StatusCreated, nil)
		if err != nil {
			return fmt.Errorf("an agency: %w", err)
		}
	}
	if count(ctx, conn, `SELECT count(*) FROM target_sheets WHERE cycle_id = $1 AND unit_id = $2`, cycle, unitID) == 0 {
		if err := unitAPI.postJSON(fmt.Sprintf("/api/v1/cycles/%d/targets", cycle), map[string]any{}, http.StatusCreated, nil); err != nil {
			return fmt.Errorf("the unit's target sheet: %w", err)
		}
	}
	if count(ctx, conn, `SELECT count(*) FROM evidence_files WHERE owner_unit_id = $1`, unitID) == 0 {
		pdf := "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
		err := unitAPI.postJSON("/api/v1/evidence", map[string]any{"filename": "整改材料.pdf",
			"content_base64": base64.StdEncoding.EncodeToString([]byte(pdf))}, http.StatusCreated, nil)
		if err != nil {
			return fmt.Errorf("an evidence file: %w", err)
		}
	}
	if err := prepareInstruments(ctx, conn, officeAPI, cycle); err != nil {
		return err
	}
	if err := prepareAssessor(ctx, conn, officeAPI, unitID, cycle); err != nil {
		return err
	}
	if err := prepareSelfEval(ctx, conn, officeAPI, unitAPI, unitID, cycle, year); err != nil {
		return err
	}
	if err := prepareInspections(ctx, conn, officeAPI, unitID, cycle, now); err != nil {
		return err
	}
	if err := prepareExports(ctx, conn, unitID); err != nil {
		return err
	}
	return prepareAssessedEvidence(ctx, conn, officeAPI, unitID, cycle, year)
}

// prepareAssessor makes the unit user's unit an assessor (考评单位) of a
// leaf of the cycle's scheme and the lead unit of a key task shared by
// two hundred units, so that the assessor's and the lead unit's pages
// are timed as they serve.
func prepareAssessor(ctx context.Context, conn *pgx.Conn, officeAPI *client, unitID, cycle int64) error {
	mine, first, err := assessorLeaf(officeAPI, unitID, cycle)
	if err != nil {
		return err
	}
	if mine == "" && first != "" {
		path := fmt.Sprintf("/api/v1/cycles/%d/assessment/leaves/%s/assessor", cycle, first)
		if err := officeAPI.putJSON(path, map[string]any{"unit_id": unitID}); err != nil {
			return fmt.Errorf("the unit as an assessor: %w", err)
		}
	}
	if count(ctx, conn, `SELECT count(*) FROM key_tasks WHERE cycle_id = $1 AND lead_unit_id = $2`, cycle, unitID) > 0 {
		return nil
	}
	rows, _ := conn.Query(ctx, `SELECT id FROM units WHERE id <> $1 ORDER BY id LIMIT 200`, unitID)
	members, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return fmt.Errorf("the key task's units: %w", err)
	}
	err = officeAPI.postJSON(fmt.Sprintf("/api/v1/cycles/%d/key-tasks", cycle), map[string]any{"name": "基准测试重点任务",
		"lead_unit_id": unitID, "unit_ids": members}, http.StatusCreated, nil)
	if err != nil {
		return fmt.Errorf("a key task: %w", err)
	}
	return nil
}

// assessorLeaf returns the key of a leaf of the cycle's scheme whose
// assessor is the unit ("" for none) and the key of its first leaf.
func assessorLeaf(officeAPI *client, unitID, cycle int64) (mine, first string, err error) {
	var leaves struct {
		Items []struct {
			Key            string `json:"key"`
			AssessorUnitID *int64 `json:"assessor_unit_id"`
		} `json:"items"`
	}
	if err := officeAPI.sendJSON(http.MethodGet, fmt.Sprintf("/api/v1/cycles/%d/assessment/leaves", cycle), nil, http.StatusOK, &leaves); err != nil {
		return "", "", fmt.Errorf("the scheme's leaves: %w", err)
	}
	for i, l := range leaves.Items {
		if i == 0 {
			first = l.Key
		}
		if l.AssessorUnitID != nil && *l.AssessorUnitID == unitID {
			mine = l.Key
		}
	}
	return mine, first, nil
}

// count runs a count query; an error counts as 0 (prepare then tries to
// make the thing and reports that error).
func count(ctx context.Context, conn *pgx.Conn, sql string, args ...any) int64 {
	var n int64
	if err := conn.QueryRow(ctx, sql, args...).Scan(&n); err != nil {
		return 0
	}
	return n
}

// lookups find the ids in the database: {unit} is the unit user's unit
// (a big one, @unit), the rest belong to it where they can; @year is
// the current year.
var lookups = []struct{ name, sql string }{
	{"export_job", `SELECT min(j.id) FROM export_jobs j JOIN users u ON u.id = j.user_id
		WHERE u.unit_id = @unit AND u.role = 'unit' AND j.state = 'done'`},
	{"point", `SELECT min(id) FROM service_points WHERE unit_id = @unit AND kind = 'hall'`},
	{"account", `SELECT min(id) FROM users WHERE unit_id = @unit`},
	{"cycle", `SELECT min(id) FROM assessment_cycles WHERE year = @year`},
	{"survey", `SELECT min(s.id) FROM surveys s JOIN assessment_cycles c ON c.id = s.cycle_id WHERE c.year = @year`},
	{"respondent", `SELECT min(r.id) FROM survey_respondents r JOIN surveys s ON s.id = r.survey_id
		JOIN assessment_cycles c ON c.id = s.cycle_id WHERE c.year = @year`},
	{"agency", `SELECT min(a.id) FROM survey_agencies a JOIN surveys s ON s.id = a.survey_id
		JOIN assessment_cycles c ON c.id = s.cycle_id WHERE c.year = @year`},
	{"upload", `SELECT max(id) FROM survey_uploads`},
	{"instrument", `SELECT min(i.id) FROM evaluation_instruments i JOIN assessment_cycles c ON c.id = i.cycle_id WHERE c.year = @year`},
	{"peer_instrument", `SELECT min(i.id) FROM evaluation_instruments i JOIN assessment_cycles c ON c.id = i.cycle_id
		WHERE c.year = @year AND i.purpose = 'peer'`},
	{"sheet", `SELECT min(t.id) FROM target_sheets t JOIN assessment_cycles c ON c.id = t.cycle_id WHERE c.year = @year AND t.unit_id = @unit`},
	{"sheet_version", `SELECT max(v.version) FROM target_sheet_versions v JOIN target_sheets t ON t.id = v.sheet_id
		JOIN assessment_cycles c ON c.id = t.cycle_id WHERE c.year = @year AND t.unit_id = @unit`},
	{"evidence", `SELECT min(id::text) FROM evidence_files WHERE owner_unit_id = @unit`},
	{"case", `SELECT c.id FROM rectification_cases c WHERE c.unit_id = @unit
		ORDER BY (SELECT count(*) FROM case_updates u WHERE u.case_id = c.id) DESC, c.id DESC LIMIT 1`},
	{"callback_case", `SELECT max(id) FROM rectification_cases WHERE unit_id = @unit AND real_name`},
	{"item", `SELECT id::text FROM ratings WHERE unit_id = @unit AND rated_at > now() - interval '30 days'
		AND level <= 2 AND NOT excluded AND NOT held ORDER BY rated_at DESC LIMIT 1`},
	{"appeal", `SELECT max(id) FROM feedback_appeals WHERE unit_id = @unit`},
	{"rating", `SELECT r.id::text FROM ratings r WHERE r.unit_id = @unit AND r.rated_at > now() - interval '30 days'
		AND r.level <= 2 AND NOT r.excluded AND NOT r.held
		AND NOT EXISTS (SELECT 1 FROM feedback_appeals a WHERE a.rating_id = r.id AND a.status = 'open')
		ORDER BY r.rated_at DESC LIMIT 1`},
	{"year", `SELECT max(year)::text FROM workday_years WHERE year <= @year`},
	{"new_year", `SELECT min(y) FROM generate_series(@year, 2100) AS y WHERE y NOT IN (SELECT year FROM workday_years)`},
	{"assessed", `SELECT min(id) FROM units WHERE id <> @unit`},
	{"assessed_evidence", `SELECT min(e.evidence_id::text) FROM target_evidence e JOIN target_sheets s ON s.id = e.sheet_id
		JOIN assessment_cycles c ON c.id = s.cycle_id WHERE c.year = @year AND s.unit_id = (SELECT min(id) FROM units WHERE id <> @unit)`},
	{"key_task", `SELECT min(t.id) FROM key_tasks t JOIN assessment_cycles c ON c.id = t.cycle_id
		WHERE c.year = @year AND t.lead_unit_id = @unit`},
	{"se_period", `SELECT min(p.id) FROM self_eval_periods p JOIN assessment_cycles c ON c.id = p.cycle_id WHERE c.year = @year`},
	{"inspection", `SELECT min(i.id) FROM inspections i JOIN assessment_cycles c ON c.id = i.cycle_id
		JOIN inspection_units x ON x.inspection_id = i.id WHERE c.year = @year AND x.unit_id = @unit`},
	{"rectification_unit", `SELECT min(r.unit_id) FROM assessment_rectification_reports r
		JOIN assessment_cycles c ON c.id = r.cycle_id WHERE c.year = @year`},
	{"approval", `SELECT max(id) FROM approval_requests`},
}

// clockIDs are the ids that come from the clock: today, last month's
// first and last days, and the periods of the reports.
func clockIDs(now time.Time) ids {
	v := ids{"today": now.Format(time.DateOnly)}
	lastMonth := time.Date(now.Year(), now.Month()-1, 1, 0, 0, 0, 0, now.Location())
	v["month_from"] = lastMonth.Format(time.DateOnly)
	v["month_to"] = lastMonth.AddDate(0, 1, -1).Format(time.DateOnly)
	// The reports of last month and quarter (finished) and of the running ones.
	today := reports.Day(now, now.Location())
	v["report_month"] = reports.Of(reports.Month, today).Prev().String()
	v["report_month_now"] = reports.Of(reports.Month, today).String()
	v["report_quarter"] = reports.Of(reports.Quarter, today).Prev().String()
	v["report_quarter_now"] = reports.Of(reports.Quarter, today).String()
	return v
}

// resolve finds the ids of the catalogue: the fixed ones from the clock,
// the others with lookups.
func resolve(ctx context.Context, conn *pgx.Conn, unitID int64, now time.Time) (ids, error) {
	v := clockIDs(now)
	v["unit"] = strconv.FormatInt(unitID, 10)
	for _, l := range lookups {
		var s *string
		err := conn.QueryRow(ctx, `SELECT x::text FROM (`+l.sql+`) AS q(x)`, pgx.NamedArgs{"unit": unitID, "year": now.Year()}).Scan(&s)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
		case err != nil:
			return nil, fmt.Errorf("looking up %s: %w", l.name, err)
		case s != nil:
			v[l.name] = *s
		}
	}
	return v, nil
}
