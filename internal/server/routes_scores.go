package server

import "github.com/gin-gonic/gin"

// scoreRoutes registers the cycles' console pages and the public evaluation
// scores: API, console pages and the .xlsx export.
func (s *Server) scoreRoutes(authed, console *gin.RouterGroup) {}
