package assessment

import (
	"context"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/db"
	"minyi/internal/schemes"
)

// Scorer is who enters scores: the office (any leaf) or a unit user, who
// scores the leaves whose assessor is its unit.
type Scorer struct {
	Actor  audit.Actor
	Office bool
	// UnitID is the unit of a unit user.
	UnitID *int64
}

// Leaf is a manual leaf of a cycle's scheme, as the entry pages show it.
type Leaf struct {
	Key            string  `json:"key"`
	Name           string  `json:"name"`
	Path           string  `json:"path"`
	Max            float64 `json:"max"`
	AssessorName   string  `json:"assessor_name"`
	AssessorUnitID *int64  `json:"assessor_unit_id"`
	// Prorated: the leaf is a direct child of a pro-rated node, so it may
	// be marked not applicable (不参加).
	Prorated bool `json:"prorated"`
}

// MaxText is the leaf's full points as shown: "10", "2.5".
func (l Leaf) MaxText() string { return num(l.Max) }

// ManualLeaves lists the tree's manual leaves in order.
func ManualLeaves(root schemes.Node) []Leaf {
	var out []Leaf
	var walk func(n schemes.Node, parent *schemes.Node, path string)
	walk = func(n schemes.Node, parent *schemes.Node, path string) {
		if parent != nil {
			if path != "" {
				path += schemes.PathSep
			}
			path += n.Name
		}
		if n.Kind == schemes.KindManual {
			l := Leaf{Key: n.Key, Name: n.Name, Path: path, Max: n.Max,
				Prorated: parent != nil && parent.Kind == schemes.KindProrated}
			if n.Assessor != nil {
				l.AssessorName, l.AssessorUnitID = n.Assessor.Name, n.Assessor.UnitID
			}
			out = append(out, l)
			return
		}
		for _, c := range n.Children {
			walk(c, &n, path)
		}
	}
	walk(root, nil, "")
	return out
}

// Owns reports whether the scorer may score the leaf.
func (s Scorer) Owns(l Leaf) bool {
	return s.Office || (s.UnitID != nil && l.AssessorUnitID != nil && *l.AssessorUnitID == *s.UnitID)
}

// Entry is the points an assessor unit gave a unit on one leaf.
type Entry struct {
	CycleID        int64     `json:"cycle_id" db:"cycle_id"`
	UnitID         int64     `json:"unit_id" db:"unit_id"`
	LeafKey        string    `json:"leaf_key" db:"leaf_key"`
	Points         *float64  `json:"points" db:"points"`
	NotApplicable  bool      `json:"not_applicable" db:"not_applicable"`
	Note           string    `json:"note" db:"note"`
	EvidenceIDs    []string  `json:"evidence_ids" db:"evidence_ids"`
	AssessorUnitID *int64    `json:"assessor_unit_id" db:"assessor_unit_id"`
	EnteredBy      *string   `json:"entered_by" db:"entered_by"`
	Version        int       `json:"version" db:"version"`
	UpdatedAt      time.Time `json:"updated_at" db:"updated_at"`
}

const entryColumns = `e.cycle_id, e.unit_id, e.leaf_key, e.points::float8 AS points, e.not_applicable, e.note,
	e.evidence_ids::text[] AS evidence_ids, e.assessor_unit_id, u.username AS entered_by, e.version, e.updated_at`

// ListEntries returns the cycle's entries on the given leaves (nil: all),
// of one unit when unitID is not nil.
func ListEntries(ctx context.Context, q db.DBTX, cycleID int64, leafKeys []string, unitID *int64) ([]Entry, error) {
	rows, _ := q.Query(ctx, `SELECT `+entryColumns+`
		FROM assessment_entries e LEFT JOIN users u ON u.id = e.entered_by
		WHERE e.cycle_id = $1 AND ($2::text[] IS NULL OR e.leaf_key = ANY($2))
		  AND ($3::bigint IS NULL OR e.unit_id = $3)
		ORDER BY e.unit_id, e.leaf_key`, cycleID, leafKeys, unitID)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[Entry])
	if list == nil {
		list = []Entry{}
	}
	return list, db.Err(err)
}

