package agenciesapp

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/agencies"
	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/db"
	"minyi/internal/httpx"
	"minyi/internal/surveys"
)

// maxMappingBytes bounds a mapping's JSON body.
const maxMappingBytes = 256 << 10

// mappingNeededJSON answers a file without a usable mapping: 422 with the
// reason, the saved mapping that does not fit (if any) and a guessed one
// to start from.
func mappingNeededJSON(c *gin.Context, need *agencies.MappingNeeded) {
	warnings := need.GuessWarnings
	if warnings == nil {
		warnings = []string{}
	}
	c.AbortWithStatusJSON(http.StatusUnprocessableEntity, gin.H{
		"error": gin.H{"code": apperr.MappingRequired, "message": need.Reason,
			"fields": map[string]string{agencies.MappingField: need.Reason}},
		"header":          need.Table.Header,
		"saved_mapping":   need.Saved,
		"guessed_mapping": need.Guess,
		"guess_warnings":  warnings,
	})
}

// answerUploadErr answers a failed upload, a missing mapping included.
func (s *Handlers) answerUploadErr(c *gin.Context, err error) {
	var need *agencies.MappingNeeded
	if errors.As(err, &need) {
		mappingNeededJSON(c, need)
		return
	}
	s.APIError(c, err)
}

// AgencyMapping answers the signed-in agency with its saved mapping.
func (s *Handlers) AgencyMapping(c *gin.Context) { s.showMapping(c, currentAgency(c).Agency) }

// AgencySetMapping saves the signed-in agency's mapping.
func (s *Handlers) AgencySetMapping(c *gin.Context) { s.setMapping(c, currentAgency(c).Agency, nil) }

// APIAgencyMapping answers the office with an agency's saved mapping.
func (s *Handlers) APIAgencyMapping(c *gin.Context) {
	if a, ok := s.apiAgency(c); ok {
		s.showMapping(c, a)
	}
}

// APISetAgencyMapping saves an agency's mapping for the office.
func (s *Handlers) APISetAgencyMapping(c *gin.Context) {
	if a, ok := s.apiAgency(c); ok {
		actor := httpx.CurrentUser(c).Actor()
		s.setMapping(c, a, &actor)
	}
}

func (s *Handlers) apiAgency(c *gin.Context) (agencies.Agency, bool) {
	id, err := httpx.IDParam(c, "id")
	var a agencies.Agency
	if err == nil {
		a, err = agencies.FindAgency(c, s.Pool, id)
	}
	if err != nil {
		s.APIError(c, err)
		return agencies.Agency{}, false
	}
	return a, true
}

func (s *Handlers) showMapping(c *gin.Context, a agencies.Agency) {
	m, err := agencies.FindMapping(c, s.Pool, a.ID, a.SurveyID)
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, m)
}

// setMapping validates the body (a Mapping) against the agency's survey and
// saves it; it answers with the saved mapping.
func (s *Handlers) setMapping(c *gin.Context, a agencies.Agency, staff *audit.Actor) {
	var m agencies.Mapping
	err := httpx.DecodeJSON(c, &m, maxMappingBytes)
	var sv surveys.Survey
	if err == nil {
		sv, err = surveys.FindSurvey(c, s.Pool, a.SurveyID)
	}
	if err == nil {
		err = m.Validate(sv)
	}
	if err == nil {
		err = db.Tx(c, s.Pool, func(tx pgx.Tx) error { return agencies.SaveMapping(c, tx, a, m, staff, s.Now()) })
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	s.showMapping(c, a)
}
