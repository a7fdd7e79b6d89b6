package auditapp

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"minyi/internal/audit"
	"minyi/internal/db"
	"minyi/internal/httpx"
)

// checkpointsShown is how many daily checkpoints the page and the API
// list: a month's.
const checkpointsShown = 31

// integrity is what the 防篡改校验 page and its API show: the newest
// verification of the hash chain (nil before the first), the chain's head
// now and the newest daily checkpoints.
type integrity struct {
	Last        *audit.Verification `json:"last_verification"`
	Head        audit.Checkpoint    `json:"head"`
	Checkpoints []audit.Checkpoint  `json:"checkpoints"`
}

func (s *Handlers) readIntegrity(c *gin.Context) (integrity, error) {
	var in integrity
	err := db.Parallel(s.Pool,
		func(q db.DBTX) (err error) { in.Last, err = audit.LastVerification(c, q); return err },
		func(q db.DBTX) (err error) { in.Head, err = audit.Head(c, q, s.Now()); return err },
		func(q db.DBTX) (err error) {
			in.Checkpoints, err = audit.Checkpoints(c, q, checkpointsShown)
			return err
		})
	return in, err
}

type integrityPageData struct {
	httpx.BasePage
	integrity
}

// IntegrityPage shows the office whether the audit log still verifies and
// the checkpoints an auditor copies to keep outside the system.
func (s *Handlers) IntegrityPage(c *gin.Context) {
	in, err := s.readIntegrity(c)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	s.Render(c, http.StatusOK, "console/audit_integrity.html",
		integrityPageData{BasePage: s.Base(c, "审计日志防篡改校验", "audit"), integrity: in})
}

// APIIntegrity answers the same as JSON.
func (s *Handlers) APIIntegrity(c *gin.Context) {
	in, err := s.readIntegrity(c)
	if err != nil {
		s.APIError(c, err)
		return
	}
	if in.Checkpoints == nil {
		in.Checkpoints = []audit.Checkpoint{}
	}
	c.JSON(http.StatusOK, in)
}
