package exportsapp

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"minyi/internal/apperr"
	"minyi/internal/export"
	"minyi/internal/httpx"
)

// listLimit is how many of a user's exports the page and the API show:
// the newest; older ones expire after EXPORT_KEEP anyway.
const listLimit = 50

// jobView is a job as the page and the API show it.
type jobView struct {
	export.Job
	StateLabel  string `json:"state_label"`
	Percent     int    `json:"percent"`
	FormatLabel string `json:"format_label"`
	Download    string `json:"download,omitempty"`
	Size        string `json:"size_label,omitempty"`
	Created     string `json:"-"`
	Expires     string `json:"-"`
}

func (s *Handlers) jobView(j export.Job) jobView {
	v := jobView{Job: j, StateLabel: export.StateLabel(j.State), Percent: j.Percent(), FormatLabel: "Excel",
		Created: j.CreatedAt.In(s.Config.Location).Format("2006-01-02 15:04"),
		Expires: j.ExpiresAt.In(s.Config.Location).Format("2006-01-02 15:04")}
	if j.Format == export.CSV {
		v.FormatLabel = "CSV"
	}
	if j.State == export.Done {
		v.Download = "/console/exports/" + strconv.FormatInt(j.ID, 10) + "/download"
		v.Size = sizeLabel(j.FileSize)
	}
	return v
}

// sizeLabel is a file size in words: 1.2 MB, 830 KB.
func sizeLabel(n int64) string {
	switch {
	case n >= 1<<20:
		return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MB"
	case n >= 1<<10:
		return strconv.FormatInt(n>>10, 10) + " KB"
	}
	return strconv.FormatInt(n, 10) + " 字节"
}

type exportsPage struct {
	httpx.BasePage
	Jobs []jobView
	// Started is the job just started from a list, marked on the page.
	Started int64
	// Busy says a job is queued or running: the page's script polls.
	Busy bool
}

// ExportsPage is 我的导出: the user's background exports, their progress
// and their downloads.
func (s *Handlers) ExportsPage(c *gin.Context) {
	u := httpx.CurrentUser(c)
	list, err := export.ListJobs(c, s.Pool, u.ID, listLimit)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	d := exportsPage{BasePage: s.Base(c, "我的导出", "exports")}
	d.Started, _ = strconv.ParseInt(c.Query("job"), 10, 64)
	for _, j := range list {
		d.Jobs = append(d.Jobs, s.jobView(j))
		d.Busy = d.Busy || j.State == export.Queued || j.State == export.Running
	}
	s.Render(c, http.StatusOK, "console/exports.html", d)
}

// APIExports lists the user's exports, newest first: the API's and the
// page's progress (console.js polls it while one runs).
func (s *Handlers) APIExports(c *gin.Context) {
	list, err := export.ListJobs(c, s.Pool, httpx.CurrentUser(c).ID, listLimit)
	if err != nil {
		s.APIError(c, err)
		return
	}
	items := make([]jobView, 0, len(list))
	for _, j := range list {
		items = append(items, s.apiView(j))
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, gin.H{"items": items})
}

// apiView is jobView with the API's download route.
func (s *Handlers) apiView(j export.Job) jobView {
	v := s.jobView(j)
	if v.Download != "" {
		v.Download = "/api/v1/exports/" + strconv.FormatInt(j.ID, 10) + "/download"
	}
	return v
}

// APIExport is one of the user's exports.
func (s *Handlers) APIExport(c *gin.Context) {
	j, err := s.ownJob(c)
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, gin.H{"job": s.apiView(j)})
}

// ownJob is the user's job of the path's :id; anyone else's is not found.
func (s *Handlers) ownJob(c *gin.Context) (export.Job, error) {
	id, err := httpx.IDParam(c, "id")
	if err != nil {
		return export.Job{}, apperr.New(apperr.NotFound, "导出任务不存在或已过期")
	}
	return export.FindJob(c, s.Pool, httpx.CurrentUser(c).ID, id)
}

// Download sends the file of the user's finished export (page).
func (s *Handlers) Download(c *gin.Context) { s.download(c, s.ConsoleError) }

// APIDownload sends the file of the user's finished export (API).
func (s *Handlers) APIDownload(c *gin.Context) { s.download(c, s.APIError) }

// download streams the stored file from Postgres a piece at a time, so
// any instance serves it and none holds it whole.
func (s *Handlers) download(c *gin.Context, fail func(*gin.Context, error)) {
	j, err := s.ownJob(c)
	if err == nil && j.State != export.Done {
		err = apperr.New(apperr.Conflict, "导出尚未完成，请稍后再下载")
	}
	if err != nil {
		fail(c, err)
		return
	}
	at := j.CreatedAt
	name := export.FileName(j.Title, at, s.Config.Location, j.Format)
	httpx.Attachment(c, j.Kind+"-"+at.In(s.Config.Location).Format("20060102-1504")+"."+j.Format, name)
	c.Header("Content-Type", export.ContentType(j.Format))
	c.Header("Content-Length", strconv.FormatInt(j.FileSize, 10))
	c.Header("Cache-Control", "no-store")
	c.Header("Last-Modified", at.UTC().Format(http.TimeFormat))
	w := &sentWriter{ResponseWriter: c.Writer}
	if err := export.CopyFile(c, s.Pool, j.ID, w); err != nil {
		if !w.sent {
			c.Header("Content-Disposition", "")
			c.Header("Content-Length", "")
			fail(c, err)
			return
		}
		s.Log.Error("export download cut short", "job", j.ID, "err", err)
		c.Abort()
	}
}
