package assessment

import (
	"context"
	"math/big"
	"strconv"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/db"
	"minyi/internal/schemes"
)

// UnitInputs is everything the assessment stores about one assessed unit of
// a cycle, summed the way the results are computed.
type UnitInputs struct {
	// Entries are the assessor units' entries keyed by leaf key: points, or
	// schemes.NotApplicable. Entries on keys that are no longer manual
	// leaves of the cycle's newest scheme are left out.
	Entries map[string]schemes.Input `json:"entries"`
	// BonusApproved is the sum of the approved bonus points; BonusCounted
	// is that sum after Settings.BonusCap.
	BonusApproved float64 `json:"bonus_approved"`
	BonusCounted  float64 `json:"bonus_counted"`
	// DeductionsFiled is the sum of the points of the deductions in force;
	// DeductionsCounted is that sum after each reason's MaxTotal, each
	// deduction group's cap and then Settings.DeductionCap.
	DeductionsFiled   float64 `json:"deductions_filed"`
	DeductionsCounted float64 `json:"deductions_counted"`
	// SetsFail: a deduction in force of a reason that sets the result to
	// 不合格; FailReasons says which ("<reason name>：<description>").
	SetsFail    bool     `json:"sets_fail"`
	FailReasons []string `json:"fail_reasons"`
	// Raise and Lower count the grade adjustments in force (one step
	// each); NoExcellent: not eligible for 优秀 this year.
	// AdjustmentReasons are "<kind label>：<reason>" of each.
	Raise             int      `json:"raise"`
	Lower             int      `json:"lower"`
	NoExcellent       bool     `json:"no_excellent"`
	AdjustmentReasons []string `json:"adjustment_reasons"`
	// RankTo is the place the office moved the unit to within its
	// category (nil: none), RankReason why (RankAdjustment).
	RankTo     *int   `json:"rank_to,omitempty"`
	RankReason string `json:"rank_reason,omitempty"`
}

// Inputs returns the inputs of every unit that has any entry, bonus claim,
// deduction or adjustment in the cycle, keyed by unit id; a unit that is
// absent has none (the zero UnitInputs). Caps are the cycle's newest
// settings. Sums are exact to the cent (stored numbers have at most 4
// decimals) and then converted to float64.
func Inputs(ctx context.Context, q db.DBTX, cycleID int64) (map[int64]UnitInputs, error) {
	sv, err := LoadSettings(ctx, q, cycleID)
	if err != nil {
		return nil, err
	}
	set := sv.Settings
	leaves := map[string]bool{}
	// The manual leaves of every scheme of the cycle (the default and each
	// group's): a unit's entries are checked against its own scheme when
	// saved, and its scheme ignores keys it does not have.
	current, err := schemes.Current(ctx, q, cycleID)
	if err != nil {
		return nil, err
	}
	for _, v := range current {
		for _, l := range schemes.Leaves(v.Tree) {
			if l.Kind == schemes.KindManual {
				leaves[l.Key] = true
			}
		}
	}
	out := map[int64]*unitSums{}
	get := func(id int64) *unitSums {
		u := out[id]
		if u == nil {
			u = &unitSums{in: UnitInputs{Entries: map[string]schemes.Input{}, FailReasons: []string{}, AdjustmentReasons: []string{}},
				bonus: new(big.Rat), perReason: map[string]*big.Rat{}}
			out[id] = u
		}
		return u
	}

	rows, err := q.Query(ctx, `SELECT unit_id, leaf_key, points::text, not_applicable
		FROM assessment_entries WHERE cycle_id = $1`, cycleID)
	if err != nil {
		return nil, db.Err(err)
	}
	var unitID int64
	var key string
	var pts *string
	var na bool
	_, err = pgx.ForEachRow(rows, []any{&unitID, &key, &pts, &na}, func() error {
		if !leaves[key] {
			return nil
		}
		if na || pts == nil {
			get(unitID).in.Entries[key] = schemes.NotApplicable
		} else {
			get(unitID).in.Entries[key] = schemes.Points(ratFloat(parseRat(*pts)))
		}
		return nil
	})
	if err != nil {
		return nil, db.Err(err)
	}

	rows, err = q.Query(ctx, `SELECT unit_id, points_approved::text FROM assessment_bonus_claims
		WHERE cycle_id = $1 AND status = 'approved'`, cycleID)
	if err != nil {
		return nil, db.Err(err)
	}
	var approved string
	_, err = pgx.ForEachRow(rows, []any{&unitID, &approved}, func() error {
		u := get(unitID)
		u.bonus.Add(u.bonus, parseRat(approved))
		return nil
	})
	if err != nil {
		return nil, db.Err(err)
	}

	rows, err = q.Query(ctx, `SELECT unit_id, reason_key, points::text, sets_fail, description
		FROM assessment_deductions WHERE cycle_id = $1 AND revoked_at IS NULL ORDER BY id`, cycleID)
	if err != nil {
		return nil, db.Err(err)
	}
	var dpts, desc string
	var fail bool
	_, err = pgx.ForEachRow(rows, []any{&unitID, &key, &dpts, &fail, &desc}, func() error {
		u := get(unitID)
		r := u.perReason[key]
		if r == nil {
			r = new(big.Rat)
			u.perReason[key] = r
			u.reasonOrder = append(u.reasonOrder, key)
		}
		r.Add(r, parseRat(dpts))
		if fail {
			u.in.SetsFail = true
			u.in.FailReasons = append(u.in.FailReasons, reasonName(set, key)+"："+desc)
		}
		return nil
	})
	if err != nil {
		return nil, db.Err(err)
	}

	rows, err = q.Query(ctx, `SELECT unit_id, kind, reason FROM assessment_grade_adjustments
		WHERE cycle_id = $1 AND revoked_at IS NULL ORDER BY id`, cycleID)
	if err != nil {
		return nil, db.Err(err)
	}
	var kind, reason string
	_, err = pgx.ForEachRow(rows, []any{&unitID, &kind, &reason}, func() error {
		u := get(unitID)
		switch kind {
		case AdjustRaise:
			u.in.Raise++
		case AdjustLower:
			u.in.Lower++
		case AdjustNoExcellent:
			u.in.NoExcellent = true
		}
		u.in.AdjustmentReasons = append(u.in.AdjustmentReasons, AdjustmentLabel(kind)+"："+reason)
		return nil
	})
	if err != nil {
		return nil, db.Err(err)
	}

	if err := loadRankMoves(ctx, q, cycleID, get); err != nil {
		return nil, err
	}

	res := make(map[int64]UnitInputs, len(out))
	for id, u := range out {
		u.finish(set)
		res[id] = u.in
	}
	return res, nil
}

