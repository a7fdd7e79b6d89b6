package server

import "github.com/gin-gonic/gin"

// targetRoutes registers annual targets and process management (目标管理与
//过程管理): units' drafts, the office's review, change requests, progress
// reports, early warnings, self-evaluation and the public targets page.
func (s *Server) targetRoutes(e *gin.Engine, authed, console *gin.RouterGroup) {}
