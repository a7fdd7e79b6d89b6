package httpx

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"minyi/internal/apperr"
	"minyi/internal/safetext"
)

// Body caps. Every page request's body is capped at PageBodyMax before
// anything reads it; a route that takes more (a file upload) or should
// take less (a citizen's form) sets its own cap when it is registered,
// which replaces this one. JSON API bodies are capped where they are
// decoded (BindJSON), each by its own limit.
const (
	PageBodyMax = 1 << 20
	// SmallFormMax caps the rating, follow-up and sign-in forms: a rating
	// with its 500-character comment is about 5 KB url-encoded.
	SmallFormMax = 16 << 10
	// SurveyFormMax caps an invitation page posted without its script:
	// every unit's answers and 1,000-character opinions in one form.
	SurveyFormMax = 2 << 20
	// FormMemory is how much of a multipart form is kept in memory; the
	// rest of a file (within its route's cap) is spooled to a temp file.
	FormMemory = 8 << 20
)

const (
	ctxRawBody  = "minyi.raw_body"
	ctxBodyCap  = "minyi.body_cap"
	ContentForm = "application/x-www-form-urlencoded"
	ContentJSON = "application/json"
)

// ErrTooLarge is the refusal of a body over its route's cap.
var ErrTooLarge = apperr.New(apperr.TooLarge, "提交的内容超过大小上限，请删减后重新提交")

// BadText is the refusal of a field whose text is not safetext.Valid.
func BadText(field string) error { return apperr.InvalidField(field, safetext.Message) }

// CapBody caps the request body at max bytes, replacing any cap set
// before on this request (OverCap then tells whether the declared length
// is over it). Reading past the cap fails with *http.MaxBytesError.
func CapBody(c *gin.Context, max int64) {
	raw, ok := c.Get(ctxRawBody)
	if !ok {
		raw = c.Request.Body
		c.Set(ctxRawBody, raw)
	}
	c.Set(ctxBodyCap, max)
	c.Request.Body = http.MaxBytesReader(c.Writer, raw.(io.ReadCloser), max)
}

// OverCap reports whether the declared body length is over the request's
// cap, so the body can be refused without reading it.
func OverCap(c *gin.Context) bool {
	max, ok := c.Get(ctxBodyCap)
	return ok && c.Request.ContentLength > max.(int64)
}

// BodyCap sets the route's own body cap (see CapBody); a body declared
// larger is refused at once with tooLarge, before anything reads it.
func (s *App) BodyCap(max int64, tooLarge error) gin.HandlerFunc {
	return func(c *gin.Context) {
		if CapBody(c, max); OverCap(c) {
			s.Refuse(c, tooLarge)
			return
		}
		c.Next()
	}
}

// PublicForm guards a citizen's form route: the body is capped at max
// and must be url-encoded (or JSON, from the page's own script, when
// jsonToo); a multipart or other body is refused before it is read.
// The form itself is read by the handler (ReadForm), after its rate
// limits, so a flood costs no more than its headers.
func (s *App) PublicForm(max int64, jsonToo bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.ContentLength != 0 {
			ct := c.ContentType()
			if ct != ContentForm && (!jsonToo || ct != ContentJSON) {
				s.Refuse(c, apperr.New(apperr.UnsupportedType, "不支持的提交方式，请在页面上填写后提交"))
				return
			}
		}
		if CapBody(c, max); OverCap(c) {
			s.Refuse(c, ErrTooLarge)
			return
		}
		c.Next()
	}
}

// ReadForm parses the request's form body once: url-encoded, or multipart
// on the upload routes, within the route's cap. It returns too_large past
// the cap and invalid for a body that is not a form.
func ReadForm(c *gin.Context) error {
	if OverCap(c) {
		return ErrTooLarge
	}
	r := c.Request
	var err error
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct == "multipart/form-data" {
		if r.MultipartForm == nil {
			err = r.ParseMultipartForm(FormMemory)
		}
	} else if r.PostForm == nil {
		err = r.ParseForm()
	}
	var tooBig *http.MaxBytesError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &tooBig):
		return ErrTooLarge
	default:
		return apperr.Wrap(apperr.Invalid, "提交的内容格式有误，请返回页面重新提交", err)
	}
}

