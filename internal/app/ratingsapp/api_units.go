package ratingsapp

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

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

func (s *Handlers) qr(code string) qrJSON {
	return qrJSON{Code: code, URL: s.codeURL(code), PNG: s.codeURL(code) + "/qr.png"}
}

func (s *Handlers) codeURL(code string) string { return s.Config.PublicBaseURL + "/q/" + code }

// APIListUnits lists the units the user may see, with their QR codes.
func (s *Handlers) APIListUnits(c *gin.Context) {
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

// APICreateUnit creates a unit and its first QR code.
func (s *Handlers) APICreateUnit(c *gin.Context) {
	var in units.UnitInput
	if err := httpx.BindJSON(c, &in, 16<<10); err != nil {
		s.APIError(c, err)
		return
	}
	s.APITx(c, http.StatusCreated, func(tx pgx.Tx) (any, error) {
		u, err := units.CreateUnit(c, tx, httpx.CurrentUser(c).Actor(), in, s.unitCategories(c, tx))
		return unitJSON{u, s.qr(u.QRCode)}, err
	})
}

// visibleUnit loads the unit named by the id path parameter. It returns
// not_found for a malformed or unknown id and forbidden when the user may
// not see the unit.
func (s *Handlers) visibleUnit(c *gin.Context) (units.Unit, error) {
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
func (s *Handlers) unitFromPath(c *gin.Context) (units.Unit, bool) {
	u, err := s.visibleUnit(c)
	if err != nil {
		s.APIError(c, err)
		return units.Unit{}, false
	}
	return u, true
}

// APIGetUnit shows a unit the user may see, with its QR code.
func (s *Handlers) APIGetUnit(c *gin.Context) {
	u, ok := s.unitFromPath(c)
	if !ok {
		return
	}
	c.JSON(http.StatusOK, unitJSON{u, s.qr(u.QRCode)})
}

// APIUpdateUnit changes a unit's name, short code or category.
func (s *Handlers) APIUpdateUnit(c *gin.Context) {
	// PATCH changes only the fields sent; "short_code": "" clears the code.
	var patch struct {
		Name      *string `json:"name"`
		ShortCode *string `json:"short_code"`
		Category  *string `json:"category"`
		// "credit_code" / "area_code": "" clears the code.
		CreditCode *string `json:"credit_code"`
		AreaCode   *string `json:"area_code"`
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
		in := units.UnitInput{Name: cur.Name, Category: cur.Category,
			CreditCode: httpx.Deref(cur.CreditCode), AreaCode: httpx.Deref(cur.AreaCode)}
		if cur.ShortCode != nil {
			in.ShortCode = *cur.ShortCode
		}
		for dst, src := range map[*string]*string{&in.Name: patch.Name, &in.ShortCode: patch.ShortCode, &in.Category: patch.Category,
			&in.CreditCode: patch.CreditCode, &in.AreaCode: patch.AreaCode} {
			if src != nil {
				*dst = *src
			}
		}
		u, err := units.UpdateUnit(c, tx, httpx.CurrentUser(c).Actor(), id, in, s.unitCategories(c, tx))
		return unitJSON{u, s.qr(u.QRCode)}, err
	})
}

// APIRotateUnitCode replaces the unit's QR code; the old one stops
// taking ratings.
func (s *Handlers) APIRotateUnitCode(c *gin.Context) {
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

// APIListPoints lists the unit's service points with their QR codes.
func (s *Handlers) APIListPoints(c *gin.Context) {
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

// APICreatePoint creates a service point of the unit, with its QR code.
func (s *Handlers) APICreatePoint(c *gin.Context) {
	var in units.PointInput
	if id, ok := s.PathIDAndBody(c, &in); ok {
		s.APITx(c, http.StatusCreated, func(tx pgx.Tx) (any, error) {
			p, err := units.CreatePoint(c, tx, httpx.CurrentUser(c).Actor(), id, in)
			return pointJSON{p, s.qr(p.QRCode)}, err
		})
	}
}

// APIRotatePointCode replaces a service point's QR code.
func (s *Handlers) APIRotatePointCode(c *gin.Context) {
	if id, ok := s.PathIDAndBody(c, nil); ok {
		s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
			code, err := units.RotatePointCode(c, tx, httpx.CurrentUser(c).Actor(), id)
			return gin.H{"qr": s.qr(code)}, err
		})
	}
}

// APIListTerminals lists the unit's terminals.
func (s *Handlers) APIListTerminals(c *gin.Context) {
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

// APICreateTerminal registers a terminal and answers with its bearer
// token, the only time it is ever shown.
func (s *Handlers) APICreateTerminal(c *gin.Context) {
	var in units.TerminalInput
	if id, ok := s.PathIDAndBody(c, &in); ok {
		s.APITx(c, http.StatusCreated, func(tx pgx.Tx) (any, error) {
			t, token, err := units.CreateTerminal(c, tx, httpx.CurrentUser(c).Actor(), id, in)
			return gin.H{"id": t.ID, "token": token, "terminal": t}, err
		})
	}
}

// APIRevokeTerminal revokes a terminal; its token stops working at once.
func (s *Handlers) APIRevokeTerminal(c *gin.Context) {
	if id, ok := s.PathIDAndBody(c, nil); ok {
		s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
			t, err := units.RevokeTerminal(c, tx, httpx.CurrentUser(c).Actor(), id)
			s.terminals.forgetID(id)
			return gin.H{"terminal": t}, err
		})
	}
}
