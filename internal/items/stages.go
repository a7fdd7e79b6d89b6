package items

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/db"
	"minyi/internal/ratings"
	"minyi/internal/safetext"
)

// Stage is a stage a case is rated at (办理环节, e.g. 接件 / 受理 / 办结):
// a case number takes one rating per stage (一事多评). Position orders the
// stages and is the rating's occasion number in the national record.
type Stage struct {
	Code      string     `json:"code" db:"code"`
	Name      string     `json:"name" db:"name"`
	Position  int        `json:"position" db:"position"`
	RetiredAt *time.Time `json:"retired_at" db:"retired_at"`
}

// StageInput is a stage as the office enters it.
type StageInput struct {
	Code     string `json:"code"`
	Name     string `json:"name"`
	Position int    `json:"position"`
}

// Validate trims the input and returns an invalid error naming each bad
// field.
func (in *StageInput) Validate() error {
	f := apperr.Fields{}
	if !safetext.Valid(in.Code) || !safetext.Valid(in.Name) {
		f.Add("name", safetext.Message)
	}
	in.Code, in.Name = strings.ToLower(strings.TrimSpace(in.Code)), strings.TrimSpace(in.Name)
	if !ratings.ValidStageCode(in.Code) {
		f.Add("code", "环节代码须为 1–20 位小写字母、数字或 _ -（评价器和业务系统按此代码提交）")
	}
	if n := utf8.RuneCountInString(in.Name); n < 1 || n > 20 {
		f.Add("name", "请填写环节名称（不超过20字）")
	}
	if in.Position < 1 || in.Position > 99 {
		f.Add("position", "顺序须为 1 到 99 的整数")
	}
	return f.Err()
}

// ListStages returns the stages in order, retired ones too.
func ListStages(ctx context.Context, q db.DBTX) ([]Stage, error) {
	rows, _ := q.Query(ctx, `SELECT code, name, position, retired_at FROM rating_stages ORDER BY retired_at IS NOT NULL, position, code`)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[Stage])
	return list, db.Err(err)
}

// StageNames maps every stage's code to its name, retired ones too, for
// pages that show a rating's stage.
func StageNames(ctx context.Context, q db.DBTX) (map[string]string, error) {
	list, err := ListStages(ctx, q)
	m := make(map[string]string, len(list))
	for _, s := range list {
		m[s.Code] = s.Name
	}
	return m, err
}

// SaveStage adds a stage or changes the name and position of the stage
// with the code. It returns invalid for a bad input or a name another
// stage has.
func SaveStage(ctx context.Context, tx pgx.Tx, actor audit.Actor, in StageInput) (Stage, error) {
	if err := in.Validate(); err != nil {
		return Stage{}, err
	}
	var before *Stage
	rows, _ := tx.Query(ctx, `SELECT code, name, position, retired_at FROM rating_stages WHERE code = $1`, in.Code)
	if old, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Stage]); err == nil {
		before = &old
	} else if err != pgx.ErrNoRows {
		return Stage{}, db.Err(err)
	}
	var taken bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM rating_stages WHERE name = $1 AND code <> $2)`,
		in.Name, in.Code).Scan(&taken); err != nil {
		return Stage{}, db.Err(err)
	}
	if taken {
		return Stage{}, apperr.InvalidField("name", "已有同名的环节")
	}
	rows, _ = tx.Query(ctx, `INSERT INTO rating_stages (code, name, position) VALUES ($1, $2, $3)
		ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, position = EXCLUDED.position
		RETURNING code, name, position, retired_at`, in.Code, in.Name, in.Position)
	after, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Stage])
	if err != nil {
		return after, db.Err(err)
	}
	action := "stage.create"
	if before != nil {
		action = "stage.update"
	}
	return after, audit.Record(ctx, tx, actor, action, "rating_stage", in.Code, before, after)
}

// SetStageRetired retires a stage (ratings naming it are refused, except
// offline replays made before) or puts it back. It returns not_found for
// an unknown stage.
func SetStageRetired(ctx context.Context, tx pgx.Tx, actor audit.Actor, code string, retired bool) error {
	tag, err := tx.Exec(ctx, `UPDATE rating_stages SET retired_at = CASE WHEN $2 THEN now() END
		WHERE code = $1 AND (retired_at IS NOT NULL) <> $2`, code, retired)
	if err != nil {
		return db.Err(err)
	}
	if tag.RowsAffected() == 0 {
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM rating_stages WHERE code = $1`, code).Scan(&n); err != nil || n == 0 {
			return apperr.New(apperr.NotFound, "环节不存在")
		}
		return nil
	}
	action := "stage.restore"
	if retired {
		action = "stage.retire"
	}
	return audit.Record(ctx, tx, actor, action, "rating_stage", code, nil, map[string]bool{"retired": retired})
}
