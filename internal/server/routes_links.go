// The route table's area of the online channel (一事一评, issue 18): the
// signed rating link citizens open from a 政务服务网 or app, and the
// office's pages managing the integrations and their signing keys;
// routes.go says how the table is laid out.

package server

import (
	"github.com/gin-gonic/gin"

	"minyi/internal/app/linksapp"
	"minyi/internal/httpx"
)

// linkRoutes registers the signed link's page (framed only by its
// integration's origins, see ratingsapp.allowFraming) and the office's
// integration pages.
func (s *Server) linkRoutes(e *gin.Engine, console *gin.RouterGroup) {
	e.GET("/l", s.ratings.LinkPage)
	e.POST("/l", s.PublicForm(httpx.SmallFormMax, false), s.ratings.LinkSubmit)

	li := linksapp.New(s.App)
	console.GET("/console/rating-links", s.OfficePage, li.ListPage)
	console.POST("/console/rating-links", s.OfficePage, li.CreateSubmit)
	console.GET("/console/rating-links/:id", s.OfficePage, li.IntegrationPage)
	console.POST("/console/rating-links/:id", s.OfficePage, li.UpdateSubmit)
	console.POST("/console/rating-links/:id/keys", s.OfficePage, li.KeySubmit)
	console.POST("/console/rating-links/:id/keys/:kid/revoke", s.OfficePage, li.RevokeSubmit)
}
