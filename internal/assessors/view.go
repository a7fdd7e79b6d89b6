package assessors

import (
	"context"

	"minyi/internal/apperr"
	"minyi/internal/db"
	"minyi/internal/selfeval"
	"minyi/internal/targets"
)

// IndicatorView is one indicator the assessor sees, with the unit's
// progress reports on it (by period) and its self-evaluation.
type IndicatorView struct {
	targets.Indicator
	Reports        []targets.Report        `json:"reports"`
	SelfEvaluation *targets.SelfEvaluation `json:"self_evaluation"`
	// Files are the evidence files (佐证材料) the unit attached to the
	// indicator; the assessor downloads them (CheckEvidence).
	Files []targets.IndicatorFile `json:"files"`
}

// UnitView is what an assessor sees, read-only, of a unit it assesses:
// the target sheet's status and the indicators within its scope.
type UnitView struct {
	CycleID    int64    `json:"cycle_id"`
	UnitID     int64    `json:"unit_id"`
	UnitName   string   `json:"unit_name"`
	AssessorID int64    `json:"assessor_unit_id"`
	LeafKeys   []string `json:"leaf_keys"`
	// SheetID is 0 and SheetStatus "" while the unit has no target sheet.
	SheetID     int64           `json:"sheet_id"`
	SheetStatus string          `json:"sheet_status"`
	Published   int             `json:"published_version"`
	Indicators  []IndicatorView `json:"indicators"`
}

// StatusLabel is the sheet's status in Chinese ("尚未编制" without one).
func (v UnitView) StatusLabel() string {
	if v.SheetID == 0 {
		return "尚未编制目标责任书"
	}
	return targets.StatusLabel(v.SheetStatus)
}

// LoadUnitView checks that the assessor assesses the unit (see
// CheckAssesses for the errors) and returns what it sees of it.
func LoadUnitView(ctx context.Context, q db.DBTX, cycleID, assessorID, unitID int64) (UnitView, error) {
	sc, err := CheckAssesses(ctx, q, cycleID, assessorID, unitID)
	if err != nil {
		return UnitView{}, err
	}
	v := UnitView{CycleID: cycleID, UnitID: unitID, AssessorID: assessorID, LeafKeys: sc.LeafKeys(),
		Indicators: []IndicatorView{}}
	if err := q.QueryRow(ctx, `SELECT name FROM units WHERE id = $1`, unitID).Scan(&v.UnitName); err != nil {
		return UnitView{}, db.Err(err)
	}
	sheet, err := targets.FindSheetFor(ctx, q, cycleID, unitID)
	if apperr.Is(err, apperr.NotFound) {
		return v, nil
	}
	if err != nil {
		return UnitView{}, err
	}
	v.SheetID, v.SheetStatus, v.Published = sheet.ID, sheet.Status, sheet.PublishedVersion
	reports, err := targets.ListReports(ctx, q, sheet.ID)
	if err != nil {
		return UnitView{}, err
	}
	selfs, err := targets.ListSelfEvaluations(ctx, q, sheet.ID)
	if err != nil {
		return UnitView{}, err
	}
	files, err := targets.ListEvidence(ctx, q, sheet.ID)
	if err != nil {
		return UnitView{}, err
	}
	for _, in := range sheet.Indicators {
		if !sc.sees(in.AssessorUnitID, in.SchemeKey) {
			continue
		}
		iv := IndicatorView{Indicator: in, Reports: []targets.Report{}, Files: []targets.IndicatorFile{}}
		for _, f := range files {
			if f.IndicatorID == in.ID {
				iv.Files = append(iv.Files, f)
			}
		}
		for _, r := range reports {
			if r.IndicatorID == in.ID {
				iv.Reports = append(iv.Reports, r)
			}
		}
		for i := range selfs {
			if selfs[i].IndicatorID == in.ID {
				iv.SelfEvaluation = &selfs[i]
			}
		}
		v.Indicators = append(v.Indicators, iv)
	}
	return v, nil
}

// MsgEvidenceNotAssessed refuses a file of an indicator outside the
// assessor's scope.
const MsgEvidenceNotAssessed = "该佐证材料所属的指标不由本单位考评，无权下载"

// CheckEvidence reports whether the assessor may download the evidence
// file: the unit attached it to a current indicator of its target sheet
// of the cycle that the assessor sees (it names the assessor or feeds one
// of its leaves), or to one of its self-evaluation reports of the cycle. It returns CheckAssesses's errors for a unit the
// assessor does not assess, not_found for a file the unit's sheet does
// not cite, and forbidden (MsgEvidenceNotAssessed) for a file only of
// indicators outside the scope.
func CheckEvidence(ctx context.Context, q db.DBTX, cycleID, assessorID, unitID int64, evidenceID string) error {
	sc, err := CheckAssesses(ctx, q, cycleID, assessorID, unitID)
	if err != nil {
		return err
	}
	notFound := apperr.New(apperr.NotFound, "佐证材料不存在")
	sheet, err := targets.FindSheetFor(ctx, q, cycleID, unitID)
	if apperr.Is(err, apperr.NotFound) {
		return notFound
	}
	if err != nil {
		return err
	}
	list, err := targets.EvidenceIndicators(ctx, q, sheet.ID, evidenceID)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		// A file of the unit's self-evaluation report: the report is the
		// whole unit's, so every assessor of the unit reads it.
		if cited, err := selfeval.ReportCitesFile(ctx, q, cycleID, unitID, evidenceID); err != nil || cited {
			return err
		}
		return notFound
	}
	for _, in := range list {
		if sc.sees(in.AssessorUnitID, in.SchemeKey) {
			return nil
		}
	}
	if cited, err := selfeval.ReportCitesFile(ctx, q, cycleID, unitID, evidenceID); err != nil || cited {
		return err
	}
	return apperr.New(apperr.Forbidden, MsgEvidenceNotAssessed)
}
