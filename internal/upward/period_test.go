package upward_test

import (
	"slices"
	"testing"
	"time"

	"minyi/internal/upward"
)

// A period's rectification records, read in batches smaller than a merged
// case, come each once and in order (closing time, case, rating): the
// batches resume inside a case, cases closed at the same instant follow
// their ids, and a case's rating that is no 差评 is left out.
func TestRectificationPeriodInBatches(t *testing.T) {
	w := newWorld(t)
	at := time.Date(2026, 11, 10, 9, 0, 0, 0, shanghai)
	closed := time.Date(2026, 11, 25, 16, 0, 0, 0, shanghai)
	// closeCase makes a closed case of the ratings, all reviewed valid.
	closeCase := func(closedAt time.Time, ids ...string) int64 {
		t.Helper()
		var id int64
		if err := w.pool.QueryRow(w.ctx, `INSERT INTO rectification_cases (unit_id, source_kind, source_id, problem,
				status, explanation, measures, done_note, closed_at)
			VALUES ($1, 'rating', $2, '等候时间长', 'closed', '窗口不足', '增开窗口', '已增开', $3) RETURNING id`,
			w.unit, ids[0], closedAt).Scan(&id); err != nil {
			t.Fatal(err)
		}
		for _, r := range ids {
			if _, err := w.pool.Exec(w.ctx, `WITH s AS (INSERT INTO case_sources (case_id, source_kind, source_id)
					VALUES ($1, 'rating', $2))
				INSERT INTO feedback_reviews (source_kind, source_id, unit_id, verdict, case_id, rated_at)
				SELECT 'rating', $2, $3, 'valid', $1, rated_at FROM ratings WHERE id = $2::uuid`, id, r, w.unit); err != nil {
				t.Fatal(err)
			}
		}
		return id
	}
	var bad []string
	for i := range 5 {
		bad = append(bad, w.rating("qr", 1+i%2, "排队太久", "", at.Add(time.Duration(i)*time.Minute)))
	}
	fair := w.rating("qr", 3, "一般", "", at.Add(10*time.Minute))
	first := closeCase(closed, bad[0], bad[1], fair, bad[2]) // merged: three 差评 and a 中评
	second := closeCase(closed, bad[3])                      // closed at the same instant
	third := closeCase(closed.Add(time.Hour), bad[4])
	closeCase(closed.AddDate(0, 0, 10), w.rating("qr", 1, "", "", at)) // closed after the period

	want := []string{}
	firstBad := slices.Clone(bad[:3])
	slices.Sort(firstBad) // by the rating's id within a case
	for _, r := range firstBad {
		want = append(want, itoa(first)+"-"+r)
	}
	want = append(want, itoa(second)+"-"+bad[3], itoa(third)+"-"+bad[4])

	p := upward.Period{Source: upward.SourceRectification, From: time.Date(2026, 11, 25, 0, 0, 0, 0, shanghai),
		To: time.Date(2026, 11, 26, 0, 0, 0, 0, shanghai)}
	var got []string
	var after *upward.Cursor
	for batch := 0; ; batch++ {
		list, next, err := upward.ReadPeriod(w.ctx, w.pool, p, shanghai, "DS3416", after, 2)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range list {
			got = append(got, r.RecordID)
			if r.Rectification != "增开窗口\n已增开" || r.Satisfaction > 2 {
				t.Errorf("record %+v", r)
			}
		}
		if len(list) < 2 || batch > 5 {
			break
		}
		after = next
	}
	if !slices.Equal(got, want) {
		t.Errorf("records\n got %q\nwant %q", got, want)
	}
}
