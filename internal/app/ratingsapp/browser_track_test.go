package ratingsapp_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/browsertest"
	"minyi/internal/testutil/apptest/fixtures"
	"minyi/internal/testutil/browser"
)

// trackState is what the tracking page shows: the status sentence, the
// current step and the steps done.
type trackState struct {
	Status  string
	Current string
	Done    []string
}

func readTrack(t *testing.T, ctx context.Context, page string) trackState {
	t.Helper()
	browsertest.Do(t, ctx, "open the tracking page", chromedp.Navigate(page), chromedp.WaitVisible(chromedp.ID("steps")))
	return browsertest.Eval[trackState](t, ctx, `(function(){
		var cur=document.querySelector('#steps li.current'),done=[];
		document.querySelectorAll('#steps li.done').forEach(function(li){done.push(li.firstChild.textContent)});
		return {Status:document.getElementById('status').textContent,Current:cur?cur.firstChild.textContent:'',Done:done}})()`)
}

func wantTrack(t *testing.T, got trackState, current string, done ...string) {
	t.Helper()
	if got.Current != current || strings.Join(got.Done, "→") != strings.Join(done, "→") {
		t.Fatalf("tracking shows %+v, want done %v and current %q", got, done, current)
	}
}

// A citizen leaves a 差评 with a message and a phone number, gets a
// reference, and follows it as the office reviews it, opens a case, the
// unit answers and the fix is closed and released.
func TestBrowserTracksRatingThroughCase(t *testing.T) {
	ctx := browser.New(t, browser.Options{Width: 375, Height: 667})
	f := fixtures.NewPubFixture(t, apptest.Options{})
	comment, phone := "窗口只开了一个，排队一个多小时。", "13912345678"
	browsertest.Do(t, ctx, "rate 不满意",
		chromedp.Navigate(f.App.URL+"/q/"+f.Code), chromedp.WaitVisible(chromedp.ID("submit")),
		chromedp.Click(browsertest.LevelRadio("2")), chromedp.WaitVisible(chromedp.ID("reasons-card")))
	browsertest.Do(t, ctx, "tick a reason", chromedp.Click(browsertest.ReasonBox("等候时间长")))
	// The citizen scrolls the message up from under the submit bar.
	browsertest.Eval[bool](t, ctx, `(document.getElementById('more').scrollIntoView({block:'center'}), true)`)
	browsertest.Do(t, ctx, "open the message", chromedp.Click(chromedp.CSS("#more summary")), chromedp.WaitVisible(chromedp.CSS("textarea[name=comment]")))
	browsertest.Do(t, ctx, "write the message", chromedp.SendKeys(chromedp.CSS("textarea[name=comment]"), comment))
	browsertest.Do(t, ctx, "leave the phone", chromedp.SendKeys(chromedp.CSS("input[name=phone]"), phone))
	inViewport(t, ctx, "#submit")
	if status := browsertest.Submit(t, ctx); status != http.StatusOK {
		t.Fatalf("thanks page status %d", status)
	}
	ref := browsertest.Text(t, ctx, "#reference")
	href := browsertest.Eval[string](t, ctx, `document.getElementById('track-link').getAttribute('href')`)
	if href != "/t/"+ref {
		t.Fatalf("tracking link %q for reference %q", href, ref)
	}
	page := f.App.URL + href

	got := readTrack(t, ctx, page)
	wantTrack(t, got, "核查中", "已收到")
	if s := browsertest.Text(t, ctx, "#unit"); s != "市行政审批局" {
		t.Errorf("unit %q", s)
	}
	if s := browsertest.Text(t, ctx, "#level"); s != "不满意" {
		t.Errorf("level %q", s)
	}
	body := browsertest.Eval[string](t, ctx, `document.documentElement.outerHTML`)
	for _, secret := range []string{comment, "排队", phone, "139****5678", "5678", "等候时间长"} {
		if strings.Contains(body, secret) {
			t.Errorf("the tracking page shows %q", secret)
		}
	}

	// The office finds it valid and opens a case: passed to the unit.
	_, items := listRatings(t, f, f.Office, f.UnitID, "level=2")
	var ids struct {
		Items []struct{ ID string }
	}
	f.Office.JSON(t, "GET", "/api/v1/units/"+apptest.Itoa(f.UnitID)+"/ratings?level=2", nil, &ids)
	if len(items) != 1 || len(ids.Items) != 1 {
		t.Fatalf("ratings %+v", items)
	}
	var cs fixtures.Case
	apptest.APIJSON(t, f.Office, "POST", "/api/v1/feedback/valid", map[string]any{
		"items": []map[string]any{{"kind": "rating", "id": ids.Items[0].ID, "version": 0}}, "problem": "窗口排队时间过长"}).
		Decode(t, http.StatusCreated, &cs)
	id := apptest.Itoa(cs.ID)
	wantTrack(t, readTrack(t, ctx, page), "单位已答复", "已收到", "核查中", "已交办单位")

	// The unit answers.
	f.App.AddUser(t, "unit1", "unit-pass-1", "unit", &f.UnitID)
	unitAPI := f.App.Client()
	unitAPI.SignIn(t, "unit1", "unit-pass-1")
	apptest.APIJSON(t, unitAPI, "POST", "/api/v1/cases/"+id+"/answer", map[string]any{"version": 1,
		"explanation": "高峰时段窗口不足", "responsible": "张科长", "measures": "增开两个窗口", "outcome": "排队不超过20分钟",
		"fix_due": "2026-12-31"}).Decode(t, http.StatusOK, nil)
	got = readTrack(t, ctx, page)
	wantTrack(t, got, "已整改", "已收到", "核查中", "已交办单位", "单位已答复")
	if !strings.Contains(got.Status, "单位已答复") {
		t.Errorf("status %q", got.Status)
	}

	// The unit reports it done, the office closes and releases it.
	unit := apptest.SignedIn(t, f.App, "unit1", "unit-pass-1")
	if p := apptest.PostMultipart(t, unit, "/console/cases/"+id+"/done", map[string]string{"version": "2", "body": "已增开窗口"},
		"done.pdf", []byte("%PDF-1.4\n%%EOF\n")); p.Status != http.StatusSeeOther {
		t.Fatalf("done: %d %s", p.Status, p.Body)
	}
	got = readTrack(t, ctx, page)
	wantTrack(t, got, "已整改", "已收到", "核查中", "已交办单位", "单位已答复")
	if !strings.Contains(got.Status, "等待绩效办核验") {
		t.Errorf("status after the done report %q", got.Status)
	}
	office := apptest.SignedIn(t, f.App, "office1", "office-pass-1")
	if p := apptest.Post(t, office, "/console/cases/"+id+"/close", url.Values{"version": {"3"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("close: %d", p.Status)
	}
	wantTrack(t, readTrack(t, ctx, page), "", "已收到", "核查中", "已交办单位", "单位已答复", "已整改")
	if browsertest.Eval[bool](t, ctx, `document.getElementById('case-link') !== null`) {
		t.Error("a case not released is linked")
	}
	if p := apptest.Post(t, office, "/console/cases/"+id+"/release", url.Values{"version": {"4"}, "released": {"1"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("release: %d", p.Status)
	}
	readTrack(t, ctx, page)
	link := browsertest.Eval[string](t, ctx, `document.getElementById('case-link').getAttribute('href')`)
	if want := "/cases/" + apptest.Itoa(f.UnitID) + "#case-" + id; link != want {
		t.Fatalf("case link %q, want %q", link, want)
	}
	body = browsertest.Eval[string](t, ctx, `document.documentElement.outerHTML`)
	for _, secret := range []string{comment, phone, "张科长", "unit1", "office1"} {
		if strings.Contains(body, secret) {
			t.Errorf("the tracking page shows %q", secret)
		}
	}
	browsertest.Do(t, ctx, "follow the case link", chromedp.Click(chromedp.ID("case-link")), chromedp.WaitVisible(chromedp.ID("case-"+id)))

	// The reference typed in lower case, with spaces, finds the same page.
	typed := strings.ReplaceAll(strings.ToLower(ref), "-", "%20")
	if s := readTrack(t, ctx, f.App.URL+"/t/"+typed); s.Current != "" {
		t.Errorf("typed reference: %+v", s)
	}
}

// An unknown or malformed reference is a Chinese 404 page.
func TestBrowserTrackUnknownReference(t *testing.T) {
	ctx := browser.New(t, browser.Options{Width: 375, Height: 667})
	f := fixtures.NewPubFixture(t, apptest.Options{})
	for _, ref := range []string{"20261203-1Q9ZK-4M7TX", "12345", "20261203-UUUUU-UUUUU"} {
		res, err := chromedp.RunResponse(ctx, chromedp.Navigate(f.App.URL+"/t/"+ref))
		if err != nil {
			t.Fatal(err)
		}
		if res.Status != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", ref, res.Status)
		}
		if s := browsertest.Text(t, ctx, "#result"); s != "未找到该评价编号" {
			t.Errorf("%s: page says %q", ref, s)
		}
	}
	// A reference of an archived month says so.
	if _, err := f.App.Pool.Exec(context.Background(), `INSERT INTO rating_archives
		(month, ratings, cases, holds, file, sha256, time_zone, archived_by)
		VALUES ('2025-01-01', 0, 0, 0, 'ratings_202501.csv.gz', repeat('0', 64), 'Asia/Shanghai', 'test')`); err != nil {
		t.Fatal(err)
	}
	res, body := f.Device("Redmi").Do(t, "GET", "/t/20250115-00000-00000", nil)
	if res.StatusCode != http.StatusGone || !strings.Contains(body, "已归档") {
		t.Errorf("archived month: %d\n%s", res.StatusCode, body)
	}
}
