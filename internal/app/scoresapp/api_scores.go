package scoresapp

import (
	"math"
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/db"
	"minyi/internal/httpx"
	"minyi/internal/scores"
	"minyi/internal/units"
)

// scoreQuery reads the cycle id from the path and the configuration
// version from ?version= (the newest when absent). A malformed id is
// not_found, a malformed version invalid (field version).
func (s *Handlers) scoreQuery(c *gin.Context) (scores.Query, error) {
	id, err := httpx.IDParam(c, "id")
	if err != nil {
		return scores.Query{}, err
	}
	q := scores.Query{CycleID: id, CategoryOrder: s.Config.UnitCategories}
	if v := c.Query("version"); v != "" {
		n, err := httpx.ParseInt(v)
		if err != nil || n < 1 || n > math.MaxInt32 {
			return scores.Query{}, apperr.InvalidField("version", "version 须为正整数（配置版本号）")
		}
		q.Version = n
	}
	return q, nil
}

// viewerUnit returns the unit of a unit-role user, or forbidden when the
// account has none; office staff and leaders (every unit's figures) get nil.
func (s *Handlers) viewerUnit(c *gin.Context) (*units.Unit, error) {
	u := httpx.CurrentUser(c)
	if u.SeesAll() {
		return nil, nil
	}
	if u.UnitID == nil {
		return nil, apperr.New(apperr.Forbidden, "该账号未关联单位，无权查看得分")
	}
	unit, err := units.FindUnit(c, s.Pool, *u.UnitID)
	if err != nil {
		return nil, err
	}
	return &unit, nil
}

// viewerReport computes the scores of the cycle in the path as the user may
// see them: office staff every category; a unit-role user only the ranking
// of the own unit's category, with the other units reduced to name, place
// and score (scores.Report.ForUnit).
func (s *Handlers) viewerReport(c *gin.Context) (scores.Report, error) {
	q, err := s.scoreQuery(c)
	if err != nil {
		return scores.Report{}, err
	}
	own, err := s.viewerUnit(c)
	if err != nil {
		return scores.Report{}, err
	}
	if own != nil {
		q.Category = own.Category
	}
	var rep scores.Report
	err = db.ReadSnapshot(c, s.Pool, func(tx pgx.Tx) (err error) {
		rep, err = scores.Compute(c, tx, s.Config.Location, s.Now(), q)
		return err
	})
	if err != nil {
		return scores.Report{}, err
	}
	if own != nil {
		rep = rep.ForUnit(own.ID)
	}
	return rep, nil
}

// viewerExplanation explains the score of the unit named by the unit_id
// path parameter; a unit-role user may ask only for the own unit.
func (s *Handlers) viewerExplanation(c *gin.Context) (scores.Explanation, error) {
	q, err := s.scoreQuery(c)
	if err != nil {
		return scores.Explanation{}, err
	}
	unitID, err := httpx.IDParam(c, "unit_id")
	if err == nil {
		err = httpx.CanSeeUnit(httpx.CurrentUser(c), unitID)
	}
	if err != nil {
		return scores.Explanation{}, err
	}
	var e scores.Explanation
	err = db.ReadSnapshot(c, s.Pool, func(tx pgx.Tx) (err error) {
		e, err = scores.Explain(c, tx, s.Config.Location, s.Now(), q, unitID)
		return err
	})
	return e, err
}

// APICycleScores answers the cycle's scores as the user may see them
// (?version= picks a configuration version).
func (s *Handlers) APICycleScores(c *gin.Context) {
	rep, err := s.viewerReport(c)
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, rep)
}

// scoreLink is a link to the same list in the API and in the console.
type scoreLink struct {
	API     string `json:"api"`
	Console string `json:"console"`
}

// explanationLinks lead from a score down to what it counts.
type explanationLinks struct {
	// Page is the explanation's console page.
	Page string `json:"page"`
	// Ratings are the counted ratings of the period, ExcludedRatings the
	// excluded ones, shown separately.
	Ratings         scoreLink `json:"ratings"`
	ExcludedRatings scoreLink `json:"excluded_ratings"`
	// Responses are the unit's survey responses of the cycle, and
	// GroupResponses those of each configured group, by group key.
	Responses      scoreLink            `json:"responses"`
	GroupResponses map[string]scoreLink `json:"group_responses"`
}

type explanationJSON struct {
	scores.Explanation
	Links explanationLinks `json:"links"`
}

// scoreLinks builds the links of an explanation.
func scoreLinks(e scores.Explanation) explanationLinks {
	unit := strconv.FormatInt(e.Unit.ID, 10)
	ratingsLink := func(excluded string) scoreLink {
		v := url.Values{"from": {e.Cycle.PeriodStart}, "to": {e.Cycle.PeriodEnd}, "excluded": {excluded}}
		api := "/api/v1/units/" + unit + "/ratings?" + v.Encode()
		v.Set("unit_id", unit)
		return scoreLink{API: api, Console: "/console/ratings?" + v.Encode()}
	}
	responses := func(group string) scoreLink {
		v := url.Values{"cycle_id": {strconv.FormatInt(e.Cycle.ID, 10)}, "unit_id": {unit}}
		if group != "" {
			v.Set("group", group)
		}
		return scoreLink{API: "/api/v1/responses?" + v.Encode(), Console: "/console/responses?" + v.Encode()}
	}
	l := explanationLinks{
		Page:    scoresPath(e.Cycle.ID) + "/" + unit + versionSuffix(e.Meta),
		Ratings: ratingsLink("false"), ExcludedRatings: ratingsLink("true"),
		Responses: responses(""), GroupResponses: map[string]scoreLink{},
	}
	for _, g := range e.Annual.Groups {
		l.GroupResponses[g.Key] = responses(g.Key)
	}
	return l
}

func cyclePath(id int64) string { return "/console/cycles/" + strconv.FormatInt(id, 10) }

// scoresPath is the console's ranking page of a cycle.
func scoresPath(cycleID int64) string { return cyclePath(cycleID) + "/scores" }

// versionSuffix is "?version=N" when the report used an older version than
// the newest, so links keep showing the same result; "" otherwise.
func versionSuffix(m scores.Meta) string {
	if m.Version == m.NewestVersion {
		return ""
	}
	return "?version=" + strconv.Itoa(m.Version)
}

// APIUnitScore explains one unit's score, with links to the ratings and
// responses it counts.
func (s *Handlers) APIUnitScore(c *gin.Context) {
	e, err := s.viewerExplanation(c)
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, explanationJSON{Explanation: e, Links: scoreLinks(e)})
}
