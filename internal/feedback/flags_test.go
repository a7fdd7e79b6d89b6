package feedback_test

import (
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/feedback"
	"minyi/internal/ratings"
)

func (x *world) scan() int {
	x.t.Helper()
	n, err := feedback.Scan(x.ctx, x.pool, x.keys, shanghai, x.now)
	if err != nil {
		x.t.Fatal(err)
	}
	return n
}

func (x *world) flags() map[string][]feedback.Flag {
	x.t.Helper()
	list, _, err := feedback.ListFlags(x.ctx, x.pool, "", 0, 0)
	if err != nil {
		x.t.Fatal(err)
	}
	out := map[string][]feedback.Flag{}
	for _, f := range list {
		out[f.Kind] = append(out[f.Kind], f)
	}
	return out
}

func TestScanFlagsEachPatternOnce(t *testing.T) {
	x := newWorld(t, 12)
	hour := x.now.Truncate(time.Hour).Add(-2 * time.Hour)
	// Ten ratings of one unit from one address within an hour; nine from
	// another address are no burst.
	var batch []ratings.NewRating
	for i := range feedback.BurstMin {
		batch = append(batch, ratings.NewRating{UnitID: x.units[0], Level: 5, ClientHash: []byte("addr-1"), RatedAt: hour.Add(time.Duration(i) * time.Minute)})
	}
	for i := range feedback.BurstMin - 1 {
		batch = append(batch, ratings.NewRating{UnitID: x.units[1], Level: 5, ClientHash: []byte("addr-2"), RatedAt: hour.Add(time.Duration(i) * time.Minute)})
	}
	// One device mark on ten units within an hour.
	day := time.Date(hour.In(shanghai).Year(), hour.In(shanghai).Month(), hour.In(shanghai).Day(), 0, 0, 0, 0, time.UTC)
	for i := range feedback.BurstMin {
		batch = append(batch, ratings.NewRating{UnitID: x.units[i], Level: 4, Day: day, Marks: [][]byte{[]byte("device-1")},
			RatedAt: hour.Add(time.Duration(i)*time.Minute + time.Second)})
	}
	// One phone on three units the same day, on two units another phone.
	for i := range feedback.PhoneMinUnits {
		batch = append(batch, ratings.NewRating{UnitID: x.units[i], Level: 1, Comment: "差", PhoneEnc: x.keys.Encrypt("13900000001"),
			RatedAt: hour.Add(time.Duration(i)*time.Minute + 2*time.Second)})
	}
	for i := range 2 {
		batch = append(batch, ratings.NewRating{UnitID: x.units[i], Level: 1, Comment: "差", PhoneEnc: x.keys.Encrypt("13900000002"),
			RatedAt: hour.Add(time.Duration(i)*time.Minute + 3*time.Second)})
	}
	// A run of top ratings on a unit that usually gets 满意; the same run
	// on a unit that usually gets 非常满意 is plausible.
	runUnit, usualUnit := x.units[10], x.units[11]
	past := x.now.AddDate(0, 0, -10)
	for i := range 10 {
		batch = append(batch, ratings.NewRating{UnitID: runUnit, Level: 4, RatedAt: past.Add(time.Duration(i) * time.Second)},
			ratings.NewRating{UnitID: usualUnit, Level: 5, RatedAt: past.Add(time.Duration(i) * time.Second)})
	}
	for i := range feedback.TopRunMin {
		batch = append(batch, ratings.NewRating{UnitID: runUnit, Level: 5, RatedAt: hour.Add(time.Duration(i) * time.Second)},
			ratings.NewRating{UnitID: usualUnit, Level: 5, RatedAt: hour.Add(time.Duration(i) * time.Second)})
	}
	x.rate(batch...)

	if n := x.scan(); n != 4 {
		t.Errorf("scan stored %d flags, want 4: %v", n, x.flags())
	}
	got := x.flags()
	check := func(kind string, unit *int64, n int) {
		t.Helper()
		if len(got[kind]) != 1 {
			t.Errorf("%s: %d flags, want 1", kind, len(got[kind]))
			return
		}
		f := got[kind][0]
		if len(f.RatingIDs) != n || f.Status != feedback.FlagOpen || (unit == nil) != (f.UnitID == nil) || (unit != nil && *unit != *f.UnitID) {
			t.Errorf("%s flag = %+v", kind, f)
		}
		if f.DetailText() == "" {
			t.Errorf("%s flag without detail", kind)
		}
	}
	check(feedback.FlagBurstAddress, &x.units[0], feedback.BurstMin)
	check(feedback.FlagBurstDevice, nil, feedback.BurstMin)
	check(feedback.FlagPhoneManyUnits, nil, feedback.PhoneMinUnits)
	check(feedback.FlagTopRun, &runUnit, feedback.TopRunMin)

	if n := x.scan(); n != 0 {
		t.Errorf("second scan stored %d flags, want none", n)
	}

	// Confirming excludes the named ratings with the flag as reason;
	// dismissing needs a note and excludes nothing.
	burst := got[feedback.FlagBurstAddress][0]
	x.tx(func(tx pgx.Tx) error {
		_, err := feedback.DecideFlag(x.ctx, tx, office, burst.ID, true, "", x.now)
		return err
	})
	for _, id := range burst.RatingIDs {
		r, _ := ratings.Find(x.ctx, x.pool, id)
		if !r.Excluded || r.ExcludeReason == nil {
			t.Errorf("rating %s not excluded", id)
		}
	}
	err := x.tx2(func(tx pgx.Tx) error {
		_, err := feedback.DecideFlag(x.ctx, tx, office, burst.ID, false, "误报", x.now)
		return err
	})
	if !apperr.Is(err, apperr.Conflict) {
		t.Errorf("second decision: %v", err)
	}
	top := got[feedback.FlagTopRun][0]
	if err := x.tx2(func(tx pgx.Tx) error {
		_, err := feedback.DecideFlag(x.ctx, tx, office, top.ID, false, "", x.now)
		return err
	}); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("dismiss without note: %v", err)
	}
	x.tx(func(tx pgx.Tx) error {
		_, err := feedback.DecideFlag(x.ctx, tx, office, top.ID, false, "当天举办便民活动", x.now)
		return err
	})
	if r, _ := ratings.Find(x.ctx, x.pool, top.RatingIDs[0]); r.Excluded {
		t.Error("dismissed flag excluded a rating")
	}
	if n := x.scan(); n != 0 {
		t.Errorf("scan after decisions stored %d flags", n)
	}
}

func (x *world) tx2(fn func(pgx.Tx) error) error {
	return pgx.BeginFunc(x.ctx, x.pool, fn)
}
