package server

import (
	"math"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/cycles"
	"minyi/internal/db"
	"minyi/internal/httpx"
	"minyi/internal/targets"
	"minyi/internal/units"
)

// visibleSheet loads the sheet with the id and checks that the user may
// see its unit; it returns not_found or forbidden.
func (s *Server) visibleSheet(c *gin.Context, id int64) (targets.Sheet, error) {
	sh, err := targets.FindSheet(c, s.Pool, id)
	if err != nil {
		return targets.Sheet{}, err
	}
	if !httpx.CurrentUser(c).CanSeeUnit(sh.UnitID) {
		return targets.Sheet{}, apperr.New(apperr.Forbidden, "无权查看或修改其他单位的目标责任书")
	}
	return sh, nil
}

// sheetFromPath is visibleSheet for the :id path parameter of the API,
// reading the JSON body into dst when dst is not nil; on failure it
// answers with the error.
func (s *Server) sheetFromPath(c *gin.Context, dst any) (targets.Sheet, bool) {
	id, ok := s.PathIDAndBody(c, dst)
	if !ok {
		return targets.Sheet{}, false
	}
	sh, err := s.visibleSheet(c, id)
	if err != nil {
		s.APIError(c, err)
		return targets.Sheet{}, false
	}
	return sh, true
}

// targetToday is the local date now.
func (s *Server) targetToday() string { return s.Now().In(s.Config.Location).Format("2006-01-02") }

// targetLine is a unit's line of a cycle's target list.
type targetLine struct {
	Unit     units.Unit            `json:"unit"`
	Sheet    *targets.SheetSummary `json:"sheet"`
	Warnings int                   `json:"warnings"`
}

// targetLines lists the units the user may see with their sheets of the
// cycle and warning counts.
func (s *Server) targetLines(c *gin.Context, cycleID int64) ([]targetLine, []targets.Warning, error) {
	scope := httpx.CurrentUser(c).UnitID
	list, err := units.ListUnits(c, s.Pool, scope)
	if err != nil {
		return nil, nil, err
	}
	sheets, err := targets.ListSheets(c, s.Pool, cycleID, scope)
	if err != nil {
		return nil, nil, err
	}
	warns, err := targets.Warnings(c, s.Pool, cycleID, targets.WarningFilter{UnitID: scope}, s.Now(), s.Config.Location)
	if err != nil {
		return nil, nil, err
	}
	count := map[int64]int{}
	for _, w := range warns {
		count[w.UnitID]++
	}
	out := make([]targetLine, 0, len(list))
	for _, u := range list {
		l := targetLine{Unit: u, Warnings: count[u.ID]}
		if sh, ok := sheets[u.ID]; ok {
			l.Sheet = &sh
		}
		out = append(out, l)
	}
	return out, warns, nil
}

func (s *Server) apiListTargets(c *gin.Context) {
	id, ok := s.PathIDAndBody(c, nil)
	if !ok {
		return
	}
	cy, err := cycles.FindCycle(c, s.Pool, id)
	if err != nil {
		s.APIError(c, err)
		return
	}
	lines, _, err := s.targetLines(c, cy.ID)
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"cycle_id": cy.ID, "items": lines})
}

func (s *Server) apiCreateTarget(c *gin.Context) {
	var in struct {
		UnitID int64 `json:"unit_id"`
	}
	id, ok := s.PathIDAndBody(c, &in)
	if !ok {
		return
	}
	if in.UnitID == 0 && httpx.CurrentUser(c).UnitID != nil {
		in.UnitID = *httpx.CurrentUser(c).UnitID
	}
	if in.UnitID == 0 {
		s.APIError(c, apperr.InvalidField("unit_id", "请选择单位"))
		return
	}
	if err := httpx.CanSeeUnit(httpx.CurrentUser(c), in.UnitID); err != nil {
		s.APIError(c, err)
		return
	}
	var sh targets.Sheet
	var created bool
	err := db.Tx(c, s.Pool, func(tx pgx.Tx) (err error) {
		sh, created, err = targets.CreateSheet(c, tx, httpx.CurrentUser(c).Actor(), id, in.UnitID, s.Now())
		return err
	})
	if err != nil {
		s.APIError(c, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	c.JSON(status, sh)
}

func (s *Server) apiGetTarget(c *gin.Context) {
	if sh, ok := s.sheetFromPath(c, nil); ok {
		c.JSON(http.StatusOK, sh)
	}
}

// lockInput is the optimistic-lock field of a write.
type lockInput struct {
	LockVersion int `json:"lock_version"`
}

func (s *Server) apiSaveTarget(c *gin.Context) {
	var in struct {
		lockInput
		Indicators []targets.IndicatorInput `json:"indicators"`
	}
	sh, ok := s.sheetFromPath(c, &in)
	if !ok {
		return
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		return targets.SaveDraft(c, tx, httpx.CurrentUser(c).Actor(), sh.ID, in.LockVersion, in.Indicators, s.Now())
	})
}

func (s *Server) apiSubmitTarget(c *gin.Context) {
	var in lockInput
	sh, ok := s.sheetFromPath(c, &in)
	if !ok {
		return
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		return targets.Submit(c, tx, httpx.CurrentUser(c).Actor(), sh.ID, in.LockVersion, s.Now())
	})
}

