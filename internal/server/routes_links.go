// The route table's area of the online channel (一事一评, issue 18): the
// signed rating link citizens open from a 政务服务网 or app, and the
// office's API and pages managing the integrations and their signing keys;
// routes.go says how the table is laid out.

package server

import (
	"github.com/gin-gonic/gin"

	"minyi/internal/app/linksapp"
	"minyi/internal/httpx"
)

// linkRoutes registers the signed link's page (framed only by its
// integration's origins, see ratingsapp.allowFraming) and the office's
// integration API and pages.
func (s *Server) linkRoutes(e *gin.Engine, authed, console *gin.RouterGroup) {
	e.GET("/l", s.ratings.LinkPage)
	e.POST("/l", s.PublicForm(httpx.SmallFormMax, false), s.ratings.LinkSubmit)

	li := linksapp.New(s.App)
	authed.GET("/rating-links", s.Office, li.APIListIntegrations)
	authed.POST("/rating-links", s.Office, li.APICreateIntegration)
	authed.GET("/rating-links/:id", s.Office, li.APIGetIntegration)
	authed.PATCH("/rating-links/:id", s.Office, li.APIUpdateIntegration)
	authed.POST("/rating-links/:id/keys", s.Office, li.APINewKey)
	authed.DELETE("/rating-links/:id/keys/:kid", s.Office, li.APIRevokeKey)

	console.GET("/console/rating-links", s.OfficePage, li.ListPage)
	console.POST("/console/rating-links", s.OfficePage, li.CreateSubmit)
	console.GET("/console/rating-links/:id", s.OfficePage, li.IntegrationPage)
	console.POST("/console/rating-links/:id", s.OfficePage, li.UpdateSubmit)
	console.POST("/console/rating-links/:id/keys", s.OfficePage, li.KeySubmit)
	console.POST("/console/rating-links/:id/keys/:kid/revoke", s.OfficePage, li.RevokeSubmit)
}