// EntryInput is one entry as a scorer submits it. Version is the version
// the scorer last saw: 0 for a new entry.
type EntryInput struct {
	Points        *float64 `json:"points"`
	NotApplicable bool     `json:"not_applicable"`
	Note          string   `json:"note"`
	EvidenceIDs   []string `json:"evidence_ids"`
	Version       int      `json:"version"`
}

// MsgStaleEntry refuses a save based on an outdated entry.
const MsgStaleEntry = "该项得分已被他人修改，请刷新页面查看最新得分后再保存"

// SaveEntry stores the scorer's entry for unit on the leaf of the cycle's
// newest scheme and records it in the audit log. It returns forbidden for
// a leaf the scorer does not own, invalid for points outside 0..max, not
// applicable outside a pro-rated group or a bad note or evidence, and
// conflict when in.Version is not the entry's current version (nothing
// changes). Resubmitting exactly what is stored returns the entry.
func SaveEntry(ctx context.Context, tx pgx.Tx, sc Scorer, cycleID, unitID int64, leafKey string, in EntryInput) (Entry, error) {
	if err := CheckEditable(ctx, tx, cycleID); err != nil {
		return Entry{}, err
	}
	// The leaf must be one of the unit's own scheme (its category's
	// group's, or the default scheme).
	v, err := schemes.ForUnit(ctx, tx, cycleID, unitID)
	if err != nil {
		return Entry{}, err
	}
	i := slices.IndexFunc(ManualLeaves(v.Tree), func(l Leaf) bool { return l.Key == leafKey })
	if i < 0 {
		return Entry{}, apperr.New(apperr.NotFound, "考核方案中没有该考评打分项目")
	}
	leaf := ManualLeaves(v.Tree)[i]
	if !sc.Owns(leaf) {
		return Entry{}, apperr.New(apperr.Forbidden, "该项目不由本单位考评，不能录入得分")
	}
	if err := unitExists(ctx, tx, unitID); err != nil {
		return Entry{}, err
	}
	note := strings.TrimSpace(in.Note)
	f := apperr.Fields{}
	switch {
	case in.NotApplicable && in.Points != nil:
		f.Add("points", "标记为不参加时不能填写得分")
	case in.NotApplicable && !leaf.Prorated:
		f.Add("not_applicable", "只有“按参加项目折算”项目的下级项目才能标记为不参加")
	case !in.NotApplicable && in.Points == nil:
		f.Add("points", "请填写得分")
	case !in.NotApplicable:
		f.Merge(checkPoints("points", *in.Points, leaf.Max, "得分不能超过该项满分 "+num(leaf.Max)+" 分"))
	}
	if utf8.RuneCountInString(note) > 2000 {
		f.Add("note", "说明不能超过2000字")
	}
	if err := f.Err(); err != nil {
		return Entry{}, err
	}
	rows, _ := tx.Query(ctx, `SELECT `+entryColumns+`
		FROM assessment_entries e LEFT JOIN users u ON u.id = e.entered_by
		WHERE e.cycle_id = $1 AND e.unit_id = $2 AND e.leaf_key = $3 FOR UPDATE OF e`, cycleID, unitID, leafKey)
	before, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Entry])
	exists := err == nil
	if err != nil && err != pgx.ErrNoRows {
		return Entry{}, db.Err(err)
	}
	// Files already on the entry may stay even if another user added them.
	var added []string
	for _, id := range in.EvidenceIDs {
		if !slices.Contains(before.EvidenceIDs, strings.ToLower(strings.TrimSpace(id))) {
			added = append(added, id)
		}
	}
	if _, err := checkEvidence(ctx, tx, added, sc.Office, sc.UnitID); err != nil {
		return Entry{}, err
	}
	ev, err := checkEvidence(ctx, tx, in.EvidenceIDs, true, nil)
	if err != nil {
		return Entry{}, err
	}
	if exists && sameEntry(before, in, note, ev) {
		return before, nil
	}
	if (exists && before.Version != in.Version) || (!exists && in.Version != 0) {
		return Entry{}, apperr.New(apperr.Conflict, MsgStaleEntry)
	}
	var by *int64
	if sc.Actor.ID != 0 {
		by = &sc.Actor.ID
	}
	var pts any
	if !in.NotApplicable {
		pts = strconv.FormatFloat(*in.Points, 'f', -1, 64)
	}
	tag, err := tx.Exec(ctx, `INSERT INTO assessment_entries AS e (cycle_id, unit_id, leaf_key, points, not_applicable,
			note, evidence_ids, assessor_unit_id, entered_by, version, updated_at)
		VALUES ($1, $2, $3, $4::numeric, $5, $6, $7::uuid[], $8, $9, 1, now())
		ON CONFLICT (cycle_id, unit_id, leaf_key) DO UPDATE SET points = EXCLUDED.points,
			not_applicable = EXCLUDED.not_applicable, note = EXCLUDED.note, evidence_ids = EXCLUDED.evidence_ids,
			assessor_unit_id = EXCLUDED.assessor_unit_id, entered_by = EXCLUDED.entered_by,
			version = e.version + 1, updated_at = now()
		WHERE e.version = $10`,
		cycleID, unitID, leafKey, pts, in.NotApplicable, note, ev, leaf.AssessorUnitID, by, in.Version)
	if err != nil {
		return Entry{}, db.Err(err)
	}
	if tag.RowsAffected() != 1 {
		return Entry{}, apperr.New(apperr.Conflict, MsgStaleEntry)
	}
	after, err := findEntry(ctx, tx, cycleID, unitID, leafKey)
	if err != nil {
		return Entry{}, err
	}
	var old any
	if exists {
		old = before
	}
	return after, audit.Record(ctx, tx, sc.Actor, "assessment.entry", "assessment_entry",
		strconv.FormatInt(cycleID, 10)+"/"+strconv.FormatInt(unitID, 10)+"/"+leafKey, old, after)
}

