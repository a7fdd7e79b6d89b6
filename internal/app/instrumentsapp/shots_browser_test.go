package instrumentsapp_test

import (
	"context"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/browsertest"
	"minyi/internal/testutil/browser"
)

func shot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile("/tmp/instruments-"+name+".png", png, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestTempScreenshots(t *testing.T) {
	w := newPeerWorld(t)
	peer := "/api/v1/instruments/" + apptest.Itoa(w.Peer.ID)
	apptest.APIJSON(t, w.UnitUser, "PUT", peer+"/answers", map[string]any{"answers": []map[string]any{
		{"unit_id": w.B.ID, "grade": "excellent"}, {"unit_id": w.C.ID, "grade": "fair"}}}).Decode(t, http.StatusOK, nil)
	apptest.APIJSON(t, w.UserB, "PUT", peer+"/answers", map[string]any{"answers": []map[string]any{
		{"unit_id": w.C.ID, "grade": "good"}}}).Decode(t, http.StatusOK, nil)
	var inv struct {
		Link string `json:"link"`
	}
	apptest.APIJSON(t, w.Office, "POST", "/api/v1/instruments/"+apptest.Itoa(w.Leaders.ID)+"/invitees",
		map[string]any{"name": "市领导甲", "group": "市领导"}).Decode(t, http.StatusCreated, &inv)
	tree := map[string]any{"key": "root", "name": "部门考核", "kind": "sum", "children": []map[string]any{
		{"key": "work", "name": "工作实绩", "kind": "manual", "max": 90, "assessor": map[string]any{"name": "市绩效办"}},
		{"key": "peer_rating", "name": "部门互评", "kind": "auto", "max": 10, "source": "instrument:peer"}}}
	apptest.APIJSON(t, w.Office, "PUT", "/api/v1/cycles/"+apptest.Itoa(w.Cycle.ID)+"/scheme", map[string]any{"tree": tree}).
		Decode(t, http.StatusCreated, nil)
	cy := apptest.Itoa(w.Cycle.ID)
	for _, width := range []int64{1440, 375} {
		sz := apptest.Itoa(width)
		office := browser.New(t, browser.Options{Width: width, Height: 900})
		browsertest.SignIn(t, office, w.App.URL, "office1", "office-pass-1")
		for name, path := range map[string]string{
			"list":    "/console/cycles/" + cy + "/instruments",
			"peer":    "/console/instruments/" + apptest.Itoa(w.Peer.ID),
			"leaders": "/console/instruments/" + apptest.Itoa(w.Leaders.ID),
			"answers": "/console/instruments/" + apptest.Itoa(w.Peer.ID) + "/units/" + apptest.Itoa(w.C.ID),
			"result":  "/console/cycles/" + cy + "/results/" + apptest.Itoa(w.C.ID),
		} {
			browsertest.Do(t, office, name, chromedp.Navigate(w.App.URL+path), chromedp.WaitVisible(chromedp.CSS("h1")))
			shot(t, office, name+"-"+sz)
		}
		unit := browser.New(t, browser.Options{Width: width, Height: 900})
		browsertest.SignIn(t, unit, w.App.URL, "unit-a", "unit-pass-1")
		for name, path := range map[string]string{
			"evaluations": "/console/evaluations",
			"ballot":      "/console/evaluations/" + apptest.Itoa(w.Peer.ID),
		} {
			browsertest.Do(t, unit, name, chromedp.Navigate(w.App.URL+path), chromedp.WaitVisible(chromedp.CSS("h1")))
			shot(t, unit, name+"-"+sz)
		}
		anon := browser.New(t, browser.Options{Width: width, Height: 900})
		link := inv.Link[strings.Index(inv.Link, "/e/"):]
		browsertest.Do(t, anon, "invitee", chromedp.Navigate(w.App.URL+link), chromedp.WaitVisible(chromedp.CSS("h1")))
		shot(t, anon, "invitee-"+sz)
	}
}
