package todos_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"minyi/internal/testutil"
	"minyi/internal/todos"
	"minyi/internal/users"
)

var shanghai, _ = time.LoadLocation("Asia/Shanghai")

func exec(t *testing.T, pool *pgxpool.Pool, sql string, args ...any) int64 {
	t.Helper()
	var id int64
	if err := pool.QueryRow(context.Background(), sql+` RETURNING id`, args...).Scan(&id); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return id
}

func run(t *testing.T, pool *pgxpool.Pool, sql string, args ...any) {
	t.Helper()
	if _, err := pool.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func kinds(list []todos.Item) map[string][]todos.Item {
	out := map[string][]todos.Item{}
	for _, it := range list {
		out[it.Kind] = append(out[it.Kind], it)
	}
	return out
}

// TestTargetsAppealsSurveysAndReports: the to-dos read from targets, the
// applications for review, surveys and rectification reports, for the
// unit they concern and for the office, with their deadlines.
func TestTargetsAppealsSurveysAndReports(t *testing.T) {
	pool := testutil.DB(t)
	ctx := context.Background()
	a := exec(t, pool, `INSERT INTO units (name, category) VALUES ('甲局', '经济发展类')`)
	b := exec(t, pool, `INSERT INTO units (name, category) VALUES ('乙局', '社会服务类')`)
	cyc := exec(t, pool, `INSERT INTO assessment_cycles (name, year, period_start, period_end) VALUES ('2026年度考核', 2026, '2026-01-01', '2026-12-31')`)
	old := exec(t, pool, `INSERT INTO assessment_cycles (name, year, period_start, period_end) VALUES ('2024年度考核', 2024, '2024-01-01', '2024-12-31')`)
	run(t, pool, `INSERT INTO target_settings (cycle_id, frequency, due_days) VALUES ($1, 'quarterly', 10)`, cyc)
	// A's sheet was approved in February with two indicators; Q1 is
	// reported for one of them only, Q2 for none.
	sheetA := exec(t, pool, `INSERT INTO target_sheets (cycle_id, unit_id, status, approved_at) VALUES ($1, $2, 'approved', '2026-02-01')`, cyc, a)
	i1 := exec(t, pool, `INSERT INTO target_indicators (sheet_id, position, name, tasks, points, standard, deadline, assessor_name, created_at)
		VALUES ($1, 1, '营商环境', '任务', 10, '标准', '2026-12-31', '绩效办', '2026-01-20')`, sheetA)
	exec(t, pool, `INSERT INTO target_indicators (sheet_id, position, name, tasks, points, standard, deadline, assessor_name, created_at)
		VALUES ($1, 2, '政务公开', '任务', 10, '标准', '2026-12-31', '绩效办', '2026-01-20')`, sheetA)
	run(t, pool, `INSERT INTO target_reports (indicator_id, period, sheet_id, progress, percent, updated_at) VALUES ($1, '2026-Q1', $2, '进展', 30, now())`, i1, sheetA)
	// B's sheet was returned with a comment; an old cycle's draft is long closed.
	sheetB := exec(t, pool, `INSERT INTO target_sheets (cycle_id, unit_id, status, review_comment) VALUES ($1, $2, 'returned', '指标不够具体')`, cyc, b)
	exec(t, pool, `INSERT INTO target_sheets (cycle_id, unit_id, status) VALUES ($1, $2, 'draft')`, old, b)
	// Preliminary results of the old cycle; A applied for review, B's was answered.
	pub := exec(t, pool, `INSERT INTO assessment_publications (cycle_id, stage, published_at, appeal_deadline, settings_version, scheme_version)
		VALUES ($1, 'preliminary', '2026-07-01', '2026-07-10', 1, 1)`, old)
	run(t, pool, `INSERT INTO assessment_appeals (cycle_id, unit_id, publication_id, grounds, created_at, answer_due)
		VALUES ($1, $2, $3, '加分未计入', '2026-07-05', '2026-07-20')`, old, a, pub)
	run(t, pool, `INSERT INTO assessment_appeals (cycle_id, unit_id, publication_id, grounds, created_at, answer_due, status, answer, answered_at)
		VALUES ($1, $2, $3, '扣分有误', '2026-07-05', '2026-07-20', 'rejected', '经复核维持原结果', '2026-07-15')`, old, b, pub)
	run(t, pool, `INSERT INTO assessment_rectification_reports (cycle_id, unit_id, content, submitted_at) VALUES ($1, $2, '整改报告', '2026-07-16')`, old, b)
	// A survey closing in three days with one invitee who has not answered.
	sv := exec(t, pool, `INSERT INTO surveys (cycle_id, title, questions, status, closes_at) VALUES ($1, '服务对象满意度评议', '[]', 'open', '2026-07-20 18:00+08')`, cyc)
	run(t, pool, `INSERT INTO survey_respondents (survey_id, name, group_key, dedupe_key, token_hash, token_enc) VALUES ($1, '张三', 'service_users', 'k1', 'h1', 'e1')`, sv)
	run(t, pool, `INSERT INTO survey_respondents (survey_id, name, group_key, dedupe_key, token_hash, token_enc, status) VALUES ($1, '李四', 'service_users', 'k2', 'h2', 'e2', 'submitted')`, sv)

	env := todos.Env{Now: time.Date(2026, 7, 17, 9, 0, 0, 0, shanghai), Loc: shanghai, ReviewPeriod: 90 * 24 * time.Hour, SurveyAhead: 7}
	unitA, err := todos.For(ctx, pool, users.User{Role: users.RoleUnit, UnitID: &a}, env)
	if err != nil {
		t.Fatal(err)
	}
	ka := kinds(unitA)
	// Q1 (due 04-10) misses one indicator and is overdue; Q2 (due 07-10)
	// misses both; Q3 has not ended.
	reps := ka[todos.KindProgressReport]
	if len(reps) != 2 || reps[0].Count != 1 || *reps[0].Due != "2026-04-10" || !reps[0].Overdue ||
		reps[1].Count != 2 || *reps[1].Due != "2026-07-10" || !strings.Contains(reps[1].Link, "period=2026-Q2") {
		t.Errorf("progress reports: %+v", reps)
	}
	if len(ka[todos.KindTargetSheet]) != 0 || len(ka[todos.KindReviewAnswered]) != 0 || len(ka[todos.KindSelfEvaluation]) != 0 {
		t.Errorf("unit A's other to-dos: %+v", unitA)
	}
	if unitA[0].Kind != todos.KindProgressReport || !unitA[0].Overdue {
		t.Errorf("the overdue report is not first: %+v", unitA)
	}

	unitB, err := todos.For(ctx, pool, users.User{Role: users.RoleUnit, UnitID: &b}, env)
	if err != nil {
		t.Fatal(err)
	}
	kb := kinds(unitB)
	if s := kb[todos.KindTargetSheet]; len(s) != 1 || !strings.Contains(s[0].Title, "退回") || !strings.Contains(s[0].Detail, "指标不够具体") ||
		s[0].Link != "/console/targets/"+itoa(sheetB) {
		t.Errorf("returned sheet: %+v", s)
	}
	if r := kb[todos.KindReviewAnswered]; len(r) != 1 || r[0].Link != "/console/cycles/"+itoa(old)+"/results/"+itoa(b) {
		t.Errorf("answered review: %+v", r)
	}

	office, err := todos.For(ctx, pool, users.User{Role: users.RoleOffice}, env)
	if err != nil {
		t.Fatal(err)
	}
	ko := kinds(office)
	if r := ko[todos.KindReviewApplication]; len(r) != 1 || *r[0].UnitID != a || *r[0].Due != "2026-07-20" || r[0].Overdue ||
		r[0].DueText != "还剩 1 个工作日" {
		t.Errorf("review application (Friday 17th, due Monday 20th): %+v", r)
	}
	if r := ko[todos.KindReportReceipt]; len(r) != 1 || *r[0].UnitID != b {
		t.Errorf("report to receive: %+v", r)
	}
	if s := ko[todos.KindSurveyClosing]; len(s) != 1 || s[0].Count != 1 || *s[0].Due != "2026-07-20" {
		t.Errorf("survey closing: %+v", s)
	}
	if len(ko[todos.KindTargetApproval]) != 0 {
		t.Errorf("no sheet is submitted: %+v", ko[todos.KindTargetApproval])
	}
	run(t, pool, `UPDATE target_sheets SET status = 'submitted' WHERE id = $1`, sheetB)
	office, _ = todos.For(ctx, pool, users.User{Role: users.RoleOffice}, env)
	if s := kinds(office)[todos.KindTargetApproval]; len(s) != 1 || s[0].Count != 1 || s[0].Link != "/console/targets?cycle_id="+itoa(cyc) {
		t.Errorf("sheet to approve: %+v", s)
	}

	// From a month before the period ends, the self-evaluation is asked for.
	env.Now = time.Date(2026, 12, 2, 9, 0, 0, 0, shanghai)
	unitA, _ = todos.For(ctx, pool, users.User{Role: users.RoleUnit, UnitID: &a}, env)
	if s := kinds(unitA)[todos.KindSelfEvaluation]; len(s) != 1 || s[0].Count != 2 {
		t.Errorf("self-evaluation: %+v", s)
	}
	run(t, pool, `UPDATE target_settings SET self_eval_locked = true WHERE cycle_id = $1`, cyc)
	unitA, _ = todos.For(ctx, pool, users.User{Role: users.RoleUnit, UnitID: &a}, env)
	if s := kinds(unitA)[todos.KindSelfEvaluation]; len(s) != 0 {
		t.Errorf("self-evaluation after the lock: %+v", s)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
