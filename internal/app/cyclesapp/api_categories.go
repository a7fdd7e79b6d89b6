package cyclesapp

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/cycles"
	"minyi/internal/db"
	"minyi/internal/httpx"
	"minyi/internal/schemes"
)

// CategoryCount is a category of the cycle with its registered units.
type CategoryCount struct {
	Name  string `json:"name"`
	Units int    `json:"units"`
	// Group is the scheme group the category is scored in, 通用方案 when
	// none.
	Group string `json:"group"`
}

// CategoriesView is what a cycle's categories and scheme groups look like
// in the API and on the page.
type CategoriesView struct {
	CycleID    int64                   `json:"cycle_id"`
	Categories []CategoryCount         `json:"categories"`
	Groups     []schemes.Group         `json:"groups"`
	Presets    []cycles.CategoryPreset `json:"presets"`
	// Participants is how many units take part in the cycle: those whose
	// category is one of the cycle's.
	Participants int `json:"participants"`
}

// categoriesView reads a cycle's categories (the server's while the cycle
// has none set), groups and unit counts.
func (s *Handlers) categoriesView(ctx context.Context, q db.DBTX, cycleID int64) (CategoriesView, error) {
	cats, err := cycles.Categories(ctx, q, cycleID, s.Config.UnitCategories)
	if err != nil {
		return CategoriesView{}, err
	}
	groups, err := schemes.Groups(ctx, q, cycleID)
	if err != nil {
		return CategoriesView{}, err
	}
	rows, _ := q.Query(ctx, `SELECT category, count(*)::int FROM units WHERE category = ANY($1) GROUP BY category`, cats)
	counts := map[string]int{}
	var name string
	var n int
	_, err = pgx.ForEachRow(rows, []any{&name, &n}, func() error { counts[name] = n; return nil })
	if err != nil {
		return CategoriesView{}, db.Err(err)
	}
	v := CategoriesView{CycleID: cycleID, Groups: groups, Presets: cycles.CategoryPresets()}
	for _, c := range cats {
		g := schemes.DefaultGroupName
		if gr := schemes.GroupOf(groups, c); gr != nil {
			g = gr.Name
		}
		v.Categories = append(v.Categories, CategoryCount{Name: c, Units: counts[c], Group: g})
		v.Participants += counts[c]
	}
	if v.Categories == nil {
		v.Categories = []CategoryCount{}
	}
	return v, nil
}

// APICycleCategories answers the cycle's categories, scheme groups and
// the category presets.
func (s *Handlers) APICycleCategories(c *gin.Context) {
	id, ok := s.PathIDAndBody(c, nil)
	if !ok {
		return
	}
	v, err := s.categoriesView(c, s.Pool, id)
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

// APISetCycleCategories replaces the cycle's categories with a preset or
// a list (office only).
func (s *Handlers) APISetCycleCategories(c *gin.Context) {
	var in cycles.CategoriesInput
	id, ok := s.PathIDAndBody(c, &in)
	if !ok {
		return
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		if _, _, err := cycles.SetCategories(c, tx, httpx.CurrentUser(c).Actor(), id, in, s.Config.UnitCategories); err != nil {
			return nil, err
		}
		return s.categoriesView(c, tx, id)
	})
}

// APICreateSchemeGroup adds a scheme group to the cycle (office only).
func (s *Handlers) APICreateSchemeGroup(c *gin.Context) {
	var in schemes.GroupInput
	id, ok := s.PathIDAndBody(c, &in)
	if !ok {
		return
	}
	s.APITx(c, http.StatusCreated, func(tx pgx.Tx) (any, error) {
		return schemes.SaveGroup(c, tx, httpx.CurrentUser(c).Actor(), id, 0, in)
	})
}

// APIUpdateSchemeGroup renames a group or changes its categories (office
// only).
func (s *Handlers) APIUpdateSchemeGroup(c *gin.Context) {
	var in schemes.GroupInput
	id, ok := s.PathIDAndBody(c, &in)
	if !ok {
		return
	}
	gid, err := httpx.IDParam(c, "group_id")
	if err != nil {
		s.APIError(c, err)
		return
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		return schemes.SaveGroup(c, tx, httpx.CurrentUser(c).Actor(), id, gid, in)
	})
}

// APIDeleteSchemeGroup removes a group without scheme versions (office
// only).
func (s *Handlers) APIDeleteSchemeGroup(c *gin.Context) {
	id, ok := s.PathIDAndBody(c, nil)
	if !ok {
		return
	}
	gid, err := httpx.IDParam(c, "group_id")
	if err != nil {
		s.APIError(c, err)
		return
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		if err := schemes.DeleteGroup(c, tx, httpx.CurrentUser(c).Actor(), id, gid); err != nil {
			return nil, err
		}
		return gin.H{"deleted": gid}, nil
	})
}

// seedCategories gives a cycle just created the categories of the newest
// cycle, or the server's UNIT_CATEGORIES for the first one.
func (s *Handlers) seedCategories(ctx context.Context, tx pgx.Tx, cy cycles.Cycle) (cycles.Cycle, error) {
	if err := cycles.SeedNewCycle(ctx, tx, cy.ID, s.Config.UnitCategories); err != nil {
		return cy, err
	}
	return cycles.FindCycle(ctx, tx, cy.ID)
}
