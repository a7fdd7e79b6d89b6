package assessmentapp

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/assessment"
	"minyi/internal/cycles"
	"minyi/internal/db"
	"minyi/internal/httpx"
)

// assessSettingsForm is the settings form as typed; shares are percents.
type assessSettingsForm struct {
	BonusCap, DeductionCap, ExcellentShare, GoodShare, PassMin, Decimals, TieRule string
	AppealDays, AnswerDays, ReceiptDays, Note                                     string
	Quota                                                                         map[string]string
	Reasons                                                                       []reasonRow
}

type assessSettingsPageData struct {
	httpx.BasePage
	Cycle   cycles.Cycle
	Version int
	Form    assessSettingsForm
	Errors  map[string]string
	// ReasonsBad says a deduction reason row has an error.
	ReasonsBad bool
	Grades     []adjustKind
}

func percentText(f float64) string { return fnum(schemeRound(f * 100)) }

// schemeRound drops float noise from a percent (0.07*100 = 7.000000000000001).
func schemeRound(f float64) float64 {
	v, _ := strconv.ParseFloat(strconv.FormatFloat(f, 'f', 6, 64), 64)
	return v
}

// settingsForm fills the form from stored settings.
func settingsForm(st assessment.Settings) assessSettingsForm {
	f := assessSettingsForm{BonusCap: fnum(st.BonusCap), DeductionCap: fnum(st.DeductionCap),
		ExcellentShare: percentText(st.ExcellentShare), GoodShare: percentText(st.GoodShare), PassMin: fnum(st.PassMin),
		Decimals: strconv.Itoa(st.Decimals), TieRule: st.TieRule, AppealDays: strconv.Itoa(st.AppealDays),
		AnswerDays: strconv.Itoa(st.AnswerDays), Quota: map[string]string{}}
	if st.ReceiptDays > 0 {
		f.ReceiptDays = strconv.Itoa(st.ReceiptDays)
	}
	for g, v := range st.QuotaShares {
		f.Quota[g] = percentText(v)
	}
	f.Reasons = reasonRowsOf(st.DeductionReasons)
	return f
}

// parse turns the form into settings, adding a message per bad field;
// the deduction reasons are read by parseReasons.
func (f assessSettingsForm) parse(errs apperr.Fields) assessment.Settings {
	num := func(field, raw string, scale float64) float64 {
		v, err := strconv.ParseFloat(strings.TrimSpace(raw), 64)
		if err != nil {
			errs.Add(field, "请填写数字")
		}
		return v / scale
	}
	whole := func(field, raw string) int {
		v, err := httpx.ParseInt(strings.TrimSpace(raw))
		if err != nil {
			errs.Add(field, "请填写整数")
		}
		return v
	}
	st := assessment.Settings{BonusCap: num("bonus_cap", f.BonusCap, 1), DeductionCap: num("deduction_cap", f.DeductionCap, 1),
		ExcellentShare: num("excellent_share", f.ExcellentShare, 100), GoodShare: num("good_share", f.GoodShare, 100),
		PassMin: num("pass_min", f.PassMin, 1), Decimals: whole("decimals", f.Decimals), TieRule: f.TieRule,
		AppealDays: whole("appeal_days", f.AppealDays), AnswerDays: whole("answer_days", f.AnswerDays),
		QuotaShares: map[string]float64{}, DeductionReasons: []assessment.DeductionReason{}}
	if strings.TrimSpace(f.ReceiptDays) != "" {
		st.ReceiptDays = whole("receipt_days", f.ReceiptDays)
	}
	for g, raw := range f.Quota {
		st.QuotaShares[g] = num("quota_shares."+g, raw, 100)
	}
	return st
}

// AssessSettingsPage shows the cycle's assessment settings form (the office's).
func (s *Handlers) AssessSettingsPage(c *gin.Context) {
	cy, ok := s.assessCycle(c)
	if !ok {
		return
	}
	v, err := assessment.LoadSettings(c, s.Pool, cy.ID)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	s.showAssessSettings(c, http.StatusOK, cy, v.Version, settingsForm(v.Settings), nil)
}

