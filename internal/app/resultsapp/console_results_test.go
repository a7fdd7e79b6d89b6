package resultsapp_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

// TestConsoleResults walks the console: the office's results page, the
// preliminary publication, a unit's own result page with the breakdown and
// its application, the refusal of another unit's page, the answer, and the
// final publication refused while the window is open.
func TestConsoleResults(t *testing.T) {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	now := time.Date(2026, 6, 1, 10, 0, 0, 0, loc)
	w := fixtures.NewAPIWorld(t, apptest.Options{Now: func() time.Time { return now }})
	cy := scoredCycle(t, w, 86.5)
	page := "/console/cycles/" + apptest.Itoa(cy.ID) + "/results"
	body := consoleGet(t, w.Office, page, http.StatusOK)
	for _, want := range []string{"计算审核中（未公布）", "市政务服务中心", "86.50", "公布初步结果"} {
		if !strings.Contains(body, want) {
			t.Fatalf("office page lacks %q", want)
		}
	}
	consolePost(t, w.Office, page+"/preliminary", url.Values{"show_composite": {"1"}}, http.StatusSeeOther)
	body = consoleGet(t, w.Office, page, http.StatusOK)
	if !strings.Contains(body, "初步结果已公布（复核阶段）") || !strings.Contains(body, "申请复核截至 2026-06-08") {
		t.Fatalf("after publication: %s", body)
	}
	// Final refused while the window is open: the page says why.
	body = consolePostBody(t, w.Office, page+"/final", url.Values{}, http.StatusConflict)
	if !strings.Contains(body, "个单位未签收初步结果") {
		t.Fatalf("final refusal: %s", body)
	}

	// The unit: redirected to its own page, which shows the breakdown.
	consoleGet(t, w.UnitUser, page, http.StatusSeeOther)
	own := page + "/" + apptest.Itoa(w.A.ID)
	body = consoleGet(t, w.UnitUser, own, http.StatusOK)
	for _, want := range []string{"初步结果", "工作实绩", "考评单位（市考评办）评分 86.50（满分 100）", "公众评价得分说明", "申请复核"} {
		if !strings.Contains(body, want) {
			t.Fatalf("unit page lacks %q: %s", want, body)
		}
	}
	if strings.Contains(body, "按当前数据计算") {
		t.Fatal("a unit sees the draft")
	}
	consoleGet(t, w.UnitUser, page+"/"+apptest.Itoa(w.B.ID), http.StatusForbidden)
	consolePost(t, w.UnitUser, page+"/"+apptest.Itoa(w.B.ID)+"/appeal", url.Values{"grounds": {"x"}}, http.StatusForbidden)
	consolePost(t, w.UnitUser, own+"/appeal", url.Values{"grounds": {"漏计表彰"}, "evidence_note": {"文件"}}, http.StatusSeeOther)
	body = consoleGet(t, w.UnitUser, own, http.StatusOK)
	if !strings.Contains(body, "漏计表彰") || !strings.Contains(body, "待答复") {
		t.Fatalf("appeal not shown: %s", body)
	}
	// The office answers from its page.
	body = consoleGet(t, w.Office, page, http.StatusOK)
	i := strings.Index(body, "/appeals/")
	if i < 0 {
		t.Fatal("no answer form")
	}
	action := body[strings.LastIndex(body[:i], "\"")+1 : i+strings.Index(body[i:], "\"")]
	consolePost(t, w.Office, action, url.Values{"status": {"rejected"}, "answer": {"经核实，不予调整"}}, http.StatusSeeOther)
	body = consoleGet(t, w.UnitUser, own, http.StatusOK)
	if !strings.Contains(body, "复核不成立") || !strings.Contains(body, "经核实，不予调整") {
		t.Fatalf("answer not shown: %s", body)
	}
	consolePost(t, w.UnitUser, page+"/preliminary", url.Values{}, http.StatusForbidden)
}

func consoleGet(t *testing.T, c *apptest.Client, path string, status int) string {
	t.Helper()
	p := apptest.Get(t, c, path)
	if p.Status != status {
		t.Fatalf("GET %s: %d, want %d\n%s", path, p.Status, status, p.Body)
	}
	return p.Body
}

func consolePostBody(t *testing.T, c *apptest.Client, path string, form url.Values, status int) string {
	t.Helper()
	p := apptest.Post(t, c, path, form)
	if p.Status != status {
		t.Fatalf("POST %s: %d, want %d\n%s", path, p.Status, status, p.Body)
	}
	return p.Body
}

func consolePost(t *testing.T, c *apptest.Client, path string, form url.Values, status int) {
	t.Helper()
	consolePostBody(t, c, path, form, status)
}
