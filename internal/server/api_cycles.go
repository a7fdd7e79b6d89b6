package server

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
func (s *Server) cyclePage(c *gin.Context) (cycles.Page, bool) {
	limit, offset, err := paging(c)
	if err != nil {
		s.APIError(c, err)
		return cycles.Page{}, false
	}
	return cycles.Page{Limit: limit, Offset: offset}, true
}

func (s *Server) apiListCycles(c *gin.Context) {
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

func (s *Server) apiCreateCycle(c *gin.Context) {
	// The input's fields are listed, not embedded, so a type error names
	// the field as the client sent it ("year", not "CycleInput.year").
	var in struct {
		Name        string `json:"name"`
		Year        int    `json:"year"`
		PeriodStart string `json:"period_start"`
		PeriodEnd   string `json:"period_end"`
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
	s.apiTx(c, http.StatusCreated, func(tx pgx.Tx) (any, error) {
		ci := cycles.CycleInput{Name: in.Name, Year: in.Year, PeriodStart: in.PeriodStart, PeriodEnd: in.PeriodEnd}
		return cycles.CreateCycle(c, tx, httpx.CurrentUser(c).Actor(), ci, cfg)
	})
}

func (s *Server) apiGetCycle(c *gin.Context) {
	id, ok := s.pathIDAndBody(c, nil)
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

func (s *Server) apiSetCycleConfig(c *gin.Context) {
	var in struct {
		Config *cycles.Config `json:"config"`
		Note   string         `json:"note"`
	}
	id, ok := s.pathIDAndBody(c, &in)
	if !ok {
		return
	}
	if in.Config == nil {
		s.APIError(c, apperr.InvalidField("config", "请提交完整的考核配置"))
		return
	}
	s.apiTx(c, http.StatusCreated, func(tx pgx.Tx) (any, error) {
		return cycles.SetConfig(c, tx, httpx.CurrentUser(c).Actor(), id, *in.Config, in.Note)
	})
}

func (s *Server) apiListCycleConfigVersions(c *gin.Context) {
	id, ok := s.pathIDAndBody(c, nil)
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

func (s *Server) apiGetCycleConfigVersion(c *gin.Context) {
	id, ok := s.pathIDAndBody(c, nil)
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
