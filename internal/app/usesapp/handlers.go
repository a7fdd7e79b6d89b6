// Package usesapp serves the uses of a cycle's final results (结果运用,
// issue 16 part 7) over HTTP: the bonus table and the per-unit amounts with
// their .xlsx and CSV export, the records of 通报批评 and 表彰, and the
// one-step opening of rectification cases, as the API
// (`/api/v1/cycles/:id/uses…`) and the console page
// (`/console/cycles/:id/uses`). The rules are internal/rewards.
package usesapp

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/db"
	"minyi/internal/httpx"
	"minyi/internal/rewards"
	"minyi/internal/users"
)

// Handlers serve the routes of the uses of results.
type Handlers struct{ *httpx.App }

// New returns the handlers over app.
func New(app *httpx.App) *Handlers { return &Handlers{App: app} }

// Flashes are the messages the page may show after a redirect.
var Flashes = map[string]string{
	"uses_table_saved":   "绩效奖金表已保存，各单位金额已按新表计算。",
	"uses_factors_saved": "该单位的上浮、扣减情形已保存。",
	"uses_record_saved":  "记录已登记。",
	"uses_record_exists": "该单位本年度已有此项记录，未重复登记。",
	"uses_case_opened":   "整改案件已立案交办，答复期限按工作日计算。",
	"uses_case_exists":   "该单位本年度的整改案件已立案，未重复立案。",
}

// linesPage is what GET /cycles/:id/uses answers.
type linesPage struct {
	Settings rewards.Settings   `json:"settings"`
	Items    []rewards.UnitLine `json:"items"`
	Total    int                `json:"total"`
	Limit    int                `json:"limit"`
	Offset   int                `json:"offset"`
}

// ownUnit limits a unit user to its own unit; nil for the office and
// leaders.
func ownUnit(u users.User) *int64 {
	if u.Role == users.RoleUnit {
		if u.UnitID == nil {
			return new(int64)
		}
		return u.UnitID
	}
	return nil
}

// APILines answers GET /cycles/:id/uses: the settings and each unit's
// line, a page at a time (limit 1–500, offset; proposed=true keeps the
// units proposed for a consequence), for the office with the suggested
// factors; a unit user gets its own line only.
func (s *Handlers) APILines(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	var limit, offset int
	if err == nil {
		limit, offset, err = httpx.PagingMax(c, 500)
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	if limit == 0 {
		limit = 100
	}
	f := rewards.Filter{UnitID: ownUnit(httpx.CurrentUser(c)), Proposed: c.Query("proposed") == "true", Limit: limit, Offset: offset}
	items, total, set, err := rewards.Lines(c, s.Pool, id, f)
	if err == nil && httpx.CurrentUser(c).Role == users.RoleOffice {
		err = rewards.Suggest(c, s.Pool, id, s.Today().Format(time.DateOnly), items)
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, linesPage{Settings: set, Items: items, Total: total, Limit: limit, Offset: offset})
}

// APISaveSettings answers PUT /cycles/:id/uses/settings (office): the
// bonus table and the 通报批评 threshold.
func (s *Handlers) APISaveSettings(c *gin.Context) {
	var in rewards.Settings
	id, ok := s.PathIDAndBody(c, &in)
	if !ok {
		return
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		return rewards.SaveSettings(c, tx, httpx.CurrentUser(c).Actor(), s.Now(), id, in)
	})
}

func cycleAndUnit(c *gin.Context) (int64, int64, error) {
	id, err := httpx.IDParam(c, "id")
	if err != nil {
		return 0, 0, err
	}
	unitID, err := httpx.IDParam(c, "unit_id")
	return id, unitID, err
}

// APISetFactors answers PUT /cycles/:id/uses/units/:unit_id/factors
// (office).
func (s *Handlers) APISetFactors(c *gin.Context) {
	id, unitID, err := cycleAndUnit(c)
	var in rewards.Factors
	if err == nil {
		err = httpx.BindJSON(c, &in, 4<<10)
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		return in, rewards.SetFactors(c, tx, httpx.CurrentUser(c).Actor(), s.Now(), id, unitID, in)
	})
}

// APIAddRecord answers POST /cycles/:id/uses/units/:unit_id/records/:kind
// (office; kind criticism or commendation): 201 with the record, or 200
// with the one already recorded.
func (s *Handlers) APIAddRecord(c *gin.Context) {
	id, unitID, err := cycleAndUnit(c)
	var in rewards.RecordInput
	if err == nil {
		err = httpx.BindJSON(c, &in, 16<<10)
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	var rec rewards.Record
	var created bool
	if err := db.Tx(c, s.Pool, func(tx pgx.Tx) (err error) {
		rec, created, err = rewards.AddRecord(c, tx, httpx.CurrentUser(c).Actor(), s.Now(), id, unitID, c.Param("kind"), in)
		return err
	}); err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(createdStatus(created), rec)
}

type caseReply struct {
	CaseID  int64 `json:"case_id"`
	Created bool  `json:"created"`
}

// APIOpenCase answers POST /cycles/:id/uses/units/:unit_id/case (office):
// 201 with the case opened, or 200 with the one opened before.
func (s *Handlers) APIOpenCase(c *gin.Context) {
	id, unitID, err := cycleAndUnit(c)
	if err != nil {
		s.APIError(c, err)
		return
	}
	var r caseReply
	if err := db.Tx(c, s.Pool, func(tx pgx.Tx) (err error) {
		r.CaseID, r.Created, err = rewards.OpenCase(c, tx, s.Config.Location, httpx.CurrentUser(c).Actor(), s.Now(), id, unitID)
		return err
	}); err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(createdStatus(r.Created), r)
}

func createdStatus(created bool) int {
	if created {
		return http.StatusCreated
	}
	return http.StatusOK
}

func usesLink(cycleID int64) string {
	return "/console/cycles/" + strconv.FormatInt(cycleID, 10) + "/uses"
}

// refusal is the message of a refused change, for the page.
func refusal(err error) (map[string]string, bool) {
	e := apperr.From(err)
	if e.Code != apperr.Invalid && e.Code != apperr.Conflict && e.Code != apperr.NotFound {
		return nil, false
	}
	if len(e.Fields) == 0 {
		return map[string]string{"_": e.Message}, true
	}
	return e.Fields, true
}
