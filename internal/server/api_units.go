package server

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/db"
	"minyi/internal/units"
	"minyi/internal/users"
)

func (s *Server) apiSignIn(c *gin.Context) {
	var in struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}
	if err := bindJSON(c, &in, 4<<10); err != nil {
		s.apiError(c, err)
		return
	}
	f := apperr.Fields{}
	if in.Username == "" {
		f.Add("username", "请填写用户名")
	}
	if in.Password == "" {
		f.Add("password", "请填写密码")
	}
	if err := f.Err(); err != nil {
		s.apiError(c, err)
		return
	}
	sess, err := s.signIn(c, in.Username, in.Password)
	if err != nil {
		s.apiError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"user": sess.User, "expires_at": sess.ExpiresAt})
}

func (s *Server) apiSignOut(c *gin.Context) {
	if token, _ := c.Cookie(sessionCookie); token != "" {
		if err := users.DeleteSession(c, s.Pool, token); err != nil {
			s.apiError(c, err)
			return
		}
	}
	s.clearSessionCookie(c)
	c.Status(http.StatusNoContent)
}

func (s *Server) apiWhoAmI(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"user": currentUser(c)})
}

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
	list, err := units.ListUnits(c, s.Pool, currentUser(c).UnitID)
	if err != nil {
		s.apiError(c, err)
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
	if err := bindJSON(c, &in, 16<<10); err != nil {
		s.apiError(c, err)
		return
	}
	var u units.Unit
	err := db.Tx(c, s.Pool, func(tx pgx.Tx) (err error) {
		u, err = units.CreateUnit(c, tx, currentUser(c).Actor(), in, s.Config.UnitCategories)
		return err
	})
	if err != nil {
		s.apiError(c, err)
		return
	}
	c.JSON(http.StatusCreated, unitJSON{u, s.qr(u.QRCode)})
}

// unitFromPath loads the unit named in the path, checking the user may see it.
func (s *Server) unitFromPath(c *gin.Context) (units.Unit, bool) {
	id, err := idParam(c, "id")
	if err == nil {
		err = canSeeUnit(currentUser(c), id)
	}
	var u units.Unit
	if err == nil {
		u, err = units.FindUnit(c, s.Pool, id)
	}
	if err != nil {
		s.apiError(c, err)
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
	id, err := idParam(c, "id")
	if err != nil {
		s.apiError(c, err)
		return
	}
	// PATCH changes only the fields sent; "short_code": "" clears the code.
	var patch struct {
		Name      *string `json:"name"`
		ShortCode *string `json:"short_code"`
		Category  *string `json:"category"`
	}
	if err := bindJSON(c, &patch, 16<<10); err != nil {
		s.apiError(c, err)
		return
	}
	var u units.Unit
	err = db.Tx(c, s.Pool, func(tx pgx.Tx) error {
		cur, err := units.FindUnit(c, tx, id)
		if err != nil {
			return err
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
		u, err = units.UpdateUnit(c, tx, currentUser(c).Actor(), id, in, s.Config.UnitCategories)
		return err
	})
	if err != nil {
		s.apiError(c, err)
		return
	}
	c.JSON(http.StatusOK, unitJSON{u, s.qr(u.QRCode)})
}

func (s *Server) apiRotateUnitCode(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		s.apiError(c, err)
		return
	}
	var code string
	err = db.Tx(c, s.Pool, func(tx pgx.Tx) (err error) {
		code, err = units.RotateUnitCode(c, tx, currentUser(c).Actor(), id)
		return err
	})
	if err != nil {
		s.apiError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"qr": s.qr(code)})
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
		s.apiError(c, err)
		return
	}
	out := make([]pointJSON, len(list))
	for i, p := range list {
		out[i] = pointJSON{p, s.qr(p.QRCode)}
	}
	c.JSON(http.StatusOK, gin.H{"total": len(out), "items": out})
}

func (s *Server) apiCreatePoint(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		s.apiError(c, err)
		return
	}
	var in units.PointInput
	if err := bindJSON(c, &in, 16<<10); err != nil {
		s.apiError(c, err)
		return
	}
	var p units.ServicePoint
	err = db.Tx(c, s.Pool, func(tx pgx.Tx) (err error) {
		p, err = units.CreatePoint(c, tx, currentUser(c).Actor(), id, in)
		return err
	})
	if err != nil {
		s.apiError(c, err)
		return
	}
	c.JSON(http.StatusCreated, pointJSON{p, s.qr(p.QRCode)})
}

func (s *Server) apiRotatePointCode(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		s.apiError(c, err)
		return
	}
	var code string
	err = db.Tx(c, s.Pool, func(tx pgx.Tx) (err error) {
		code, err = units.RotatePointCode(c, tx, currentUser(c).Actor(), id)
		return err
	})
	if err != nil {
		s.apiError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"qr": s.qr(code)})
}

func (s *Server) apiListTerminals(c *gin.Context) {
	u, ok := s.unitFromPath(c)
	if !ok {
		return
	}
	list, err := units.ListTerminals(c, s.Pool, u.ID)
	if err != nil {
		s.apiError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"total": len(list), "items": list})
}

func (s *Server) apiCreateTerminal(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		s.apiError(c, err)
		return
	}
	var in units.TerminalInput
	if err := bindJSON(c, &in, 16<<10); err != nil {
		s.apiError(c, err)
		return
	}
	var t units.Terminal
	var token string
	err = db.Tx(c, s.Pool, func(tx pgx.Tx) (err error) {
		t, token, err = units.CreateTerminal(c, tx, currentUser(c).Actor(), id, in)
		return err
	})
	if err != nil {
		s.apiError(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"id": t.ID, "token": token, "terminal": t})
}

func (s *Server) apiRevokeTerminal(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		s.apiError(c, err)
		return
	}
	var t units.Terminal
	err = db.Tx(c, s.Pool, func(tx pgx.Tx) (err error) {
		t, err = units.RevokeTerminal(c, tx, currentUser(c).Actor(), id)
		return err
	})
	if err != nil {
		s.apiError(c, err)
		return
	}
	s.terminals.forgetID(t.ID)
	c.JSON(http.StatusOK, gin.H{"terminal": t})
}

func (s *Server) apiAudit(c *gin.Context) {
	f := audit.Filter{Entity: c.Query("entity"), EntityID: c.Query("entity_id")}
	var err error
	if f.Limit, f.Offset, err = paging(c); err != nil {
		s.apiError(c, err)
		return
	}
	list, total, err := audit.List(c, s.Pool, f)
	if err != nil {
		s.apiError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"total": total, "items": list})
}
