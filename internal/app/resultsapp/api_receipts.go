package resultsapp

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/httpx"
	"minyi/internal/results"
	"minyi/internal/users"
)

// receiptsPage is what GET /cycles/:id/results/receipts answers.
type receiptsPage struct {
	Summary results.ReceiptSummary `json:"summary"`
	Items   []results.UnitReceipt  `json:"items"`
	Limit   int                    `json:"limit"`
	Offset  int                    `json:"offset"`
}

// checkSigner: only the unit's own staff sign for its result.
func checkSigner(u users.User, unitID int64) error {
	if u.Role == users.RoleOffice {
		return apperr.New(apperr.Forbidden, "初步结果须由被考核单位签收；纸质送达的请登记送达日期")
	}
	if u.UnitID == nil || *u.UnitID != unitID {
		return apperr.New(apperr.Forbidden, "只能签收本单位的考核结果")
	}
	return nil
}

// APIReceipts answers GET /cycles/:id/results/receipts (the office's):
// every unit of the preliminary results with its receipt and review
// window, a page at a time (state pending|received, limit 1–500, offset).
func (s *Handlers) APIReceipts(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	var limit, offset int
	if err == nil {
		limit, offset, err = httpx.PagingMax(c, 500)
	}
	state := c.Query("state")
	if err == nil && state != "" && state != "pending" && state != "received" {
		err = apperr.InvalidField("state", "签收状态须为 pending（待签收）或 received（已签收或已送达）")
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	if limit == 0 {
		limit = 100
	}
	list, sum, err := results.ListReceipts(c, s.Pool, s.Config.Location, s.Now(), id,
		results.ReceiptFilter{State: state, Limit: limit, Offset: offset})
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, receiptsPage{Summary: sum, Items: list, Limit: limit, Offset: offset})
}

// APIUnitReceipt answers GET /cycles/:id/results/units/:unit_id/receipt: the
// unit's receipt and review window (the unit's own, or any for the office
// and leaders).
func (s *Handlers) APIUnitReceipt(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	var unitID int64
	if err == nil {
		unitID, err = httpx.IDParam(c, "unit_id")
	}
	if err == nil {
		err = httpx.CanSeeUnit(httpx.CurrentUser(c), unitID)
	}
	var r results.UnitReceipt
	if err == nil {
		r, err = results.FindReceipt(c, s.Pool, s.Config.Location, s.Now(), id, unitID)
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, r)
}

// APISign records the unit's receipt (签收) of its preliminary result (no
// body); signing again answers the receipt as it is.
func (s *Handlers) APISign(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	var unitID int64
	if err == nil {
		unitID, err = httpx.IDParam(c, "unit_id")
	}
	if err == nil {
		err = checkSigner(httpx.CurrentUser(c), unitID)
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		return results.Sign(c, tx, httpx.CurrentUser(c).Actor(), s.Config.Location, s.Now(), id, unitID)
	})
}

// APIRecordDelivery records the day a unit's preliminary result was
// delivered on paper (the office's).
func (s *Handlers) APIRecordDelivery(c *gin.Context) {
	var in results.DeliveryInput
	id, ok := s.PathIDAndBody(c, &in)
	if !ok {
		return
	}
	unitID, err := httpx.IDParam(c, "unit_id")
	if err != nil {
		s.APIError(c, err)
		return
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		return results.RecordDelivery(c, tx, httpx.CurrentUser(c).Actor(), s.Config.Location, s.Now(), id, unitID, in)
	})
}
