package main

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"
)

// prepareInspections records, once, an inspection of every unit of the
// cycle (up to 2,000) covering every indicator of the cycle's schemes
// (up to 200) with 200 findings, the first on the unit user's unit, so
// that the inspection pages are timed at the size of a province's
// half-year inspection.
func prepareInspections(ctx context.Context, conn *pgx.Conn, officeAPI *client, unitID, cycle int64, now time.Time) error {
	if count(ctx, conn, `SELECT count(*) FROM inspections WHERE cycle_id = $1`, cycle) > 0 {
		return nil
	}
	rows, _ := conn.Query(ctx, `SELECT u.id FROM units u JOIN assessment_cycles c ON c.id = $1
		WHERE c.categories IS NULL OR u.category = ANY(c.categories) ORDER BY u.id <> $2, u.id LIMIT 2000`, cycle, unitID)
	list, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil || len(list) == 0 {
		return fmt.Errorf("the inspection's units: %w", err)
	}
	var opts struct {
		Groups []struct {
			Items []struct {
				Ref string `json:"ref"`
			} `json:"items"`
		} `json:"groups"`
	}
	if err := officeAPI.sendJSON(http.MethodGet, fmt.Sprintf("/api/v1/cycles/%d/inspection-items", cycle), nil,
		http.StatusOK, &opts); err != nil {
		return fmt.Errorf("the inspection's indicators: %w", err)
	}
	refs := []string{}
	for _, g := range opts.Groups {
		for _, it := range g.Items {
			if len(refs) < 200 {
				refs = append(refs, it.Ref)
			}
		}
	}
	findings := []map[string]any{}
	for i := 0; i < 200 && i < len(list); i++ {
		findings = append(findings, map[string]any{"unit_id": list[i], "severity": "general",
			"body": fmt.Sprintf("基准测试发现问题第%d条：台账资料不完整", i+1)})
	}
	err = officeAPI.postJSON(fmt.Sprintf("/api/v1/cycles/%d/inspections", cycle), map[string]any{
		"kind": "half_year", "held_on": now.Format(time.DateOnly), "title": "基准测试半年督查", "people": "绩效办督查组",
		"unit_ids": list, "scheme_items": refs, "findings": findings, "client_key": "consolebench"}, http.StatusCreated, nil)
	if err != nil {
		return fmt.Errorf("an inspection: %w", err)
	}
	return nil
}
