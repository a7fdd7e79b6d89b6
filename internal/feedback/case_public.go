// A case's public side: its updates, phone numbers stripped from what the
// public reads, and the units listed on the public pages.

package feedback

import (
	"context"
	"regexp"
	"time"

	"minyi/internal/db"
)

var phoneRE = regexp.MustCompile(`(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}|\d{3,4}-\d{7,8}|\d{7,}`)

// StripPhones replaces anything that looks like a phone number with ***.
func StripPhones(s string) string { return phoneRE.ReplaceAllString(s, "***") }

// CaseUpdate is one entry of a case's timeline.
type CaseUpdate struct {
	ID          int64     `json:"id" db:"id"`
	Kind        string    `json:"kind" db:"kind"`
	Body        string    `json:"body" db:"body"`
	EvidenceIDs []string  `json:"evidence_ids" db:"evidence_ids"`
	CreatedBy   *string   `json:"created_by" db:"created_by"`
	CreatedAt   time.Time `json:"created_at" db:"created_at"`
}

// KindLabel is the Chinese name of the update's kind.
func (u CaseUpdate) KindLabel() string {
	return map[string]string{"answer": "单位答复", "progress": "整改进展", "done": "报告整改完成",
		"closed": "办结", "returned": "退回", "note": "记录"}[u.Kind]
}

// ListCaseUpdates returns the timeline of a case, oldest first; kinds
// limits it to those kinds when given.
func ListCaseUpdates(ctx context.Context, q db.DBTX, caseID int64, kinds ...string) ([]CaseUpdate, error) {
	return collect[CaseUpdate](ctx, q, `SELECT cu.id, cu.kind, cu.body, cu.evidence_ids::text[] AS evidence_ids,
			u.username AS created_by, cu.created_at
		FROM case_updates cu LEFT JOIN users u ON u.id = cu.created_by
		WHERE cu.case_id = $1 AND (coalesce(cardinality($2::text[]), 0) = 0 OR cu.kind = ANY ($2))
		ORDER BY cu.id`, caseID, kinds)
}

// PublicUnit is a unit with released cases.
type PublicUnit struct {
	ID    int64  `json:"id" db:"id"`
	Name  string `json:"name" db:"name"`
	Cases int    `json:"cases" db:"cases"`
}

// ListPublicUnits returns the units with released cases, by name.
func ListPublicUnits(ctx context.Context, q db.DBTX) ([]PublicUnit, error) {
	return collect[PublicUnit](ctx, q, `SELECT u.id, u.name, count(*)::int AS cases
		FROM rectification_cases c JOIN units u ON u.id = c.unit_id WHERE c.released
		GROUP BY u.id, u.name ORDER BY u.name, u.id`)
}
