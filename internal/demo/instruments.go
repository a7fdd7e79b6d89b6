package demo

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"minyi/internal/audit"
	"minyi/internal/config"
	"minyi/internal/db"
	"minyi/internal/instruments"
	"minyi/internal/secure"
	"minyi/internal/units"
)

// seedInstruments opens the provincial leaders' evaluation the Jiangxi
// scheme created (instrument "leaders") and has three leaders rate every
// unit on the four grades, so the scheme's leaders leaf is fed and the
// results pages show a complete draft. It returns how many answers it
// stored. The grades follow the unit's and leader's places (not the demo's
// random source, so the rest of the demo stays as it was).
func seedInstruments(ctx context.Context, pool *pgxpool.Pool, cfg config.Config, keys *secure.Keys, now time.Time,
	list []units.Unit) (int, error) {
	n := 0
	err := db.Tx(ctx, pool, func(tx pgx.Tx) error {
		cy, err := demoCycle(ctx, tx, cfg, now)
		if err != nil {
			return err
		}
		all, err := instruments.ForCycle(ctx, tx, cy.ID)
		if err != nil {
			return err
		}
		for _, in := range all {
			if in.Key != "leaders" {
				continue
			}
			if _, err := instruments.Update(ctx, tx, audit.System, in.ID, instruments.Input{Key: in.Key, Name: in.Name,
				Purpose: in.Purpose, Scale: instruments.ScaleGrades, MinAnswers: 3, Anonymous: true}); err != nil {
				return err
			}
			if _, err := instruments.Open(ctx, tx, audit.System, in.ID, now); err != nil {
				return err
			}
			for j, name := range []string{"省领导甲", "省领导乙", "省领导丙"} {
				v, _, err := instruments.AddInvitee(ctx, tx, keys, audit.System, in.ID, instruments.InviteeInput{Name: name, Group: "省领导"})
				if err != nil {
					return err
				}
				answers := make([]instruments.AnswerInput, 0, len(list))
				for i, u := range list {
					answers = append(answers, instruments.AnswerInput{UnitID: u.ID, Grade: instruments.Grades[(i+j)%3]})
				}
				for len(answers) > 0 {
					k := min(len(answers), instruments.MaxAnswersPerSave)
					if _, err := instruments.SaveAnswers(ctx, tx, audit.System, in.ID, instruments.Rater{InviteeID: v.ID, Name: name},
						answers[:k], now); err != nil {
						return err
					}
					n += k
					answers = answers[k:]
				}
			}
		}
		return nil
	})
	return n, err
}
