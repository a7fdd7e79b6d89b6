package server_test

import (
	"context"
	"testing"
	"time"

	"minyi/internal/testutil/apptest"
)

// Each instance moves the current day's watermark of the daily aggregate
// on its own clock: at 12:00 on a day the day is rolled up to 11:45.
func TestRunTodayRollupMovesTheWatermark(t *testing.T) {
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	l := time.Now().In(shanghai).AddDate(0, 0, -1)
	noon := time.Date(l.Year(), l.Month(), l.Day(), 12, 0, 0, 0, shanghai)
	app := apptest.New(t, apptest.Options{Now: func() time.Time { return noon },
		Env: map[string]string{"TIME_ZONE": "Asia/Shanghai"}})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { app.Server.RunTodayRollup(ctx, time.Hour); close(done) }()
	defer func() { cancel(); <-done }()
	deadline := time.Now().Add(20 * time.Second)
	for {
		var upto time.Time
		err := app.Pool.QueryRow(context.Background(), `SELECT upto FROM rating_rollup_days WHERE day = $1::date`,
			noon.Format(time.DateOnly)).Scan(&upto)
		if err == nil {
			if want := noon.Add(-15 * time.Minute); !upto.Equal(want) {
				t.Fatalf("rolled up to %v, want %v", upto, want)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the day was never rolled up: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
