package linksapp

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/db"
	"minyi/internal/httpx"
	"minyi/internal/links"
)

type listData struct {
	httpx.BasePage
	// It is the zero integration: the shared form adds one.
	It     links.Integration
	Rows   []links.Integration
	Form   links.Input
	Errors map[string]string
}

// FormAction is where the shared form posts: the list adds.
func (listData) FormAction() string { return "/console/rating-links" }

// ListPage lists the online integrations with the form adding one.
func (s *Handlers) ListPage(c *gin.Context) {
	s.showList(c, http.StatusOK, links.Input{PF: 1, Enabled: true}, nil)
}

func (s *Handlers) showList(c *gin.Context, status int, form links.Input, errs map[string]string) {
	rows, err := links.ListIntegrations(c, s.Pool)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	s.Render(c, status, "console/rating_links.html", listData{BasePage: s.Base(c, "线上评价渠道", "units"),
		Rows: rows, Form: form, Errors: errs})
}

// inputOf reads the integration form.
func inputOf(c *gin.Context) links.Input {
	in := links.Input{Name: c.PostForm("name"), Origins: c.PostForm("origins"), Enabled: c.PostForm("enabled") == "1"}
	in.PF, _ = httpx.ParseInt(c.PostForm("pf"))
	return in
}

// CreateSubmit adds an integration.
func (s *Handlers) CreateSubmit(c *gin.Context) {
	in := inputOf(c)
	var it links.Integration
	err := db.Tx(c, s.Pool, func(tx pgx.Tx) (err error) {
		it, err = links.SaveIntegration(c, tx, httpx.CurrentUser(c).Actor(), 0, in)
		return err
	})
	if errs, ok := httpx.FieldErrors(err); ok {
		s.showList(c, http.StatusUnprocessableEntity, in, errs)
		return
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	httpx.Redirect(c, pageURL(it.ID), "link_integration_created")
}

type pageData struct {
	httpx.BasePage
	It     links.Integration
	Keys   []links.Key
	Form   links.Input
	Errors map[string]string
	// NewKey and NewSecret are the key just made, shown this once, with
	// an example link it signed (Example).
	NewKey, NewSecret, Example string
	// LinkBase is the public address links start with.
	LinkBase string
}

// FormAction is where the shared form posts: the page changes its
// integration.
func (d pageData) FormAction() string { return pageURL(d.It.ID) }

// integration loads the integration of the id path parameter.
func (s *Handlers) integration(c *gin.Context) (links.Integration, error) {
	id, err := httpx.IDParam(c, "id")
	if err != nil {
		return links.Integration{}, apperr.New(apperr.NotFound, "评价渠道不存在")
	}
	return links.FindIntegration(c, s.Pool, id)
}

// show renders an integration's page; edit adjusts what it shows.
func (s *Handlers) show(c *gin.Context, status int, it links.Integration, edit func(*pageData)) {
	keys, err := links.ListKeys(c, s.Pool, it.ID)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	d := pageData{BasePage: s.Base(c, it.Name, "units"), It: it, Keys: keys,
		Form:     links.Input{Name: it.Name, PF: it.PF, Origins: strings.Join(it.Origins, "\n"), Enabled: it.Enabled},
		LinkBase: strings.TrimRight(s.Config.PublicBaseURL, "/") + "/l"}
	if edit != nil {
		edit(&d)
	}
	s.Render(c, status, "console/rating_link.html", d)
}

// IntegrationPage shows an integration: its settings, its keys and how
// to sign a link.
func (s *Handlers) IntegrationPage(c *gin.Context) {
	it, err := s.integration(c)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	s.show(c, http.StatusOK, it, nil)
}

// UpdateSubmit changes an integration's name, channel, origins and state.
func (s *Handlers) UpdateSubmit(c *gin.Context) {
	it, err := s.integration(c)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	in := inputOf(c)
	err = db.Tx(c, s.Pool, func(tx pgx.Tx) error {
		_, err := links.SaveIntegration(c, tx, httpx.CurrentUser(c).Actor(), it.ID, in)
		return err
	})
	if errs, ok := httpx.FieldErrors(err); ok {
		s.show(c, http.StatusUnprocessableEntity, it, func(d *pageData) { d.Form, d.Errors = in, errs })
		return
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	httpx.Redirect(c, pageURL(it.ID), "link_integration_saved")
}

func pageURL(id int64) string { return "/console/rating-links/" + strconv.FormatInt(id, 10) }
