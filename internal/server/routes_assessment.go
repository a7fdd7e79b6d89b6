package server

import "github.com/gin-gonic/gin"

// workdayRoutes registers the working-day calendar (工作日历): the API and
// the office's console page to add a year's holidays and make-up workdays.
func (s *Server) workdayRoutes(authed, console *gin.RouterGroup) {}

// schemeRoutes registers assessment schemes (考核方案): the tree of weighted
// components of a cycle, its presets, API and console pages.
func (s *Server) schemeRoutes(authed, console *gin.RouterGroup) {}
