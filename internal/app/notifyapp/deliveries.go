package notifyapp

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"minyi/internal/apperr"
	"minyi/internal/httpx"
	"minyi/internal/notify"
)

// The office's view of outbound deliveries: the page /console/deliveries
// lists the messages that failed (and are being retried) or were given up,
// with a 重新发送 button on the latter; the API has the same list and the
// resend call.

type deliveriesPage struct {
	httpx.BasePage
	Items []notify.Delivery
	Total int
	Pager httpx.Pager
}

// DeliveriesPage lists failed and given-up deliveries, newest first.
func (s *Handlers) DeliveriesPage(c *gin.Context) {
	page := httpx.PageParam(c)
	items, total, err := notify.Failures(c, s.Pool, pageSize, (page-1)*pageSize)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	d := deliveriesPage{BasePage: s.Base(c, "消息发送失败", "notifications"), Items: items, Total: total}
	d.Pager = httpx.NewPager(page, pageSize, total, func(n int) string {
		return "/console/deliveries?page=" + strconv.Itoa(n)
	})
	s.Render(c, http.StatusOK, "console/deliveries.html", d)
}

// ResendSubmit queues the :id delivery again.
func (s *Handlers) ResendSubmit(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	if err != nil {
		s.ConsoleError(c, apperr.New(apperr.NotFound, "发送记录不存在"))
		return
	}
	if err := notify.Resend(c, s.Pool, httpx.CurrentUser(c).Actor(), id, s.Now()); err != nil {
		s.ConsoleError(c, err)
		return
	}
	httpx.Redirect(c, "/console/deliveries", "delivery_resent")
}

// APIDeliveries answers the failed and given-up deliveries newest first
// with their total; ?limit= (1 to 100, default 20) and ?offset= page.
func (s *Handlers) APIDeliveries(c *gin.Context) {
	limit, offset, err := httpx.PagingMax(c, 100)
	if err != nil {
		s.APIError(c, err)
		return
	}
	items, total, err := notify.Failures(c, s.Pool, limit, offset)
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": items, "total": total})
}

// APIResend queues the :id delivery again (it must have been given up).
func (s *Handlers) APIResend(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	if err == nil {
		err = notify.Resend(c, s.Pool, httpx.CurrentUser(c).Actor(), id, s.Now())
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"id": id, "state": "pending"})
}
