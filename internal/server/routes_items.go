// The route table's area of the record's catalogues (issue 18): service
// items (事项) and rating stages (办理环节); routes.go says how the table
// is laid out.

package server

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"minyi/internal/app/itemsapp"
	"minyi/internal/items"
)

// itemRoutes registers the catalogues: every staff user may read the
// items (a unit its own); adding, changing, retiring and importing items
// and setting the stages are the office's.
func (s *Server) itemRoutes(authed, console *gin.RouterGroup) {
	it := itemsapp.New(s.App)
	authed.GET("/items", it.APIList)
	s.file(authed, http.MethodPost, "/items/import", s.Office, it.APIImport)
	authed.GET("/rating-stages", it.APIStages)

	console.GET("/console/items", it.ListPage)
	console.POST("/console/items", s.OfficePage, it.CreateSubmit)
	console.GET("/console/items/template", s.OfficePage, it.TemplateDownload)
	// The file's size is capped before the session check reads the form.
	s.file(&s.engine.RouterGroup, http.MethodPost, "/console/items/import", s.consoleFileLimit(items.MaxFileBytes),
		s.PageAuth, s.OfficePage, it.ImportSubmit)
	console.GET("/console/items/:id", it.ItemPage)
	console.POST("/console/items/:id", s.OfficePage, it.UpdateSubmit)
	console.POST("/console/items/:id/retire", s.OfficePage, it.RetireSubmit)
	console.POST("/console/items/:id/restore", s.OfficePage, it.RestoreSubmit)
	console.POST("/console/stages", s.OfficePage, it.StageSubmit)
	console.POST("/console/stages/:code/retire", s.OfficePage, it.StageRetireSubmit)
	console.POST("/console/stages/:code/restore", s.OfficePage, it.StageRestoreSubmit)
}
