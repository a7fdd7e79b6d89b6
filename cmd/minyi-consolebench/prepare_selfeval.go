package main

import (
	"context"
	"fmt"
	"net/http"

	"github.com/jackc/pgx/v5"
)

// prepareSelfEval gives the cycle a half-year self-evaluation period (自评
// 期次; saving it again changes nothing) and the unit user's report of it,
// so that the period list, the office's overview and the report page are
// timed with a report to show.
func prepareSelfEval(ctx context.Context, conn *pgx.Conn, officeAPI, unitAPI *client, unitID, cycle int64, year int) error {
	var p struct {
		ID int64 `json:"id"`
	}
	err := officeAPI.postJSON(fmt.Sprintf("/api/v1/cycles/%d/self-eval-periods", cycle), map[string]any{"name": "半年自评",
		"covers_to": fmt.Sprintf("%d-06-30", year), "due_on": fmt.Sprintf("%d-07-15", year)}, http.StatusOK, &p)
	if err != nil {
		return fmt.Errorf("the self-evaluation period: %w", err)
	}
	if count(ctx, conn, `SELECT count(*) FROM self_eval_reports WHERE period_id = $1 AND unit_id = $2`, p.ID, unitID) > 0 &&
		count(ctx, conn, `SELECT count(*) FROM self_eval_scores WHERE period_id = $1 AND unit_id = $2`, p.ID, unitID) > 0 {
		return nil
	}
	rows, _ := conn.Query(ctx, `SELECT i.id, round(i.points / 2, 1)::float8 FROM target_indicators i
		JOIN target_sheets s ON s.id = i.sheet_id AND s.status = 'approved'
		WHERE s.cycle_id = $1 AND s.unit_id = $2 AND i.removed_at IS NULL ORDER BY i.position`, cycle, unitID)
	scores := []map[string]any{}
	var id int64
	var half float64
	if _, err := pgx.ForEachRow(rows, []any{&id, &half}, func() error {
		scores = append(scores, map[string]any{"indicator_id": id, "claimed": half, "note": "按序时进度推进，完成过半。"})
		return nil
	}); err != nil {
		return fmt.Errorf("the unit's indicators: %w", err)
	}
	err = unitAPI.sendJSON(http.MethodPut, fmt.Sprintf("/api/v1/self-eval-periods/%d/units/%d", p.ID, unitID),
		map[string]any{"body": "上半年目标任务推进情况：各项指标按计划推进。", "scores": scores}, http.StatusOK, nil)
	if err != nil {
		return fmt.Errorf("the unit's self-evaluation report: %w", err)
	}
	return nil
}