// BadField returns the first field (in name order, so the answer is
// stable) whose name or any value is not safe text.
func BadField(form url.Values) (string, bool) {
	names := make([]string, 0, len(form))
	for k := range form {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if !safetext.Valid(k) {
			return "field_name", true
		}
		for _, v := range form[k] {
			if !safetext.Valid(v) {
				return k, true
			}
		}
	}
	return "", false
}

// CheckedForm reads the form (ReadForm) and refuses it when any field is
// not safe text, naming the field. Console pages use it for every post;
// the citizens' pages read the form with ReadForm and validate each field
// in the domain, so the form comes back with the field marked.
func CheckedForm(c *gin.Context) error {
	if err := ReadForm(c); err != nil {
		return err
	}
	if field, bad := BadField(c.Request.PostForm); bad {
		return BadText(field)
	}
	return nil
}

// Refuse answers a request the guards stopped: JSON on the API and for a
// page's script, the Chinese page otherwise.
func (s *App) Refuse(c *gin.Context, err error) {
	e := apperr.From(err)
	if e.Code == apperr.TooLarge {
		drainRefused(c)
		// Whatever is left of the body is not read; do not keep the connection.
		c.Header("Connection", "close")
	}
	if IsAPI(c) || WantsJSON(c) {
		s.APIError(c, err)
		return
	}
	d := ErrorData{Title: "请求有误", Message: PageMessage(e), Back: formPage(c)}
	switch e.Code {
	case apperr.TooLarge:
		d.Title, d.Message = "提交内容过大", e.Message+"。"
	case apperr.UnsupportedType:
		d.Title, d.Message = "无法提交", "不支持这种提交方式，请返回页面填写后再提交。"
	case apperr.NotFound:
		d.Title, d.Message, d.Back = "页面不存在", "您访问的页面不存在，请核对链接是否完整。", ""
	}
	s.Render(c, apperr.Status(e.Code), "public/error.html", d)
	c.Abort()
}

// Draining a refused body: a browser that is still sending when the server
// answers and closes often shows "connection reset" instead of the answer,
// so a body moderately over its cap (a file a little over the upload
// limit) is read to its end first, within a time limit. A body far over
// its cap is not: the connection is closed on it at once.
const (
	drainFloor   = 1 << 20
	drainCeiling = 64 << 20
	drainTime    = 10 * time.Second
)

// drainRefused reads and discards what is left of a refused body when it
// is at most four times the request's cap (at least 1 MiB, at most 64 MiB),
// so the client gets to read the refusal.
func drainRefused(c *gin.Context) {
	raw, ok := c.Get(ctxRawBody)
	bodyCap, capped := c.Get(ctxBodyCap)
	if !ok || !capped {
		return
	}
	limit := min(max(4*bodyCap.(int64), drainFloor), drainCeiling)
	if c.Request.ContentLength > limit {
		return
	}
	_ = http.NewResponseController(c.Writer).SetReadDeadline(time.Now().Add(drainTime))
	_, _ = io.Copy(io.Discard, io.LimitReader(raw.(io.Reader), limit))
}

// formPage is the page a refused form post came from, for the error
// page's back link: the referring page of this site, or the page that
// shows the form of a citizen's route; "" when neither is known.
func formPage(c *gin.Context) string {
	if back := LocalPath(c.Request.Referer(), c.Request.Host); back != "" {
		return back
	}
	if c.Request.Method != http.MethodPost {
		return ""
	}
	switch p := c.Request.URL.Path; {
	case strings.HasPrefix(p, "/q/"), strings.HasPrefix(p, "/f/"), p == "/login":
		return c.Request.URL.EscapedPath()
	case strings.HasPrefix(p, "/s/") && c.Param("token") != "":
		return "/s/" + url.PathEscape(c.Param("token"))
	}
	return ""
}

// PageMessage is an invalid error's message for a page: the text of a
// field refused for its characters says so without the field's code.
func PageMessage(e *apperr.Error) string {
	for _, m := range e.Fields {
		if m == safetext.Message {
			return "提交的内容" + safetext.Message + "。请返回修改后重新提交。"
		}
	}
	return e.Message
}
