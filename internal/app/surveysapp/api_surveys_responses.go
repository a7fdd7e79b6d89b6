package surveysapp

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"

	"minyi/internal/apperr"
	"minyi/internal/httpx"
	"minyi/internal/search"
	"minyi/internal/surveys"
	"minyi/internal/users"
)

// responseFilter reads the filter shared by the API and the console:
// cycle_id, survey_id, unit_id, group, source, level, q (keywords of the
// opinion), limit and offset. A
// unit's staff always get their own unit; asking for another is forbidden.
func responseFilter(c *gin.Context) (surveys.ResponseFilter, error) {
	f, err := responseFilterOf(c.Request.URL.Query(), httpx.CurrentUser(c))
	if err != nil && !apperr.Is(err, apperr.Invalid) {
		return f, err
	}
	bad := apperr.Fields{}
	bad.Merge(err)
	f.Limit, f.Offset, err = httpx.Paging(c)
	bad.Merge(err)
	return f, bad.Err()
}

// responseFilterOf is responseFilter without the paging, over query
// parameters q, for viewer u.
func responseFilterOf(q url.Values, u users.User) (surveys.ResponseFilter, error) {
	f := surveys.ResponseFilter{Group: q.Get("group"), Source: q.Get("source")}
	bad := apperr.Fields{}
	for name, dst := range map[string]*int64{"cycle_id": &f.CycleID, "survey_id": &f.SurveyID, "unit_id": &f.UnitID} {
		if v := q.Get(name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n <= 0 {
				bad.Add(name, name+" 须为正整数")
			}
			*dst = n
		}
	}
	if v := q.Get("level"); v != "" {
		n, err := httpx.ParseInt(v)
		if err != nil || n < 1 || n > 5 {
			bad.Add("level", "level 须为 1 到 5")
		}
		f.Level = n
	}
	var err error
	f.Q, err = search.Parse(q.Get("q"))
	bad.Merge(err)
	bad.Merge(f.Validate())
	if err := bad.Err(); err != nil {
		return f, err
	}
	if u.Role != users.RoleOffice {
		if f.UnitID != 0 && (u.UnitID == nil || f.UnitID != *u.UnitID) {
			return f, apperr.New(apperr.Forbidden, "无权查看该单位的答卷")
		}
		f.UnitID = -1
		if u.UnitID != nil {
			f.UnitID = *u.UnitID
		}
	}
	return f, nil
}

// forUnit leaves out of responses everything that could point at a
// respondent, for a unit's staff.
func forUnit(u users.User, list []surveys.Response) {
	if u.Role == users.RoleOffice {
		return
	}
	for i := range list {
		list[i].RespondentID, list[i].RespondentName, list[i].AgencyResponseID = nil, nil, nil
	}
}

// APIListResponses lists survey responses; a unit sees only its own, without
// respondents.
func (s *Handlers) APIListResponses(c *gin.Context) {
	f, err := responseFilter(c)
	if err != nil {
		s.APIError(c, err)
		return
	}
	list, total, err := surveys.ListResponses(c, s.Pool, f)
	if err != nil {
		s.APIError(c, err)
		return
	}
	forUnit(httpx.CurrentUser(c), list)
	c.JSON(http.StatusOK, gin.H{"total": total, "items": list})
}
