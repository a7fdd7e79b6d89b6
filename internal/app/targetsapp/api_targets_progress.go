package targetsapp

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/cycles"
	"minyi/internal/httpx"
	"minyi/internal/targets"
)

// sheetSettings loads the sheet of the path (and the JSON body into dst
// when not nil) and its cycle's settings; on failure it answers with the
// error.
func (s *Handlers) sheetSettings(c *gin.Context, dst any) (targets.Sheet, targets.Settings, bool) {
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
func (s *Handlers) sheetSettingsTx(c *gin.Context, dst any, fn func(tx pgx.Tx, sh targets.Sheet, set targets.Settings) (any, error)) {
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

// APITargetReports returns the :id sheet's progress reports with its report
// periods.
func (s *Handlers) APITargetReports(c *gin.Context) {
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

// APISaveTargetReports saves the :id sheet's progress reports of the :period.
func (s *Handlers) APISaveTargetReports(c *gin.Context) {
	var in struct {
		Items []targets.ReportInput `json:"items"`
	}
	s.sheetSettingsTx(c, &in, func(tx pgx.Tx, sh targets.Sheet, set targets.Settings) (any, error) {
		list, err := targets.SaveReports(c, tx, httpx.CurrentUser(c).Actor(), sh, set, c.Param("period"), in.Items, s.targetToday(), s.Now())
		return gin.H{"items": list}, err
	})
}

// APITargetSelfEvaluation returns the :id sheet's self-evaluation and
// whether it is locked.
func (s *Handlers) APITargetSelfEvaluation(c *gin.Context) {
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

// APISaveTargetSelfEvaluation saves the :id sheet's self-evaluation.
func (s *Handlers) APISaveTargetSelfEvaluation(c *gin.Context) {
	var in struct {
		Items []targets.SelfEvaluationInput `json:"items"`
	}
	s.sheetSettingsTx(c, &in, func(tx pgx.Tx, sh targets.Sheet, set targets.Settings) (any, error) {
		list, err := targets.SaveSelfEvaluation(c, tx, httpx.CurrentUser(c).Actor(), sh, set, in.Items, s.Now())
		return gin.H{"locked": false, "items": list}, err
	})
}

// APITargetSettings returns the :id cycle's process-management settings.
func (s *Handlers) APITargetSettings(c *gin.Context) {
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

// APISetTargetSettings saves the :id cycle's process-management settings.
func (s *Handlers) APISetTargetSettings(c *gin.Context) {
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

// APITargetWarnings lists the :id cycle's early warnings, filtered by
// ?unit_id= and ?kind=.
func (s *Handlers) APITargetWarnings(c *gin.Context) {
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
