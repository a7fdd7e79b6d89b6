package server

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/audit"
	"minyi/internal/httpx"
	"minyi/internal/units"
)

// unitJSON is a unit as the API shows it, with its current QR code.
type unitJSON struct {
	units.Unit
	QR qrJSON `json:"qr"`
}

type qrJSON struct {
	Code string `json:"code"`
	URL  string `json:"url"`
	PNG  string `json:"png"`
}

func (s *Server) qr(code string) qrJSON {
	return qrJSON{Code: code, URL: s.codeURL(code), PNG: s.codeURL(code) + "/qr.png"}
}

func (s *Server) codeURL(code string) string { return s.Config.PublicBaseURL + "/q/" + code }

func (s *Server) apiListUnits(c *gin.Context) {
	list, err := units.ListUnits(c, s.Pool, httpx.CurrentUser(c).UnitID)
	if err != nil {
		s.APIError(c, err)
		return
	}
	out := make([]unitJSON, len(list))
	for i, u := range list {
		out[i] = unitJSON{u, s.qr(u.QRCode)}
	}
	c.JSON(http.StatusOK, gin.H{"total": len(out), "items": out})
}

func (s *Server) apiCreateUnit(c *gin.Context) {
	var in units.UnitInput
	if err := httpx.BindJSON(c, &in, 16<<10); err != nil {
		s.APIError(c, err)
		return
	}
	s.APITx(c, http.StatusCreated, func(tx pgx.Tx) (any, error) {
		u, err := units.CreateUnit(c, tx, httpx.CurrentUser(c).Actor(), in, s.Config.UnitCategories)
		return unitJSON{u, s.qr(u.QRCode)}, err
	})
}

// visibleUnit loads the unit named by the id path parameter. It returns
// not_found for a malformed or unknown id and forbidden when the user may
// not see the unit.
func (s *Server) visibleUnit(c *gin.Context) (units.Unit, error) {
	id, err := httpx.IDParam(c, "id")
	if err == nil {
		err = httpx.CanSeeUnit(httpx.CurrentUser(c), id)
	}
	if err != nil {
		return units.Unit{}, err
	}
	return units.FindUnit(c, s.Pool, id)
}

// unitFromPath is visibleUnit for the API: on failure it answers with the error.
func (s *Server) unitFromPath(c *gin.Context) (units.Unit, bool) {
	u, err := s.visibleUnit(c)
	if err != nil {
		s.APIError(c, err)
		return units.Unit{}, false
	}
	return u, true
}

func (s *Server) apiGetUnit(c *gin.Context) {
	u, ok := s.unitFromPath(c)
	if !ok {
		return
	}
	c.JSON(http.StatusOK, unitJSON{u, s.qr(u.QRCode)})
}

func (s *Server) apiUpdateUnit(c *gin.Context) {
	// PATCH changes only the fields sent; "short_code": "" clears the code.
	var patch struct {
		Name      *string `json:"name"`
		ShortCode *string `json:"short_code"`
		Category  *string `json:"category"`
	}
	id, ok := s.PathIDAndBody(c, &patch)
	if !ok {
		return
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		cur, err := units.FindUnit(c, tx, id)
		if err != nil {
			return nil, err
		}
		in := units.UnitInput{Name: cur.Name, Category: cur.Category}
		if cur.ShortCode != nil {
			in.ShortCode = *cur.ShortCode
		}
		for dst, src := range map[*string]*string{&in.Name: patch.Name, &in.ShortCode: patch.ShortCode, &in.Category: patch.Category} {
			if src != nil {
				*dst = *src
			}
		}
		u, err := units.UpdateUnit(c, tx, httpx.CurrentUser(c).Actor(), id, in, s.Config.UnitCategories)
		return unitJSON{u, s.qr(u.QRCode)}, err
	})
}

func (s *Server) apiRotateUnitCode(c *gin.Context) {
	if id, ok := s.PathIDAndBody(c, nil); ok {
		s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
			code, err := units.RotateUnitCode(c, tx, httpx.CurrentUser(c).Actor(), id)
			return gin.H{"qr": s.qr(code)}, err
		})
	}
}

type pointJSON struct {
	units.ServicePoint
	QR qrJSON `json:"qr"`
}

func (s *Server) apiListPoints(c *gin.Context) {
	u, ok := s.unitFromPath(c)
	if !ok {
		return
	}
	list, err := units.ListPoints(c, s.Pool, u.ID)
	if err != nil {
		s.APIError(c, err)
		return
	}
	out := make([]pointJSON, len(list))
	for i, p := range list {
		out[i] = pointJSON{p, s.qr(p.QRCode)}
	}
	c.JSON(http.StatusOK, gin.H{"total": len(out), "items": out})
}

func (s *Server) apiCreatePoint(c *gin.Context) {
	var in units.PointInput
	if id, ok := s.PathIDAndBody(c, &in); ok {
		s.APITx(c, http.StatusCreated, func(tx pgx.Tx) (any, error) {
			p, err := units.CreatePoint(c, tx, httpx.CurrentUser(c).Actor(), id, in)
			return pointJSON{p, s.qr(p.QRCode)}, err
		})
	}
}

func (s *Server) apiRotatePointCode(c *gin.Context) {
	if id, ok := s.PathIDAndBody(c, nil); ok {
		s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
			code, err := units.RotatePointCode(c, tx, httpx.CurrentUser(c).Actor(), id)
			return gin.H{"qr": s.qr(code)}, err
		})
	}
}

func (s *Server) apiListTerminals(c *gin.Context) {
	u, ok := s.unitFromPath(c)
	if !ok {
		return
	}
	list, err := units.ListTerminals(c, s.Pool, u.ID)
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"total": len(list), "items": list})
}

func (s *Server) apiCreateTerminal(c *gin.Context) {
	var in units.TerminalInput
	if id, ok := s.PathIDAndBody(c, &in); ok {
		s.APITx(c, http.StatusCreated, func(tx pgx.Tx) (any, error) {
			t, token, err := units.CreateTerminal(c, tx, httpx.CurrentUser(c).Actor(), id, in)
			return gin.H{"id": t.ID, "token": token, "terminal": t}, err
		})
	}
}

func (s *Server) apiRevokeTerminal(c *gin.Context) {
	if id, ok := s.PathIDAndBody(c, nil); ok {
		s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
			t, err := units.RevokeTerminal(c, tx, httpx.CurrentUser(c).Actor(), id)
			s.terminals.forgetID(id)
			return gin.H{"terminal": t}, err
		})
	}
}

func (s *Server) apiAudit(c *gin.Context) {
	f := audit.Filter{Entity: c.Query("entity"), EntityID: c.Query("entity_id")}
	var err error
	if f.Limit, f.Offset, err = httpx.Paging(c); err != nil {
		s.APIError(c, err)
		return
	}
	list, total, err := audit.List(c, s.Pool, f)
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"total": total, "items": list})
}
