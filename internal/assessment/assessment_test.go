package assessment_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"minyi/internal/apperr"
	"minyi/internal/assessment"
	"minyi/internal/audit"
	"minyi/internal/cycles"
	"minyi/internal/db"
	"minyi/internal/schemes"
	"minyi/internal/testutil"
	"minyi/internal/units"
)

// world is a cycle with three units (A and B assess, C is only assessed)
// and a scheme: a (10, by A), b (20, no unit), p prorated of p1 (5, by A)
// and p2 (5, by B).
type world struct {
	ctx     context.Context
	pool    *pgxpool.Pool
	cycleID int64
	a, b, c int64
}

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{ctx: context.Background(), pool: testutil.DB(t)}
	w.tx(t, func(tx pgx.Tx) error {
		cy, err := cycles.CreateCycle(w.ctx, tx, audit.System, cycles.CycleInput{Name: "2026年度", Year: 2026,
			PeriodStart: "2026-01-01", PeriodEnd: "2026-12-31"}, cycles.DefaultConfig([]float64{100, 80, 60, 30, 0}))
		if err != nil {
			return err
		}
		w.cycleID = cy.ID
		for i, p := range []*int64{&w.a, &w.b, &w.c} {
			u, err := units.CreateUnit(w.ctx, tx, audit.System, units.UnitInput{Name: "单位" + string(rune('甲'+i)),
				Category: "综合部门"}, []string{"综合部门"})
			if err != nil {
				return err
			}
			*p = u.ID
		}
		leaf := func(key string, max float64, unit *int64) schemes.Node {
			n := schemes.Node{Key: key, Name: "项目" + key, Kind: schemes.KindManual, Max: max, Assessor: &schemes.Assessor{Name: "某局"}}
			n.Assessor.UnitID = unit
			return n
		}
		tree := schemes.Node{Key: "root", Name: "方案", Kind: schemes.KindSum, Children: []schemes.Node{
			leaf("a", 10, &w.a), leaf("b", 20, nil),
			{Key: "p", Name: "折算组", Kind: schemes.KindProrated, Children: []schemes.Node{leaf("p1", 5, &w.a), leaf("p2", 5, &w.b)}},
		}}
		_, _, err = schemes.Set(w.ctx, tx, audit.System, cy.ID, schemes.Change{Tree: &tree})
		return err
	})
	return w
}

func (w *world) tx(t *testing.T, fn func(tx pgx.Tx) error) {
	t.Helper()
	if err := db.Tx(w.ctx, w.pool, fn); err != nil {
		t.Fatal(err)
	}
}

func (w *world) try(fn func(tx pgx.Tx) error) error { return db.Tx(w.ctx, w.pool, fn) }

func pts(f float64) *float64 { return &f }

func (w *world) save(sc assessment.Scorer, unit int64, key string, in assessment.EntryInput) (assessment.Entry, error) {
	var e assessment.Entry
	err := w.try(func(tx pgx.Tx) (err error) {
		e, err = assessment.SaveEntry(w.ctx, tx, sc, w.cycleID, unit, key, in)
		return err
	})
	return e, err
}

var office = assessment.Scorer{Actor: audit.Actor{Name: "office"}, Office: true}

func unitScorer(id int64) assessment.Scorer {
	return assessment.Scorer{Actor: audit.Actor{Name: "unit"}, UnitID: &id}
}

func wantErr(t *testing.T, err error, code, field, text string) {
	t.Helper()
	e := apperr.From(err)
	if err == nil || e.Code != code {
		t.Fatalf("want %s, got %v", code, err)
	}
	msg := e.Message
	if field != "" {
		msg = e.Fields[field]
	}
	if !strings.Contains(msg, text) {
		t.Fatalf("want message %q (field %q), got %+v", text, field, e)
	}
}

