package notifyapp

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/db"
	"minyi/internal/httpx"
	"minyi/internal/notify"
)

// The office's notification texts (issue 14): the list of every kind at
// /console/notifications/templates, grouped by who reads it, and an edit
// page per kind with its placeholders, a preview with example values,
// 保存 and 恢复默认; the API under /api/v1/notification-templates. Office
// only (the routes say so); the texts themselves live in internal/notify.

// templateGroup is the kinds one audience reads.
type templateGroup struct {
	Label string
	Items []notify.Current
}

type templatesPage struct {
	httpx.BasePage
	Groups []templateGroup
}

// TemplatesPage lists every kind with its title in force, grouped by
// readers, each marked 已修改 when the office changed it.
func (s *Handlers) TemplatesPage(c *gin.Context) {
	list, err := notify.ListTemplates(c, s.Pool)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	var groups []templateGroup
	for _, t := range list {
		if n := len(groups); n == 0 || groups[n-1].Label != t.ForLabel {
			groups = append(groups, templateGroup{Label: t.ForLabel})
		}
		g := &groups[len(groups)-1]
		g.Items = append(g.Items, t)
	}
	s.Render(c, http.StatusOK, "console/notification_templates.html",
		templatesPage{BasePage: s.Base(c, "通知模板", "notifications"), Groups: groups})
}

type templatePage struct {
	httpx.BasePage
	T notify.Current
	// Form is the texts in the form: those in force, or what was posted.
	Form    notify.Text
	Errors  map[string]string
	Preview *notify.Text
}

func templateURL(kind string) string { return "/console/notifications/templates/" + kind }

// TemplatePage shows the edit form of the :kind texts with the preview of
// those in force.
func (s *Handlers) TemplatePage(c *gin.Context) {
	t, err := notify.GetTemplate(c, s.Pool, c.Param("kind"))
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	p := t.Preview(t.Text)
	s.showTemplate(c, http.StatusOK, t, t.Text, nil, &p)
}

func (s *Handlers) showTemplate(c *gin.Context, status int, t notify.Current, form notify.Text, errs map[string]string, preview *notify.Text) {
	s.Render(c, status, "console/notification_template.html", templatePage{
		BasePage: s.Base(c, "编辑通知模板："+t.Name, "notifications"), T: t, Form: form, Errors: errs, Preview: preview})
}

// TemplateSubmit previews (action=preview) or saves the posted texts of
// :kind. Refused texts come back in the form with the field messages.
func (s *Handlers) TemplateSubmit(c *gin.Context) {
	kind := c.Param("kind")
	t, err := notify.GetTemplate(c, s.Pool, kind)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	form := notify.Text{Title: c.PostForm("title"), Body: c.PostForm("body")}
	if c.PostForm("action") == "preview" {
		// The preview is shown even for texts that would be refused, with
		// the messages: the office sees what is wrong and what it reads.
		p := t.Preview(form)
		errs, _ := httpx.FieldErrors(t.Validate(form))
		s.showTemplate(c, http.StatusOK, t, form, errs, &p)
		return
	}
	err = db.Tx(c, s.Pool, func(tx pgx.Tx) error {
		_, err := notify.SaveTemplate(c, tx, httpx.CurrentUser(c).Actor(), kind, form, s.Now())
		return err
	})
	if errs, ok := httpx.FieldErrors(err); ok {
		s.showTemplate(c, http.StatusUnprocessableEntity, t, form, errs, nil)
		return
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	httpx.Redirect(c, templateURL(kind), "template_saved")
}

// TemplateResetSubmit puts the :kind texts back to the default (恢复默认).
func (s *Handlers) TemplateResetSubmit(c *gin.Context) {
	kind := c.Param("kind")
	err := db.Tx(c, s.Pool, func(tx pgx.Tx) error {
		_, err := notify.ResetTemplate(c, tx, httpx.CurrentUser(c).Actor(), kind)
		return err
	})
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	httpx.Redirect(c, templateURL(kind), "template_reset")
}

// APITemplates answers every kind with its texts in force.
func (s *Handlers) APITemplates(c *gin.Context) {
	list, err := notify.ListTemplates(c, s.Pool)
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": list})
}

// APITemplate answers the :kind texts in force.
func (s *Handlers) APITemplate(c *gin.Context) {
	t, err := notify.GetTemplate(c, s.Pool, c.Param("kind"))
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, t)
}

// APISaveTemplate stores the office's texts of :kind, {"title","body"};
// the texts in force again change nothing.
func (s *Handlers) APISaveTemplate(c *gin.Context) {
	var in notify.Text
	if err := httpx.BindJSON(c, &in, 64<<10); err != nil {
		s.APIError(c, err)
		return
	}
	var out notify.Current
	err := db.Tx(c, s.Pool, func(tx pgx.Tx) (err error) {
		out, err = notify.SaveTemplate(c, tx, httpx.CurrentUser(c).Actor(), c.Param("kind"), in, s.Now())
		return err
	})
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

// APIResetTemplate puts the :kind texts back to the default.
func (s *Handlers) APIResetTemplate(c *gin.Context) {
	var out notify.Current
	err := db.Tx(c, s.Pool, func(tx pgx.Tx) (err error) {
		out, err = notify.ResetTemplate(c, tx, httpx.CurrentUser(c).Actor(), c.Param("kind"))
		return err
	})
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}
