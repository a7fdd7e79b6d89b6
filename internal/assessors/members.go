package assessors

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/db"
	"minyi/internal/targets"
)

// Member is one unit sharing a key task and its progress on it: the
// status of its target sheet and, when the office named the indicator
// carrying the task, that indicator's latest progress report and
// self-evaluation.
type Member struct {
	UnitID          int64      `json:"unit_id" db:"unit_id"`
	UnitName        string     `json:"unit_name" db:"unit_name"`
	SheetStatus     string     `json:"sheet_status" db:"sheet_status"`
	IndicatorID     *int64     `json:"indicator_id" db:"indicator_id"`
	IndicatorName   *string    `json:"indicator_name" db:"indicator_name"`
	IndicatorPoints *float64   `json:"indicator_points" db:"indicator_points"`
	Deadline        *string    `json:"deadline" db:"deadline"`
	LatestPeriod    *string    `json:"latest_period" db:"latest_period"`
	LatestPercent   *int       `json:"latest_percent" db:"latest_percent"`
	LatestProgress  *string    `json:"latest_progress" db:"latest_progress"`
	LatestAt        *time.Time `json:"latest_at" db:"latest_at"`
	Claimed         *float64   `json:"self_claimed" db:"self_claimed"`
	// Options are the current indicators of the unit's sheet the office
	// may link (filled for the office's page only).
	Options []IndicatorOption `json:"-" db:"-"`
}

// SheetStatusLabel is the member's sheet status in Chinese.
func (m Member) SheetStatusLabel() string {
	if m.SheetStatus == "" {
		return "尚未编制目标责任书"
	}
	return targets.StatusLabel(m.SheetStatus)
}

// IndicatorOption is an indicator the office may link to a member.
type IndicatorOption struct {
	UnitID int64  `db:"unit_id"`
	ID     int64  `db:"id"`
	Name   string `db:"name"`
}

const memberSQL = `SELECT m.unit_id, u.name AS unit_name, coalesce(s.status, '') AS sheet_status, m.indicator_id,
	i.name AS indicator_name, i.points::float8 AS indicator_points, to_char(i.deadline, 'YYYY-MM-DD') AS deadline,
	r.period AS latest_period, r.percent AS latest_percent, r.progress AS latest_progress, r.updated_at AS latest_at,
	e.claimed::float8 AS self_claimed
	FROM key_task_members m JOIN key_tasks t ON t.id = m.task_id JOIN units u ON u.id = m.unit_id
	LEFT JOIN target_sheets s ON s.cycle_id = t.cycle_id AND s.unit_id = m.unit_id
	LEFT JOIN target_indicators i ON i.id = m.indicator_id
	LEFT JOIN LATERAL (SELECT r.period, r.percent, r.progress, r.updated_at FROM target_reports r
		WHERE r.indicator_id = m.indicator_id ORDER BY r.period DESC LIMIT 1) r ON true
	LEFT JOIN target_self_evaluations e ON e.indicator_id = m.indicator_id`

// ListMembers returns a page of the task's units by name with their
// progress, and how many there are.
func ListMembers(ctx context.Context, q db.DBTX, taskID int64, limit, offset int) ([]Member, int, error) {
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	var total int
	if err := q.QueryRow(ctx, `SELECT count(*) FROM key_task_members WHERE task_id = $1`, taskID).Scan(&total); err != nil {
		return nil, 0, db.Err(err)
	}
	rows, _ := q.Query(ctx, memberSQL+` WHERE m.task_id = $1 ORDER BY u.name, u.id LIMIT $2 OFFSET $3`, taskID, limit, offset)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[Member])
	if list == nil {
		list = []Member{}
	}
	return list, total, db.Err(err)
}

func findMember(ctx context.Context, q db.DBTX, taskID, unitID int64) (Member, error) {
	rows, _ := q.Query(ctx, memberSQL+` WHERE m.task_id = $1 AND m.unit_id = $2`, taskID, unitID)
	m, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Member])
	if err = db.Err(err); apperr.Is(err, apperr.NotFound) {
		err = apperr.New(apperr.NotFound, "该单位不承担此重点任务")
	}
	return m, err
}

// FillOptions sets each member's Options: the current indicators of its
// target sheet of the cycle, in order.
func FillOptions(ctx context.Context, q db.DBTX, cycleID int64, list []Member) error {
	ids := make([]int64, 0, len(list))
	for _, m := range list {
		ids = append(ids, m.UnitID)
	}
	rows, _ := q.Query(ctx, `SELECT s.unit_id, i.id, i.name FROM target_sheets s JOIN target_indicators i ON i.sheet_id = s.id
		WHERE s.cycle_id = $1 AND s.unit_id = ANY($2) AND i.removed_at IS NULL ORDER BY s.unit_id, i.position, i.id`, cycleID, ids)
	opts, err := pgx.CollectRows(rows, pgx.RowToStructByName[IndicatorOption])
	if err != nil {
		return db.Err(err)
	}
	for i := range list {
		for _, o := range opts {
			if o.UnitID == list[i].UnitID {
				list[i].Options = append(list[i].Options, o)
			}
		}
	}
	return nil
}
