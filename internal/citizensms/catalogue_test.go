package citizensms

import (
	"strings"
	"testing"
	"unicode/utf8"

	"minyi/internal/notify"
)

// TestCatalogueTexts: every default text ends with the opt-out link, fills
// every placeholder, hides the links in its preview and, signature
// included, stays within one 70-character segment apart from the links.
func TestCatalogueTexts(t *testing.T) {
	v := Values{phUnit: clip("国家税务总局某某市某某区税务局第一税务分局办税服务厅", 20), phCloses: "12月31日18:00",
		phCallback: "12月10日", phSurvey: clip("2026年度市直单位绩效考核群众满意度测评问卷调查", 20),
		phInstrument: clip("2026年度市直单位绩效考核市领导和人大代表评价", 20),
		phLink:       "https://minyi.example.gov.cn/f/abc", phStop: "https://minyi.example.gov.cn/sms/stop/xyz"}
	for _, c := range Catalogue {
		tpl, ok := notify.Lookup(c.Kind)
		if !ok || !tpl.SMS {
			t.Fatalf("%s is not an SMS kind of the template catalogue", c.Kind)
		}
		if !strings.HasSuffix(tpl.Default.Body, "{"+phStop+"}") {
			t.Errorf("%s does not end with the opt-out link", c.Kind)
		}
		text, preview := render(tpl.Default.Body, v)
		if strings.ContainsAny(text, "{}") || strings.Contains(preview, "https://") {
			t.Errorf("%s: text %q, preview %q", c.Kind, text, preview)
		}
		bare := strings.NewReplacer(v[phLink], "", v[phStop], "").Replace(text)
		if n := utf8.RuneCountInString("【某某市绩效办】" + bare); n > 70 {
			t.Errorf("%s: %d characters without its links: %q", c.Kind, n, bare)
		}
		if KindName(c.Kind) != c.Name {
			t.Errorf("%s: name %q", c.Kind, KindName(c.Kind))
		}
	}
}
