package server

import (
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/db"
	"minyi/internal/httpx"
	"minyi/internal/units"
)

// networkForm is the hall-network form as typed, kept to refill it.
type networkForm struct {
	Network, DailyCap, PointID, Name string
}

// networkRow is a registered network on the unit's page, with the form
// that changes its cap and name.
type networkRow struct {
	units.Network
	Range     string // the address or range, as registered
	Scope     string // 整个单位, or the service point's name
	UpdateURL string
	DeleteURL string
	Form      networkForm
	Errs      map[string]string
}

// networkRows lists the unit's networks for its page; edit, when its id
// matches, refills a row's failed form.
func networkRows(list []units.Network, edit networkRow) []networkRow {
	rows := make([]networkRow, 0, len(list))
	for _, n := range list {
		id := strconv.FormatInt(n.ID, 10)
		base := unitPath(n.UnitID) + "/networks/" + id
		r := networkRow{Network: n, Range: n.Network.String(), Scope: "整个单位", UpdateURL: base, DeleteURL: base + "/delete",
			Form: networkForm{DailyCap: strconv.Itoa(n.DailyCap), Name: n.Name}}
		if n.PointName != nil {
			r.Scope = *n.PointName
		}
		if edit.ID == n.ID {
			r.Form, r.Errs = edit.Form, edit.Errs
		}
		rows = append(rows, r)
	}
	return rows
}

// formCap reads a daily cap typed in a form; anything but a whole number
// becomes 0, which validation refuses with its message.
func formCap(v string) int {
	n, err := httpx.ParseInt(strings.TrimSpace(v))
	if err != nil {
		return 0
	}
	return n
}

func (s *Server) createNetworkSubmit(c *gin.Context) {
	u, err := s.visibleUnit(c)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	form := networkForm{Network: c.PostForm("network"), DailyCap: c.PostForm("daily_cap"), PointID: c.PostForm("point_id"),
		Name: c.PostForm("name")}
	in := units.NetworkInput{Network: form.Network, DailyCap: formCap(form.DailyCap), Name: form.Name}
	if form.PointID != "" {
		// A malformed id is an unknown point, which CreateNetwork refuses.
		pid, _ := strconv.ParseInt(form.PointID, 10, 64)
		in.PointID = &pid
	}
	err = db.Tx(c, s.Pool, func(tx pgx.Tx) error {
		_, err := units.CreateNetwork(c, tx, httpx.CurrentUser(c).Actor(), u.ID, in)
		return err
	})
	s.networks.forget()
	if errs, ok := httpx.FieldErrors(err); ok {
		s.showUnitForm(c, func(d *unitPageData) { d.NetForm, d.NetErrs = form, errs })
		return
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	httpx.Redirect(c, unitPath(u.ID)+"#networks", "network_created")
}

// changeNetwork runs fn on the unit's :nid network in a transaction and
// returns to the unit's page with flash; a form fn finds invalid shows the
// page again with the row's form refilled from form.
func (s *Server) changeNetwork(c *gin.Context, flash string, form networkForm, fn func(tx pgx.Tx, id int64) error) {
	u, err := s.visibleUnit(c)
	var nid int64
	if err == nil {
		nid, err = httpx.IDParam(c, "nid")
	}
	if err == nil {
		err = db.Tx(c, s.Pool, func(tx pgx.Tx) error {
			n, err := units.FindNetwork(c, tx, nid)
			if err == nil && n.UnitID != u.ID {
				err = apperr.New(apperr.NotFound, "登记的网络不存在")
			}
			if err != nil {
				return err
			}
			return fn(tx, nid)
		})
	}
	s.networks.forget()
	errs, invalid := httpx.FieldErrors(err)
	switch {
	case err == nil:
		httpx.Redirect(c, unitPath(u.ID)+"#networks", flash)
	case invalid:
		s.showUnitForm(c, func(d *unitPageData) {
			d.Networks = networkRows(d.networkList, networkRow{Network: units.Network{ID: nid}, Form: form, Errs: errs})
		})
	default:
		s.ConsoleError(c, err)
	}
}

func (s *Server) updateNetworkSubmit(c *gin.Context) {
	form := networkForm{DailyCap: c.PostForm("daily_cap"), Name: c.PostForm("name")}
	s.changeNetwork(c, "network_updated", form, func(tx pgx.Tx, id int64) error {
		_, err := units.UpdateNetwork(c, tx, httpx.CurrentUser(c).Actor(), id, formCap(form.DailyCap), form.Name)
		return err
	})
}

func (s *Server) deleteNetworkSubmit(c *gin.Context) {
	s.changeNetwork(c, "network_deleted", networkForm{}, func(tx pgx.Tx, id int64) error {
		_, err := units.DeleteNetwork(c, tx, httpx.CurrentUser(c).Actor(), id)
		return err
	})
}
