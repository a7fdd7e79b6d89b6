package server

import (
	"fmt"
	"html/template"
	"io/fs"
	"path"
	"strconv"
	"strings"
	"time"

	"minyi/internal/ratings"
	"minyi/internal/search"
	"minyi/internal/units"
	"minyi/web"
)

// parseTemplates parses every page under templates/public and
// templates/console with its layout. Pages are named "public/x.html" and
// "console/x.html".
func parseTemplates(loc *time.Location) (map[string]*template.Template, error) {
	funcs := template.FuncMap{
		"levelLabel":   ratings.LevelLabel,
		"channelLabel": ratings.ChannelLabel,
		"kindLabel":    units.KindLabel,
		"asset":        assetURL,
		"time": func(t any) string {
			switch v := t.(type) {
			case time.Time:
				return v.In(loc).Format("2006-01-02 15:04")
			case *time.Time:
				if v != nil {
					return v.In(loc).Format("2006-01-02 15:04")
				}
			}
			return ""
		},
		"points": func(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) },
		"deref": func(p any) any {
			switch v := p.(type) {
			case *string:
				if v != nil {
					return *v
				}
				return ""
			case *int64:
				if v != nil {
					return *v
				}
				return ""
			}
			return p
		},
		"join":     strings.Join,
		"contains": func(list []string, s string) bool { return containsStr(list, s) },
		"eqInt64":  func(a *int64, b int64) bool { return a != nil && *a == b },
		"seq": func(from, to int) []int {
			var out []int
			for i := from; i >= to; i-- {
				out = append(out, i)
			}
			return out
		},
		"add": func(a, b int) int { return a + b },
		"str": func(v any) string { return fmt.Sprint(v) },
		// provisional marks a deadline counted through a year without a
		// working-day calendar (console pages).
		"provisional": func() template.HTML { return provisionalTag },
		// mark is a text, escaped, with the terms of the search box q in
		// <mark> (the lists' keyword search).
		"mark": search.HighlightText,
		// qbox is the data of the "filter-q" block: the box's value and
		// what it searches in.
		"qbox": func(value, hint string) any { return struct{ Value, Hint string }{value, hint} },
	}
	pages := map[string]*template.Template{}
	// Blocks shared between pages (the console's filter fields, the token
	// table) are parsed with every page.
	const partials = "templates/partials/*.html"
	for _, group := range []string{"public", "console"} {
		layout := "templates/layout/" + group + ".html"
		names, err := fs.Glob(web.Templates, "templates/"+group+"/*.html")
		if err != nil {
			return nil, err
		}
		for _, name := range names {
			t, err := template.New(path.Base(layout)).Funcs(funcs).ParseFS(web.Templates, layout, partials, name)
			if err != nil {
				return nil, fmt.Errorf("template %s: %w", name, err)
			}
			pages[group+"/"+path.Base(name)] = t
		}
	}
	return pages, nil
}

// provisionalTag is the console's mark of a provisional deadline (暂定).
const provisionalTag = `<span class="tag tag-warn provisional" title="该年工作日历尚未录入，暂按周末计算；录入后自动重新计算">暂定</span>`

func containsStr(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