func (s *Server) apiReturnTarget(c *gin.Context) {
	var in struct {
		lockInput
		Comment string `json:"comment"`
		// IndicatorComments maps indicator ids (as strings) to comments.
		IndicatorComments map[string]string `json:"indicator_comments"`
	}
	sh, ok := s.sheetFromPath(c, &in)
	if !ok {
		return
	}
	per := map[int64]string{}
	for k, v := range in.IndicatorComments {
		id, err := strconv.ParseInt(k, 10, 64)
		if err != nil {
			s.APIError(c, apperr.InvalidField("indicator_comments", "指标意见须以指标 id 为键"))
			return
		}
		per[id] = v
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		return targets.Return(c, tx, httpx.CurrentUser(c).Actor(), sh.ID, in.LockVersion, in.Comment, per, s.Now())
	})
}

func (s *Server) apiApproveTarget(c *gin.Context) {
	var in lockInput
	sh, ok := s.sheetFromPath(c, &in)
	if !ok {
		return
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		return targets.Approve(c, tx, httpx.CurrentUser(c).Actor(), sh.ID, in.LockVersion, s.Now())
	})
}

func (s *Server) apiTargetVersions(c *gin.Context) {
	sh, ok := s.sheetFromPath(c, nil)
	if !ok {
		return
	}
	list, err := targets.ListVersions(c, s.Pool, sh.ID)
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": list})
}

func (s *Server) apiTargetVersion(c *gin.Context) {
	sh, ok := s.sheetFromPath(c, nil)
	if !ok {
		return
	}
	n, err := httpx.IDParam(c, "version")
	if err == nil && n > math.MaxInt32 {
		err = httpx.ErrNotFound
	}
	var v targets.Version
	if err == nil {
		v, err = targets.FindVersion(c, s.Pool, sh.ID, int(n))
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

func (s *Server) apiTargetChangeRequests(c *gin.Context) {
	sh, ok := s.sheetFromPath(c, nil)
	if !ok {
		return
	}
	list, err := targets.ListChangeRequests(c, s.Pool, sh.ID)
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": list})
}

func (s *Server) apiRequestTargetChange(c *gin.Context) {
	var in struct {
		lockInput
		Reason     string                   `json:"reason"`
		Indicators []targets.IndicatorInput `json:"indicators"`
	}
	sh, ok := s.sheetFromPath(c, &in)
	if !ok {
		return
	}
	s.APITx(c, http.StatusCreated, func(tx pgx.Tx) (any, error) {
		return targets.RequestChange(c, tx, httpx.CurrentUser(c).Actor(), sh.ID, in.LockVersion, in.Reason, in.Indicators, s.Now())
	})
}

// apiDecideTargetChange approves (approve true) or rejects a change request.
func (s *Server) apiDecideTargetChange(approve bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		var in struct {
			Comment string `json:"comment"`
		}
		id, ok := s.PathIDAndBody(c, &in)
		if !ok {
			return
		}
		s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
			return targets.DecideChange(c, tx, httpx.CurrentUser(c).Actor(), id, approve, in.Comment, s.Now())
		})
	}
}

// sheetSettings loads the sheet of the path (and the JSON body into dst
// when not nil) and its cycle's settings; on failure it answers with the
// error.
func (s *Server) sheetSettings(c *gin.Context, dst any) (targets.Sheet, targets.Settings, bool) {
	sh, ok := s.sheetFromPath(c, dst)
	if !ok {
		return sh, targets.Settings{}, false
	}
	set, err := targets.FindSettings(c, s.Pool, sh.CycleID)
	if err != nil {
		s.APIError(c, err)
		return sh, set, false
	}
	return sh, set, true
}