func TestEntries(t *testing.T) {
	w := newWorld(t)
	scA := unitScorer(w.a)

	scope, err := assessment.LoadScope(w.ctx, w.pool, w.cycleID)
	if err != nil || len(scope.Chains) != 1 {
		t.Fatalf("scope: %+v %v", scope, err)
	}
	leaves := scope.Chains[0].Leaves(scA)
	if len(leaves) != 2 || leaves[0].Key != "a" || leaves[1].Key != "p1" || !leaves[1].Prorated {
		t.Fatalf("A's leaves: %+v %v", leaves, err)
	}

	_, err = w.save(scA, w.c, "a", assessment.EntryInput{Points: pts(10.5)})
	wantErr(t, err, apperr.Invalid, "points", "得分不能超过该项满分 10 分")
	_, err = w.save(scA, w.c, "b", assessment.EntryInput{Points: pts(5)})
	wantErr(t, err, apperr.Forbidden, "", "不由本单位考评")
	_, err = w.save(scA, w.c, "p2", assessment.EntryInput{Points: pts(5)})
	wantErr(t, err, apperr.Forbidden, "", "不由本单位考评")
	_, err = w.save(scA, w.c, "a", assessment.EntryInput{NotApplicable: true})
	wantErr(t, err, apperr.Invalid, "not_applicable", "按参加项目折算")
	_, err = w.save(scA, w.c, "nope", assessment.EntryInput{Points: pts(1)})
	wantErr(t, err, apperr.NotFound, "", "没有该考评打分项目")

	e, err := w.save(scA, w.c, "a", assessment.EntryInput{Points: pts(8.5), Note: "良好"})
	if err != nil || e.Version != 1 || *e.Points != 8.5 {
		t.Fatalf("first save: %+v %v", e, err)
	}
	// A retry of the same save changes nothing.
	if again, err := w.save(scA, w.c, "a", assessment.EntryInput{Points: pts(8.5), Note: "良好"}); err != nil || again.Version != 1 {
		t.Fatalf("retry: %+v %v", again, err)
	}
	e, err = w.save(scA, w.c, "a", assessment.EntryInput{Points: pts(9), Version: 1})
	if err != nil || e.Version != 2 {
		t.Fatalf("second save: %+v %v", e, err)
	}
	_, err = w.save(scA, w.c, "a", assessment.EntryInput{Points: pts(7), Version: 1})
	wantErr(t, err, apperr.Conflict, "", "已被他人修改")
	if got, _ := assessment.ListEntries(w.ctx, w.pool, w.cycleID, nil, &w.c); len(got) != 1 || *got[0].Points != 9 {
		t.Fatalf("after stale save: %+v", got)
	}

	if _, err := w.save(scA, w.c, "p1", assessment.EntryInput{NotApplicable: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.save(office, w.c, "b", assessment.EntryInput{Points: pts(20)}); err != nil {
		t.Fatal(err)
	}
	onlyA, err := assessment.ListEntries(w.ctx, w.pool, w.cycleID, []string{"a", "p1"}, nil)
	if err != nil || len(onlyA) != 2 {
		t.Fatalf("A's entries: %+v %v", onlyA, err)
	}
}

func TestEvidence(t *testing.T) {
	w := newWorld(t)
	png := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 100)...)
	pdf := []byte("%PDF-1.7\n%....\n")
	for _, c := range []struct {
		data []byte
		want string
	}{{png, "image/png"}, {pdf, "application/pdf"}, {[]byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), "image/jpeg"}} {
		if ct, err := assessment.SniffEvidence(c.data); err != nil || ct != c.want {
			t.Errorf("sniff %q: %s %v", c.data[:4], ct, err)
		}
	}
	_, err := assessment.SniffEvidence([]byte("<html><body>hi</body></html>"))
	wantErr(t, err, apperr.Invalid, "file", assessment.MsgEvidenceType)
	_, err = assessment.SniffEvidence(append(png, make([]byte, 10<<20)...))
	wantErr(t, err, apperr.Invalid, "file", assessment.MsgEvidenceSize)

	var f assessment.EvidenceFile
	w.tx(t, func(tx pgx.Tx) (err error) {
		f, err = assessment.SaveEvidence(w.ctx, tx, audit.System, &w.a, `C:\docs\证明.exe.png`, png)
		return err
	})
	if f.ContentType != "image/png" || f.Filename != "证明.exe.png" || f.Size != len(png) {
		t.Fatalf("stored: %+v", f)
	}
	got, data, err := assessment.LoadEvidence(w.ctx, w.pool, f.ID)
	if err != nil || !bytes.Equal(data, png) || !assessment.CanReadEvidence(got, false, &w.a) ||
		assessment.CanReadEvidence(got, false, &w.b) || !assessment.CanReadEvidence(got, true, nil) {
		t.Fatalf("load: %+v %v", got, err)
	}
	// B cannot cite A's file; A can.
	_, err = w.save(unitScorer(w.b), w.c, "p2", assessment.EntryInput{Points: pts(3), EvidenceIDs: []string{f.ID}})
	wantErr(t, err, apperr.Invalid, "evidence_ids", "本单位")
	e, err := w.save(unitScorer(w.a), w.c, "a", assessment.EntryInput{Points: pts(3), EvidenceIDs: []string{f.ID}})
	if err != nil || len(e.EvidenceIDs) != 1 || e.EvidenceIDs[0] != f.ID {
		t.Fatalf("cite: %+v %v", e, err)
	}

	// The same bytes uploaded again, by another unit under another name,
	// are a second upload of one stored content; the hash names it, in the
	// file and in the upload's audit entry.
	var again assessment.EvidenceFile
	w.tx(t, func(tx pgx.Tx) (err error) {
		again, err = assessment.SaveEvidence(w.ctx, tx, audit.System, &w.b, "再次上传.png", png)
		return err
	})
	sum := sha256.Sum256(png)
	if again.ID == f.ID || again.SHA256 != hex.EncodeToString(sum[:]) || f.SHA256 != again.SHA256 {
		t.Fatalf("second upload %+v, first %+v, want a new upload of the same content %x", again, f, sum)
	}
	var blobs, uploads int
	if err := w.pool.QueryRow(w.ctx, `SELECT (SELECT count(*) FROM evidence_blobs), (SELECT count(*) FROM evidence_files WHERE sha256 = $1)`,
		sum[:]).Scan(&blobs, &uploads); err != nil || blobs != 1 || uploads != 2 {
		t.Fatalf("%d blobs and %d uploads of the content (%v), want 1 and 2", blobs, uploads, err)
	}
	if _, data, err := assessment.LoadEvidence(w.ctx, w.pool, again.ID); err != nil || !bytes.Equal(data, png) {
		t.Fatalf("load the second upload: %v", err)
	}
	var logged string
	if err := w.pool.QueryRow(w.ctx, `SELECT after->>'sha256' FROM audit_log WHERE action = 'evidence.upload' AND entity_id = $1`,
		again.ID).Scan(&logged); err != nil || logged != again.SHA256 {
		t.Fatalf("the upload's audit entry names %q (%v), want %s", logged, err, again.SHA256)
	}
	if _, err := w.pool.Exec(w.ctx, `UPDATE evidence_blobs SET data = 'x'`); err == nil {
		t.Error("a stored content was changed")
	}
}