type unitSums struct {
	in          UnitInputs
	bonus       *big.Rat
	perReason   map[string]*big.Rat
	reasonOrder []string
}

func (u *unitSums) finish(set Settings) {
	u.in.BonusApproved = ratFloat(u.bonus)
	u.in.BonusCounted = ratFloat(capRat(u.bonus, set.BonusCap))
	filed, counted := new(big.Rat), new(big.Rat)
	grouped := map[string]*big.Rat{}
	for _, k := range u.reasonOrder {
		v := u.perReason[k]
		filed.Add(filed, v)
		r, ok := set.Reason(k)
		if ok && r.MaxTotal > 0 {
			v = capRat(v, r.MaxTotal)
		}
		if _, inGroup := set.Group(r.Group); ok && inGroup {
			if grouped[r.Group] == nil {
				grouped[r.Group] = new(big.Rat)
			}
			grouped[r.Group].Add(grouped[r.Group], v)
			continue
		}
		counted.Add(counted, v)
	}
	for _, g := range set.DeductionGroups {
		if v := grouped[g.Key]; v != nil {
			counted.Add(counted, capRat(v, g.Cap))
		}
	}
	u.in.DeductionsFiled = ratFloat(filed)
	u.in.DeductionsCounted = ratFloat(capRat(counted, set.DeductionCap))
}

// CountedDeductions applies the settings' caps to deductions in force
// (reason key → sum of that reason's points): each reason's MaxTotal, then
// each deduction group's cap over its reasons, then DeductionCap over all.
// It returns the filed and the counted total.
func CountedDeductions(set Settings, perReason map[string]float64) (filed, counted float64) {
	u := unitSums{bonus: new(big.Rat), perReason: map[string]*big.Rat{}}
	for k, v := range perReason {
		u.perReason[k] = floatRat(v)
		u.reasonOrder = append(u.reasonOrder, k)
	}
	u.finish(set)
	return u.in.DeductionsFiled, u.in.DeductionsCounted
}

// CountedBonus is approved bonus points after the settings' BonusCap.
func CountedBonus(set Settings, approved float64) float64 {
	return ratFloat(capRat(floatRat(approved), set.BonusCap))
}

func reasonName(set Settings, key string) string {
	if r, ok := set.Reason(key); ok {
		return r.Name
	}
	return key
}

// capRat is min(v, limit); a cap is the most points that count, so a cap
// of 0 counts nothing.
func capRat(v *big.Rat, limit float64) *big.Rat {
	l := floatRat(limit)
	if v.Cmp(l) > 0 {
		return l
	}
	return new(big.Rat).Set(v)
}

func parseRat(s string) *big.Rat {
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return new(big.Rat)
	}
	return r
}

func floatRat(f float64) *big.Rat { return parseRat(strconv.FormatFloat(f, 'g', -1, 64)) }

func ratFloat(r *big.Rat) float64 {
	f, _ := strconv.ParseFloat(r.FloatString(4), 64)
	return f
}

// PublicationsTable is the results' table of published results; a row of
// stage StageFinal not reopened makes the cycle's inputs read-only.
const (
	PublicationsTable = "assessment_publications"
	StageFinal        = "final"
)

// MsgFinal refuses an edit after the results are final.
const MsgFinal = "考核结果已公布，不能再修改；如需更正请由绩效办重新开启"

// CheckEditable returns a conflict error when the cycle's final results
// are published and not reopened; every write of this package calls it in
// its transaction. Before the publications table exists nothing is final.
func CheckEditable(ctx context.Context, q db.DBTX, cycleID int64) error {
	var exists bool
	if err := q.QueryRow(ctx, `SELECT to_regclass('`+PublicationsTable+`') IS NOT NULL`).Scan(&exists); err != nil {
		return db.Err(err)
	}
	if !exists {
		return nil
	}
	var final bool
	err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM `+PublicationsTable+`
		WHERE cycle_id = $1 AND stage = '`+StageFinal+`' AND reopened_at IS NULL)`, cycleID).Scan(&final)
	if err != nil {
		return db.Err(err)
	}
	if final {
		return apperr.New(apperr.Conflict, MsgFinal)
	}
	return nil
}
