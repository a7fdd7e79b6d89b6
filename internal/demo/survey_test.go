package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"minyi/internal/apperr"
	"minyi/internal/config"
	"minyi/internal/demo"
	"minyi/internal/results"
	"minyi/internal/secure"
	"minyi/internal/testutil"
)

// seeded seeds a fresh database with the demo dataset at the local time
// of day 10:00 on the date given.
func seeded(t *testing.T, year int, month time.Month, day int) (*pgxpool.Pool, config.Config, demo.Result, time.Time) {
	t.Helper()
	pool := testutil.DB(t)
	env := map[string]string{"SECRET_KEY": "demo-test-secret-0123456789abcdef-0123"}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	keys, err := secure.NewKeys(cfg.SecretKey)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(year, month, day, 10, 0, 0, 0, cfg.Location)
	res, err := demo.Seed(context.Background(), pool, cfg, keys, now)
	if err != nil {
		t.Fatalf("%v %v", err, apperr.From(err).Fields)
	}
	return pool, cfg, res, now
}

func TestSeedMakesAnOpenSurveyWithAnswers(t *testing.T) {
	ctx := context.Background()
	pool, cfg, res, now := seeded(t, 2026, 11, 20)
	if res.Respondents != 20 || res.Submitted != 12 {
		t.Errorf("seeded %d respondents, %d submitted", res.Respondents, res.Submitted)
	}
	var cycles, open, groups, responses, started int
	err := pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM assessment_cycles WHERE year = 2026),
		(SELECT count(*) FROM surveys WHERE status = 'open' AND anonymous),
		(SELECT count(DISTINCT group_key) FROM survey_responses),
		(SELECT count(*) FROM survey_responses WHERE respondent_id IS NULL),
		(SELECT count(*) FROM survey_respondents WHERE status = 'started')`).Scan(&cycles, &open, &groups, &responses, &started)
	if err != nil {
		t.Fatal(err)
	}
	if cycles != 1 || open != 1 || groups != 6 || responses < 100 || started != 4 {
		t.Errorf("cycles %d, open surveys %d, groups answering %d, responses %d, started %d", cycles, open, groups, responses, started)
	}

	// The demo cycle has the Jiangxi scheme with every manual leaf scored,
	// so every unit's result computes.
	var cycleID int64
	if err := pool.QueryRow(ctx, `SELECT id FROM assessment_cycles WHERE year = 2026`).Scan(&cycleID); err != nil {
		t.Fatal(err)
	}
	a, err := results.ComputeAll(ctx, pool, cfg.Location, now, cycleID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Entries == 0 || len(a.Incomplete) != 0 {
		t.Errorf("%d entries; incomplete units: %+v", res.Entries, a.Incomplete)
	}
}
