package results

// Published results that prove themselves (issue 19). A publication
// stores every unit's line (assessment_results) and the SHA-256 of its
// snapshot: the canonical JSON (encoding/json of the types below, fields
// in declaration order, map keys sorted) of the versions and settings the
// result was computed under and every line — inputs, public evaluation
// score, the scheme tree with every entry, bonus, deductions, adjustments,
// composite, place and grade. Verify recomputes the publication from the
// data stored now, under the same versions, as of the moment it was
// published, and names every difference.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"minyi/internal/apperr"
	"minyi/internal/assessment"
	"minyi/internal/db"
)

// snapshotUnit is a unit as the snapshot fixes it: by id and category.
// Its name is left out: renaming a unit later does not change its result.
type snapshotUnit struct {
	ID       int64  `json:"id"`
	Category string `json:"category"`
}

type snapshotLine struct {
	*Line
	Unit snapshotUnit `json:"unit"`
}

type snapshotCategory struct {
	Name           string         `json:"name"`
	ExcellentQuota int            `json:"excellent_quota"`
	GoodQuota      int            `json:"good_quota"`
	Lines          []snapshotLine `json:"lines"`
}

type snapshotDoc struct {
	CycleID         int64               `json:"cycle_id"`
	ConfigVersion   int                 `json:"config_version"`
	SchemeVersion   int                 `json:"scheme_version"`
	SettingsVersion int                 `json:"settings_version"`
	Settings        assessment.Settings `json:"settings"`
	Categories      []snapshotCategory  `json:"categories"`
	Incomplete      []snapshotUnit      `json:"incomplete"`
}

// SnapshotHash is the SHA-256 of a's snapshot.
func SnapshotHash(a Assessment) ([sha256.Size]byte, error) {
	d := snapshotDoc{CycleID: a.Cycle.ID, ConfigVersion: a.ConfigVersion, SchemeVersion: a.SchemeVersion,
		SettingsVersion: a.SettingsVersion, Settings: a.Settings, Categories: []snapshotCategory{},
		Incomplete: []snapshotUnit{}}
	for _, c := range a.Categories {
		sc := snapshotCategory{Name: c.Name, ExcellentQuota: c.ExcellentQuota, GoodQuota: c.GoodQuota,
			Lines: make([]snapshotLine, len(c.Lines))}
		for i, l := range c.Lines {
			sc.Lines[i] = snapshotLine{Line: l, Unit: snapshotUnit{ID: l.Unit.ID, Category: l.Unit.Category}}
		}
		d.Categories = append(d.Categories, sc)
	}
	for _, u := range a.Incomplete {
		d.Incomplete = append(d.Incomplete, snapshotUnit{ID: u.ID, Category: u.Category})
	}
	b, err := json.Marshal(d)
	if err != nil {
		return [sha256.Size]byte{}, err
	}
	return sha256.Sum256(b), nil
}

// Check is the outcome of verifying one publication.
type Check struct {
	PublicationID int64     `json:"publication_id"`
	CycleID       int64     `json:"cycle_id"`
	Stage         string    `json:"stage"`
	PublishedAt   time.Time `json:"published_at"`
	// Stored is the publication's snapshot hash ("" before snapshots
	// existed), Recomputed the hash of the recomputation.
	Stored     string `json:"stored_sha256"`
	Recomputed string `json:"recomputed_sha256"`
	Units      int    `json:"units"`
	OK         bool   `json:"ok"`
	// Differences name, unit by unit and field by field, where the
	// recomputation departs from what was published.
	Differences []string `json:"differences"`
}

// maxDifferences caps the list: past it, the count says the rest.
const maxDifferences = 500

// Verify recomputes a publication (the cycle's newest when publicationID
// is 0) from the data stored now, under the configuration, scheme and
// settings versions and the category order it was published with, as of
// its publication time, and compares it with what was published: the
// snapshot hash and every unit's stored line.
func Verify(ctx context.Context, pool *pgxpool.Pool, loc *time.Location, cycleID, publicationID int64) (Check, error) {
	var ck Check
	err := db.ReadSnapshot(ctx, pool, func(tx pgx.Tx) error {
		if err := db.NoStatementTimeout(ctx, tx); err != nil {
			return err
		}
		var stored []byte
		var v versions
		var config *int
		var order []string
		err := tx.QueryRow(ctx, `SELECT id, cycle_id, stage, published_at, snapshot_sha256, config_version,
				scheme_version, settings_version, coalesce(category_order, '{}')
			FROM assessment_publications WHERE cycle_id = $1 AND ($2 = 0 OR id = $2) ORDER BY id DESC LIMIT 1`,
			cycleID, publicationID).
			Scan(&ck.PublicationID, &ck.CycleID, &ck.Stage, &ck.PublishedAt, &stored, &config, &v.scheme, &v.settings, &order)
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.New(apperr.NotFound, "该考核年度没有这次公布的结果")
		}
		if err != nil {
			return err
		}
		if config != nil {
			v.config = *config
		}
		ck.Stored = hex.EncodeToString(stored)
		a, err := compute(ctx, tx, loc, ck.PublishedAt, cycleID, order, options{v: v})
		if err != nil {
			return err
		}
		sum, err := SnapshotHash(a)
		if err != nil {
			return err
		}
		ck.Recomputed = hex.EncodeToString(sum[:])
		ck.Differences, ck.Units, err = compareLines(ctx, tx, ck.PublicationID, a)
		return err
	})
	if err != nil {
		return ck, db.Err(err)
	}
	if ck.Stored != "" && ck.Stored != ck.Recomputed && len(ck.Differences) == 0 {
		ck.Differences = []string{"快照哈希不符：公布时的版本、设置或名次比例与现在重算的不同"}
	}
	ck.OK = len(ck.Differences) == 0
	return ck, nil
}

