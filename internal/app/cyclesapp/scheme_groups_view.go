package cyclesapp

import (
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"minyi/internal/apperr"
	"minyi/internal/cycles"
	"minyi/internal/httpx"
	"minyi/internal/schemes"
)

// groupTab is a link to one scheme chain of the cycle: the default scheme
// or a scheme group's.
type groupTab struct {
	Name, Categories, Link string
	Active                 bool
}

// schemeGroup is the scheme chain a scheme page shows or edits.
type schemeGroup struct {
	// ID is the group's id, 0 for the default scheme.
	ID   int64
	Name string
	// Categories lists the categories scored on it, in the cycle's words.
	Categories string
	Tabs       []groupTab
}

// ptr is the group id for the schemes package: nil for the default.
func (g schemeGroup) ptr() *int64 {
	if g.ID == 0 {
		return nil
	}
	id := g.ID
	return &id
}

// query is "?group=N" (or "" for the default scheme), for redirects.
func (g schemeGroup) query() string {
	if g.ID == 0 {
		return ""
	}
	return "?group=" + strconv.FormatInt(g.ID, 10)
}

// readSchemeGroup reads the group chosen (raw: the group parameter, ""
// for the default scheme), checks it is the cycle's, and lists the tabs
// linking path to every chain. A group of another cycle is refused with
// a Chinese message.
func (s *Handlers) readSchemeGroup(c *gin.Context, cy cycles.Cycle, raw, path string) (schemeGroup, error) {
	var out schemeGroup
	raw = strings.TrimSpace(raw)
	if raw != "" {
		n, err := httpx.ParseInt(raw)
		if err != nil || n < 1 {
			return out, apperr.New(apperr.NotFound, "方案分组不存在")
		}
		out.ID = int64(n)
	}
	groups, err := schemes.Groups(c, s.Pool, cy.ID)
	if err != nil {
		return out, err
	}
	if out.ID != 0 {
		g, err := schemes.FindGroup(c, s.Pool, cy.ID, out.ID)
		if err != nil {
			return out, apperr.New(apperr.NotFound, apperr.From(err).Message)
		}
		out.Name, out.Categories = g.Name, strings.Join(g.Categories, "、")
	}
	cats := cy.Categories
	if cats == nil {
		cats = s.Config.UnitCategories
	}
	var rest []string
	for _, c := range cats {
		if schemes.GroupOf(groups, c) == nil {
			rest = append(rest, c)
		}
	}
	if out.ID == 0 {
		out.Name, out.Categories = schemes.DefaultGroupName, strings.Join(rest, "、")
	}
	if len(groups) == 0 {
		return out, nil
	}
	def := "（全部类别已归入分组）"
	if len(rest) > 0 {
		def = strings.Join(rest, "、")
	}
	out.Tabs = append(out.Tabs, groupTab{Name: schemes.DefaultGroupName, Categories: def, Link: path, Active: out.ID == 0})
	for _, g := range groups {
		out.Tabs = append(out.Tabs, groupTab{Name: g.Name, Categories: strings.Join(g.Categories, "、"),
			Link: path + "?group=" + strconv.FormatInt(g.ID, 10), Active: g.ID == out.ID})
	}
	return out, nil
}
