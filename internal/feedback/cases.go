package feedback

import (
	"context"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/db"
)

// Case statuses.
const CaseSent = "sent"

// CaseStatusLabel returns the Chinese name of a case status.
func CaseStatusLabel(s string) string {
	if s == CaseSent {
		return "已交办"
	}
	return s
}

// Source is one feedback item a case was opened from.
type Source struct {
	Kind string `json:"kind" db:"source_kind"`
	ID   string `json:"id" db:"source_id"`
}

// Case is a rectification case (整改案件) as this package opens it.
type Case struct {
	ID        int64     `json:"id" db:"id"`
	UnitID    int64     `json:"unit_id" db:"unit_id"`
	UnitName  string    `json:"unit_name" db:"unit_name"`
	Kind      string    `json:"source_kind" db:"source_kind"`
	SourceID  string    `json:"source_id" db:"source_id"`
	Problem   string    `json:"problem" db:"problem"`
	Status    string    `json:"status" db:"status"`
	RealName  bool      `json:"real_name" db:"real_name"`
	CreatedBy *string   `json:"created_by" db:"created_by"`
	CreatedAt time.Time `json:"created_at" db:"created_at"`
	Sources   []Source  `json:"sources" db:"sources"`
}

// IDString is the case id as text.
func (c Case) IDString() string { return strconv.FormatInt(c.ID, 10) }

// StatusLabel is the Chinese name of the case's status.
func (c Case) StatusLabel() string { return CaseStatusLabel(c.Status) }

const caseSQL = `SELECT c.id, c.unit_id, u.name AS unit_name, c.source_kind, c.source_id, c.problem, c.status,
	c.real_name, cu.username AS created_by, c.created_at,
	coalesce((SELECT jsonb_agg(jsonb_build_object('source_kind', s.source_kind, 'source_id', s.source_id)
		ORDER BY s.source_kind, s.source_id) FROM case_sources s WHERE s.case_id = c.id), '[]') AS sources
FROM rectification_cases c JOIN units u ON u.id = c.unit_id LEFT JOIN users cu ON cu.id = c.created_by`

// CaseFilter selects cases.
type CaseFilter struct {
	UnitID *int64
	Limit  int
	Offset int
}

// ListCases returns cases newest first and how many match.
func ListCases(ctx context.Context, q db.DBTX, f CaseFilter) ([]Case, int, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	var total int
	if err := q.QueryRow(ctx, `SELECT count(*) FROM rectification_cases WHERE $1::bigint IS NULL OR unit_id = $1`,
		f.UnitID).Scan(&total); err != nil {
		return nil, 0, db.Err(err)
	}
	list, err := collect[Case](ctx, q, caseSQL+` WHERE $1::bigint IS NULL OR c.unit_id = $1 ORDER BY c.created_at DESC, c.id DESC
		LIMIT $2 OFFSET $3`, f.UnitID, f.Limit, f.Offset)
	return list, total, err
}

// FindCase returns one case, or not_found.
func FindCase(ctx context.Context, q db.DBTX, id int64) (Case, error) {
	return findOne[Case](ctx, q, "整改案件不存在", caseSQL+` WHERE c.id = $1`, id)
}

// findOne runs a query for exactly one row; no row is not_found with msg.
func findOne[T any](ctx context.Context, q db.DBTX, msg, sql string, args ...any) (T, error) {
	rows, _ := q.Query(ctx, sql, args...)
	v, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[T])
	if err = db.Err(err); apperr.Is(err, apperr.NotFound) {
		err = apperr.New(apperr.NotFound, msg)
	}
	return v, err
}

// collect runs a query for a list, never nil.
func collect[T any](ctx context.Context, q db.DBTX, sql string, args ...any) ([]T, error) {
	rows, _ := q.Query(ctx, sql, args...)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[T])
	if list == nil {
		list = []T{}
	}
	return list, db.Err(err)
}
