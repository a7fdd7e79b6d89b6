package ratings

import (
	"context"

	"minyi/internal/db"
)

// RecordDims are a stored rating's dimensions of the national record as
// pages and the API read them: the item and stage with their names, the
// channel code (PFSQL: derived from the channel for ratings stored before
// the column), the coded reasons, the content version and the applicant
// type. The API leaves out what a rating does not have.
type RecordDims struct {
	ItemCode      *string  `json:"item_code,omitempty" db:"item_code"`
	ItemName      string   `json:"item_name,omitempty" db:"-"`
	Stage         *string  `json:"stage,omitempty" db:"stage"`
	StageName     string   `json:"stage_name,omitempty" db:"-"`
	PF            int      `json:"pf" db:"pf"`
	ReasonCodes   []string `json:"reason_codes,omitempty" db:"reason_codes"`
	EvaVersion    *string  `json:"eva_version,omitempty" db:"eva_version"`
	ApplicantType *int16   `json:"applicant_type,omitempty" db:"applicant_type"`
}

// dimsColumns reads RecordDims from the ratings alias r.
var dimsColumns = `r.item_code, r.stage, ` + PFSQL("r") + ` AS pf, r.reason_codes, r.eva_version, r.applicant_type`

// PFName is the rating's channel code in words (二维码, …).
func (d RecordDims) PFName() string { return PFLabel(d.PF) }

// ReasonLabels are the coded reasons' names.
func (d RecordDims) ReasonLabels() []string {
	out := make([]string, len(d.ReasonCodes))
	for i, c := range d.ReasonCodes {
		out[i] = ReasonCodeLabel(c)
	}
	return out
}

// ApplicantName is the applicant type in words, "" when not sent.
func (d RecordDims) ApplicantName() string {
	if d.ApplicantType == nil {
		return ""
	}
	return ApplicantLabel(int(*d.ApplicantType))
}

// NameDims fills in the item and stage names of the listed ratings, in
// one query, and only when one of them names an item or a stage; a code
// the catalogues no longer know keeps an empty name (pages show the code).
func NameDims(ctx context.Context, q db.DBTX, list []Rating) error {
	var units []int64
	var codes, stages []string
	for _, r := range list {
		if r.ItemCode != nil {
			units, codes = append(units, r.UnitID), append(codes, *r.ItemCode)
		}
		if r.Stage != nil {
			stages = append(stages, *r.Stage)
		}
	}
	if len(codes) == 0 && len(stages) == 0 {
		return nil
	}
	rows, err := q.Query(ctx, `SELECT true, s.unit_id, s.code, s.name FROM service_items s
		JOIN unnest($1::bigint[], $2::text[]) AS k(unit_id, code) ON k.unit_id = s.unit_id AND k.code = s.code
		UNION SELECT false, 0, code, name FROM rating_stages WHERE code = ANY($3)`, units, codes, stages)
	if err != nil {
		return db.Err(err)
	}
	defer rows.Close()
	type key struct {
		unit int64
		code string
	}
	itemNames, stageNames := map[key]string{}, map[string]string{}
	for rows.Next() {
		var isItem bool
		var unit int64
		var code, name string
		if err := rows.Scan(&isItem, &unit, &code, &name); err != nil {
			return db.Err(err)
		}
		if isItem {
			itemNames[key{unit, code}] = name
		} else {
			stageNames[code] = name
		}
	}
	if err := rows.Err(); err != nil {
		return db.Err(err)
	}
	for i := range list {
		r := &list[i]
		if r.ItemCode != nil {
			r.ItemName = itemNames[key{r.UnitID, *r.ItemCode}]
		}
		if r.Stage != nil {
			r.StageName = stageNames[*r.Stage]
		}
	}
	return nil
}
