package accountsapp

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"minyi/internal/httpx"
)

func (s *Handlers) APISignIn(c *gin.Context) {
	var in struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}
	if err := httpx.BindJSON(c, &in, 4<<10); err != nil {
		s.APIError(c, err)
		return
	}
	if err := credentialErrors(in.Username, in.Password).Err(); err != nil {
		s.APIError(c, err)
		return
	}
	sess, err := s.signIn(c, in.Username, in.Password)
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"user": sess.User, "expires_at": sess.ExpiresAt})
}

func (s *Handlers) APISignOut(c *gin.Context) {
	if err := s.signOut(c); err != nil {
		s.APIError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *Handlers) APIWhoAmI(c *gin.Context) {
	u := httpx.CurrentUser(c)
	c.JSON(http.StatusOK, gin.H{"user": u, "must_change_password": u.MustChangePassword})
}