// compareLines compares each unit's published line with its recomputed
// one, field by field (a unit's name aside).
func compareLines(ctx context.Context, tx pgx.Tx, pubID int64, a Assessment) ([]string, int, error) {
	now := map[int64]any{}
	names := map[int64]string{}
	for _, c := range a.Categories {
		for _, l := range c.Lines {
			b, err := json.Marshal(l)
			if err != nil {
				return nil, 0, err
			}
			var v any
			if err := json.Unmarshal(b, &v); err != nil {
				return nil, 0, err
			}
			now[l.Unit.ID], names[l.Unit.ID] = v, l.Unit.Name
		}
	}
	rows, _ := tx.Query(ctx, `SELECT unit_id, breakdown FROM assessment_results WHERE publication_id = $1 ORDER BY unit_id`, pubID)
	var diffs []string
	add := func(s string) {
		if len(diffs) < maxDifferences {
			diffs = append(diffs, s)
		} else if len(diffs) == maxDifferences {
			diffs = append(diffs, "……其余差异从略")
		}
	}
	published := 0
	var unitID int64
	var raw []byte
	_, err := pgx.ForEachRow(rows, []any{&unitID, &raw}, func() error {
		published++
		var was any
		if err := json.Unmarshal(raw, &was); err != nil {
			return err
		}
		who := "单位第" + strconv.FormatInt(unitID, 10) + "号"
		if m, ok := was.(map[string]any); ok {
			if u, ok := m["unit"].(map[string]any); ok {
				who += "（" + fmt.Sprint(u["name"]) + "）"
			}
		}
		is, ok := now[unitID]
		if !ok {
			add(who + "：公布时有结果，重算时没有（单位不再参加考核，或数据不全）")
			return nil
		}
		delete(now, unitID)
		for _, d := range diffJSON("", was, is) {
			add(who + "：" + d)
		}
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	extra := make([]int64, 0, len(now))
	for id := range now {
		extra = append(extra, id)
	}
	sort.Slice(extra, func(i, j int) bool { return extra[i] < extra[j] })
	for _, id := range extra {
		add("单位第" + strconv.FormatInt(id, 10) + "号（" + names[id] + "）：重算时有结果，公布时没有")
	}
	return diffs, published, nil
}

// fieldNames name a line's fields in the office's words.
var fieldNames = map[string]string{
	"composite": "综合得分", "rank": "名次", "grade": "等次", "grade_label": "等次名称", "quota_grade": "按名次和比例的等次",
	"public_score": "公众评价得分", "scheme_score": "考评方案得分", "reason": "等次理由", "formula": "计算式",
	"inputs": "加减分", "scheme": "考评项目", "complete": "是否完整", "missing": "缺少的打分项",
}

// diffJSON lists the paths where was and is differ, with both values; a
// unit's name and short code are not compared.
func diffJSON(path string, was, is any) []string {
	if path == "unit.name" || path == "unit.short_code" {
		return nil
	}
	wm, wok := was.(map[string]any)
	im, iok := is.(map[string]any)
	if wok && iok {
		keys := map[string]bool{}
		for k := range wm {
			keys[k] = true
		}
		for k := range im {
			keys[k] = true
		}
		sorted := make([]string, 0, len(keys))
		for k := range keys {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		var out []string
		for _, k := range sorted {
			out = append(out, diffJSON(strings.TrimPrefix(path+"."+k, "."), wm[k], im[k])...)
		}
		return out
	}
	wl, wok := was.([]any)
	il, iok := is.([]any)
	if wok && iok && len(wl) == len(il) {
		var out []string
		for i := range wl {
			out = append(out, diffJSON(path+"["+strconv.Itoa(i)+"]", wl[i], il[i])...)
		}
		return out
	}
	if reflect.DeepEqual(was, is) {
		return nil
	}
	return []string{pathName(path) + "：公布时 " + short(was) + "，现在重算为 " + short(is)}
}

func pathName(path string) string {
	head, rest, _ := strings.Cut(path, ".")
	if i := strings.Index(head, "["); i >= 0 {
		head, rest = head[:i], head[i:]+rest
	}
	if n, ok := fieldNames[head]; ok {
		if rest == "" {
			return n
		}
		return n + " " + rest
	}
	return path
}

func short(v any) string {
	if v == nil {
		return "（空）"
	}
	b, _ := json.Marshal(v)
	s := string(b)
	if r := []rune(s); len(r) > 80 {
		s = string(r[:79]) + "…"
	}
	return s
}
