package httpx

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"minyi/internal/apperr"
	"minyi/internal/db"
	"minyi/internal/notify"
	"minyi/internal/users"
)

// BasePage is what the console layout needs on every page.
type BasePage struct {
	Title     string
	Active    string // the nav item to highlight
	User      *users.User
	RoleLabel string
	Office    bool
	// Leader is a leadership-body member's read-only account.
	Leader bool
	CSRF   string
	Flash  string
	// Bare leaves out the navigation (sign-in page, posters).
	Bare bool
	// Unread is how many notifications the user has not read, up to
	// notify.UnreadCap, for the bell; UnreadLabel writes it ("99+" past 99).
	Unread      int
	UnreadLabel string
}

// Base fills the layout's fields from the session, if any, and the flash.
func (s *App) Base(c *gin.Context, title, active string) BasePage {
	b := BasePage{Title: title, Active: active, Flash: s.Flashes[c.Query("msg")]}
	if v, ok := c.Get(CtxSession); ok {
		sess := v.(users.Session)
		u := sess.User
		b.User, b.CSRF, b.Office = &u, sess.CSRFToken, u.Role == users.RoleOffice
		b.Leader = u.Role == users.RoleLeader
		b.RoleLabel = "单位账号"
		if u.SeesAll() {
			b.RoleLabel = users.RoleNames[u.Role]
		}
		b.Unread, b.UnreadLabel = s.unread(c, u.ID)
	}
	return b
}

// unread counts the user's unread notifications for the bell: one bounded
// read of the partial index of unread inbox rows. A failure leaves the
// bell without a number rather than failing the page.
func (s *App) unread(c *gin.Context, userID int64) (int, string) {
	n, err := notify.UnreadCount(c, s.Pool, userID)
	if err != nil {
		s.Log.Warn("unread notifications not counted", "err", err)
		return 0, ""
	}
	if n > 99 {
		return n, "99+"
	}
	return n, strconv.Itoa(n)
}

type consoleErrorPage struct {
	BasePage
	Message string
	Back    string
}

// ConsoleError shows err as a Chinese error page inside the console layout
// and aborts. Only the user-facing message of a known error is shown;
// anything internal is logged and replaced by a generic text.
func (s *App) ConsoleError(c *gin.Context, err error) {
	if s.Abandoned(c, err) {
		return
	}
	e := apperr.From(db.Err(err))
	status := apperr.Status(e.Code)
	title, msg := "系统错误", "服务器出现错误，请稍后再试。"
	switch e.Code {
	case apperr.NotFound:
		title, msg = "未找到", e.Message
	case apperr.Forbidden:
		title, msg = "无权访问", e.Message
	case apperr.Invalid:
		title, msg = "请求有误", PageMessage(e)
	case apperr.TooLarge:
		title, msg = "提交内容过大", e.Message+"。"
	case apperr.Conflict:
		title, msg = "操作未完成", e.Message
	case apperr.RateLimited:
		title, msg = "操作过于频繁", e.Message
	case apperr.Unavailable:
		title, msg = "系统繁忙", "数据库暂时不可用，请稍后刷新页面。"
	case apperr.Timeout:
		title, msg = timeoutPage(c.Request.Method)
	}
	s.logFailure(c, e, err)
	back := "/console"
	if ref := LocalPath(c.Request.Referer(), c.Request.Host); ref != "" {
		back = ref
	}
	s.Render(c, status, "console/error.html", consoleErrorPage{BasePage: s.Base(c, title, ""), Message: msg, Back: back})
	c.Abort()
}

// timeoutPage is the title and text of the page for a request that ran out
// of time (REQUEST_TIMEOUT) and whose query was stopped: a page or a search
// to narrow, or a form whose outcome the user should check before sending
// it again (a commit may have gone through just before the cancellation).
func timeoutPage(method string) (title, msg string) {
	if method == http.MethodGet || method == http.MethodHead {
		return "查询超时", "查询时间过长，已停止查询。请缩小筛选范围（如日期、单位）后重试；如仍超时，请稍后再试。"
	}
	return "处理超时", "处理时间过长，已停止处理。请稍后刷新页面，确认操作是否已完成后再决定是否重新提交。"
}

