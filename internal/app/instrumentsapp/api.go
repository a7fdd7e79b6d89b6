package instrumentsapp

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/db"
	"minyi/internal/httpx"
	"minyi/internal/instruments"
)

// APIListInstruments lists a cycle's instruments (office).
func (s *Handlers) APIListInstruments(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	var limit, offset int
	if err == nil {
		limit, offset, err = httpx.Paging(c)
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	list, total, err := instruments.List(c, s.Pool, instruments.Filter{CycleID: id, Limit: limit, Offset: offset})
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": list, "total": total})
}

// APICreateInstrument adds an instrument to a cycle (office).
func (s *Handlers) APICreateInstrument(c *gin.Context) {
	var in instruments.Input
	id, ok := s.PathIDAndBody(c, &in)
	if !ok {
		return
	}
	s.APITx(c, http.StatusCreated, func(tx pgx.Tx) (any, error) {
		return instruments.Create(c, tx, httpx.CurrentUser(c).Actor(), id, in)
	})
}

// APIGetInstrument returns an instrument (office).
func (s *Handlers) APIGetInstrument(c *gin.Context) {
	id, ok := s.PathIDAndBody(c, nil)
	if !ok {
		return
	}
	in, err := instruments.Find(c, s.Pool, id)
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, in)
}

// APIUpdateInstrument changes an instrument (office); once opened only its
// name and minimum number of answers change.
func (s *Handlers) APIUpdateInstrument(c *gin.Context) {
	var in instruments.Input
	id, ok := s.PathIDAndBody(c, &in)
	if !ok {
		return
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		return instruments.Update(c, tx, httpx.CurrentUser(c).Actor(), id, in)
	})
}

// APIOpenInstrument and APICloseInstrument change its state (office).
func (s *Handlers) APIOpenInstrument(c *gin.Context) {
	id, ok := s.PathIDAndBody(c, nil)
	if !ok {
		return
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		return instruments.Open(c, tx, httpx.CurrentUser(c).Actor(), id, s.Now())
	})
}

func (s *Handlers) APICloseInstrument(c *gin.Context) {
	id, ok := s.PathIDAndBody(c, nil)
	if !ok {
		return
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		return instruments.Close(c, tx, httpx.CurrentUser(c).Actor(), id, s.Now())
	})
}

// APIInstrumentResults lists a page of the rated units with their results
// (mean, count, short flag), by name (office; limit up to 1,000).
func (s *Handlers) APIInstrumentResults(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	var limit, offset int
	if err == nil {
		limit, offset, err = httpx.PagingMax(c, 1000)
	}
	var in instruments.Instrument
	if err == nil {
		in, err = instruments.Find(c, s.Pool, id)
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	list, total, err := instruments.Results(c, s.Pool, in, limit, offset)
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"instrument": in, "items": list, "total": total})
}

// APIInstrumentAnswers explains a unit's result: a page of answers after
// the answer id `after` (limit up to 500), or the groups where anonymous
// (office).
func (s *Handlers) APIInstrumentAnswers(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	var unitID, after int64
	var limit int
	if err == nil {
		unitID, err = httpx.IDParam(c, "unit_id")
	}
	if err == nil {
		limit, _, err = httpx.PagingMax(c, 500)
	}
	if v := c.Query("after"); err == nil && v != "" {
		if after, err = strconv.ParseInt(v, 10, 64); err != nil || after < 0 {
			err = apperr.InvalidField("after", "after 须为非负整数")
		}
	}
	var in instruments.Instrument
	if err == nil {
		in, err = instruments.Find(c, s.Pool, id)
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	x, err := instruments.Explain(c, s.Pool, in, unitID, after, limit)
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, x)
}

type inviteeReply struct {
	instruments.Invitee
	Link string `json:"link"`
}

func (s *Handlers) inviteeReply(v instruments.Invitee) (inviteeReply, error) {
	token, err := v.Token(s.Keys)
	if err != nil {
		return inviteeReply{}, err
	}
	return inviteeReply{Invitee: v, Link: s.Config.PublicBaseURL + "/e/" + token}, nil
}

