package citizensmsapp

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/citizensms"
	"minyi/internal/db"
	"minyi/internal/httpx"
)

// instrumentRound runs an SMS invitation round of the :id instrument's
// invitees in tx.
func (s *Handlers) instrumentRound(c *gin.Context, tx pgx.Tx, id int64) (citizensms.SurveyResult, error) {
	return s.SMS.InviteInstrument(c, tx, s.Config.PublicBaseURL, httpx.CurrentUser(c).Actor(), id, s.Now())
}

// APIInstrumentInvite sends the instrument's SMS invitations: {"sent",
// "skipped"}.
func (s *Handlers) APIInstrumentInvite(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	if err != nil {
		s.APIError(c, apperr.New(apperr.NotFound, "评价项目不存在"))
		return
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) { return s.instrumentRound(c, tx, id) })
}

// InstrumentInviteSubmit sends the instrument's SMS invitations from its
// page and returns to its invitees.
func (s *Handlers) InstrumentInviteSubmit(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	if err != nil {
		s.ConsoleError(c, apperr.New(apperr.NotFound, "评价项目不存在"))
		return
	}
	err = db.Tx(c, s.Pool, func(tx pgx.Tx) error {
		_, err := s.instrumentRound(c, tx, id)
		return err
	})
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	httpx.Redirect(c, "/console/instruments/"+strconv.FormatInt(id, 10)+"#invitees", "instrument_sms_invited")
}
