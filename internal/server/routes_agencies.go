package server

import "github.com/gin-gonic/gin"

// agencyRoutes registers third-party survey agencies: the office's API and
// console pages, and the agencies' own token-authenticated API.
func (s *Server) agencyRoutes(api, authed, console *gin.RouterGroup) {}
