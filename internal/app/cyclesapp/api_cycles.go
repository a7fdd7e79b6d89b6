package cyclesapp

import (
	"math"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/cycles"
	"minyi/internal/httpx"
)

// cyclePage reads limit and offset, answering with the error on failure.
func (s *Handlers) cyclePage(c *gin.Context) (cycles.Page, bool) {
	limit, offset, err := httpx.Paging(c)
	if err != nil {
		s.APIError(c, err)
		return cycles.Page{}, false
	}
	return cycles.Page{Limit: limit, Offset: offset}, true
}

// APIListCycles lists the cycles a page at a time (?limit=&offset=) with
// their total.
func (s *Handlers) APIListCycles(c *gin.Context) {
	p, ok := s.cyclePage(c)
	if !ok {
		return
	}
	list, total, err := cycles.ListCycles(c, s.Pool, p)
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"total": total, "items": list})
}

// APICreateCycle creates a cycle (office only) with the configuration
// given, or the defaults without one, as its first version.
func (s *Handlers) APICreateCycle(c *gin.Context) {
	// The input's fields are listed, not embedded, so a type error names
	// the field as the client sent it ("year", not "CycleInput.year").
	var in struct {
		Name        string `json:"name"`
		Year        int    `json:"year"`
		PeriodStart string `json:"period_start"`
		PeriodEnd   string `json:"period_end"`
		// Main is optional: omitted, the cycle is its year's main cycle
		// when the year has none yet.
		Main *bool `json:"main"`
		// Config is optional; without it the cycle gets the defaults.
		Config *cycles.Config `json:"config"`
	}
	if err := httpx.BindJSON(c, &in, 16<<10); err != nil {
		s.APIError(c, err)
		return
	}
	cfg := cycles.DefaultConfig(s.Config.LevelPoints)
	if in.Config != nil {
		cfg = *in.Config
	}
	s.APITx(c, http.StatusCreated, func(tx pgx.Tx) (any, error) {
		ci := cycles.CycleInput{Name: in.Name, Year: in.Year, PeriodStart: in.PeriodStart, PeriodEnd: in.PeriodEnd, Main: in.Main}
		cy, err := cycles.CreateCycle(c, tx, httpx.CurrentUser(c).Actor(), ci, cfg)
		if err != nil {
			return nil, err
		}
		return s.seedCategories(c, tx, cy)
	})
}

// APIGetCycle answers one cycle with its newest configuration.
func (s *Handlers) APIGetCycle(c *gin.Context) {
	id, ok := s.PathIDAndBody(c, nil)
	if !ok {
		return
	}
	cy, err := cycles.FindCycle(c, s.Pool, id)
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, cy)
}

// APISetCycleConfig stores a new configuration version of the cycle
// (office only), with an optional note.
func (s *Handlers) APISetCycleConfig(c *gin.Context) {
	var in struct {
		Config *cycles.Config `json:"config"`
		Note   string         `json:"note"`
	}
	id, ok := s.PathIDAndBody(c, &in)
	if !ok {
		return
	}
	if in.Config == nil {
		s.APIError(c, apperr.InvalidField("config", "请提交完整的考核配置"))
		return
	}
	s.APITx(c, http.StatusCreated, func(tx pgx.Tx) (any, error) {
		return cycles.SetConfig(c, tx, httpx.CurrentUser(c).Actor(), id, *in.Config, in.Note)
	})
}

// APIListCycleConfigVersions lists the cycle's configuration versions a
// page at a time.
func (s *Handlers) APIListCycleConfigVersions(c *gin.Context) {
	id, ok := s.PathIDAndBody(c, nil)
	if !ok {
		return
	}
	p, ok := s.cyclePage(c)
	if !ok {
		return
	}
	list, total, err := cycles.ListConfigVersions(c, s.Pool, id, p)
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"total": total, "items": list})
}

// APIGetCycleConfigVersion answers one configuration version of the cycle.
func (s *Handlers) APIGetCycleConfigVersion(c *gin.Context) {
	id, ok := s.PathIDAndBody(c, nil)
	if !ok {
		return
	}
	n, err := httpx.IDParam(c, "version")
	if err == nil && n > math.MaxInt32 {
		err = httpx.ErrNotFound
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	v, err := cycles.FindConfigVersion(c, s.Pool, id, int(n))
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}
