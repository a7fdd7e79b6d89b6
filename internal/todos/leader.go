package todos

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/db"
	"minyi/internal/users"
)

// KindApproval is a leader's: an item waiting for their approval (待我审批).
const KindApproval = "approval"

// leaderSources are a leader's to-dos: the approvals whose turn is theirs.
var leaderSources = []source{leaderApprovals}

// leaderApprovals are the requests for approval (internal/approvals)
// waiting for the leader, oldest first, one item each (capped; the
// approvals page lists them all).
func leaderApprovals(ctx context.Context, q db.DBTX, u users.User, env Env) ([]Item, error) {
	rows, _ := q.Query(ctx, `SELECT r.id, r.title, c.name, r.submitted_at FROM approval_requests r
		JOIN assessment_cycles c ON c.id = r.cycle_id
		WHERE r.state = 'pending' AND r.current_approver = $1 ORDER BY r.submitted_at, r.id LIMIT 50`, u.ID)
	var out []Item
	var id int64
	var title, cycle string
	var at time.Time
	_, err := pgx.ForEachRow(rows, []any{&id, &title, &cycle, &at}, func() error {
		out = append(out, Item{Kind: KindApproval, Title: "待我审批：" + title,
			Detail: cycle + " · " + at.In(env.Loc).Format("1月2日") + "提请", Link: idLink("/console/approvals/", id)})
		return nil
	})
	return out, db.Err(err)
}
