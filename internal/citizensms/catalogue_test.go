package citizensms

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// TestCatalogueTexts: every text ends with the opt-out link, fills every
// placeholder, hides the links in its preview and, signature included,
// stays within one 70-character segment apart from the links.
func TestCatalogueTexts(t *testing.T) {
	v := Values{"unit": clip("国家税务总局某某市某某区税务局第一税务分局办税服务厅", 20), "date": "12月31日18:00",
		"survey": clip("2026年度市直单位绩效考核群众满意度测评问卷调查", 20),
		"link":   "https://minyi.example.gov.cn/f/abc", "stop": "https://minyi.example.gov.cn/sms/stop/xyz"}
	for _, c := range Catalogue {
		if !strings.HasSuffix(c.Default, "{stop}") {
			t.Errorf("%s does not end with the opt-out link", c.Kind)
		}
		text, preview := render(c.Kind, v)
		if strings.ContainsAny(text, "{}") || strings.Contains(preview, "https://") {
			t.Errorf("%s: text %q, preview %q", c.Kind, text, preview)
		}
		bare := strings.NewReplacer(v["link"], "", v["stop"], "").Replace(text)
		if n := utf8.RuneCountInString("【某某市绩效办】" + bare); n > 70 {
			t.Errorf("%s: %d characters without its links: %q", c.Kind, n, bare)
		}
		if KindName(c.Kind) != c.Name {
			t.Errorf("%s: name %q", c.Kind, KindName(c.Kind))
		}
	}
}
