package server

import "github.com/gin-gonic/gin"

// surveyRoutes registers the surveys: the office's API and console pages,
// and the respondents' invitation pages.
func (s *Server) surveyRoutes(e *gin.Engine, authed, console *gin.RouterGroup) {}