// APIListInvitees lists a page of an instrument's invitees with their
// links (office).
func (s *Handlers) APIListInvitees(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	var limit, offset int
	if err == nil {
		limit, offset, err = httpx.Paging(c)
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	list, total, err := instruments.ListInvitees(c, s.Pool, id, instruments.InviteeFilter{Limit: limit, Offset: offset})
	out := make([]inviteeReply, 0, len(list))
	for _, v := range list {
		if err != nil {
			break
		}
		var r inviteeReply
		r, err = s.inviteeReply(v)
		out = append(out, r)
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": out, "total": total})
}

// APIAddInvitee invites a rater: 201 with the link, 200 when the name was
// already invited (office).
func (s *Handlers) APIAddInvitee(c *gin.Context) {
	var in instruments.InviteeInput
	id, ok := s.PathIDAndBody(c, &in)
	if !ok {
		return
	}
	var added bool
	var reply inviteeReply
	err := db.Tx(c, s.Pool, func(tx pgx.Tx) error {
		v, a, err := instruments.AddInvitee(c, tx, s.Keys, httpx.CurrentUser(c).Actor(), id, in)
		if err != nil {
			return err
		}
		added = a
		reply, err = s.inviteeReply(v)
		return err
	})
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(httpx.CreatedStatus(added), reply)
}

// APISetPartners sets the units a rater unit works with on a 部门互评 that
// rates partners only (office).
func (s *Handlers) APISetPartners(c *gin.Context) {
	var body struct {
		Units []int64 `json:"units"`
	}
	id, ok := s.PathIDAndBody(c, &body)
	if !ok {
		return
	}
	unitID, err := httpx.IDParam(c, "unit_id")
	if err != nil {
		s.APIError(c, err)
		return
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		err := instruments.SetPartners(c, tx, httpx.CurrentUser(c).Actor(), id, unitID, body.Units)
		return gin.H{"unit_id": unitID, "units": body.Units}, err
	})
}

// APIMyEvaluations lists the instruments the signed-in unit answers.
func (s *Handlers) APIMyEvaluations(c *gin.Context) {
	r, err := unitRater(c)
	if err != nil {
		s.APIError(c, err)
		return
	}
	list, err := instruments.ForRaterUnit(c, s.Pool, r.UnitID)
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": list})
}

// ballotFor returns the instrument when the signed-in unit answers it.
func (s *Handlers) ballotFor(c *gin.Context) (instruments.Instrument, instruments.Rater, error) {
	r, err := unitRater(c)
	if err != nil {
		return instruments.Instrument{}, r, err
	}
	id, err := httpx.IDParam(c, "id")
	if err != nil {
		return instruments.Instrument{}, r, err
	}
	in, err := instruments.Find(c, s.Pool, id)
	if err == nil {
		err = in.CheckRater(c, s.Pool, r)
	}
	return in, r, err
}

// APIBallot returns a page of the units the signed-in unit rates (never
// itself), by name, with its answers so far (limit up to 200).
func (s *Handlers) APIBallot(c *gin.Context) {
	in, r, err := s.ballotFor(c)
	var limit, offset int
	if err == nil {
		limit, offset, err = httpx.PagingMax(c, instruments.MaxAnswersPerSave)
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	b, err := instruments.LoadBallot(c, s.Pool, in, r, limit, offset)
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"instrument": in, "items": b.Lines, "total": b.Total, "answered": b.Answered})
}

// APISaveAnswers stores the signed-in unit's answers: {"answers": [{"unit_id":
// 3, "grade": "good"} | {"unit_id": 3, "mark": 88.5}]}. Its own unit → 422,
// an instrument it does not answer → 403, closed → 409.
func (s *Handlers) APISaveAnswers(c *gin.Context) {
	r, err := unitRater(c)
	if err != nil {
		s.APIError(c, err)
		return
	}
	var body struct {
		Answers []instruments.AnswerInput `json:"answers"`
	}
	id, ok := s.PathIDAndBody(c, &body)
	if !ok {
		return
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		n, err := instruments.SaveAnswers(c, tx, httpx.CurrentUser(c).Actor(), id, r, body.Answers, s.Now())
		return gin.H{"saved": n}, err
	})
}
