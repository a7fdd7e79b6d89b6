package agencies

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/cycles"
	"minyi/internal/db"
	"minyi/internal/surveys"
	"minyi/internal/units"
)

// Refusals of an upload to a survey that does not take answers.
const (
	closedMessage  = "问卷调查已结束，不再接受提交"
	notOpenMessage = "问卷调查尚未开始，暂不接受提交"
)

// AcceptsUploads returns nil when the survey takes answers at now;
// survey_not_open for a draft, survey_closed for a closed survey or one
// past its closing time.
func AcceptsUploads(s surveys.Survey, now time.Time) error {
	switch {
	case s.Status == surveys.StatusDraft:
		return apperr.New(apperr.SurveyNotOpen, notOpenMessage)
	case s.Status == surveys.StatusClosed || s.Expired(now):
		return apperr.New(apperr.SurveyClosed, closedMessage)
	}
	return nil
}

// lockSurvey share-locks the survey row, so it cannot close while an
// upload goes in, and reads it; not_found for an unknown id.
func lockSurvey(ctx context.Context, tx pgx.Tx, id int64) (surveys.Survey, error) {
	if _, err := tx.Exec(ctx, `SELECT 1 FROM surveys WHERE id = $1 FOR SHARE`, id); err != nil {
		return surveys.Survey{}, db.Err(err)
	}
	return surveys.FindSurvey(ctx, tx, id)
}

// Catalog is what upload rows are checked against: the survey with its
// groups and questions, and every unit.
type Catalog struct {
	Survey surveys.Survey
	Units  []units.Unit
	// PeriodEnd is the last day (YYYY-MM-DD) of the survey's cycle: a unit
	// abolished on or before it is not a unit of the cycle (units.InCycleSQL),
	// so agencies are not offered it and rows naming it are refused.
	PeriodEnd string
}

// LoadCatalog reads the survey, its cycle's period and the units;
// not_found for an unknown survey.
func LoadCatalog(ctx context.Context, q db.DBTX, surveyID int64) (*Catalog, error) {
	s, err := surveys.FindSurvey(ctx, q, surveyID)
	if err != nil {
		return nil, err
	}
	cy, err := cycles.FindCycle(ctx, q, s.CycleID)
	if err != nil {
		return nil, err
	}
	list, err := units.ListUnits(ctx, q, nil)
	if err != nil {
		return nil, err
	}
	return &Catalog{Survey: s, Units: list, PeriodEnd: cy.PeriodEnd}, nil
}

// Listed is the units agencies are offered (the template, the console's
// list, the agency API): every unit but those abolished by the cycle's end.
func (c *Catalog) Listed() []units.Unit {
	out := make([]units.Unit, 0, len(c.Units))
	for _, u := range c.Units {
		if !u.AbolishedBy(c.PeriodEnd) {
			out = append(out, u)
		}
	}
	return out
}
