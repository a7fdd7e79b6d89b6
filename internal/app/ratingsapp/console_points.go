package ratingsapp

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

// CreatePointSubmit creates a service point from the unit's page.
func (s *Handlers) CreatePointSubmit(c *gin.Context) {
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

// RotatePointSubmit replaces a service point's QR code.
func (s *Handlers) RotatePointSubmit(c *gin.Context) {
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

// CreateTerminalSubmit registers a terminal and shows its bearer token on
// the result page, the only time it is ever shown.
func (s *Handlers) CreateTerminalSubmit(c *gin.Context) {
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

// RevokeTerminalSubmit revokes a terminal; its token stops working at once.
func (s *Handlers) RevokeTerminalSubmit(c *gin.Context) {
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

type posterData struct {
	httpx.BasePage
	UnitName  string
	PointName string
	QR        qrView
	Levels    []ratings.LevelName
	Back      string
}

// UnitPoster is the printable A4 poster of the unit's QR code.
func (s *Handlers) UnitPoster(c *gin.Context) {
	u, err := s.visibleUnit(c)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	s.showPoster(c, u, nil, u.QRCode, unitPath(u.ID)+"#qr")
}

// PointPoster is the printable A4 poster of a service point's QR code.
func (s *Handlers) PointPoster(c *gin.Context) {
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

func (s *Handlers) showPoster(c *gin.Context, u units.Unit, p *units.ServicePoint, code, back string) {
	if code == "" {
		s.ConsoleError(c, apperr.New(apperr.NotFound, "该二维码不存在，请先更换二维码。"))
		return
	}
	d := posterData{BasePage: s.Base(c, "评价二维码 - "+u.Name, "units"), UnitName: u.Name, QR: s.qrView(code, ""),
		Levels: ratings.LevelNames(), Back: back}
	d.Bare = true
	d.QR.Image += "?size=1024"
	if p != nil {
		d.PointName = p.Name
		d.Title += " " + p.Name
	}
	s.Render(c, http.StatusOK, "console/poster.html", d)
}