func (s *Handlers) showAssessSettings(c *gin.Context, status int, cy cycles.Cycle, version int, f assessSettingsForm, errs map[string]string) {
	d := assessSettingsPageData{BasePage: s.Base(c, cy.Name+" 考核设置", "cycles"), Cycle: cy, Version: version,
		Form: f, Errors: errs}
	for _, g := range []string{assessment.GradeExcellent, assessment.GradeGood, assessment.GradePass, assessment.GradeFail} {
		d.Grades = append(d.Grades, adjustKind{g, assessment.GradeLabel(g)})
	}
	for _, r := range d.Form.Reasons {
		d.ReasonsBad = d.ReasonsBad || r.Error != ""
	}
	s.Render(c, status, "console/assess_settings.html", d)
}

// AssessSettingsSubmit saves the assessment settings form as a new version.
func (s *Handlers) AssessSettingsSubmit(c *gin.Context) {
	cy, ok := s.assessCycle(c)
	if !ok {
		return
	}
	f := assessSettingsForm{BonusCap: c.PostForm("bonus_cap"), DeductionCap: c.PostForm("deduction_cap"),
		ExcellentShare: c.PostForm("excellent_share"), GoodShare: c.PostForm("good_share"), PassMin: c.PostForm("pass_min"),
		Decimals: c.PostForm("decimals"), TieRule: c.PostForm("tie_rule"), AppealDays: c.PostForm("appeal_days"),
		AnswerDays: c.PostForm("answer_days"), ReceiptDays: c.PostForm("receipt_days"), Reasons: readReasonRows(c), Note: c.PostForm("note"),
		Quota: map[string]string{}}
	for _, g := range []string{assessment.GradeExcellent, assessment.GradeGood, assessment.GradePass, assessment.GradeFail} {
		f.Quota[g] = c.PostForm("quota_" + g)
	}
	errs := apperr.Fields{}
	st := f.parse(errs)
	reasons, rowOf, badReasons := parseReasons(f.Reasons)
	st.DeductionReasons = reasons
	before, err := assessment.LoadSettings(c, s.Pool, cy.ID)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	keepReasonLinks(&st, before.Settings)
	st.DeductionPreset = assessment.MatchDeductionPreset(st)
	if c.PostForm("op") == "more_reasons" {
		// Another empty row, nothing saved.
		f.Reasons = withSpareRows(f.Reasons, 1)
		s.showAssessSettings(c, http.StatusOK, cy, before.Version, f, nil)
		return
	}
	if badReasons {
		errs.Add("reasons", "扣分事由有误")
	}
	if len(errs) > 0 {
		// Show the rules' problems along with the typing ones.
		errs.Merge(st.Validate())
	} else {
		var v assessment.SettingsVersion
		err = db.Tx(c, s.Pool, func(tx pgx.Tx) (err error) {
			v, err = assessment.SaveSettings(c, tx, httpx.CurrentUser(c).Actor(), cy.ID, st, strings.TrimSpace(f.Note))
			return err
		})
		if err == nil {
			flash := "assess_settings_saved"
			if v.Version == before.Version {
				flash = "assess_settings_unchanged"
			}
			httpx.Redirect(c, assessPath(cy.ID)+"/settings", flash)
			return
		}
		fe, ok := httpx.FieldErrors(err)
		if !ok {
			s.ConsoleError(c, err)
			return
		}
		for k, m := range fe {
			errs.Add(k, m)
		}
	}
	placeReasonErrors(f.Reasons, rowOf, errs)
	s.showAssessSettings(c, http.StatusUnprocessableEntity, cy, before.Version, f, errs)
}

// keepReasonLinks carries over what the form does not show: the deduction
// groups, and each kept reason's group and chosen proposer unit (a preset
// sets them; see the deduction proposals page).
func keepReasonLinks(st *assessment.Settings, before assessment.Settings) {
	for i, r := range st.DeductionReasons {
		if old, ok := before.Reason(r.Key); ok {
			st.DeductionReasons[i].Group, st.DeductionReasons[i].ProposerUnitID = old.Group, old.ProposerUnitID
		}
	}
	for _, g := range before.DeductionGroups {
		for _, r := range st.DeductionReasons {
			if r.Group == g.Key {
				st.DeductionGroups = append(st.DeductionGroups, g)
				break
			}
		}
	}
}
