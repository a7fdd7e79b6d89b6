// Package exportsapp serves exports (issue 17): the export routes of every
// filterable list (one handler for all, over the lists' export.Builders),
// which stream a file at once or start a background job, and the user's
// own exports (我的导出): the page, its progress as JSON and the downloads.
package exportsapp

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/db"
	"minyi/internal/export"
	"minyi/internal/httpx"
)

// Handlers serve the export routes; internal/server routes to them.
type Handlers struct {
	*httpx.App
	lists export.Registry
}

// New returns the handlers over app and the lists that export.
func New(app *httpx.App, lists export.Registry) *Handlers { return &Handlers{App: app, lists: lists} }

// ignored are the query parameters that are not the list's filter: paging,
// messages and the browser's download token.
var ignored = []string{"older", "newer", "cursor", "page", "limit", "offset", "msg", "before", "after", "dl"}

// filterQuery is the request's query without what ignored names.
func filterQuery(c *gin.Context) url.Values {
	q := c.Request.URL.Query()
	for _, k := range ignored {
		q.Del(k)
	}
	return q
}

// tokenRE is the form of the browser's download token (console.js).
var tokenRE = regexp.MustCompile(`^[a-z0-9]{1,24}$`)

// DownloadCookie is the cookie a response to an export sets to the
// page's token (?dl=), so the page's script knows the download began
// and turns its button back from 正在导出….
const DownloadCookie = "minyi_dl"

// Start exports list kind in format for the page (api false) or the API:
// the selection of the request's filter, as the list shows it to the
// user, streams at once when its estimate is at most
// EXPORT_INLINE_MAX_ROWS, and otherwise becomes a background job (a page
// goes on to 我的导出, the API answers 202 with the job). The route's path
// parameters named in path ("key=param") join the filter as key (an
// instrument's id), so a background job selects the same rows.
func (s *Handlers) Start(kind, format string, api bool, path ...string) gin.HandlerFunc {
	fail := s.ConsoleError
	if api {
		fail = s.APIError
	}
	return func(c *gin.Context) {
		build, ok := s.lists[kind]
		if !ok {
			fail(c, apperr.New(apperr.NotFound, "没有这种导出"))
			return
		}
		u := httpx.CurrentUser(c)
		q := filterQuery(c)
		for _, p := range path {
			key, param, _ := strings.Cut(p, "=")
			q.Set(key, c.Param(param))
		}
		spec, err := build(c, u, q)
		if err != nil {
			if apperr.Is(err, apperr.Invalid) && !api {
				err = apperr.New(apperr.Invalid, "筛选条件有误，请回到列表检查筛选条件后再导出")
			}
			fail(c, err)
			return
		}
		n, err := spec.Estimate(c)
		if err != nil {
			fail(c, err)
			return
		}
		if tok := c.Query("dl"); tokenRE.MatchString(tok) {
			http.SetCookie(c.Writer, &http.Cookie{Name: DownloadCookie, Value: tok, Path: "/", MaxAge: 120,
				Secure: s.SecureCookies(), SameSite: http.SameSiteLaxMode})
		}
		if n <= s.Config.ExportInlineMaxRows {
			s.stream(c, kind, format, spec, fail)
			return
		}
		var j export.Job
		err = db.Tx(c, s.Pool, func(tx pgx.Tx) error {
			j, err = export.CreateJob(c, tx, export.NewJob{UserID: u.ID, Kind: kind, Format: format, Query: q.Encode(),
				Title: spec.Title, Filter: spec.FilterText(), RowsTotal: n, ExpiresAt: s.Now().Add(s.Config.ExportKeep)})
			return err
		})
		if err != nil {
			fail(c, err)
			return
		}
		if api {
			c.Header("Location", "/api/v1/exports/"+strconv.FormatInt(j.ID, 10))
			c.JSON(http.StatusAccepted, gin.H{"job": s.jobView(j)})
			return
		}
		httpx.Redirect(c, "/console/exports?job="+strconv.FormatInt(j.ID, 10)+"#job-"+strconv.FormatInt(j.ID, 10), "")
	}
}

// sentWriter tells whether anything was written through it.
type sentWriter struct {
	gin.ResponseWriter
	sent bool
}

func (w *sentWriter) Write(p []byte) (int, error) {
	w.sent = true
	return w.ResponseWriter.Write(p)
}

// stream writes the file into the response as it is made. An error before
// the first byte is answered as an error; one after it can only cut the
// file short, and is logged.
func (s *Handlers) stream(c *gin.Context, kind, format string, spec export.Spec, fail func(*gin.Context, error)) {
	at := s.Now()
	name := export.FileName(spec.Title, at, s.Config.Location, format)
	fallback := kind + "-" + at.In(s.Config.Location).Format("20060102-1504") + "." + format
	c.Header("Content-Type", export.ContentType(format))
	c.Header("Cache-Control", "no-store")
	c.Header("X-Content-Type-Options", "nosniff")
	httpx.Attachment(c, fallback, name)
	w := &sentWriter{ResponseWriter: c.Writer}
	_, err := export.Write(c, w, format, spec, export.Meta{At: at, Loc: s.Config.Location}, nil)
	if err == nil {
		return
	}
	if !w.sent {
		c.Header("Content-Disposition", "")
		c.Header("Content-Type", "")
		fail(c, err)
		return
	}
	if !httpx.ClientGone(c.Request) {
		s.Log.Error("export cut short", "kind", kind, "format", format, "err", err)
	}
	c.Abort()
}
