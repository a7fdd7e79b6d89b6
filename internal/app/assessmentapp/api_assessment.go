package assessmentapp

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/assessment"
	"minyi/internal/cycles"
	"minyi/internal/httpx"
	"minyi/internal/users"
)

// scorer is the signed-in user as an assessment scorer.
func scorer(c *gin.Context) assessment.Scorer {
	u := httpx.CurrentUser(c)
	return assessment.Scorer{Actor: u.Actor(), Office: u.Role == users.RoleOffice, UnitID: u.UnitID}
}

// unitScope is nil for the office (every unit) and the user's unit else.
func unitScope(c *gin.Context) *int64 {
	u := httpx.CurrentUser(c)
	if u.Role == users.RoleOffice {
		return nil
	}
	if u.UnitID == nil {
		var none int64 = -1
		return &none
	}
	return u.UnitID
}

// queryUnit reads ?unit_id= (nil when absent); a unit user may only ask
// for its own unit.
func queryUnit(c *gin.Context) (*int64, error) {
	scope := unitScope(c)
	raw := c.Query("unit_id")
	if raw == "" {
		return scope, nil
	}
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return nil, apperr.InvalidField("unit_id", "单位编号无效")
	}
	if err := httpx.CanSeeUnit(httpx.CurrentUser(c), id); err != nil {
		return nil, err
	}
	return &id, nil
}

// assessmentOverview is the office's view of a cycle's inputs. Leaves
// counts the manual leaves of the cycle's first scheme (its only one in a
// cycle without groups); each unit has its own scheme's count.
type assessmentOverview struct {
	CycleID int64                     `json:"cycle_id"`
	Leaves  int                       `json:"leaves"`
	Units   []assessment.UnitOverview `json:"units"`
}

// APIAssessmentOverview returns the :id cycle's assessment overview for the
// office: the cycle's units only.
func (s *Handlers) APIAssessmentOverview(c *gin.Context) {
	id, ok := s.PathIDAndBody(c, nil)
	if !ok {
		return
	}
	list, scope, err := assessment.Overview(c, s.Pool, id)
	if err != nil {
		s.APIError(c, err)
		return
	}
	leaves := 0
	if len(scope.Chains) > 0 {
		leaves = len(scope.Chains[0].Leaves(assessment.Scorer{Office: true}))
	}
	c.JSON(http.StatusOK, assessmentOverview{CycleID: id, Leaves: leaves, Units: list})
}

// chainRef names one scheme chain of a cycle in the API.
type chainRef struct {
	GroupID       *int64   `json:"group_id"`
	GroupName     string   `json:"group_name"`
	Categories    []string `json:"categories"`
	SchemeVersion int      `json:"scheme_version"`
}

// pickChain is the scheme chain a scoring page or list shows: the group
// raw names (0 is the default scheme), else the first the scorer scores
// on, else the cycle's first. It returns not_found for a group the cycle
// does not have, and the chain's not_found when its scheme is not set.
func pickChain(raw string, scope assessment.Scope, sc assessment.Scorer) (*assessment.Chain, error) {
	var ch *assessment.Chain
	if raw != "" {
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || id < 0 {
			return nil, apperr.New(apperr.NotFound, "本考核年度没有该方案分组")
		}
		if ch, err = scope.Chain(id); err != nil {
			return nil, err
		}
	} else if mine := scope.ScorerChains(sc); len(mine) > 0 {
		ch = mine[0]
	} else if len(scope.Chains) > 0 {
		ch = &scope.Chains[0]
	} else {
		return nil, apperr.New(apperr.NotFound, "该考核年度尚未设置考核方案")
	}
	if ch.Scheme == nil {
		return ch, ch.NoScheme()
	}
	return ch, nil
}