// LocalPath returns target's path and query when it names a page of this
// site (a bare path, or an absolute URL on host), and "" otherwise, so a
// Redirect or back link can never lead elsewhere.
func LocalPath(target, host string) string {
	if target == "" || strings.ContainsAny(target, "\\\r\n\t") {
		return ""
	}
	u, err := url.Parse(target)
	if err != nil || u.Opaque != "" || u.User != nil {
		return ""
	}
	if u.Scheme != "" || u.Host != "" {
		if (u.Scheme != "http" && u.Scheme != "https") || u.Host != host {
			return ""
		}
	}
	if !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") {
		return ""
	}
	out := u.EscapedPath()
	if u.RawQuery != "" {
		out += "?" + u.RawQuery
	}
	return out
}

// Redirect sends a 303 to target, adding ?msg=flash (before any fragment)
// when flash is set.
func Redirect(c *gin.Context, target, flash string) {
	if flash != "" {
		path, frag, hasFrag := strings.Cut(target, "#")
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		target = path + sep + "msg=" + url.QueryEscape(flash)
		if hasFrag {
			target += "#" + frag
		}
	}
	c.Redirect(http.StatusSeeOther, target)
	c.Abort()
}

// Pager is a page of a long list and the links around it.
type Pager struct {
	Page, Pages, Total int
	Prev, Next         string
	// Unit is the measure word of Total ("个" for units); "条" when empty.
	Unit string
}

// KeysetPager is the navigation of a list paged by cursor: links to the
// newest page and to the next page each way (empty when there is none),
// and the total: Count with digits grouped, Exact false past the counting
// cap (shown "超过 N 条" instead of "共 N 条"), Estimated when Count is
// Postgres's estimate ("约 N 条"), Unit the measure word.
type KeysetPager struct {
	Newest, Newer, Older string
	Count, Unit          string
	Exact, Estimated     bool
}

// NewKeysetPager builds the navigation; link returns the URL for a
// cursor parameter ("older" or "newer", "" for the newest page) and its
// value; unit is the measure word (条).
func NewKeysetPager(total int, exact, estimated bool, unit string, older, newer string, paged bool, link func(param, cursor string) string) KeysetPager {
	p := KeysetPager{Count: GroupDigits(total), Unit: unit, Exact: exact, Estimated: estimated}
	if paged {
		p.Newest = link("", "")
	}
	if newer != "" {
		p.Newer = link("newer", newer)
	}
	if older != "" {
		p.Older = link("older", older)
	}
	return p
}

// YesNo is a yes/no value as pages and exports write it: 是 or 否.
func YesNo(b bool) string {
	if b {
		return "是"
	}
	return "否"
}

// GroupDigits writes n with a comma every three digits (12,345).
func GroupDigits(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// PageParam reads ?page= (1 when absent or bad).
func PageParam(c *gin.Context) int { return PageNumber(c.Query("page")) }

// PageNumber reads a page number from 1 to 1,000,000: 1 when v is empty
// or anything else.
func PageNumber(v string) int {
	n, err := ParseInt(v)
	if err != nil || n < 1 || n > 1_000_000 {
		return 1
	}
	return n
}

// NewPager builds the links of page out of total with size items a page;
// link returns the URL of a page.
func NewPager(page, size, total int, link func(int) string) Pager {
	p := Pager{Page: page, Total: total, Pages: (total + size - 1) / size}
	if p.Pages < 1 {
		p.Pages = 1
	}
	if page > 1 {
		p.Prev = link(min(page-1, p.Pages))
	}
	if page < p.Pages {
		p.Next = link(page + 1)
	}
	return p
}

// FieldErrors returns the per-field messages of an invalid error, or nil
// with ok false for any other error.
func FieldErrors(err error) (map[string]string, bool) {
	if !apperr.Is(err, apperr.Invalid) {
		return nil, false
	}
	e := apperr.From(err)
	if len(e.Fields) == 0 {
		return map[string]string{"_": e.Message}, true
	}
	return e.Fields, true
}

// PostedForm copies the named fields of the posted form for refilling it,
// tagged with the form's name under "form".
func PostedForm(c *gin.Context, form string, fields ...string) map[string]string {
	out := map[string]string{"form": form}
	for _, f := range fields {
		out[f] = c.PostForm(f)
	}
	return out
}