// sheetSettingsTx runs fn on the sheet of the path with its cycle's
// settings read in the transaction, answering 200 with fn's result.
func (s *Server) sheetSettingsTx(c *gin.Context, dst any, fn func(tx pgx.Tx, sh targets.Sheet, set targets.Settings) (any, error)) {
	sh, ok := s.sheetFromPath(c, dst)
	if !ok {
		return
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		set, err := targets.FindSettings(c, tx, sh.CycleID)
		if err != nil {
			return nil, err
		}
		return fn(tx, sh, set)
	})
}

func (s *Server) apiTargetReports(c *gin.Context) {
	sh, set, ok := s.sheetSettings(c, nil)
	if !ok {
		return
	}
	list, err := targets.ListReports(c, s.Pool, sh.ID)
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"frequency": set.Frequency, "due_days": set.DueDays,
		"periods": targets.SheetPeriods(sh, set), "items": list})
}

func (s *Server) apiSaveTargetReports(c *gin.Context) {
	var in struct {
		Items []targets.ReportInput `json:"items"`
	}
	s.sheetSettingsTx(c, &in, func(tx pgx.Tx, sh targets.Sheet, set targets.Settings) (any, error) {
		list, err := targets.SaveReports(c, tx, httpx.CurrentUser(c).Actor(), sh, set, c.Param("period"), in.Items, s.targetToday(), s.Now())
		return gin.H{"items": list}, err
	})
}

func (s *Server) apiTargetSelfEvaluation(c *gin.Context) {
	sh, set, ok := s.sheetSettings(c, nil)
	if !ok {
		return
	}
	list, err := targets.ListSelfEvaluations(c, s.Pool, sh.ID)
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"locked": set.SelfEvalLocked, "items": list})
}

func (s *Server) apiSaveTargetSelfEvaluation(c *gin.Context) {
	var in struct {
		Items []targets.SelfEvaluationInput `json:"items"`
	}
	s.sheetSettingsTx(c, &in, func(tx pgx.Tx, sh targets.Sheet, set targets.Settings) (any, error) {
		list, err := targets.SaveSelfEvaluation(c, tx, httpx.CurrentUser(c).Actor(), sh, set, in.Items, s.Now())
		return gin.H{"locked": false, "items": list}, err
	})
}

func (s *Server) apiTargetSettings(c *gin.Context) {
	id, ok := s.PathIDAndBody(c, nil)
	if !ok {
		return
	}
	if _, err := cycles.FindCycle(c, s.Pool, id); err != nil {
		s.APIError(c, err)
		return
	}
	set, err := targets.FindSettings(c, s.Pool, id)
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, set)
}

func (s *Server) apiSetTargetSettings(c *gin.Context) {
	var in struct {
		Frequency      string `json:"frequency"`
		DueDays        *int   `json:"due_days"`
		SelfEvalLocked bool   `json:"self_eval_locked"`
	}
	id, ok := s.PathIDAndBody(c, &in)
	if !ok {
		return
	}
	set := targets.Settings{CycleID: id, Frequency: in.Frequency, DueDays: targets.DefaultDueDays, SelfEvalLocked: in.SelfEvalLocked}
	if in.DueDays != nil {
		set.DueDays = *in.DueDays
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		return targets.SaveSettings(c, tx, httpx.CurrentUser(c).Actor(), set, s.Now())
	})
}

// warningFilter reads ?unit_id= and ?kind=; a unit user sees only their unit.
func warningFilter(c *gin.Context) (targets.WarningFilter, error) {
	f := targets.WarningFilter{Kind: c.Query("kind")}
	if f.Kind != "" && f.Kind != targets.WarnMissingReport && f.Kind != targets.WarnOverdue {
		return f, apperr.InvalidField("kind", "预警类型须为 missing_report 或 overdue")
	}
	if v := c.Query("unit_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return f, apperr.InvalidField("unit_id", "单位 id 须为正整数")
		}
		f.UnitID = &id
	}
	if u := httpx.CurrentUser(c); u.UnitID != nil {
		if f.UnitID != nil && *f.UnitID != *u.UnitID {
			return f, httpx.CanSeeUnit(u, *f.UnitID)
		}
		f.UnitID = u.UnitID
	}
	return f, nil
}

func (s *Server) apiTargetWarnings(c *gin.Context) {
	id, ok := s.PathIDAndBody(c, nil)
	if !ok {
		return
	}
	f, err := warningFilter(c)
	var list []targets.Warning
	if err == nil {
		list, err = targets.Warnings(c, s.Pool, id, f, s.Now(), s.Config.Location)
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	if list == nil {
		list = []targets.Warning{}
	}
	c.JSON(http.StatusOK, gin.H{"total": len(list), "items": list})
}
