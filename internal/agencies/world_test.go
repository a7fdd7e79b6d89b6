package agencies_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"minyi/internal/agencies"
	"minyi/internal/audit"
	"minyi/internal/cycles"
	"minyi/internal/db"
	"minyi/internal/testutil"
	"minyi/internal/units"
)

// world is a database with a cycle, an open survey of it (overall,
// efficiency and attitude questions; NPC deputies and experts taking
// part), two units and two agencies of the survey.
type world struct {
	ctx     context.Context
	pool    *pgxpool.Pool
	survey  int64
	a, b    units.Unit
	ag, ag2 agencies.Agency
	loc     *time.Location
	now     time.Time
}

var office = audit.Actor{ID: 0, Name: "office1"}

const questions = `[{"key":"overall","text":"总体满意度","kind":"overall"},
	{"key":"efficiency","text":"办事效率","kind":"aspect"},{"key":"attitude","text":"服务态度","kind":"aspect"}]`

func newWorld(t *testing.T) *world {
	t.Helper()
	loc, _ := time.LoadLocation("Asia/Shanghai")
	w := &world{ctx: context.Background(), pool: testutil.DB(t), loc: loc,
		now: time.Date(2025, 11, 20, 10, 0, 0, 0, loc)}
	w.tx(t, func(tx pgx.Tx) (err error) {
		cy, err := cycles.CreateCycle(w.ctx, tx, audit.System, cycles.CycleInput{Name: "2025年度", Year: 2025,
			PeriodStart: "2025-01-01", PeriodEnd: "2025-12-31"}, cycles.DefaultConfig([]float64{100, 80, 60, 30, 0}))
		if err != nil {
			return err
		}
		w.survey = insertSurvey(t, w.ctx, tx, cy.ID, "2025年度满意度调查", "open", "npc_deputies", "experts")
		cats := []string{"社会服务类"}
		if w.a, err = units.CreateUnit(w.ctx, tx, audit.System, units.UnitInput{Name: "市税务局", ShortCode: "TAX", Category: cats[0]}, cats); err != nil {
			return err
		}
		if w.b, err = units.CreateUnit(w.ctx, tx, audit.System, units.UnitInput{Name: "市政务服务中心", Category: cats[0]}, cats); err != nil {
			return err
		}
		if w.ag, err = agencies.CreateAgency(w.ctx, tx, office, w.survey, agencies.Input{Name: "甲调查公司"}); err != nil {
			return err
		}
		w.ag2, err = agencies.CreateAgency(w.ctx, tx, office, w.survey, agencies.Input{Name: "乙调查公司", Contact: "李四"})
		return err
	})
	return w
}

// insertSurvey adds a survey with plain SQL (the surveys package is not
// needed for agencies) and the groups taking part.
func insertSurvey(t *testing.T, ctx context.Context, tx pgx.Tx, cycleID int64, title, status string, groups ...string) int64 {
	t.Helper()
	var id int64
	if err := tx.QueryRow(ctx, `INSERT INTO surveys (cycle_id, title, questions, status) VALUES ($1, $2, $3, $4) RETURNING id`,
		cycleID, title, questions, status).Scan(&id); err != nil {
		t.Fatal(err)
	}
	for _, g := range groups {
		if _, err := tx.Exec(ctx, `INSERT INTO survey_groups (survey_id, group_key) VALUES ($1, $2)`, id, g); err != nil {
			t.Fatal(err)
		}
	}
	return id
}

func (w *world) tx(t *testing.T, fn func(tx pgx.Tx) error) {
	t.Helper()
	if err := db.Tx(w.ctx, w.pool, fn); err != nil {
		t.Fatal(err)
	}
}

// upload stores rows for the agency at w.now.
func (w *world) upload(t *testing.T, a agencies.Agency, rows []agencies.RowInput) (agencies.Upload, error) {
	t.Helper()
	return w.uploadAt(t, a, rows, w.now)
}

func (w *world) uploadAt(t *testing.T, a agencies.Agency, rows []agencies.RowInput, now time.Time) (agencies.Upload, error) {
	t.Helper()
	cat, err := agencies.LoadCatalog(w.ctx, w.pool, a.SurveyID)
	if err != nil {
		t.Fatal(err)
	}
	var up agencies.Upload
	err = db.Tx(w.ctx, w.pool, func(tx pgx.Tx) (err error) {
		up, err = agencies.StoreUpload(w.ctx, tx, a, cat, agencies.UploadInput{Format: agencies.FormatJSON, Rows: rows}, now, w.loc)
		return err
	})
	return up, err
}

func (w *world) count(t *testing.T, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := w.pool.QueryRow(w.ctx, sql, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// row is a valid row of the given id.
func row(n int, id string) agencies.RowInput {
	return agencies.RowInput{Row: n, ResponseID: id, Unit: "TAX", Group: "人大代表", Level: "5",
		Aspects: map[string]string{"efficiency": "4"}, Opinion: "很好", Date: "2025-11-01"}
}
