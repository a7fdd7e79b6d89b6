package assessmentapp

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"minyi/internal/apperr"
	"minyi/internal/assessment"
	"minyi/internal/cycles"
	"minyi/internal/httpx"
	"minyi/internal/schemes"
	"minyi/internal/secure"
	"minyi/internal/units"
)

type claimView struct {
	assessment.Claim
	StatusLabel, Claimed, Approved string
	Evidence                       []evidenceLink
}

type deductionView struct {
	assessment.Deduction
	PointsText string
	Evidence   []evidenceLink
}

type adjustmentView struct {
	assessment.Adjustment
	KindLabel string
	Evidence  []evidenceLink
}

type entryView struct {
	assessment.Leaf
	Entry    *assessment.Entry
	Value    string
	Evidence []evidenceLink
}

type unitAssessPageData struct {
	httpx.BasePage
	Cycle                                         cycles.Cycle
	Unit                                          units.Unit
	Own                                           bool
	Inputs                                        assessment.UnitInputs
	BonusApproved, BonusCounted, BonusCap         string
	DeductionsFiled, DeductionsCounted, DeductCap string
	Entries                                       []entryView
	Claims                                        []claimView
	Deductions                                    []deductionView
	Adjustments                                   []adjustmentView
	RankAdjustments                               []assessment.RankAdjustment
	// CategorySize is how many units the unit's category has (the range
	// of a rank adjustment).
	CategorySize int
	Reasons      []assessment.DeductionReason
	Kinds        []adjustKind
	ClientKey    string
	Action       string
	// Form and Errors refill a refused form (Form["form"] names which).
	Form   map[string]string
	Errors map[string]string
}

type adjustKind struct{ Key, Label string }

// UnitAssessmentPage shows one unit's assessment page: entries, claims,
// deductions and adjustments.
func (s *Handlers) UnitAssessmentPage(c *gin.Context) {
	s.showUnitAssessment(c, http.StatusOK, nil, nil)
}

// showUnitAssessment renders one unit's page; form and errs refill a
// refused form.
func (s *Handlers) showUnitAssessment(c *gin.Context, status int, form, errs map[string]string) {
	cy, ok := s.assessCycle(c)
	if !ok {
		return
	}
	unitID, err := httpx.IDParam(c, "unit_id")
	var ua unitAssessment
	var u units.Unit
	var set assessment.SettingsVersion
	if err == nil {
		ua, err = s.loadUnitAssessment(c, cy.ID, unitID)
	}
	if err == nil {
		u, err = units.FindUnit(c, s.Pool, unitID)
	}
	if err == nil {
		set, err = assessment.LoadSettings(c, s.Pool, cy.ID)
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	user := httpx.CurrentUser(c)
	d := unitAssessPageData{BasePage: s.Base(c, u.Name+" 评分与加减分", "cycles"), Cycle: cy, Unit: u,
		Own: user.UnitID != nil && *user.UnitID == unitID, Inputs: ua.Inputs,
		BonusApproved: fnum(ua.Inputs.BonusApproved), BonusCounted: fnum(ua.Inputs.BonusCounted),
		BonusCap: fnum(set.Settings.BonusCap), DeductionsFiled: fnum(ua.Inputs.DeductionsFiled),
		DeductionsCounted: fnum(ua.Inputs.DeductionsCounted), DeductCap: fnum(set.Settings.DeductionCap),
		Reasons: set.Settings.DeductionReasons, ClientKey: secure.Token(12), Action: assessUnitPath(cy.ID, unitID),
		Form: form, Errors: errs}
	for _, k := range assessment.AdjustmentKinds {
		d.Kinds = append(d.Kinds, adjustKind{k, assessment.AdjustmentLabel(k)})
	}
	if d.Office {
		if err := s.fillEntryViews(c, &d, cy.ID, ua.Entries); err != nil {
			s.ConsoleError(c, err)
			return
		}
	}
	for _, cl := range ua.Claims {
		v := claimView{Claim: cl, StatusLabel: assessment.ClaimStatusLabel(cl.Status), Claimed: fnum(cl.PointsClaimed)}
		if cl.PointsApproved != nil {
			v.Approved = fnum(*cl.PointsApproved)
		}
		if v.Evidence, err = s.evidenceLinks(c, cl.EvidenceIDs); err != nil {
			s.ConsoleError(c, err)
			return
		}
		d.Claims = append(d.Claims, v)
	}
	for _, x := range ua.Deductions {
		v := deductionView{Deduction: x, PointsText: fnum(x.Points)}
		if v.Evidence, err = s.evidenceLinks(c, x.EvidenceIDs); err != nil {
			s.ConsoleError(c, err)
			return
		}
		d.Deductions = append(d.Deductions, v)
	}
	for _, x := range ua.Adjustments {
		v := adjustmentView{Adjustment: x, KindLabel: assessment.AdjustmentLabel(x.Kind)}
		if v.Evidence, err = s.evidenceLinks(c, x.EvidenceIDs); err != nil {
			s.ConsoleError(c, err)
			return
		}
		d.Adjustments = append(d.Adjustments, v)
	}
	if d.RankAdjustments, err = assessment.ListRankAdjustments(c, s.Pool, cy.ID, &unitID); err == nil {
		d.CategorySize, err = assessment.CategorySize(c, s.Pool, cy.ID, unitID)
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	s.Render(c, status, "console/assess_unit.html", d)
}

// fillEntryViews lists every manual leaf of the unit's own scheme with the
// unit's entry, if any.
func (s *Handlers) fillEntryViews(c *gin.Context, d *unitAssessPageData, cycleID int64, entries []assessment.Entry) error {
	v, err := schemes.ForUnit(c, s.Pool, cycleID, d.Unit.ID)
	if apperr.Is(err, apperr.NotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	byKey := map[string]*assessment.Entry{}
	for i := range entries {
		byKey[entries[i].LeafKey] = &entries[i]
	}
	for _, l := range assessment.ManualLeaves(v.Tree) {
		ev := entryView{Leaf: l, Entry: byKey[l.Key], Value: "未录入"}
		if e := ev.Entry; e != nil {
			ev.Value = "不参加"
			if e.Points != nil {
				ev.Value = fnum(*e.Points)
			}
			if ev.Evidence, err = s.evidenceLinks(c, e.EvidenceIDs); err != nil {
				return err
			}
		}
		d.Entries = append(d.Entries, ev)
	}
	return nil
}

// refuseOrFail shows the unit page again with the field errors of an
// invalid error, or the error page for anything else.
func (s *Handlers) refuseOrFail(c *gin.Context, err error, form map[string]string) {
	if errs, ok := httpx.FieldErrors(err); ok {
		s.showUnitAssessment(c, http.StatusUnprocessableEntity, form, errs)
		return
	}
	s.ConsoleError(c, err)
}

// parsePoints reads a form's points field ("" → nil).
func parsePoints(raw, field string) (*float64, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, nil
	}
	f, err := strconv.ParseFloat(raw, 64)
	if err != nil {
		return nil, apperr.InvalidField(field, "请填写数字")
	}
	return &f, nil
}
