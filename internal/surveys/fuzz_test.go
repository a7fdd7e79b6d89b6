package surveys_test

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/safetext"
	"minyi/internal/score"
	"minyi/internal/surveys"
)

var errRollback = errors.New("rollback")

// FuzzSaveAnswers saves one unit's answers from an invitation link as the
// respondent's page does, in a transaction rolled back afterwards.
// Properties: nothing panics; a refusal is an invalid error naming the
// fields as the page marks them (u<unit>.<key>, or unit_id); and what is
// accepted — known questions with levels 1–5, an opinion of safe text
// within 1,000 characters, a unit on the respondent's list — Postgres
// stores.
func FuzzSaveAnswers(f *testing.F) {
	for _, s := range []struct {
		unit    uint8
		key     string
		level   int
		opinion string
	}{
		{0, "overall", 5, "继续努力"}, {1, "efficiency", 3, ""}, {2, "attitude", 1, "窗口\x00太少"},
		{0, "overall", 4, "窗口\xff太少"}, {0, "overall", 6, ""}, {9, "overall", 5, ""}, {0, "nosuch", 5, ""},
		{0, "overall", 0, strings.Repeat("意", 1001)}, {1, "attitude", -1, "\x1b[2J"}, {0, "", 5, "\r\n两行\r\n"},
	} {
		f.Add(s.unit, s.key, s.level, s.opinion)
	}
	w := newWorld(f)
	sv := w.survey(f, false, func(in *surveys.Input) { in.Groups = []surveys.Group{{Key: score.GroupNPCDeputies, AllUnits: true}} })
	w.open(f, sv.ID)
	_, token := w.respondent(f, sv.ID, surveys.RespondentInput{Name: "张代表", Group: score.GroupNPCDeputies})
	f.Fuzz(func(t *testing.T, unit uint8, key string, level int, opinion string) {
		unitID := int64(999_999)
		if int(unit) < len(w.units) {
			unitID = w.units[unit].ID
		}
		a := surveys.Answer{UnitID: unitID, Answers: map[string]int{key: level}, Opinion: opinion}
		err := w.try(func(tx pgx.Tx) error {
			if _, err := surveys.SaveAnswers(w.ctx, tx, token, []surveys.Answer{a}, w.now); err != nil {
				return err
			}
			return errRollback
		})
		if errors.Is(err, errRollback) {
			op := strings.TrimSpace(strings.ReplaceAll(opinion, "\r\n", "\n"))
			if unitID == 999_999 || level < 1 || level > 5 || !safetext.Valid(op) || utf8.RuneCountInString(op) > surveys.MaxOpinion {
				t.Fatalf("stored unit %d %q=%d opinion %q", unitID, key, level, opinion)
			}
			return
		}
		e := apperr.From(err)
		if e.Code != apperr.Invalid || len(e.Fields) == 0 {
			t.Fatalf("refusal %v (code %s) is not an invalid error naming fields", err, e.Code)
		}
		for field := range e.Fields {
			if field != "unit_id" && !strings.HasPrefix(field, "u"+itoa(unitID)+".") {
				t.Fatalf("refusal names field %q for unit %d", field, unitID)
			}
		}
	})
}
