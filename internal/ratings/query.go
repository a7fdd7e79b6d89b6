package ratings

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/db"
	"minyi/internal/secure"
)

// Rating is a stored rating as the office reviews it.
type Rating struct {
	ID            uuid.UUID  `json:"id" db:"id"`
	Channel       string     `json:"channel" db:"channel"`
	UnitID        int64      `json:"unit_id" db:"unit_id"`
	UnitName      string     `json:"unit_name" db:"unit_name"`
	PointID       *int64     `json:"point_id" db:"point_id"`
	PointName     *string    `json:"point_name" db:"point_name"`
	TerminalID    *int64     `json:"terminal_id" db:"terminal_id"`
	Level         int        `json:"level" db:"level"`
	LevelLabel    string     `json:"level_label" db:"-"`
	Points        float64    `json:"points" db:"points"`
	Reasons       []string   `json:"reasons" db:"reasons"`
	Comment       string     `json:"comment" db:"comment"`
	Phone         string     `json:"phone,omitempty" db:"phone_mask"`
	PhoneEnc      []byte     `json:"-" db:"phone_enc"`
	ClientID      *string    `json:"client_id" db:"client_id"`
	CaseNo        *string    `json:"case_no" db:"case_no"`
	WindowNo      *string    `json:"window" db:"window_no"`
	StaffNo       *string    `json:"staff_no" db:"staff_no"`
	RatedAt       time.Time  `json:"rated_at" db:"rated_at"`
	CreatedAt     time.Time  `json:"created_at" db:"created_at"`
	RateChecked   bool       `json:"rate_checked" db:"rate_checked"`
	Excluded      bool       `json:"excluded" db:"excluded"`
	Held          bool       `json:"held" db:"held"`
	ExcludeReason *string    `json:"exclude_reason" db:"exclude_reason"`
	ExcludedBy    *string    `json:"excluded_by" db:"excluded_by"`
	ExcludedAt    *time.Time `json:"excluded_at" db:"excluded_at"`
	RecordDims
}

// ShowPhones decrypts the call-back phone numbers of list with keys when
// full (the viewer's role may call citizens back) and leaves the mask
// otherwise; the ciphertext is dropped either way.
func ShowPhones(list []Rating, keys *secure.Keys, full bool) {
	for i := range list {
		if full && len(list[i].PhoneEnc) > 0 {
			if p, err := keys.Decrypt(list[i].PhoneEnc); err == nil {
				list[i].Phone = p
			}
		}
		list[i].PhoneEnc = nil
	}
}

var ratingColumns = `r.id, r.channel, r.unit_id, u.name AS unit_name, r.point_id, p.name AS point_name, r.terminal_id,
	r.level, r.points::float8 AS points, r.reasons, r.comment, coalesce(r.phone_mask, '') AS phone_mask, r.phone_enc,
	r.client_id, r.case_no, r.window_no, r.staff_no, r.rated_at, r.created_at, r.rate_checked, r.excluded,
	r.held, r.exclude_reason, eu.username AS excluded_by, r.excluded_at, ` + dimsColumns

var ratingJoins = ` FROM ratings r JOIN units u ON u.id = r.unit_id
	LEFT JOIN service_points p ON p.id = r.point_id LEFT JOIN users eu ON eu.id = r.excluded_by`

// Find returns one rating, or not_found.
func Find(ctx context.Context, q db.DBTX, id uuid.UUID) (Rating, error) {
	rows, _ := q.Query(ctx, `SELECT `+ratingColumns+ratingJoins+` WHERE r.id = $1`, id)
	r, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Rating])
	if err != nil {
		err = db.Err(err)
		if apperr.Is(err, apperr.NotFound) {
			return Rating{}, apperr.New(apperr.NotFound, "评价不存在")
		}
		return Rating{}, err
	}
	r.LevelLabel = LevelLabel(r.Level)
	list := []Rating{r}
	err = NameDims(ctx, q, list)
	return list[0], err
}

type exclusion struct {
	Excluded bool    `json:"excluded"`
	Reason   *string `json:"exclude_reason"`
}

// Exclude takes a rating out of scoring with a reason. It returns not_found,
// invalid for an empty reason and conflict when it is already excluded.
func Exclude(ctx context.Context, tx pgx.Tx, actor audit.Actor, id uuid.UUID, reason string) (Rating, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || len([]rune(reason)) > 200 {
		return Rating{}, apperr.InvalidField("reason", "请填写剔除理由（200字以内）")
	}
	return setExcluded(ctx, tx, actor, id, true, &reason)
}

// Restore puts an excluded rating back into scoring. It returns not_found and
// conflict when it is not excluded.
func Restore(ctx context.Context, tx pgx.Tx, actor audit.Actor, id uuid.UUID) (Rating, error) {
	return setExcluded(ctx, tx, actor, id, false, nil)
}

// setExcludedSQL changes a rating's exclusion and marks its minute dirty in
// the same statement, so that the daily aggregate reads the rating's unit
// and day live until the next rollup has counted the change (see
// daily_rollup.go). Restoring a held rating is the office's decision to
// count it, so the hold ends; a rating once held has its row in
// rating_holds follow (migration 0077).
const setExcludedSQL = `WITH r AS (
	UPDATE ratings SET excluded = $2, exclude_reason = $3, excluded_by = $4, held = false,
		excluded_at = CASE WHEN $2 THEN now() END WHERE id = $1
	RETURNING unit_id, rated_at
), hs AS (
	UPDATE rating_holds h SET held = false, excluded = $2 FROM r WHERE h.rating_id = $1 AND h.rated_at = r.rated_at
)
INSERT INTO rating_dirty (unit_id, minute) SELECT unit_id, ` + dirtyMinute + ` FROM r
` + dirtyUpsert

func setExcluded(ctx context.Context, tx pgx.Tx, actor audit.Actor, id uuid.UUID, excluded bool, reason *string) (Rating, error) {
	before, err := Find(ctx, tx, id)
	if err != nil {
		return Rating{}, err
	}
	if before.Excluded == excluded {
		if excluded {
			return Rating{}, apperr.New(apperr.Conflict, "该评价已被剔除")
		}
		return Rating{}, apperr.New(apperr.Conflict, "该评价未被剔除")
	}
	var by *int64
	if excluded && actor.ID != 0 {
		by = &actor.ID
	}
	_, err = tx.Exec(ctx, setExcludedSQL, id, excluded, reason, by)
	if err != nil {
		return Rating{}, db.Err(err)
	}
	after, err := Find(ctx, tx, id)
	if err != nil {
		return Rating{}, err
	}
	action := "rating.restore"
	if excluded {
		action = "rating.exclude"
	}
	err = audit.Record(ctx, tx, actor, action, "rating", id.String(),
		exclusion{before.Excluded, before.ExcludeReason}, exclusion{after.Excluded, after.ExcludeReason})
	return after, err
}
