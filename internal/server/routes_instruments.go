// The routes of evaluation instruments (评价项目): leaders', deputies',
// peer and grassroots evaluations feeding scheme leaves.

package server

import (
	"github.com/gin-gonic/gin"

	"minyi/internal/app/citizensmsapp"
	"minyi/internal/app/instrumentsapp"
	"minyi/internal/app/surveysapp"
	"minyi/internal/httpx"
)

// instrumentRoutes registers the instruments: the office's API and pages
// to configure them and read their results, the unit accounts' API and
// pages to answer 部门互评 and 基层评价, and the invitees' link page.
func (s *Server) instrumentRoutes(e *gin.Engine, authed, console *gin.RouterGroup) {
	in := instrumentsapp.New(s.App)
	sms := citizensmsapp.New(s.App)
	e.GET("/e/:token", surveysapp.PrivateLink, in.InviteePage)
	e.POST("/e/:token", surveysapp.PrivateLink, s.PublicForm(httpx.SurveyFormMax, false), in.InviteeSubmit)

	authed.GET("/cycles/:id/instruments", s.Office, in.APIListInstruments)
	authed.POST("/cycles/:id/instruments", s.Office, in.APICreateInstrument)
	authed.GET("/instruments/:id", s.Office, in.APIGetInstrument)
	authed.PUT("/instruments/:id", s.Office, in.APIUpdateInstrument)
	authed.POST("/instruments/:id/open", s.Office, in.APIOpenInstrument)
	authed.POST("/instruments/:id/close", s.Office, in.APICloseInstrument)
	authed.GET("/instruments/:id/results", s.Office, in.APIInstrumentResults)
	authed.GET("/instruments/:id/results/:unit_id/answers", s.Office, in.APIInstrumentAnswers)
	authed.GET("/instruments/:id/invitees", s.Office, in.APIListInvitees)
	authed.POST("/instruments/:id/invitees", s.Office, in.APIAddInvitee)
	authed.PUT("/instruments/:id/partners/:unit_id", s.Office, in.APISetPartners)
	authed.POST("/instruments/:id/sms/invite", s.Office, sms.APIInstrumentInvite)
	authed.GET("/evaluations", in.APIMyEvaluations)
	authed.GET("/instruments/:id/ballot", in.APIBallot)
	authed.PUT("/instruments/:id/answers", in.APISaveAnswers)

	console.GET("/console/cycles/:id/instruments", s.OfficePage, in.InstrumentsPage)
	console.POST("/console/cycles/:id/instruments", s.OfficePage, in.CreateInstrumentSubmit)
	console.GET("/console/instruments/:id", s.OfficePage, in.InstrumentPage)
	console.POST("/console/instruments/:id", s.OfficePage, in.UpdateInstrumentSubmit)
	console.POST("/console/instruments/:id/open", s.OfficePage, in.OpenInstrumentSubmit)
	console.POST("/console/instruments/:id/close", s.OfficePage, in.CloseInstrumentSubmit)
	console.POST("/console/instruments/:id/invitees", s.OfficePage, in.AddInviteeSubmit)
	console.POST("/console/instruments/:id/sms/invite", s.OfficePage, sms.InstrumentInviteSubmit)
	console.GET("/console/instruments/:id/letters", s.OfficePage, in.InvitationLetters)
	console.GET("/console/instruments/:id/units/:unit_id", s.OfficePage, in.UnitAnswersPage)
	console.GET("/console/instruments/:id/partners", s.OfficePage, in.PartnersPage)
	console.GET("/console/instruments/:id/partners/:unit_id", s.OfficePage, in.PartnerPage)
	console.POST("/console/instruments/:id/partners/:unit_id", s.OfficePage, in.SavePartnersSubmit)
	console.GET("/console/evaluations", in.EvaluationsPage)
	console.GET("/console/evaluations/:id", in.BallotPage)
	console.POST("/console/evaluations/:id", in.SaveBallotSubmit)
}
