package server

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/db"
	"minyi/internal/httpx"
	"minyi/internal/ratings"
	"minyi/internal/units"
)

func (s *Server) createPointSubmit(c *gin.Context) {
	u, err := s.visibleUnit(c)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	in := units.PointInput{Name: strings.TrimSpace(c.PostForm("name")), Kind: c.PostForm("kind")}
	err = db.Tx(c, s.Pool, func(tx pgx.Tx) error {
		_, err := units.CreatePoint(c, tx, httpx.CurrentUser(c).Actor(), u.ID, in)
		return err
	})
	if errs, ok := httpx.FieldErrors(err); ok {
		if errs["kind"] != "" {
			errs["kind"] = "请选择服务点类型"
		}
		s.showUnitForm(c, func(d *unitPageData) { d.PointForm, d.PointErrs = in, errs })
		return
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	httpx.Redirect(c, unitPath(u.ID)+"#points", "point_created")
}

func (s *Server) rotatePointSubmit(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	var p units.ServicePoint
	if err == nil {
		err = db.Tx(c, s.Pool, func(tx pgx.Tx) (err error) {
			if p, err = units.FindPoint(c, tx, id); err != nil {
				return err
			}
			_, err = units.RotatePointCode(c, tx, httpx.CurrentUser(c).Actor(), id)
			return err
		})
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	httpx.Redirect(c, unitPath(p.UnitID)+"#points", "qr_rotated")
}

type terminalTokenData struct {
	httpx.BasePage
	Unit     units.Unit
	Terminal units.Terminal
	Point    string
	Token    string
	Endpoint string
	Back     string
}

// createTerminalSubmit registers a terminal and shows its bearer token on
// the result page, the only time it is ever shown.
func (s *Server) createTerminalSubmit(c *gin.Context) {
	u, err := s.visibleUnit(c)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	in := units.TerminalInput{Name: strings.TrimSpace(c.PostForm("name"))}
	pointField := c.PostForm("point_id")
	errs := map[string]string{}
	if pointField != "" {
		pid, err := strconv.ParseInt(pointField, 10, 64)
		if err != nil || pid <= 0 {
			errs["point_id"] = "请选择有效的服务点"
		}
		in.PointID = &pid
	}
	var t units.Terminal
	var token, pointName string
	if len(errs) == 0 {
		err = db.Tx(c, s.Pool, func(tx pgx.Tx) (err error) {
			if t, token, err = units.CreateTerminal(c, tx, httpx.CurrentUser(c).Actor(), u.ID, in); err != nil || t.PointID == nil {
				return err
			}
			p, err := units.FindPoint(c, tx, *t.PointID)
			pointName = p.Name
			return err
		})
		if fe, ok := httpx.FieldErrors(err); ok {
			errs = fe
		}
	}
	if len(errs) > 0 {
		s.showUnitForm(c, func(d *unitPageData) { d.TermName, d.TermPoint, d.TermErrs = in.Name, pointField, errs })
		return
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	out := terminalTokenData{BasePage: s.Base(c, "评价器已注册", "units"), Unit: u, Terminal: t, Token: token,
		Point: pointName, Endpoint: s.Config.PublicBaseURL + "/api/v1/terminal/ratings", Back: unitPath(u.ID) + "#terminals"}
	c.Header("Referrer-Policy", "no-referrer")
	s.Render(c, http.StatusCreated, "console/terminal_token.html", out)
}

func (s *Server) revokeTerminalSubmit(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	var t units.Terminal
	if err == nil {
		err = db.Tx(c, s.Pool, func(tx pgx.Tx) (err error) {
			t, err = units.RevokeTerminal(c, tx, httpx.CurrentUser(c).Actor(), id)
			return err
		})
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	s.terminals.forgetID(t.ID)
	httpx.Redirect(c, unitPath(t.UnitID)+"#terminals", "terminal_revoked")
}

// levelView is a rating level and its Chinese name.
type levelView struct {
	Level int
	Label string
}

// levelViews lists the five levels from 5 (非常满意) down to 1.
func levelViews() []levelView {
	out := make([]levelView, 0, 5)
	for l := 5; l >= 1; l-- {
		out = append(out, levelView{l, ratings.LevelLabel(l)})
	}
	return out
}

type posterData struct {
	httpx.BasePage
	UnitName  string
	PointName string
	QR        qrView
	Levels    []levelView
	Back      string
}

// unitPoster is the printable A4 poster of the unit's QR code.
func (s *Server) unitPoster(c *gin.Context) {
	u, err := s.visibleUnit(c)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	s.showPoster(c, u, nil, u.QRCode, unitPath(u.ID)+"#qr")
}

// pointPoster is the printable A4 poster of a service point's QR code.
func (s *Server) pointPoster(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	var p units.ServicePoint
	if err == nil {
		p, err = units.FindPoint(c, s.Pool, id)
	}
	if err == nil {
		err = httpx.CanSeeUnit(httpx.CurrentUser(c), p.UnitID)
		if err != nil {
			err = apperr.New(apperr.Forbidden, "无权查看该服务点")
		}
	}
	var u units.Unit
	if err == nil {
		u, err = units.FindUnit(c, s.Pool, p.UnitID)
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	s.showPoster(c, u, &p, p.QRCode, unitPath(u.ID)+"#points")
}

func (s *Server) showPoster(c *gin.Context, u units.Unit, p *units.ServicePoint, code, back string) {
	if code == "" {
		s.ConsoleError(c, apperr.New(apperr.NotFound, "该二维码不存在，请先更换二维码。"))
		return
	}
	d := posterData{BasePage: s.Base(c, "评价二维码 - "+u.Name, "units"), UnitName: u.Name, QR: s.qrView(code, ""),
		Levels: levelViews(), Back: back}
	d.Bare = true
	d.QR.Image += "?size=1024"
	if p != nil {
		d.PointName = p.Name
		d.Title += " " + p.Name
	}
	s.Render(c, http.StatusOK, "console/poster.html", d)
}
