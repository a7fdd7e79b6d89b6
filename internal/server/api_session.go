package server

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"minyi/internal/apperr"
	"minyi/internal/users"
)

func (s *Server) apiSignIn(c *gin.Context) {
	var in struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}
	if err := bindJSON(c, &in, 4<<10); err != nil {
		s.apiError(c, err)
		return
	}
	f := apperr.Fields{}
	if in.Username == "" {
		f.Add("username", "请填写用户名")
	}
	if in.Password == "" {
		f.Add("password", "请填写密码")
	}
	if err := f.Err(); err != nil {
		s.apiError(c, err)
		return
	}
	sess, err := s.signIn(c, in.Username, in.Password)
	if err != nil {
		s.apiError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"user": sess.User, "expires_at": sess.ExpiresAt})
}

func (s *Server) apiSignOut(c *gin.Context) {
	if token, _ := c.Cookie(sessionCookie); token != "" {
		if err := users.DeleteSession(c, s.Pool, token); err != nil {
			s.apiError(c, err)
			return
		}
	}
	s.clearSessionCookie(c)
	c.Status(http.StatusNoContent)
}

func (s *Server) apiWhoAmI(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"user": currentUser(c)})
}
