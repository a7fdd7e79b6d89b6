package cyclesapp_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"minyi/internal/schemes"
	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

// tagRe matches a tag, to read a page's visible text.
var tagRe = regexp.MustCompile(`(?s)<[^>]*>`)

// TestConsoleSchemeEditorSource chooses where an automatic item takes its
// value from: the public evaluation or an instrument of the cycle, offered
// by name. A source naming another cycle's instrument (a draft carried
// over) is refused with a Chinese message beside the item, the typed
// draft kept.
func TestConsoleSchemeEditorSource(t *testing.T) {
	w := fixtures.NewAPIWorld(t, apptest.Options{})
	cy := w.CreateCycle(t, "2025年度", 2025, nil)
	other := w.CreateCycle(t, "2026年度", 2026, nil)
	apptest.APIJSON(t, w.Office, "POST", "/api/v1/cycles/"+apptest.Itoa(cy.ID)+"/instruments",
		map[string]any{"key": "leaders", "name": "市领导评价", "purpose": "leaders"}).Decode(t, http.StatusCreated, nil)
	apptest.APIJSON(t, w.Office, "POST", "/api/v1/cycles/"+apptest.Itoa(other.ID)+"/instruments",
		map[string]any{"key": "peer", "name": "单位互评", "purpose": "peer"}).Decode(t, http.StatusCreated, nil)
	edit := "/console/cycles/" + apptest.Itoa(cy.ID) + "/scheme/edit"

	f := editorForm(t, apptest.Get(t, w.Office, edit))
	f.Set("name.1", "领导评价得分")
	f.Set("kind.1", schemes.KindAuto)
	f.Set("max.1", "20")
	f.Set("op", "check")
	p := apptest.Post(t, w.Office, edit, f)
	if p.Status != http.StatusOK || !p.Has(`name="src.1"`) || !apptest.HasText(p, "评价项目：市领导评价") ||
		!apptest.HasText(p, "公众评价得分") || apptest.HasText(p, "单位互评") {
		t.Fatalf("source choice: %d", p.Status)
	}
	if text := tagRe.ReplaceAllString(p.Body, " "); strings.Contains(text, "instrument:") || strings.Contains(text, "leaders") {
		t.Error("the page shows an instrument's key")
	}

	// Another cycle's instrument: 422, in Chinese beside the item, the
	// draft as typed.
	f = editorForm(t, p)
	f.Set("name", "2025年度考核")
	f.Set("src.1", "instrument:peer")
	f.Set("op", "save")
	p = apptest.Post(t, w.Office, edit, f)
	if p.Status != http.StatusUnprocessableEntity || !p.Has(`id="row-err-1"`) ||
		!apptest.HasText(p, "评价项目“单位互评”属于“2026年度”，不是本考核年度的评价项目") ||
		!p.Has(`value="领导评价得分"`) || !p.Has(`value="2025年度考核"`) || !p.Has(`value="instrument:peer" selected`) {
		t.Fatalf("other cycle's instrument: %d %s", p.Status, apptest.PageText(p.Body))
	}
	if _, err := schemes.Find(context.Background(), w.App.Pool, cy.ID, 0); err == nil {
		t.Fatal("a version was saved")
	}

	// The cycle's own instrument saves.
	f = editorForm(t, p)
	f.Set("src.1", "instrument:leaders")
	f.Set("op", "save")
	if p = apptest.Post(t, w.Office, edit, f); p.Status != http.StatusSeeOther {
		t.Fatalf("save: %d %s", p.Status, apptest.PageText(p.Body))
	}
	v, err := schemes.Find(context.Background(), w.App.Pool, cy.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if l := schemes.Leaves(v.Tree); len(l) != 1 || l[0].Source != "instrument:leaders" || l[0].Max != 20 {
		t.Fatalf("saved: %+v", v.Tree)
	}
	// Reopened, the item shows its instrument chosen, by name.
	p = apptest.Get(t, w.Office, edit)
	if !p.Has(`value="instrument:leaders" selected`) {
		t.Fatal("reopened editor lost the source")
	}
}
