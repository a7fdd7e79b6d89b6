package instrumentsapp

import (
	"html/template"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"minyi/internal/cycles"
	"minyi/internal/httpx"
	"minyi/internal/instruments"
	"minyi/internal/office"
)

// lettersPerPrint is how many invitation letters one print page holds.
const lettersPerPrint = 300

type letterView struct {
	Name, Group, Link string
	QR                template.URL
}

type lettersPage struct {
	httpx.BasePage
	Cycle   cycles.Cycle
	Inst    instrumentRow
	Letters []letterView
	Pager   httpx.Pager
	// NoMobile is true when only invitees without a mobile are printed.
	NoMobile bool
	Back     string
	// Signer and Date sign the letters (office.Profile).
	Signer string
	Date   time.Time
}

// InvitationLetters shows printable invitation letters, an A4 page each
// (the survey's letter layout), for an instrument's invitees: all, or with
// ?nomobile=1 only those without a mobile number, who get no SMS; 300 a
// page.
func (s *Handlers) InvitationLetters(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	var in instruments.Instrument
	var cy cycles.Cycle
	if err == nil {
		in, err = instruments.Find(c, s.Pool, id)
	}
	if err == nil {
		cy, err = cycles.FindCycle(c, s.Pool, in.CycleID)
	}
	p, perr := office.Find(c, s.Pool)
	if err == nil {
		err = perr
	}
	page := httpx.PageParam(c)
	noMobile := c.Query("nomobile") == "1"
	var list []instruments.Invitee
	var total int
	if err == nil {
		list, total, err = instruments.ListInvitees(c, s.Pool, id, instruments.InviteeFilter{NoMobile: noMobile,
			Limit: lettersPerPrint, Offset: (page - 1) * lettersPerPrint})
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	d := lettersPage{BasePage: s.Base(c, "邀请函 - "+in.Name, "cycles"), Cycle: cy, Inst: rowOf(in), NoMobile: noMobile,
		Back: instrumentPath(id) + "#invitees", Signer: p.Signer(), Date: s.Now().In(s.Config.Location)}
	d.Bare = true
	for _, v := range list {
		token, err := v.Token(s.Keys)
		var qr template.URL
		link := s.Config.PublicBaseURL + "/e/" + token
		if err == nil {
			qr, err = httpx.QRDataURL(link, 320)
		}
		if err != nil {
			s.ConsoleError(c, err)
			return
		}
		d.Letters = append(d.Letters, letterView{Name: v.Name, Group: v.Group, Link: link, QR: qr})
	}
	d.Pager = httpx.NewPager(page, lettersPerPrint, total, func(n int) string {
		q := "?page=" + strconv.Itoa(n)
		if noMobile {
			q += "&nomobile=1"
		}
		return instrumentPath(id) + "/letters" + q
	})
	d.Pager.Unit = "封"
	s.Render(c, http.StatusOK, "console/instrument_letters.html", d)
}