func (w *world) evidence(t *testing.T, owner *int64) string {
	var f assessment.EvidenceFile
	w.tx(t, func(tx pgx.Tx) (err error) {
		f, err = assessment.SaveEvidence(w.ctx, tx, audit.System, owner, "x.pdf", []byte("%PDF-1.4 test"))
		return err
	})
	return f.ID
}

func TestClaimsDeductionsAdjustmentsInputs(t *testing.T) {
	w := newWorld(t)
	now := time.Date(2026, 12, 20, 10, 0, 0, 0, time.UTC)
	ev := w.evidence(t, &w.c)
	claim := func(title string, p float64, key string) (assessment.Claim, bool, error) {
		var c assessment.Claim
		var created bool
		err := w.try(func(tx pgx.Tx) (err error) {
			c, created, err = assessment.CreateClaim(w.ctx, tx, audit.System, false, w.cycleID, w.c,
				assessment.ClaimInput{Title: title, Points: p, EvidenceIDs: []string{ev}, ClientKey: key})
			return err
		})
		return c, created, err
	}
	decide := func(id int64, d assessment.Decision) (assessment.Claim, error) {
		var c assessment.Claim
		err := w.try(func(tx pgx.Tx) (err error) {
			c, err = assessment.DecideClaim(w.ctx, tx, audit.System, now, id, d)
			return err
		})
		return c, err
	}
	c1, created, err := claim("省级表彰", 2, "k1")
	if err != nil || !created {
		t.Fatal(err)
	}
	if again, created, err := claim("省级表彰", 2, "k1"); err != nil || created || again.ID != c1.ID {
		t.Fatalf("retried claim: %+v %v %v", again, created, err)
	}
	c2, _, _ := claim("国家级表彰", 3, "k2")
	c3, _, _ := claim("无依据", 1, "")
	_, err = decide(c1.ID, assessment.Decision{Approve: true, Points: pts(2.5)})
	wantErr(t, err, apperr.Invalid, "points", "不能超过申报分值 2 分")
	if _, err := decide(c1.ID, assessment.Decision{Approve: true, Points: pts(1.5)}); err != nil {
		t.Fatal(err)
	}
	if _, err := decide(c2.ID, assessment.Decision{Approve: true}); err != nil {
		t.Fatal(err)
	}
	_, err = decide(c3.ID, assessment.Decision{})
	wantErr(t, err, apperr.Invalid, "note", "理由")
	if c, err := decide(c3.ID, assessment.Decision{Note: "证明材料不符"}); err != nil || c.Status != assessment.ClaimRejected {
		t.Fatalf("reject: %+v %v", c, err)
	}
	_, err = decide(c3.ID, assessment.Decision{Approve: true})
	wantErr(t, err, apperr.Conflict, "", "已审核")

	// Deductions: accountability −2 each, at most −10; the cap overall is
	// lowered to 11 so both caps show.
	set := assessment.DefaultSettings()
	set.DeductionCap = 11
	w.tx(t, func(tx pgx.Tx) error {
		_, err := assessment.SaveSettings(w.ctx, tx, audit.System, w.cycleID, set, "")
		return err
	})
	file := func(reason, key string) (assessment.Deduction, error) {
		var d assessment.Deduction
		err := w.try(func(tx pgx.Tx) (err error) {
			d, _, err = assessment.FileDeduction(w.ctx, tx, audit.System, w.cycleID,
				assessment.DeductionInput{UnitID: w.c, ReasonKey: reason, Description: "事实", ClientKey: key})
			return err
		})
		return d, err
	}
	_, err = file("made_up", "")
	wantErr(t, err, apperr.Invalid, "reason_key", "扣分事由")
	var ids []int64
	for i := range 6 {
		d, err := file("accountability", "acc"+string(rune('0'+i)))
		if err != nil || d.Points != 2 {
			t.Fatalf("file: %+v %v", d, err)
		}
		ids = append(ids, d.ID)
	}
	if d, err := file("accountability", "acc0"); err != nil || d.ID != ids[0] {
		t.Fatalf("retry: %+v %v", d, err)
	}
	for range 2 {
		if _, err := file("targets_incomplete", ""); err != nil {
			t.Fatal(err)
		}
	}
	w.tx(t, func(tx pgx.Tx) error {
		_, err := assessment.RevokeDeduction(w.ctx, tx, audit.System, now, ids[5], "重复录入")
		return err
	})
	// Filed in force: 5×2 + 2×2 = 14; counted: min(10,10) + 4 = 14 → cap 11.
	in, err := assessment.Inputs(w.ctx, w.pool, w.cycleID)
	if err != nil {
		t.Fatal(err)
	}
	u := in[w.c]
	if u.BonusApproved != 4.5 || u.BonusCounted != 3 || u.DeductionsFiled != 14 || u.DeductionsCounted != 11 || u.SetsFail {
		t.Fatalf("sums: %+v", u)
	}
	if _, err := file("serious_violation", ""); err != nil {
		t.Fatal(err)
	}
	for _, a := range []assessment.AdjustmentInput{
		{UnitID: w.c, Kind: assessment.AdjustRaise, Reason: "重大贡献"},
		{UnitID: w.c, Kind: assessment.AdjustNoExcellent, Reason: "重大腐败案件"},
		{UnitID: w.c, Kind: assessment.AdjustLower, Reason: "重大事故"},
	} {
		w.tx(t, func(tx pgx.Tx) error {
			_, _, err := assessment.AddAdjustment(w.ctx, tx, audit.System, w.cycleID, a)
			return err
		})
	}
	adj, _ := assessment.ListAdjustments(w.ctx, w.pool, w.cycleID, &w.c)
	w.tx(t, func(tx pgx.Tx) error { // revokes the lowering (newest first)
		_, err := assessment.RevokeAdjustment(w.ctx, tx, audit.System, now, adj[0].ID, "经复核不属实")
		return err
	})
	err = w.try(func(tx pgx.Tx) error {
		_, _, err := assessment.AddAdjustment(w.ctx, tx, audit.System, w.cycleID, assessment.AdjustmentInput{UnitID: w.c, Kind: "up"})
		return err
	})
	wantErr(t, err, apperr.Invalid, "kind", "调整方式")
	if _, err := w.save(unitScorer(w.a), w.c, "a", assessment.EntryInput{Points: pts(7)}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.save(unitScorer(w.a), w.c, "p1", assessment.EntryInput{NotApplicable: true}); err != nil {
		t.Fatal(err)
	}
	in, _ = assessment.Inputs(w.ctx, w.pool, w.cycleID)
	u = in[w.c]
	if !u.SetsFail || len(u.FailReasons) != 1 || !strings.Contains(u.FailReasons[0], "严重违纪违法") ||
		u.Raise != 1 || u.Lower != 0 || !u.NoExcellent || len(u.AdjustmentReasons) != 2 ||
		u.Entries["a"] != schemes.Points(7) || u.Entries["p1"] != schemes.NotApplicable || len(u.Entries) != 2 {
		t.Fatalf("inputs: %+v", u)
	}
	if _, ok := in[w.a]; ok {
		t.Errorf("unit A has no inputs but is listed")
	}
}

func TestCheckEditable(t *testing.T) {
	w := newWorld(t)
	// Before the results migration: no table, nothing is final.
	if _, err := w.pool.Exec(w.ctx, `DROP TABLE IF EXISTS assessment_publications CASCADE`); err != nil {
		t.Fatal(err)
	}
	if err := assessment.CheckEditable(w.ctx, w.pool, w.cycleID); err != nil {
		t.Fatalf("no publications table: %v", err)
	}
	// The table with the columns CheckEditable reads.
	if _, err := w.pool.Exec(w.ctx, `CREATE TABLE assessment_publications (cycle_id bigint, stage text,
		published_at timestamptz, reopened_at timestamptz, reopen_reason text, settings_version int, scheme_version int)`); err != nil {
		t.Fatal(err)
	}
	if err := assessment.CheckEditable(w.ctx, w.pool, w.cycleID); err != nil {
		t.Fatalf("nothing published: %v", err)
	}
	if _, err := w.pool.Exec(w.ctx, `INSERT INTO assessment_publications (cycle_id, stage, published_at, settings_version, scheme_version)
		VALUES ($1, 'final', now(), 0, 1)`, w.cycleID); err != nil {
		t.Fatal(err)
	}
	_, err := w.save(office, w.c, "a", assessment.EntryInput{Points: pts(1)})
	wantErr(t, err, apperr.Conflict, "", assessment.MsgFinal)
	if _, err := w.pool.Exec(w.ctx, `UPDATE assessment_publications SET reopened_at = now(), reopen_reason = '更正' WHERE cycle_id = $1`, w.cycleID); err != nil {
		t.Fatal(err)
	}
	if _, err := w.save(office, w.c, "a", assessment.EntryInput{Points: pts(1)}); err != nil {
		t.Fatalf("after reopening: %v", err)
	}
}
