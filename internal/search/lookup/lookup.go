// Package lookup finds the records a search box names directly, before any
// keyword search: a rating's reference (评价编号), the service case number
// a rating carries (办件编号, rating_cases), a rectification case's number
// (#123) and, for the roles that may call citizens back, a phone number:
// the ratings' call-back numbers and, for the office, the survey
// respondents' numbers. Each is a probe of a key or an index, never a scan.
package lookup

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"minyi/internal/db"
	"minyi/internal/ratings"
	"minyi/internal/secure"
)

// Kinds of a hit.
const (
	KindRating     = "rating"
	KindCase       = "case"
	KindRespondent = "respondent"
)

// Hit is one record found directly.
type Hit struct {
	Kind string
	// Via says what the search box was read as: 评价编号, 办件编号,
	// 案件编号 or 电话号码.
	Via      string
	RatingID uuid.UUID `db:"id"`
	CaseID   int64     `db:"case_id"`
	UnitID   int64     `db:"unit_id"`
	UnitName string    `db:"unit_name"`
	At       time.Time `db:"at"`
	Level    int       `db:"level"`
	Text     string    `db:"text"`
	PhoneEnc []byte    `db:"phone_enc"`
	// SurveyID and Name are a respondent's (UnitName is then the
	// survey's title, Text the organisation).
	SurveyID int64
	Name     string
}

// Scope is who is looking: UnitID limits the hits to one unit (a unit's
// staff), Phones allows the phone look-up (the call-back roles),
// Respondents the survey respondents' numbers (the office: units never
// see who answered), Loc is the zone of references' days.
type Scope struct {
	UnitID      *int64
	Phones      bool
	Respondents bool
	Keys        *secure.Keys
	Loc         *time.Location
}

// MaxPhoneHits bounds the ratings one phone number lists.
const MaxPhoneHits = 50

