package ratingsapp_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/browsertest"
	"minyi/internal/testutil/apptest/fixtures"
	"minyi/internal/testutil/browser"
)

// shifts are the layout shifts of the page so far.
type shifts struct {
	Entries int     // every layout-shift entry
	All     float64 // their sum, with or without recent input
	CLS     float64 // the sum of those without recent input (the cumulative layout shift)
}

// layoutShifts reads every layout-shift entry since the page began to
// load, with a PerformanceObserver (buffered: true). The buffered entries
// come in the observer's first callback; when there are none it never
// comes, so the promise also settles after the next frame and a task.
func layoutShifts(t *testing.T, ctx context.Context) shifts {
	t.Helper()
	const js = `new Promise(function(done){
	var seen=[],po=new PerformanceObserver(function(l){seen=seen.concat(l.getEntries())});
	po.observe({type:'layout-shift',buffered:true});
	function finish(){seen=seen.concat(po.takeRecords());po.disconnect();var r={Entries:seen.length,All:0,CLS:0};
		seen.forEach(function(e){r.All+=e.value;if(!e.hadRecentInput)r.CLS+=e.value});done(r)}
	requestAnimationFrame(function(){setTimeout(finish,50)});
})`
	v, err := chromedp.Run(ctx, chromedp.Evaluate[shifts](js, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("layout shifts: %v", err)
	}
	return v
}

// box is an element's bounding box in the viewport.
type box struct{ Top, Bottom, Left, Right float64 }

func boxOf(t *testing.T, ctx context.Context, sel string) box {
	t.Helper()
	return browsertest.Eval[box](t, ctx, `(function(){var r=document.querySelector(`+"`"+sel+"`"+`).getBoundingClientRect();
		return {Top:r.top,Bottom:r.bottom,Left:r.left,Right:r.right}})()`)
}

// inViewport fails the test unless the element lies wholly in the viewport.
func inViewport(t *testing.T, ctx context.Context, sel string) box {
	t.Helper()
	b := boxOf(t, ctx, sel)
	w, h := browsertest.Eval[float64](t, ctx, `window.innerWidth`), browsertest.Eval[float64](t, ctx, `window.innerHeight`)
	if b.Top < 0 || b.Left < 0 || b.Bottom > h || b.Right > w || b.Bottom <= b.Top {
		t.Fatalf("%s at %+v is not within the %gx%g viewport", sel, b, w, h)
	}
	return b
}

// At 375×667 a satisfied citizen rates with one tap and 提交, without
// scrolling, and nothing on the page moves while it loads or after the tap.
func TestBrowserRatesSatisfiedWithoutScrollOrShift(t *testing.T) {
	ctx := browser.New(t, browser.Options{Width: 375, Height: 667})
	f := fixtures.NewPubFixture(t, apptest.Options{})
	// A service point: the header shows its name under the unit's.
	var p struct{ QR struct{ Code string } }
	res := f.Office.JSON(t, "POST", "/api/v1/units/"+apptest.Itoa(f.UnitID)+"/points",
		map[string]string{"name": "市民服务中心一楼综合受理窗口", "kind": "hall"}, &p)
	if res.StatusCode != http.StatusCreated || p.QR.Code == "" {
		t.Fatalf("create point: %d", res.StatusCode)
	}
	browsertest.Do(t, ctx, "open the rating page", chromedp.Navigate(f.App.URL+"/q/"+p.QR.Code), chromedp.WaitVisible(chromedp.ID("submit")))
	if s := browsertest.Text(t, ctx, "header p"); s != "市民服务中心一楼综合受理窗口" {
		t.Fatalf("header shows the point as %q", s)
	}
	for l := 1; l <= 5; l++ {
		inViewport(t, ctx, `input[name=level][value="`+apptest.Itoa(int64(l))+`"]`)
	}
	inViewport(t, ctx, "#submit")
	if reasonsShown(t, ctx) {
		t.Fatal("the reasons show before a level is chosen")
	}
	if s := layoutShifts(t, ctx); s.Entries != 0 {
		t.Fatalf("the page shifted while loading: %+v", s)
	}

	browsertest.Do(t, ctx, "tap 满意", chromedp.Click(browsertest.LevelRadio("4")))
	submit := inViewport(t, ctx, "#submit")
	if y := browsertest.Eval[float64](t, ctx, `window.scrollY`); y != 0 {
		t.Fatalf("the page scrolled by %g px to reach 满意", y)
	}
	if reasonsShown(t, ctx) {
		t.Fatal("满意 shows the reasons")
	}
	// Strictly nothing moved: not one layout-shift entry, recent input or not.
	if s := layoutShifts(t, ctx); s.Entries != 0 || s.All != 0 {
		t.Fatalf("layout shifts after tapping 满意: %+v", s)
	}

	// 不满意 shows the reasons below the levels; neither the levels nor the
	// submit button move, and any shift follows the tap (no CLS).
	level5 := boxOf(t, ctx, `input[name=level][value="5"]`)
	browsertest.Do(t, ctx, "tap 不满意", chromedp.Click(browsertest.LevelRadio("2")), chromedp.WaitVisible(chromedp.ID("reasons-card")))
	if b := boxOf(t, ctx, "#submit"); b != submit {
		t.Errorf("the submit button moved from %+v to %+v when the reasons appeared", submit, b)
	}
	if b := boxOf(t, ctx, `input[name=level][value="5"]`); b != level5 {
		t.Errorf("the levels moved from %+v to %+v when the reasons appeared", level5, b)
	}
	if s := layoutShifts(t, ctx); s.CLS != 0 {
		t.Errorf("cumulative layout shift %g after tapping 不满意: %+v", s.CLS, s)
	}
	browsertest.Do(t, ctx, "back to 非常满意", chromedp.Click(browsertest.LevelRadio("5")), chromedp.WaitNotVisible(chromedp.ID("reasons-card")))

	// The instrument sees a shift when there is one: a banner pushed in
	// at the top moves everything.
	before := layoutShifts(t, ctx)
	browsertest.Eval[bool](t, ctx, `(function(){var d=document.createElement('div');d.style.height='80px';
		document.body.insertBefore(d,document.body.firstChild);return true})()`)
	if s := layoutShifts(t, ctx); s.All <= before.All {
		t.Fatalf("a banner pushed in at the top went unmeasured: %+v", s)
	}
	browsertest.Eval[bool](t, ctx, `(document.body.removeChild(document.body.firstChild), true)`)

	if status := browsertest.Submit(t, ctx); status != http.StatusOK {
		t.Fatalf("thanks page status %d", status)
	}
	ref := browsertest.Text(t, ctx, "#reference")
	if !regexp.MustCompile(`^\d{8}-[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$`).MatchString(ref) {
		t.Fatalf("reference %q", ref)
	}
	if page := browsertest.Eval[string](t, ctx, `document.body.innerText`); !strings.Contains(page, "您的评价编号："+ref) {
		t.Errorf("thanks page says %q", page)
	}
	// No phone, no message: nothing to track, so no link.
	if browsertest.Eval[bool](t, ctx, `document.getElementById('track-link') !== null`) {
		t.Error("the thanks page links a rating without phone or message to its tracking page")
	}
}

// Without JavaScript the form still posts, and a 差评 sent without a
// reason comes back with its reasons shown by the server.
func TestRatingPageWithoutScript(t *testing.T) {
	f := fixtures.NewPubFixture(t, apptest.Options{})
	d := f.Device("Redmi")
	_, body := d.Do(t, "GET", "/q/"+f.Code, nil)
	if !strings.Contains(body, `class="card" id="reasons-card"`) || !strings.Contains(body, `id="submit"`) {
		t.Fatalf("rating page:\n%s", body)
	}
	res, body := d.Rate(t, f.Code, fixtures.RatingForm("2", "token", "noscript-1"))
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `class="card show" id="reasons-card"`) {
		t.Fatalf("差评 without a reason: %d\n%s", res.StatusCode, body)
	}
	res, body = d.Rate(t, f.Code, fixtures.RatingForm("1", "token", "noscript-1", "reasons", "等候时间长", "comment", "窗口太少"))
	fixtures.WantThanks(t, res, body)
	loc := res.Header.Get("Location")
	if !strings.Contains(loc, "?ref=") {
		t.Fatalf("redirect %q carries no reference", loc)
	}
	_, body = d.Do(t, "GET", loc, nil)
	if !strings.Contains(body, "您的评价编号") || !strings.Contains(body, `id="track-link" href="/t/`) {
		t.Fatalf("thanks page:\n%s", body)
	}
	// The same form again from this phone: it rated today (no reference).
	res, body = d.Rate(t, f.Code, fixtures.RatingForm("1", "token", "noscript-1", "reasons", "等候时间长", "comment", "窗口太少"))
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, "您今天已经评价过该单位") || strings.Contains(body, "评价编号") {
		t.Fatalf("double submit: %d\n%s", res.StatusCode, body)
	}
	// The same form token from elsewhere (a retry that passed the daily
	// check) stores nothing new and leads to the first rating's reference.
	res, body = f.Device("Honor").Rate(t, f.Code, fixtures.RatingForm("1", "token", "noscript-1", "reasons", "等候时间长", "comment", "窗口太少"))
	fixtures.WantThanks(t, res, body)
	if again := res.Header.Get("Location"); again != loc {
		t.Errorf("a repeated token leads to %q, the first submission to %q", again, loc)
	}
	if n := f.Stored(t, f.UnitID); n != 1 {
		t.Errorf("%d ratings stored", n)
	}
	// Another submission the same day is refused without a reference.
	res, body = d.Rate(t, f.Code, fixtures.RatingForm("5", "token", "noscript-2"))
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, "您今天已经评价过该单位") || strings.Contains(body, "评价编号") {
		t.Fatalf("second rating: %d\n%s", res.StatusCode, body)
	}
	// A reference of another unit, or none at all, shows no reference.
	_, other := f.AddUnit(t, "市公安局")
	for _, path := range []string{
		"/q/" + f.Code + "/thanks?ref=20261203-00000-00000",
		"/q/" + f.Code + "/thanks?ref=nonsense",
		"/q/" + other + loc[strings.Index(loc, "/thanks"):],
	} {
		if res, body := d.Do(t, "GET", path, nil); res.StatusCode != http.StatusOK || strings.Contains(body, "评价编号") {
			t.Errorf("%s: %d, shows a reference", path, res.StatusCode)
		}
	}
}
