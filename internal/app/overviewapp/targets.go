package overviewapp

import (
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"

	"minyi/internal/cycles"
	"minyi/internal/db"
	"minyi/internal/httpx"
	"minyi/internal/targets"
)

// targetWarningCount is the number of warnings of the newest cycle the
// user may see, for the overview, with the link to them.
func (s *Handlers) targetWarningCount(c *gin.Context, q db.DBTX) (int, string, error) {
	list, _, err := cycles.ListCycles(c, q, cycles.Page{Limit: 1})
	if err != nil || len(list) == 0 {
		return 0, "", err
	}
	warns, err := targets.Warnings(c, q, list[0].ID, targets.WarningFilter{UnitID: httpx.CurrentUser(c).UnitID}, s.Now(), s.Config.Location)
	link := "/console/targets?cycle_id=" + strconv.FormatInt(list[0].ID, 10)
	if httpx.CurrentUser(c).UnitID == nil {
		link = "/console/targets/warnings?" + url.Values{"cycle_id": {strconv.FormatInt(list[0].ID, 10)}}.Encode()
	}
	return len(warns), link, err
}
