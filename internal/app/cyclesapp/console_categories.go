package cyclesapp

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/cycles"
	"minyi/internal/db"
	"minyi/internal/httpx"
	"minyi/internal/schemes"
)

// categoriesPath is the console page of a cycle's categories and groups.
func categoriesPath(id int64) string { return cyclePath(id) + "/categories" }

// groupFormRow is a scheme group as its form shows it, with a check box
// per category of the cycle.
type groupFormRow struct {
	ID         int64
	Name       string
	Versions   int
	SchemeLink string
	Checks     []categoryCheck
	Error      string
}

type categoryCheck struct {
	Name    string
	Checked bool
	// Elsewhere names the other group holding the category.
	Elsewhere string
}

type categoriesPageData struct {
	httpx.BasePage
	Cycle     cycles.Cycle
	CycleLink string
	View      CategoriesView
	// ListText refills the list form: one category a line.
	ListText  string
	ListError string
	Groups    []groupFormRow
	// New is the add-a-group form.
	New groupFormRow
	// Default lists the categories scored on the default scheme.
	Default string
}

// CategoriesPage shows the cycle's categories with their units, the
// presets, and the scheme groups with their forms.
func (s *Handlers) CategoriesPage(c *gin.Context) {
	s.showCategories(c, http.StatusOK, nil, "", 0, nil)
}

// showCategories renders the page; listText and listErr refill a refused
// list, failedGroup (−1: the new group's form) and groupIn a refused group.
func (s *Handlers) showCategories(c *gin.Context, status int, listText *string, listErr string, failedGroup int64, groupErr *groupFailure) {
	id, err := httpx.IDParam(c, "id")
	var cy cycles.Cycle
	if err == nil {
		cy, err = cycles.FindCycle(c, s.Pool, id)
	}
	var v CategoriesView
	if err == nil {
		v, err = s.categoriesView(c, s.Pool, id)
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	d := categoriesPageData{BasePage: s.Base(c, cy.Name+" · 单位类别与方案分组", "cycles"), Cycle: cy, CycleLink: cyclePath(id),
		View: v, ListError: listErr}
	var names, rest []string
	for _, cat := range v.Categories {
		names = append(names, cat.Name)
		if cat.Group == schemes.DefaultGroupName {
			rest = append(rest, cat.Name)
		}
	}
	d.ListText = strings.Join(names, "\n")
	if listText != nil {
		d.ListText = *listText
	}
	d.Default = strings.Join(rest, "、")
	checks := func(selfID int64, chosen []string) []categoryCheck {
		out := make([]categoryCheck, len(names))
		for i, n := range names {
			out[i] = categoryCheck{Name: n}
			for _, x := range chosen {
				out[i].Checked = out[i].Checked || x == n
			}
			if g := schemes.GroupOf(v.Groups, n); g != nil && g.ID != selfID {
				out[i].Elsewhere = g.Name
			}
		}
		return out
	}
	for _, g := range v.Groups {
		row := groupFormRow{ID: g.ID, Name: g.Name, Versions: g.Versions,
			SchemeLink: schemePath(id) + "?group=" + strconv.FormatInt(g.ID, 10), Checks: checks(g.ID, g.Categories)}
		if groupErr != nil && failedGroup == g.ID {
			row.Name, row.Checks, row.Error = groupErr.in.Name, checks(g.ID, groupErr.in.Categories), groupErr.msg
		}
		d.Groups = append(d.Groups, row)
	}
	d.New = groupFormRow{Checks: checks(0, nil)}
	if groupErr != nil && failedGroup == -1 {
		d.New = groupFormRow{Name: groupErr.in.Name, Checks: checks(0, groupErr.in.Categories), Error: groupErr.msg}
	}
	s.Render(c, status, "console/cycle_categories.html", d)
}

// groupFailure is a refused group form with its message.
type groupFailure struct {
	in  schemes.GroupInput
	msg string
}

// CategoriesSubmit replaces the cycle's categories with a preset
// (preset=key) or the typed list (list, one a line).
func (s *Handlers) CategoriesSubmit(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	in := cycles.CategoriesInput{Preset: c.PostForm("preset"), ConfirmRemove: c.PostForm("confirm_remove") != ""}
	text, typed := c.GetPostForm("list")
	changed := false
	if in.Preset == "" && !typed {
		// The preset form sent with no preset chosen.
		err = apperr.InvalidField("preset", "请选择一套预设类别")
	} else {
		if in.Preset == "" {
			in.Categories = strings.FieldsFunc(text, func(r rune) bool { return r == '\n' || r == '\r' })
		}
		err = db.Tx(c, s.Pool, func(tx pgx.Tx) (err error) {
			_, changed, err = cycles.SetCategories(c, tx, httpx.CurrentUser(c).Actor(), id, in, s.Config.UnitCategories)
			return err
		})
	}
	if _, ok := httpx.FieldErrors(err); ok {
		var refill *string
		if typed {
			refill = &text
		}
		s.showCategories(c, http.StatusUnprocessableEntity, refill, apperr.From(err).Message, 0, nil)
		return
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	flash := "categories_saved"
	if !changed {
		flash = "categories_unchanged"
	}
	httpx.Redirect(c, categoriesPath(id), flash)
}

// SchemeGroupSubmit adds a group (no group_id) or, with op=delete, deletes
// one, or else saves one: name and the categories checked.
func (s *Handlers) SchemeGroupSubmit(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	var gid int64
	if err == nil && c.Param("group_id") != "" {
		gid, err = httpx.IDParam(c, "group_id")
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	in := schemes.GroupInput{Name: c.PostForm("name"), Categories: c.PostFormArray("category")}
	del := gid != 0 && c.PostForm("op") == "delete"
	err = db.Tx(c, s.Pool, func(tx pgx.Tx) (err error) {
		if del {
			return schemes.DeleteGroup(c, tx, httpx.CurrentUser(c).Actor(), id, gid)
		}
		_, err = schemes.SaveGroup(c, tx, httpx.CurrentUser(c).Actor(), id, gid, in)
		return err
	})
	if e := apperr.From(err); err != nil && (e.Code == apperr.Invalid || e.Code == apperr.Conflict) {
		failed := gid
		if gid == 0 {
			failed = -1
		}
		s.showCategories(c, http.StatusUnprocessableEntity, nil, "", failed, &groupFailure{in: in, msg: e.Message})
		return
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	flash := "scheme_group_saved"
	if del {
		flash = "scheme_group_deleted"
	}
	httpx.Redirect(c, categoriesPath(id), flash)
}
