package assessment

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/db"
)

// A preset names the assessor that proposes a reason's items by its role
// (监察局); the office chooses the unit that holds the role when it
// applies the preset, and the settings keep the unit's id
// (DeductionReason.ProposerUnitID), so renaming a unit or a second unit
// whose name contains the role changes nothing.

// ProposerUnit is a unit offered for a proposer's role.
type ProposerUnit struct {
	ID   int64  `json:"id" db:"id"`
	Name string `json:"name" db:"name"`
}

// roleText is the role as units' names contain it: 市监察局 → 监察局.
func roleText(role string) string { return strings.TrimPrefix(strings.TrimSpace(role), "市") }

// ProposerCandidates returns the units whose name contains the role (at
// most 20, the shortest name first: 中山市监察局 before 中山市监察局
// 驻某分局); none for an empty role.
func ProposerCandidates(ctx context.Context, q db.DBTX, role string) ([]ProposerUnit, error) {
	r := roleText(role)
	if r == "" {
		return []ProposerUnit{}, nil
	}
	pat := "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(r) + "%"
	rows, _ := q.Query(ctx, `SELECT id, name FROM units WHERE name LIKE $1 ORDER BY length(name), name, id LIMIT 20`, pat)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[ProposerUnit])
	if list == nil {
		list = []ProposerUnit{}
	}
	return list, db.Err(err)
}

// PrefillProposers returns, for each reason of the preset that names a
// proposer's role, the unit the role matches by name (the first of
// ProposerCandidates); reasons without a match are left out.
func PrefillProposers(ctx context.Context, q db.DBTX, p DeductionPreset) (map[string]int64, error) {
	out := map[string]int64{}
	for _, r := range p.Reasons {
		if r.Proposer == "" {
			continue
		}
		list, err := ProposerCandidates(ctx, q, r.Proposer)
		if err != nil {
			return nil, err
		}
		if len(list) > 0 {
			out[r.Key] = list[0].ID
		}
	}
	return out, nil
}

// resolveProposers checks the office's choice of proposers for the preset
// and fills the reasons it leaves out by name (PrefillProposers). A unit
// id of 0 means none. It returns invalid (field proposers.<key>) for a
// reason of the preset without a proposer's role or a unit that does not
// exist.
func resolveProposers(ctx context.Context, q db.DBTX, p DeductionPreset, chosen map[string]int64) (map[string]int64, error) {
	out, err := PrefillProposers(ctx, q, p)
	if err != nil {
		return nil, err
	}
	f := apperr.Fields{}
	ids := []int64{}
	for k, id := range chosen {
		if r, ok := p.reason(k); !ok || r.Proposer == "" {
			f.Add("proposers."+k, "该扣分事由没有规定提出单位")
			continue
		}
		if id < 0 {
			f.Add("proposers."+k, "请选择提出单位")
			continue
		}
		if id == 0 {
			delete(out, k)
			continue
		}
		out[k] = id
		ids = append(ids, id)
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	rows, _ := q.Query(ctx, `SELECT id FROM units WHERE id = ANY($1::bigint[])`, ids)
	found, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, db.Err(err)
	}
	exists := map[int64]bool{}
	for _, id := range found {
		exists[id] = true
	}
	for k, id := range chosen {
		if id > 0 && !exists[id] {
			f.Add("proposers."+k, "所选提出单位不存在，请重新选择")
		}
	}
	return out, f.Err()
}
