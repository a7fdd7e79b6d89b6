package main

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"

	"github.com/jackc/pgx/v5"
)

// benchSheet is a target sheet as the API answers it.
type benchSheet struct {
	ID          int64  `json:"id"`
	Status      string `json:"status"`
	LockVersion int    `json:"lock_version"`
	Indicators  []struct {
		ID             int64  `json:"id"`
		AssessorUnitID *int64 `json:"assessor_unit_id"`
		SchemeKey      string `json:"scheme_key"`
	} `json:"indicators"`
}

// prepareAssessedEvidence gives the first unit the unit user's unit
// assesses ({assessed}) an approved target sheet whose indicator feeds the
// unit user's leaf, with a 佐证材料 file attached, so that the assessor's
// download of another unit's evidence is timed. It does nothing when the
// unit has a file attached already, or its sheet is under review or
// approved without an indicator the unit user assesses (the download is
// then left out of the run, as a missing id).
func prepareAssessedEvidence(ctx context.Context, conn *pgx.Conn, officeAPI *client, unitID, cycle int64, year int) error {
	var assessed int64
	if err := conn.QueryRow(ctx, `SELECT min(id) FROM units WHERE id <> $1`, unitID).Scan(&assessed); err != nil {
		return fmt.Errorf("the assessed unit: %w", err)
	}
	if count(ctx, conn, `SELECT count(*) FROM target_evidence e JOIN target_sheets s ON s.id = e.sheet_id
		WHERE s.cycle_id = $1 AND s.unit_id = $2`, cycle, assessed) > 0 {
		return nil
	}
	leaf, _, err := assessorLeaf(officeAPI, unitID, cycle)
	if err != nil || leaf == "" {
		return err
	}
	var sh benchSheet
	want := http.StatusCreated
	if count(ctx, conn, `SELECT count(*) FROM target_sheets WHERE cycle_id = $1 AND unit_id = $2`, cycle, assessed) > 0 {
		want = http.StatusOK
	}
	if err := officeAPI.postJSON(fmt.Sprintf("/api/v1/cycles/%d/targets", cycle), map[string]any{"unit_id": assessed}, want, &sh); err != nil {
		return fmt.Errorf("the assessed unit's sheet: %w", err)
	}
	base := fmt.Sprintf("/api/v1/targets/%d", sh.ID)
	switch sh.Status {
	case "draft", "returned":
		err = officeAPI.sendJSON(http.MethodPut, base, map[string]any{"lock_version": sh.LockVersion, "indicators": []map[string]any{{
			"name": "基准测试指标", "tasks": "按期完成", "points": 10, "standard": "按标准评分", "deadline": fmt.Sprintf("%d-12-31", year),
			"assessor_unit_id": unitID, "scheme_key": leaf}}}, http.StatusOK, &sh)
		for _, step := range []string{"/submit", "/approve"} {
			if err == nil {
				err = officeAPI.postJSON(base+step, map[string]any{"lock_version": sh.LockVersion}, http.StatusOK, &sh)
			}
		}
	case "approved":
	default:
		return nil
	}
	if err != nil {
		return fmt.Errorf("the assessed unit's sheet approved with an indicator: %w", err)
	}
	// An indicator the unit user assesses: it names the unit or feeds its leaf.
	indicator := int64(0)
	for _, in := range sh.Indicators {
		if (in.AssessorUnitID != nil && *in.AssessorUnitID == unitID) || in.SchemeKey == leaf {
			indicator = in.ID
		}
	}
	if indicator == 0 {
		return nil
	}
	pdf := "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
	var f struct {
		ID string `json:"id"`
	}
	err = officeAPI.postJSON("/api/v1/evidence", map[string]any{"filename": "佐证材料.pdf", "unit_id": assessed,
		"content_base64": base64.StdEncoding.EncodeToString([]byte(pdf))}, http.StatusCreated, &f)
	if err == nil {
		err = officeAPI.postJSON(base+"/evidence", map[string]any{"indicator_id": indicator, "evidence_id": f.ID},
			http.StatusCreated, nil)
	}
	if err != nil {
		return fmt.Errorf("the assessed unit's evidence: %w", err)
	}
	return nil
}
