package demo

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"minyi/internal/assessment"
	"minyi/internal/audit"
	"minyi/internal/config"
	"minyi/internal/db"
	"minyi/internal/feedback"
)

// caseStep is how far the demo takes a case: its state when the demo
// starts.
type caseStep int

const (
	stepSent caseStep = iota
	stepAnswered
	stepReturned
	stepDone
	stepClosed
)

// demoCases are the states of the cases opened for each unit that has
// complaints, in the order of its oldest complaints: the first unit (the
// demo unit account's) gets one of each, the others fewer. Old cases are
// further along, new ones still wait for their answer.
var demoCases = [][]caseStep{
	{stepClosed, stepDone, stepAnswered, stepReturned, stepSent, stepSent},
	{stepClosed, stepAnswered, stepSent},
	{stepDone, stepSent},
	{stepSent},
}

// seedCases works part of the review queue as an office would: per unit,
// the oldest complaints become rectification cases taken to the states of
// demoCases (each step on the day it would have happened), and one 差评 is
// ruled a mistake; everything newer stays in the queue, praise and
// complaints. The unit given first (the demo unit account's) gets every
// state, and appeals one more 差评. It returns how many cases it opened.
func seedCases(ctx context.Context, pool *pgxpool.Pool, cfg config.Config, now time.Time, unitIDs []int64) (int, error) {
	office := feedback.CaseActor{Actor: audit.System, Office: true}
	n, i := 0, 0 // i counts the units with complaints
	for _, unitID := range unitIDs {
		if i == 8 {
			break
		}
		steps := demoCases[min(i, len(demoCases)-1)]
		rows, _ := pool.Query(ctx, `SELECT id::text, rated_at FROM ratings
			WHERE unit_id = $1 AND level <= 2 AND comment <> '' ORDER BY rated_at LIMIT $2`, unitID, len(steps)+2)
		type complaint struct {
			ID string
			At time.Time
		}
		list, err := pgx.CollectRows(rows, pgx.RowToStructByPos[complaint])
		if err != nil {
			return n, db.Err(err)
		}
		if len(list) == 0 {
			continue
		}
		first := i == 0
		i++
		for k, c := range list {
			err := db.Tx(ctx, pool, func(tx pgx.Tx) error {
				if k == len(steps)+1 {
					if !first {
						return nil
					}
					// The unit appeals one 差评 as malicious; the office has yet to rule.
					_, err := feedback.FileAppeal(ctx, tx, audit.System, unitID, uuid.MustParse(c.ID), feedback.AppealInput{
						Grounds: "经调取窗口监控，该评价人当天未到本窗口办理业务，疑似恶意评价。"}, c.At.Add(30*time.Hour))
					return err
				}
				if k == len(steps) {
					_, err := feedback.MarkInvalid(ctx, tx, cfg.Location, audit.System, feedback.InvalidInput{Kind: feedback.KindRating,
						ID: c.ID, Reason: feedback.ReasonMistaken, Note: "评价人来电说明误点了不满意"}, c.At.Add(20*time.Hour))
					return err
				}
				at := c.At.Add(20 * time.Hour) // reviewed the next day
				cs, err := feedback.MarkValid(ctx, tx, cfg.Location, audit.System,
					feedback.ValidInput{Items: []feedback.Ref{{Kind: feedback.KindRating, ID: c.ID}}}, at)
				if err != nil || steps[k] == stepSent {
					return err
				}
				unit := feedback.CaseActor{Actor: audit.System, UnitID: &unitID}
				at = at.Add(48 * time.Hour)
				fixDue := now.AddDate(0, 0, 20).In(cfg.Location).Format("2006-01-02")
				if cs, err = feedback.AnswerCase(ctx, tx, cfg.Location, unit, cs.ID, feedback.CaseAction{Version: cs.Version,
					Explanation: "经核实，反映的问题属实：高峰时段窗口人手不足，群众等候时间较长。", Responsible: "办公室主任",
					Measures: "增开高峰时段窗口，推行预约办理，加强窗口人员培训。", Outcome: "群众等候时间明显缩短。", FixDue: fixDue},
					later(at, now)); err != nil || steps[k] == stepAnswered {
					return err
				}
				at = at.Add(24 * time.Hour)
				if steps[k] == stepReturned {
					_, err = feedback.ReturnCase(ctx, tx, office, cs.ID, feedback.CaseAction{Version: cs.Version,
						Reason: "整改措施不够具体，请补充完成时间和责任人。"}, later(at, now))
					return err
				}
				ev, err := assessment.SaveEvidence(ctx, tx, audit.System, &unitID, "整改前后对比.png", evidencePNG())
				if err != nil {
					return err
				}
				if cs, err = feedback.ReportDone(ctx, tx, unit, cs.ID, feedback.CaseAction{Version: cs.Version,
					Body: "已增开两个高峰时段窗口并上线预约办理，窗口人员完成培训。", EvidenceIDs: []string{ev.ID}},
					later(at, now)); err != nil || steps[k] == stepDone {
					return err
				}
				_, err = feedback.CloseCase(ctx, tx, office, cs.ID, feedback.CaseAction{Version: cs.Version}, later(at.Add(24*time.Hour), now))
				return err
			})
			if err != nil {
				return n, err
			}
			if k < len(steps) {
				n++
			}
		}
	}
	return n, nil
}

// later is t, or now when t is after it.
func later(t, now time.Time) time.Time {
	if t.After(now) {
		return now.Add(-time.Minute)
	}
	return t
}

// evidencePNG is the demo's evidence picture: a small two-panel chart,
// before (long bar) and after (short bar).
func evidencePNG() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 240, 120))
	for y := 0; y < 120; y++ {
		for x := 0; x < 240; x++ {
			c := color.RGBA{0xf4, 0xf6, 0xf9, 0xff}
			switch {
			case y >= 30 && y < 50 && x >= 20 && x < 220:
				c = color.RGBA{0xc8, 0x16, 0x1d, 0xff}
			case y >= 70 && y < 90 && x >= 20 && x < 90:
				c = color.RGBA{0x00, 0x7a, 0x3d, 0xff}
			}
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	_ = png.Encode(&b, img)
	return b.Bytes()
}