// Find returns every record s names directly, in the order rating
// reference, 办件编号, case number, phone; none is an empty list.
func Find(ctx context.Context, q db.DBTX, sc Scope, s string) ([]Hit, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	var out []Hit
	add := func(via string, hits []Hit, err error) error {
		for i := range hits {
			hits[i].Via = via
		}
		out = append(out, hits...)
		return err
	}
	if rr, err := ratings.ParseReference(s, sc.Loc); err == nil {
		hits, err := byReference(ctx, q, sc, rr)
		if err := add("评价编号", hits, err); err != nil {
			return nil, err
		}
	}
	if len(s) <= 64 {
		hits, err := byServiceNo(ctx, q, sc, s)
		if err := add("办件编号", hits, err); err != nil {
			return nil, err
		}
	}
	if id, ok := caseNumber(s); ok {
		hits, err := byCase(ctx, q, sc, id)
		if err := add("案件编号", hits, err); err != nil {
			return nil, err
		}
	}
	if sc.Phones && isPhone(s) {
		hits, err := byPhone(ctx, q, sc, s)
		if err := add("电话号码", hits, err); err != nil {
			return nil, err
		}
		if sc.Respondents && sc.UnitID == nil {
			hits, err := respondentsByPhone(ctx, q, sc, s)
			if err := add("电话号码", hits, err); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// ratingHit is a rating as a hit: the columns of Hit over ratings r.
const ratingHit = `SELECT 'rating' AS kind, r.id, 0::bigint AS case_id, r.unit_id, u.name AS unit_name, r.rated_at AS at,
	r.level::int AS level, r.comment AS text, r.phone_enc FROM ratings r JOIN units u ON u.id = r.unit_id`

// scoped appends the unit condition on col when sc names a unit.
func scoped(sc Scope, sql, col string, args []any) (string, []any) {
	if sc.UnitID == nil {
		return sql, args
	}
	args = append(args, *sc.UnitID)
	return sql + " AND " + col + " = $" + strconv.Itoa(len(args)), args
}

func collect(ctx context.Context, q db.DBTX, sql string, args ...any) ([]Hit, error) {
	rows, _ := q.Query(ctx, sql, args...)
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Hit, error) {
		var h Hit
		err := row.Scan(&h.Kind, &h.RatingID, &h.CaseID, &h.UnitID, &h.UnitName, &h.At, &h.Level, &h.Text, &h.PhoneEnc)
		return h, err
	})
	return list, db.Err(err)
}

// byReference reads the rating of a reference: one probe of its day's
// partition (see ratings.ParseReference).
func byReference(ctx context.Context, q db.DBTX, sc Scope, rr ratings.RefRange) ([]Hit, error) {
	sql, args := scoped(sc, ratingHit+` WHERE r.id BETWEEN $1 AND $2 AND r.rated_at >= $3 AND r.rated_at < $4`,
		"r.unit_id", []any{rr.Low, rr.High, rr.From, rr.To})
	return collect(ctx, q, sql+" LIMIT 5", args...)
}

// byServiceNo reads the ratings of a 办件编号 through rating_cases (its
// index on case_no; the primary key for one unit), then each rating by
// its id in every partition's primary key.
func byServiceNo(ctx context.Context, q db.DBTX, sc Scope, no string) ([]Hit, error) {
	sql, args := scoped(sc, `SELECT rc.rating_id FROM rating_cases rc WHERE rc.case_no = $1`, "rc.unit_id", []any{no})
	sql = ratingHit + ` WHERE r.id IN (` + sql + ` LIMIT 20)`
	return collect(ctx, q, sql+` ORDER BY r.rated_at DESC`, args...)
}

// byCase reads a rectification case by its number.
func byCase(ctx context.Context, q db.DBTX, sc Scope, id int64) ([]Hit, error) {
	sql, args := scoped(sc, `SELECT 'case', '00000000-0000-0000-0000-000000000000'::uuid, c.id, c.unit_id, u.name,
		c.created_at, 0, c.problem, NULL::bytea FROM rectification_cases c JOIN units u ON u.id = c.unit_id WHERE c.id = $1`,
		"c.unit_id", []any{id})
	return collect(ctx, q, sql, args...)
}

// byPhone reads the ratings whose sealed call-back number is the phone:
// the ratings with its mask (ratings_phone_mask; a handful per mask), each
// opened and compared digit by digit.
func byPhone(ctx context.Context, q db.DBTX, sc Scope, phone string) ([]Hit, error) {
	want := digits(phone)
	sql, args := scoped(sc, ratingHit+` WHERE r.phone_mask = $1`, "r.unit_id", []any{secure.MaskPhone(want)})
	list, err := collect(ctx, q, sql+` ORDER BY r.rated_at DESC LIMIT 500`, args...)
	if err != nil {
		return nil, err
	}
	var out []Hit
	for _, h := range list {
		if sameNumber(sc, h.PhoneEnc, want) {
			out = append(out, h)
			if len(out) == MaxPhoneHits {
				break
			}
		}
	}
	return out, nil
}

// sameNumber reports whether the sealed number enc opens to the digits
// want.
func sameNumber(sc Scope, enc []byte, want string) bool {
	if len(enc) == 0 || sc.Keys == nil {
		return false
	}
	p, err := sc.Keys.Decrypt(enc)
	return err == nil && digits(p) == want
}

// respondentsByPhone reads the survey respondents whose sealed number is
// the phone, as byPhone the ratings (survey_respondents_phone_mask,
// migration 0078).
func respondentsByPhone(ctx context.Context, q db.DBTX, sc Scope, phone string) ([]Hit, error) {
	want := digits(phone)
	rows, _ := q.Query(ctx, `SELECT r.survey_id, s.title, r.name, r.organisation, r.created_at, r.phone_enc
		FROM survey_respondents r JOIN surveys s ON s.id = r.survey_id
		WHERE r.phone_mask = $1 ORDER BY r.created_at DESC LIMIT 500`, secure.MaskPhone(want))
	var out []Hit
	var h Hit
	_, err := pgx.ForEachRow(rows, []any{&h.SurveyID, &h.UnitName, &h.Name, &h.Text, &h.At, &h.PhoneEnc}, func() error {
		if len(out) < MaxPhoneHits && sameNumber(sc, h.PhoneEnc, want) {
			h.Kind = KindRespondent
			out = append(out, h)
		}
		return nil
	})
	return out, db.Err(err)
}

var caseNumberRE = regexp.MustCompile(`^(?:#|＃|案件|整改案件)?\s*([0-9]{1,12})$`)

// caseNumber reads "#123", "案件123" or "123" as a case number.
func caseNumber(s string) (int64, bool) {
	m := caseNumberRE.FindStringSubmatch(s)
	if m == nil {
		return 0, false
	}
	id, err := strconv.ParseInt(m[1], 10, 64)
	return id, err == nil && id > 0
}

// isPhone reports whether s is a phone number as the rating page accepts
// one (a mobile or a fixed line, spaces and +86 allowed).
func isPhone(s string) bool { return ratings.ValidPhone(ratings.NormalizePhone(s)) }

func digits(s string) string {
	s = strings.TrimPrefix(ratings.NormalizePhone(s), "+86")
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}