// APIAssessmentLeaves lists the leaves the user may score of one scheme
// of the :id cycle (?group_id=, default: the first the user scores on),
// with every scheme of the cycle the user scores on.
func (s *Handlers) APIAssessmentLeaves(c *gin.Context) {
	id, ok := s.PathIDAndBody(c, nil)
	if !ok {
		return
	}
	sc := scorer(c)
	scope, err := assessment.LoadScope(c, s.Pool, id)
	var ch *assessment.Chain
	if err == nil {
		ch, err = pickChain(c.Query("group_id"), scope, sc)
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	refs := []chainRef{}
	for _, x := range scope.ScorerChains(sc) {
		refs = append(refs, chainRef{GroupID: x.GroupParam(), GroupName: x.Name, Categories: nonNil(x.Categories), SchemeVersion: x.Scheme.Version})
	}
	c.JSON(http.StatusOK, gin.H{"scheme_version": ch.Scheme.Version, "group_id": ch.GroupParam(), "group_name": ch.Name,
		"categories": nonNil(ch.Categories), "items": ch.Leaves(sc), "schemes": refs})
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func leafKeys(leaves []assessment.Leaf) []string {
	keys := make([]string, len(leaves))
	for i, l := range leaves {
		keys[i] = l.Key
	}
	return keys
}

// APIAssessmentEntries lists the entries on the leaves the user scores
// (every leaf for the office), optionally of one assessed unit.
func (s *Handlers) APIAssessmentEntries(c *gin.Context) {
	id, ok := s.PathIDAndBody(c, nil)
	if !ok {
		return
	}
	var unit *int64
	if raw := c.Query("unit_id"); raw != "" {
		u, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || u <= 0 {
			s.APIError(c, apperr.InvalidField("unit_id", "单位编号无效"))
			return
		}
		unit = &u
	}
	scope, err := assessment.LoadScope(c, s.Pool, id)
	var list []assessment.Entry
	if err == nil {
		list, err = assessment.ScorerEntries(c, s.Pool, scorer(c), scope, unit)
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": list})
}

// APISaveAssessmentEntry saves one entry: the :unit_id unit's score on the
// :leaf_key leaf.
func (s *Handlers) APISaveAssessmentEntry(c *gin.Context) {
	var in assessment.EntryInput
	id, ok := s.PathIDAndBody(c, &in)
	if !ok {
		return
	}
	unit, err := httpx.IDParam(c, "unit_id")
	if err != nil {
		s.APIError(c, err)
		return
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		return assessment.SaveEntry(c, tx, scorer(c), id, unit, c.Param("leaf_key"), in)
	})
}

// APISetLeafAssessor maps the :leaf_key leaf to its assessor unit (or none).
func (s *Handlers) APISetLeafAssessor(c *gin.Context) {
	var in struct {
		UnitID *int64 `json:"unit_id"`
		// GroupID names the scheme group whose leaf it is (nil: the
		// default scheme).
		GroupID *int64 `json:"group_id"`
	}
	id, ok := s.PathIDAndBody(c, &in)
	if !ok {
		return
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		v, changed, err := assessment.SetLeafAssessor(c, tx, httpx.CurrentUser(c).Actor(), id, in.GroupID, c.Param("leaf_key"), in.UnitID)
		return gin.H{"changed": changed, "scheme": v}, err
	})
}

// APIAssessmentSettings returns the :id cycle's assessment settings.
func (s *Handlers) APIAssessmentSettings(c *gin.Context) {
	id, ok := s.PathIDAndBody(c, nil)
	if !ok {
		return
	}
	v, err := assessment.LoadSettings(c, s.Pool, id)
	if err == nil && v.Version == 0 {
		_, err = cycles.FindCycle(c, s.Pool, id)
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

// APISaveAssessmentSettings saves the :id cycle's assessment settings as a
// new version.
func (s *Handlers) APISaveAssessmentSettings(c *gin.Context) {
	var in struct {
		Settings assessment.Settings `json:"settings"`
		Note     string              `json:"note"`
	}
	id, ok := s.PathIDAndBody(c, &in)
	if !ok {
		return
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		return assessment.SaveSettings(c, tx, httpx.CurrentUser(c).Actor(), id, in.Settings, in.Note)
	})
}
