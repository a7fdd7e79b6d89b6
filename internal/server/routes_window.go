// The route table's area of window-triggered ratings (issue 18): the
// business systems' API, the terminal's side of a request, and the
// office's page of business systems; routes.go says how the table is laid
// out.

package server

import (
	"net/http"
	"path"

	"github.com/gin-gonic/gin"

	"minyi/internal/app/windowapp"
	"minyi/internal/httpx"
)

// windowRoutes registers window evaluation requests: a business system
// (its own token) creates them and reads their state; the terminal (its
// terminal token) receives them by a held poll and posts their rating;
// the office manages the systems and their tokens (API and page).
func (s *Server) windowRoutes(api, authed, console *gin.RouterGroup) {
	w := windowapp.New(s.App)
	biz := api.Group("/business", w.BusinessAuth)
	biz.POST("/requests", w.CreateRequest)
	biz.GET("/requests/:id", w.GetRequest)

	rt := s.ratings
	s.longPoll(api, http.MethodGet, "/terminal/requests/next", rt.TerminalNextRequest)
	api.POST("/terminal/requests/:id/rating", rt.TerminalRequestRating)

	// The SMS invitation's one-time rating page (主动邀评).
	s.engine.GET("/w/:token", rt.InvitePage)
	s.engine.POST("/w/:token", s.PublicForm(httpx.SmallFormMax, false), rt.InviteSubmit)

	authed.GET("/business-systems", s.Office, w.APIListSystems)
	authed.POST("/business-systems", s.Office, w.APICreateSystem)
	authed.GET("/business-systems/:id", s.Office, w.APIGetSystem)
	authed.PATCH("/business-systems/:id", s.Office, w.APIUpdateSystem)
	authed.POST("/business-systems/:id/tokens", s.Office, w.APIIssueSystemToken)
	authed.DELETE("/business-systems/:id/tokens/:token_id", s.Office, w.APIRevokeSystemToken)

	console.GET("/console/business-systems", s.OfficePage, w.SystemsPage)
	console.POST("/console/business-systems", s.OfficePage, w.CreateSystemSubmit)
	console.GET("/console/business-systems/:id/edit", s.OfficePage, w.EditSystemPage)
	console.POST("/console/business-systems/:id", s.OfficePage, w.UpdateSystemSubmit)
	console.POST("/console/business-systems/:id/disable", s.OfficePage, w.DisableSystemSubmit)
	console.POST("/console/business-systems/:id/enable", s.OfficePage, w.EnableSystemSubmit)
	console.POST("/console/business-systems/:id/tokens", s.OfficePage, w.IssueTokenSubmit)
	console.POST("/console/business-systems/:id/tokens/:token_id/revoke", s.OfficePage, w.RevokeTokenSubmit)
}

// longPoll registers a route that holds its request open waiting for an
// event (a terminal waiting up to 25 s for a window request). It gets
// FILE_REQUEST_TIMEOUT (at least 50 s by default) instead of
// REQUEST_TIMEOUT, like a file route, so the wait is not cut short; the
// handler caps its wait below whatever deadline it gets.
func (s *Server) longPoll(g *gin.RouterGroup, method, relative string, handlers ...gin.HandlerFunc) {
	g.Handle(method, relative, handlers...)
	s.fileRoutes[routeKey{method, path.Join(g.BasePath(), relative)}] = struct{}{}
}
