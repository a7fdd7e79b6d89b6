package resultsapp

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/cycles"
	"minyi/internal/db"
	"minyi/internal/httpx"
	"minyi/internal/results"
)

// receiptsPageSize is how many units the receipts page lists at a time.
const receiptsPageSize = 50

// receiptRow is a unit's line on the receipts page.
type receiptRow struct {
	results.UnitReceipt
	StateLabel string
}

// receiptsPageData is the office's page of the units' receipts (签收情况)
// of the preliminary results.
type receiptsPageData struct {
	httpx.BasePage
	Cycle   cycles.Cycle
	Summary results.ReceiptSummary
	Rows    []receiptRow
	State   string
	Pager   httpx.Pager
	Today   string
	Link    string
	Error   string
}

// ReceiptsPage lists, for the office, every unit of the preliminary results:
// notified, signed (by whom, when) or delivered (recorded by whom), and
// its review window's last day; a unit not received can have its paper
// delivery recorded on the row.
func (s *Handlers) ReceiptsPage(c *gin.Context) {
	cy, err := s.cycleFromPath(c)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	state := c.Query("state")
	if state != "pending" && state != "received" {
		state = ""
	}
	page := httpx.PageParam(c)
	d := receiptsPageData{BasePage: s.Base(c, cy.Name+" · 初步结果签收情况", "cycles"), Cycle: cy, State: state,
		Today: s.Now().In(s.Config.Location).Format("2006-01-02"), Link: resultsLink(cy.ID)}
	list, sum, err := results.ListReceipts(c, s.Pool, s.Config.Location, s.Now(), cy.ID,
		results.ReceiptFilter{State: state, Offset: (page - 1) * receiptsPageSize, Limit: receiptsPageSize})
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	d.Summary = sum
	for _, r := range list {
		d.Rows = append(d.Rows, receiptRow{UnitReceipt: r, StateLabel: results.ReceiptLabel(r.Basis)})
	}
	total := sum.Units
	switch state {
	case "pending":
		total = sum.Unreceived
	case "received":
		total = sum.Signed + sum.Delivered
	}
	d.Pager = httpx.NewPager(page, receiptsPageSize, total, func(p int) string {
		q := url.Values{"page": {strconv.Itoa(p)}}
		if state != "" {
			q.Set("state", state)
		}
		return resultsLink(cy.ID) + "/receipts?" + q.Encode()
	})
	d.Pager.Unit = "个"
	s.Render(c, http.StatusOK, "console/result_receipts.html", d)
}

// SignSubmit records the unit's receipt (签收) of its preliminary result
// from its result page; signing again changes nothing.
func (s *Handlers) SignSubmit(c *gin.Context) {
	s.unitResultSubmit(c, map[string]string{"form": "receipt"}, "receipt_signed", checkSigner,
		func(tx pgx.Tx, id, unitID int64, _ []results.Upload) error {
			_, err := results.Sign(c, tx, httpx.CurrentUser(c).Actor(), s.Config.Location, s.Now(), id, unitID)
			return err
		})
}

// DeliverySubmit records the day a unit's preliminary result was delivered
// on paper (the office's), from the unit's result page or the receipts
// page (back=receipts returns there); a refusal shows the unit's page with
// the message.
func (s *Handlers) DeliverySubmit(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	var unitID int64
	if err == nil {
		unitID, err = httpx.IDParam(c, "unit_id")
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	in := results.DeliveryInput{DeliveredOn: c.PostForm("delivered_on"), Note: c.PostForm("note")}
	err = db.Tx(c, s.Pool, func(tx pgx.Tx) error {
		_, err := results.RecordDelivery(c, tx, httpx.CurrentUser(c).Actor(), s.Config.Location, s.Now(), id, unitID, in)
		return err
	})
	if err != nil {
		if e := apperr.From(err); e.Code == apperr.Conflict || e.Code == apperr.Invalid {
			s.showUnitResult(c, apperr.Status(e.Code), refusalText(err), httpx.PostedForm(c, "delivery", "delivered_on", "note"))
			return
		}
		s.ConsoleError(c, err)
		return
	}
	if c.PostForm("back") == "receipts" {
		httpx.Redirect(c, resultsLink(id)+"/receipts?state=pending", "receipt_delivered")
		return
	}
	httpx.Redirect(c, resultsLink(id)+"/"+strconv.FormatInt(unitID, 10)+"#receipt", "receipt_delivered")
}
