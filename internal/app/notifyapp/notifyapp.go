// Package notifyapp serves each signed-in account its own notifications
// (issue 14): the list page `/console/notifications` with read and unread
// and 全部标为已读, opening one through its link (which marks it read), and
// `/api/v1/notifications` with its read call. The bell with the unread
// count is the console layout's (httpx.BasePage). The domain is
// internal/notify; every role reads only its own inbox.
package notifyapp

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"minyi/internal/apperr"
	"minyi/internal/httpx"
	"minyi/internal/notify"
)

// Handlers serve the notification routes; internal/server routes to them.
type Handlers struct{ *httpx.App }

// New returns the handlers over app.
func New(app *httpx.App) *Handlers { return &Handlers{App: app} }

// Flashes are the messages the notification page may show after a redirect.
var Flashes = map[string]string{
	"notifications_read": "已全部标为已读。",
	"delivery_resent":    "已重新排队发送，稍后可在本页查看结果。",
	"template_saved":     "模板已保存，此后发出的通知使用新的文字。",
	"template_reset":     "已恢复为系统默认文字。",
}

// pageSize is how many notifications a console page lists.
const pageSize = 20

type listPage struct {
	httpx.BasePage
	Items []notify.Item
	Total int
	Pager httpx.Pager
}

// NotificationsPage lists the user's notifications, newest first, unread
// ones marked, with paging.
func (s *Handlers) NotificationsPage(c *gin.Context) {
	u := httpx.CurrentUser(c)
	page := httpx.PageParam(c)
	p, err := notify.List(c, s.Pool, u.ID, pageSize, (page-1)*pageSize)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	d := listPage{BasePage: s.Base(c, "通知", "notifications"), Items: p.Items, Total: p.Total}
	d.Pager = httpx.NewPager(page, pageSize, p.Total, func(n int) string {
		return "/console/notifications?page=" + strconv.Itoa(n)
	})
	s.Render(c, http.StatusOK, "console/notifications.html", d)
}

// OpenNotification marks the :id notification read and follows its link;
// another account's notification is not found.
func (s *Handlers) OpenNotification(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	if err != nil {
		s.ConsoleError(c, apperr.New(apperr.NotFound, "通知不存在"))
		return
	}
	it, err := notify.Open(c, s.Pool, httpx.CurrentUser(c).ID, id, s.Now())
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	httpx.Redirect(c, it.Link, "")
}

// ReadAllSubmit marks every notification of the user read; the form says
// so with all=1, so that a post without it changes nothing.
func (s *Handlers) ReadAllSubmit(c *gin.Context) {
	if c.PostForm("all") != "1" {
		s.ConsoleError(c, apperr.InvalidField("all", "请选择要标为已读的通知"))
		return
	}
	if _, err := notify.MarkAllRead(c, s.Pool, httpx.CurrentUser(c).ID, s.Now()); err != nil {
		s.ConsoleError(c, err)
		return
	}
	httpx.Redirect(c, "/console/notifications", "notifications_read")
}

// APIList answers the user's notifications newest first with the total
// and the unread count; ?limit= (1 to 100, default 20) and ?offset= page.
func (s *Handlers) APIList(c *gin.Context) {
	limit, offset, err := httpx.PagingMax(c, 100)
	if err != nil {
		s.APIError(c, err)
		return
	}
	p, err := notify.List(c, s.Pool, httpx.CurrentUser(c).ID, limit, offset)
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, p)
}

// readInput is the body of POST /api/v1/notifications/read: the ids to
// mark read, or all.
type readInput struct {
	IDs []int64 `json:"ids"`
	All bool    `json:"all"`
}

// APIRead marks the given notifications of the user read, or all of them,
// and answers how many changed and how many are still unread. Ids that
// are not the user's are ignored.
func (s *Handlers) APIRead(c *gin.Context) {
	var in readInput
	if err := httpx.BindJSON(c, &in, 64<<10); err != nil {
		s.APIError(c, err)
		return
	}
	e := apperr.Fields{}
	switch {
	case in.All && len(in.IDs) > 0:
		e.Add("ids", "ids 与 all 只能二选一")
	case !in.All && len(in.IDs) == 0:
		e.Add("ids", "请给出要标为已读的通知 ids，或 all: true")
	case len(in.IDs) > 1000:
		e.Add("ids", "一次最多标记1000条通知")
	}
	if err := e.Err(); err != nil {
		s.APIError(c, err)
		return
	}
	u := httpx.CurrentUser(c)
	var n int
	var err error
	if in.All {
		n, err = notify.MarkAllRead(c, s.Pool, u.ID, s.Now())
	} else {
		n, err = notify.MarkRead(c, s.Pool, u.ID, in.IDs, s.Now())
	}
	var unread int
	if err == nil {
		unread, err = notify.UnreadCount(c, s.Pool, u.ID)
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"marked": n, "unread": unread})
}