func findEntry(ctx context.Context, q db.DBTX, cycleID, unitID int64, leafKey string) (Entry, error) {
	rows, _ := q.Query(ctx, `SELECT `+entryColumns+`
		FROM assessment_entries e LEFT JOIN users u ON u.id = e.entered_by
		WHERE e.cycle_id = $1 AND e.unit_id = $2 AND e.leaf_key = $3`, cycleID, unitID, leafKey)
	e, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Entry])
	return e, notFound(db.Err(err), "尚未录入该项得分")
}

func sameEntry(e Entry, in EntryInput, note string, ev []string) bool {
	if e.NotApplicable != in.NotApplicable || e.Note != note || !slices.Equal(e.EvidenceIDs, ev) {
		return false
	}
	if in.NotApplicable {
		return true
	}
	return e.Points != nil && in.Points != nil && floatRat(*e.Points).Cmp(floatRat(*in.Points)) == 0
}

// checkPoints returns an invalid error for points that are negative,
// above limit (with overMsg), not finite or with more than 2 decimals.
func checkPoints(field string, p, limit float64, overMsg string) error {
	r := floatRat(p)
	switch {
	case p != p || p > 1e6 || p < -1e6:
		return apperr.InvalidField(field, "分值无效")
	case p < 0:
		return apperr.InvalidField(field, "分值不能为负数")
	case r.Cmp(floatRat(limit)) > 0:
		return apperr.InvalidField(field, overMsg)
	case !new(big.Rat).Mul(r, big.NewRat(100, 1)).IsInt():
		return apperr.InvalidField(field, "分值最多保留两位小数")
	}
	return nil
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func unitExists(ctx context.Context, q db.DBTX, unitID int64) error {
	var one int
	err := q.QueryRow(ctx, `SELECT 1 FROM units WHERE id = $1`, unitID).Scan(&one)
	return notFound(db.Err(err), "单位不存在")
}
