package usesapp_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

// TestConsoleUsesRoles: the office's page has the forms; a leader reads
// the same without any and cannot post; a unit sees only its own line and
// records; a refused record keeps the form with the message beside it and
// stores nothing; a second case press shows the first case.
func TestConsoleUsesRoles(t *testing.T) {
	w := fixtures.NewAPIWorld(t, apptest.Options{})
	c26 := w.CreateCycle(t, "2026年度", 2026, nil)
	page := "/console/cycles/" + apptest.Itoa(c26.ID) + "/uses"
	if p := apptest.Get(t, w.Office, page); p.Status != http.StatusOK || !strings.Contains(p.Body, "最终结果尚未公布") {
		t.Fatalf("before final: %d", p.Status)
	}
	publishFinal(t, w, c26.ID, map[int64]string{w.A.ID: "pass", w.B.ID: "fail"}, nil)
	w.App.AddUser(t, "leader1", "leader-pass-1", "leader", nil)
	leader := w.App.Client()
	leader.SignIn(t, "leader1", "leader-pass-1")

	office := apptest.Get(t, w.Office, page)
	if office.Status != http.StatusOK || !strings.Contains(office.Body, `id="table-form"`) || !strings.Contains(office.Body, "立案整改") {
		t.Fatalf("office page %d", office.Status)
	}
	lp := apptest.Get(t, leader, page)
	if lp.Status != http.StatusOK || strings.Contains(lp.Body, "<form method=\"post\" action=\""+page) || !strings.Contains(lp.Body, "市税务局") {
		t.Fatalf("leader page %d", lp.Status)
	}
	if p := apptest.Post(t, leader, page+"/settings", url.Values{"mode": {"amount"}, "threshold": {"5"}}); p.Status == http.StatusSeeOther || p.Status == http.StatusOK {
		t.Errorf("leader posted: %d", p.Status)
	}

	bu := page + "/" + apptest.Itoa(w.B.ID)
	p := apptest.Post(t, w.Office, bu+"/records/criticism", url.Values{"doc_no": {"市绩效办〔2027〕1号"}, "doc_date": {""}, "body": {"通报批评"}})
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "请填写正确的发文日期") || !strings.Contains(p.Body, "市绩效办〔2027〕1号") {
		t.Fatalf("refused record %d", p.Status)
	}
	var n int
	if err := w.App.Pool.QueryRow(context.Background(), `SELECT count(*) FROM result_use_records`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("records after a refusal: %d %v", n, err)
	}
	if p := apptest.Post(t, w.Office, bu+"/records/criticism", url.Values{"doc_no": {"市绩效办〔2027〕1号"}, "doc_date": {"2027-01-05"}, "body": {"考核不合格，予以通报批评"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("record %d", p.Status)
	}
	for i, flash := range []string{"uses_case_opened", "uses_case_exists"} {
		p := apptest.Post(t, w.Office, bu+"/case", nil)
		if p.Status != http.StatusSeeOther || !strings.Contains(p.Location, flash) {
			t.Fatalf("case press %d: %d %s", i, p.Status, p.Location)
		}
	}

	// The unit B's own page: its line and records, nobody else's.
	w.App.AddUser(t, "unit-b", "unit-pass-2", "unit", &w.B.ID)
	ub := w.App.Client()
	ub.SignIn(t, "unit-b", "unit-pass-2")
	up := apptest.Get(t, ub, page)
	if up.Status != http.StatusOK || !strings.Contains(up.Body, "本单位结果运用") || !strings.Contains(up.Body, `id="own-line"`) || !strings.Contains(up.Body, "考核不合格，予以通报批评") ||
		strings.Contains(up.Body, "市政务服务中心") || strings.Contains(up.Body, `id="table-form"`) {
		t.Fatalf("unit page %d\n%s", up.Status, up.Body)
	}
}
