package ratings_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"minyi/internal/audit"
	"minyi/internal/db"
	"minyi/internal/ratings"
	"minyi/internal/safetext"
	"minyi/internal/testutil"
	"minyi/internal/units"
)

// fuzzWorld is a database with one unit and one terminal whose ratings a
// fuzz target writes through the real group-committing writer.
type fuzzWorld struct {
	w        *ratings.Writer
	unit     units.Unit
	terminal units.Terminal
}

func newFuzzWorld(tb testing.TB) *fuzzWorld {
	tb.Helper()
	pool := testutil.DB(tb)
	ctx := context.Background()
	fw := &fuzzWorld{w: ratings.NewWriter(pool, 1, 500, time.UTC, quiet)}
	tb.Cleanup(fw.w.Close)
	err := db.Tx(ctx, pool, func(tx pgx.Tx) (err error) {
		if fw.unit, err = units.CreateUnit(ctx, tx, audit.System, units.UnitInput{Name: "市政务服务中心", Category: "社会服务类"},
			[]string{"社会服务类"}); err != nil {
			return err
		}
		fw.terminal, _, err = units.CreateTerminal(ctx, tx, audit.System, fw.unit.ID, units.TerminalInput{Name: "1号评价器"})
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return fw
}

// store writes the ratings and fails unless Postgres took every one.
func (fw *fuzzWorld) store(t *testing.T, items []ratings.NewRating) {
	t.Helper()
	if len(items) == 0 {
		return
	}
	res, err := fw.w.Write(context.Background(), items)
	if err != nil {
		t.Fatalf("validated ratings not stored: %v", err)
	}
	for i, r := range res {
		switch r.Status {
		case ratings.Created, ratings.Duplicate, ratings.CaseConflict, ratings.DailyLimit:
		default:
			t.Fatalf("rating %d: status %q", i, r.Status)
		}
	}
}

// wantSafe fails when a text that validation accepted is not safe text or
// is longer than its limit.
func wantSafe(t *testing.T, field, s string, max int) {
	t.Helper()
	if !safetext.Valid(s) || utf8.RuneCountInString(s) > max {
		t.Fatalf("accepted %s %q (%d characters, limit %d)", field, s, utf8.RuneCountInString(s), max)
	}
}

// FuzzTerminalBatch decodes a terminal's request body as the API does and
// checks each rating. Properties: nothing panics; a rating that passes has
// a valid id and level and texts of safe text within their limits; and the
// writer stores every rating that passes, whatever the others hold — one
// bad item never fails its batch.
func FuzzTerminalBatch(f *testing.F) {
	for _, s := range []string{
		`{"ratings":[{"id":"T-1","level":5}]}`,
		`{"ratings":[{"id":"T-2","level":1,"reasons":["等候时间长"],"comment":"排队两小时","case_no":"A-1","window":"3","staff_no":"007","rated_at":"2026-11-21T09:30:00+08:00"}]}`,
		`{"ratings":[{"id":"T-3","level":5},{"id":"T-4","level":1,"comment":"bad\u0000byte"},{"id":"T-5","level":4,"window":"A\u001b[31m"}]}`,
		`{"ratings":[{"id":"T-6","level":3,"comment":"lone \ud800 and raw ` + "\xff" + ` byte"}]}`,
		`{"ratings":[{"id":"T-7","level":2,"reasons":["慢\u0007","","慢"]},{"id":"T-7","level":2}]}`,
		`{"ratings":[{"id":"T-8","level":9,"rated_at":"yesterday","case_no":"` + strings.Repeat("号", 65) + `"}]}`,
		`{"ratings":[{"id":"","level":5},{"id":"` + strings.Repeat("x", 65) + `","level":5},{"id":"a b","level":5}]}`,
		`{"ratings":[{"id":"T-9","level":5,"comment":"` + strings.Repeat("好", 501) + `"}]}`,
		`{"ratings":"x"}`, `[`, `{"ratings":[{"id":"T-10","level":5,"reasons":[` + strings.Repeat(`"r",`, 11) + `"r"]}]}`,
	} {
		f.Add([]byte(s))
	}
	fw := newFuzzWorld(f)
	now := time.Now()
	f.Fuzz(func(t *testing.T, body []byte) {
		var batch struct {
			Ratings []ratings.TerminalRating `json:"ratings"`
		}
		if json.Unmarshal(body, &batch) != nil || len(batch.Ratings) > ratings.MaxBatch {
			return
		}
		var items []ratings.NewRating
		tid := fw.terminal.ID
		for i := range batch.Ratings {
			r := &batch.Ratings[i]
			if len(r.Check(now, 30*24*time.Hour)) > 0 {
				continue
			}
			if r.Level < 1 || r.Level > 5 || r.ID == "" || len(r.ID) > ratings.MaxClientID || len(r.Reasons) > ratings.MaxReasons {
				t.Fatalf("accepted %+v", *r)
			}
			wantSafe(t, "comment", r.Comment, ratings.MaxComment)
			wantSafe(t, "case_no", r.CaseNo, ratings.MaxCaseNo)
			wantSafe(t, "window", r.Window, ratings.MaxWindowNo)
			wantSafe(t, "staff_no", r.StaffNo, ratings.MaxStaffNo)
			for _, s := range r.Reasons {
				wantSafe(t, "reason", s, ratings.MaxReasonLen)
			}
			items = append(items, ratings.NewRating{Origin: tid, ClientID: r.ID, Channel: ratings.ChannelTerminal,
				UnitID: fw.unit.ID, TerminalID: &tid, Level: r.Level, Points: float64(r.Level * 20), Reasons: r.Reasons,
				Comment: r.Comment, CaseNo: r.CaseNo, WindowNo: r.Window, StaffNo: r.StaffNo, RatedAt: r.RatedAtTime(),
				RateChecked: true})
		}
		fw.store(t, items)
	})
}

// FuzzQRInput validates a citizen's rating form as the page does.
// Properties: nothing panics; accepted input has a level, only configured
// reasons (and only for levels 1–2), a comment of safe text within 500
// characters, a valid phone or none and a short token; and Postgres stores
// it.
func FuzzQRInput(f *testing.F) {
	reasons := []string{"办事效率低", "服务态度差", "等候时间长", "其他"}
	for _, s := range [][5]string{
		{"5", "", "", "", "tok-0001"},
		{"2", "等候时间长", "排队两小时", "13812345678", "tok-0002"},
		{"1", "", "材料退回三次", "+86 138 1234 5678", "tok-0003"},
		{"2", "等候时间长", "排队\x00两小时", "", "tok-0004"},
		{"2", "等候时间长", "排队\xff两小时", "0791-86001234", "tok-0005"},
		{"3", "其他", strings.Repeat("好", 501), "123", "tok\x00"},
		{"x", "不存在的原因", "", "138123456789", strings.Repeat("t", 65)},
		{"1", "", "\x1b[2J", "1381234567\x00", ""},
	} {
		f.Add(s[0], s[1], s[2], s[3], s[4])
	}
	fw := newFuzzWorld(f)
	f.Fuzz(func(t *testing.T, level, reason, comment, phone, token string) {
		in := ratings.QRInput{Level: ratings.ParseLevel(level), Comment: comment, Phone: phone, Token: token}
		if reason != "" {
			in.Reasons = []string{reason}
		}
		if in.Validate(reasons) != nil {
			return
		}
		if in.Level < 1 || in.Level > 5 || (len(in.Reasons) > 0 && in.Level > 2) || len(in.Token) > ratings.MaxClientID {
			t.Fatalf("accepted %+v", in)
		}
		for _, r := range in.Reasons {
			wantSafe(t, "reason", r, ratings.MaxReasonLen)
		}
		wantSafe(t, "comment", in.Comment, ratings.MaxComment)
		wantSafe(t, "token", in.Token, ratings.MaxClientID)
		if in.Phone != "" && !ratings.ValidPhone(in.Phone) {
			t.Fatalf("accepted phone %q", in.Phone)
		}
		clientID := in.Token
		if clientID == "" {
			clientID = "fuzz-" + time.Now().Format("150405.000000000")
		}
		fw.store(t, []ratings.NewRating{{ClientID: clientID, Channel: ratings.ChannelQR, UnitID: fw.unit.ID,
			Level: in.Level, Points: float64(in.Level * 20), Reasons: in.Reasons, Comment: in.Comment,
			PhoneMask: in.Phone, ClientHash: []byte("fuzz-client-hash-0123456789abcdef"), RatedAt: time.Now(), RateChecked: true}})
	})
}
