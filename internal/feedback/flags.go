package feedback

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/db"
	"minyi/internal/ratings"
	"minyi/internal/secure"
)

// Flag kinds.
const (
	FlagBurstAddress   = "burst_address"
	FlagBurstDevice    = "burst_device"
	FlagPhoneManyUnits = "phone_many_units"
	FlagTopRun         = "top_run"
)

// The scan's rules. A flag is a pattern for the office to review; nothing
// is excluded until the office confirms it.
const (
	// ScanLookback is how far back each scan looks; windows are whole
	// clock hours (bursts) or local days (phone, top run), so a pattern is
	// keyed by its window and flagged once however often the scan runs.
	ScanLookback = 48 * time.Hour
	// BurstMin ratings from one network address (ratings.client_hash) or
	// one device or browser fingerprint (the once-a-day marks) within one
	// clock hour are a burst.
	BurstMin = 10
	// PhoneMinUnits units rated by one call-back phone number within one
	// local day are flagged.
	PhoneMinUnits = 3
	// TopRunMin consecutive 非常满意 ratings of one unit within one local
	// day are flagged when, in addition, the day's share of 非常满意 is at
	// least TopShareMargin above the unit's share over the TopBaselineDays
	// before (0 when it had no ratings then).
	TopRunMin       = 20
	TopShareMargin  = 0.3
	TopBaselineDays = 30
)

// FlagKindLabel returns the Chinese name of a flag kind.
func FlagKindLabel(kind string) string {
	switch kind {
	case FlagBurstAddress:
		return "同一网络地址短时集中评价"
	case FlagBurstDevice:
		return "同一设备或浏览器短时集中评价"
	case FlagPhoneManyUnits:
		return "同一手机号评价多个单位"
	case FlagTopRun:
		return "连续“非常满意”异常集中"
	}
	return kind
}

// Flag statuses.
const (
	FlagOpen      = "open"
	FlagDismissed = "dismissed"
	FlagConfirmed = "confirmed"
)

// FlagStatusLabel returns the Chinese name of a flag status.
func FlagStatusLabel(s string) string {
	switch s {
	case FlagOpen:
		return "待核查"
	case FlagDismissed:
		return "已排除嫌疑"
	case FlagConfirmed:
		return "已确认并剔除"
	}
	return s
}

// Flag is a suspicious pattern found by the scan.
type Flag struct {
	ID          int64           `json:"id" db:"id"`
	Kind        string          `json:"kind" db:"kind"`
	UnitID      *int64          `json:"unit_id" db:"unit_id"`
	UnitName    *string         `json:"unit_name" db:"unit_name"`
	WindowStart time.Time       `json:"window_start" db:"window_start"`
	WindowEnd   time.Time       `json:"window_end" db:"window_end"`
	RatingIDs   []uuid.UUID     `json:"rating_ids" db:"rating_ids"`
	Detail      json.RawMessage `json:"detail" db:"detail"`
	Status      string          `json:"status" db:"status"`
	Note        string          `json:"note" db:"note"`
	DecidedBy   *string         `json:"decided_by" db:"decided_by"`
	DecidedAt   *time.Time      `json:"decided_at" db:"decided_at"`
	CreatedAt   time.Time       `json:"created_at" db:"created_at"`
}

// KindLabel is the Chinese name of the flag's kind.
func (f Flag) KindLabel() string { return FlagKindLabel(f.Kind) }

// StatusLabel is the Chinese name of the flag's status.
func (f Flag) StatusLabel() string { return FlagStatusLabel(f.Status) }

// DetailText describes the pattern in Chinese.
func (f Flag) DetailText() string {
	var d map[string]any
	_ = json.Unmarshal(f.Detail, &d)
	num := func(k string) string {
		if v, ok := d[k].(float64); ok {
			if k == "day_share" || k == "baseline_share" {
				return strconv.FormatFloat(v*100, 'f', 0, 64) + "%"
			}
			return strconv.FormatFloat(v, 'f', -1, 64)
		}
		return "?"
	}
	switch f.Kind {
	case FlagBurstAddress, FlagBurstDevice:
		return "一小时内 " + num("ratings") + " 条评价，涉及 " + num("units") + " 个单位"
	case FlagPhoneManyUnits:
		return "同一手机号一天内评价 " + num("units") + " 个单位，共 " + num("ratings") + " 条"
	case FlagTopRun:
		return "连续 " + num("run") + " 条“非常满意”；当天 " + num("ratings") + " 条评价中“非常满意”占 " +
			num("day_share") + "，此前" + strconv.Itoa(TopBaselineDays) + "天占 " + num("baseline_share")
	}
	return string(f.Detail)
}

// candidate is a pattern found in one window.
type candidate struct {
	kind       string
	unitID     *int64
	subject    []byte
	start, end time.Time
	ratingIDs  []uuid.UUID
	detail     map[string]any
}

// Scan looks for suspicious patterns in the ratings of the ScanLookback
// before now and stores each as an open flag. A pattern already flagged in
// the same window is not flagged again (an open flag takes in the window's
// later ratings). It returns how many new flags were stored. keys decrypts
// call-back phone numbers, which are compared by their keyed hash only.
func Scan(ctx context.Context, q db.DBTX, keys *secure.Keys, loc *time.Location, now time.Time) (int, error) {
	from := now.Add(-ScanLookback)
	var all []candidate
	for _, find := range []func(context.Context, db.DBTX, *secure.Keys, *time.Location, time.Time, time.Time) ([]candidate, error){
		burstsByAddress, burstsByDevice, phonesManyUnits, topRuns,
	} {
		c, err := find(ctx, q, keys, loc, from, now)
		if err != nil {
			return 0, err
		}
		all = append(all, c...)
	}
	created := 0
	for _, c := range all {
		detail, _ := json.Marshal(c.detail)
		var inserted bool
		err := q.QueryRow(ctx, `INSERT INTO feedback_flags AS f (kind, unit_id, subject, window_start, window_end, rating_ids, detail)
			VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (kind, subject, window_start) DO UPDATE SET rating_ids = EXCLUDED.rating_ids, detail = EXCLUDED.detail
			WHERE f.status = 'open' AND f.rating_ids <> EXCLUDED.rating_ids
			RETURNING xmax = 0`, c.kind, c.unitID, c.subject, c.start, c.end, c.ratingIDs, detail).Scan(&inserted)
		if err = db.Err(err); err != nil && !apperr.Is(err, apperr.NotFound) {
			return created, err
		}
		if err == nil && inserted {
			created++
		}
	}
	return created, nil
}

// burstSQL groups the window's ratings by an hour and a key; {key} and
// {join} are filled in per kind.
const burstSQL = `SELECT {key} AS subject, date_trunc('hour', r.rated_at) AS start,
	array_agg(r.id ORDER BY r.rated_at, r.id) AS ids, array_agg(DISTINCT r.unit_id) AS units
FROM ratings r {join}
WHERE r.rated_at >= $1 AND r.rated_at < $2 AND {notnull}
GROUP BY 1, 2 HAVING count(*) >= $3`

func bursts(ctx context.Context, q db.DBTX, kind, sql string, from, to time.Time) ([]candidate, error) {
	rows, err := q.Query(ctx, sql, from, to, BurstMin)
	if err != nil {
		return nil, db.Err(err)
	}
	defer rows.Close()
	var out []candidate
	for rows.Next() {
		var c candidate
		var units []int64
		if err := rows.Scan(&c.subject, &c.start, &c.ratingIDs, &units); err != nil {
			return nil, db.Err(err)
		}
		c.kind, c.end = kind, c.start.Add(time.Hour)
		if len(units) == 1 {
			c.unitID = &units[0]
		}
		c.detail = map[string]any{"ratings": len(c.ratingIDs), "units": len(units)}
		out = append(out, c)
	}
	return out, db.Err(rows.Err())
}

func burstsByAddress(ctx context.Context, q db.DBTX, _ *secure.Keys, _ *time.Location, from, to time.Time) ([]candidate, error) {
	sql := strings.NewReplacer("{key}", "r.client_hash", "{join}", "", "{notnull}", "r.client_hash IS NOT NULL").Replace(burstSQL)
	return bursts(ctx, q, FlagBurstAddress, sql, from, to)
}

// burstsByDevice uses the once-a-day marks (keyed hashes of the device
// cookie and the browser fingerprint) each QR rating left.
func burstsByDevice(ctx context.Context, q db.DBTX, _ *secure.Keys, _ *time.Location, from, to time.Time) ([]candidate, error) {
	sql := strings.NewReplacer("{key}", "m.mark", "{join}",
		"JOIN rating_daily_marks m ON m.rating_id = r.id AND m.unit_id = r.unit_id", "{notnull}", "true").Replace(burstSQL)
	return bursts(ctx, q, FlagBurstDevice, sql, from, to)
}

// dayStart is the start of t's local day.
func dayStart(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// phonesManyUnits decrypts the call-back numbers of the window's ratings
// (never in the write path) and groups them by keyed hash and local day.
func phonesManyUnits(ctx context.Context, q db.DBTX, keys *secure.Keys, loc *time.Location, from, to time.Time) ([]candidate, error) {
	rows, err := q.Query(ctx, `SELECT r.id, r.unit_id, r.rated_at, r.phone_enc FROM ratings r
		WHERE r.rated_at >= $1 AND r.rated_at < $2 AND r.phone_enc IS NOT NULL ORDER BY r.rated_at, r.id`, from, to)
	if err != nil {
		return nil, db.Err(err)
	}
	defer rows.Close()
	type group struct {
		c     candidate
		units map[int64]bool
	}
	groups := map[string]*group{}
	var order []string
	for rows.Next() {
		var id uuid.UUID
		var unit int64
		var at time.Time
		var enc []byte
		if err := rows.Scan(&id, &unit, &at, &enc); err != nil {
			return nil, db.Err(err)
		}
		phone, err := keys.Decrypt(enc)
		if err != nil {
			continue // sealed with another key: cannot be compared
		}
		h := keys.Hash("phone", phone)
		day := dayStart(at, loc)
		k := string(h) + day.Format(time.DateOnly)
		g := groups[k]
		if g == nil {
			g = &group{c: candidate{kind: FlagPhoneManyUnits, subject: h, start: day, end: day.AddDate(0, 0, 1)}, units: map[int64]bool{}}
			groups[k] = g
			order = append(order, k)
		}
		g.c.ratingIDs = append(g.c.ratingIDs, id)
		g.units[unit] = true
	}
	if err := rows.Err(); err != nil {
		return nil, db.Err(err)
	}
	var out []candidate
	for _, k := range order {
		g := groups[k]
		if len(g.units) >= PhoneMinUnits {
			g.c.detail = map[string]any{"ratings": len(g.c.ratingIDs), "units": len(g.units)}
			out = append(out, g.c)
		}
	}
	return out, nil
}

// topRuns finds units whose day has a run of at least TopRunMin 非常满意
// ratings and a share of them far above the unit's usual share.
func topRuns(ctx context.Context, q db.DBTX, _ *secure.Keys, loc *time.Location, from, to time.Time) ([]candidate, error) {
	rows, err := q.Query(ctx, `SELECT r.unit_id, r.id, r.level, r.rated_at FROM ratings r
		WHERE r.rated_at >= $1 AND r.rated_at < $2 AND NOT r.excluded AND r.unit_id IN (
			SELECT unit_id FROM ratings WHERE rated_at >= $1 AND rated_at < $2 AND level = 5 AND NOT excluded
			GROUP BY unit_id HAVING count(*) >= $3)
		ORDER BY r.unit_id, r.rated_at, r.id`, dayStart(from, loc), to, TopRunMin)
	if err != nil {
		return nil, db.Err(err)
	}
	type day struct {
		unit         int64
		start        time.Time
		total, fives int
		run, best    []uuid.UUID
	}
	var days []*day
	var cur *day
	for rows.Next() {
		var unit int64
		var id uuid.UUID
		var level int
		var at time.Time
		if err := rows.Scan(&unit, &id, &level, &at); err != nil {
			rows.Close()
			return nil, db.Err(err)
		}
		start := dayStart(at, loc)
		if cur == nil || cur.unit != unit || !cur.start.Equal(start) {
			cur = &day{unit: unit, start: start}
			days = append(days, cur)
		}
		cur.total++
		if level == 5 {
			cur.fives++
			cur.run = append(cur.run, id)
			if len(cur.run) > len(cur.best) {
				cur.best = cur.run
			}
		} else {
			cur.run = nil
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, db.Err(err)
	}
	var out []candidate
	for _, d := range days {
		if len(d.best) < TopRunMin {
			continue
		}
		base := d.start.AddDate(0, 0, -TopBaselineDays)
		counts, err := ratings.DailyLevelCounts(ctx, q, base.Format(time.DateOnly),
			d.start.AddDate(0, 0, -1).Format(time.DateOnly), loc, []int64{d.unit})
		if err != nil {
			return nil, err
		}
		baseline := 0.0
		if c := counts[d.unit]; c.Total() > 0 {
			baseline = float64(c[4]) / float64(c.Total())
		}
		share := float64(d.fives) / float64(d.total)
		if share-baseline < TopShareMargin {
			continue
		}
		unit := d.unit
		out = append(out, candidate{kind: FlagTopRun, unitID: &unit, subject: []byte(strconv.FormatInt(unit, 10)),
			start: d.start, end: d.start.AddDate(0, 0, 1), ratingIDs: d.best,
			detail: map[string]any{"run": len(d.best), "ratings": d.total, "day_share": share, "baseline_share": baseline}})
	}
	return out, nil
}

const flagSQL = `SELECT f.id, f.kind, f.unit_id, u.name AS unit_name, f.window_start, f.window_end, f.rating_ids,
	f.detail, f.status, f.note, du.username AS decided_by, f.decided_at, f.created_at
FROM feedback_flags f LEFT JOIN units u ON u.id = f.unit_id LEFT JOIN users du ON du.id = f.decided_by`

// ListFlags returns flags of a status ("" for all), open first then newest.
func ListFlags(ctx context.Context, q db.DBTX, status string, limit, offset int) ([]Flag, int, error) {
	if status != "" && FlagStatusLabel(status) == status {
		return nil, 0, apperr.InvalidField("status", "status 须为 open、dismissed 或 confirmed")
	}
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	var total int
	if err := q.QueryRow(ctx, `SELECT count(*) FROM feedback_flags WHERE $1 = '' OR status = $1`, status).Scan(&total); err != nil {
		return nil, 0, db.Err(err)
	}
	list, err := collect[Flag](ctx, q, flagSQL+` WHERE $1 = '' OR f.status = $1 ORDER BY f.status <> 'open', f.window_start DESC, f.id DESC
		LIMIT $2 OFFSET $3`, status, limit, offset)
	return list, total, err
}

// FindFlag returns one flag, or not_found.
func FindFlag(ctx context.Context, q db.DBTX, id int64) (Flag, error) {
	return findOne[Flag](ctx, q, "可疑标记不存在", flagSQL+` WHERE f.id = $1`, id)
}

// DecideFlag dismisses an open flag, or confirms it and excludes every
// rating it names that still counts, with the flag as the reason (a rating
// held by the daily cap stays excluded with that reason). The note
// is required when dismissing. It returns not_found, invalid and conflict
// when the flag was decided meanwhile.
func DecideFlag(ctx context.Context, tx pgx.Tx, actor audit.Actor, id int64, confirm bool, note string, now time.Time) (Flag, error) {
	note = strings.TrimSpace(note)
	if utf8.RuneCountInString(note) > 100 {
		return Flag{}, apperr.InvalidField("note", "说明不能超过100字")
	}
	if !confirm && note == "" {
		return Flag{}, apperr.InvalidField("note", "请说明排除嫌疑的理由")
	}
	status := FlagDismissed
	if confirm {
		status = FlagConfirmed
	}
	var by *int64
	if actor.ID != 0 {
		by = &actor.ID
	}
	tag, err := tx.Exec(ctx, `UPDATE feedback_flags SET status = $2, note = $3, decided_by = $4, decided_at = $5
		WHERE id = $1 AND status = 'open'`, id, status, note, by, now)
	if err != nil {
		return Flag{}, db.Err(err)
	}
	f, err := FindFlag(ctx, tx, id)
	if err != nil {
		return Flag{}, err
	}
	if tag.RowsAffected() == 0 {
		return Flag{}, apperr.New(apperr.Conflict, "该标记已处理，请刷新页面查看结果")
	}
	if confirm {
		reason := "可疑模式确认（标记 #" + strconv.FormatInt(id, 10) + "）：" + f.KindLabel()
		if note != "" {
			reason += "，" + note
		}
		for _, rid := range f.RatingIDs {
			r, err := ratings.Find(ctx, tx, rid)
			if err != nil {
				return Flag{}, err
			}
			if r.Held {
				// Held by the daily cap: confirming is deciding not to count it.
				if err := ratings.SettleHeld(ctx, tx, actor, rid, reason); err != nil {
					return Flag{}, err
				}
			}
			if r.Excluded {
				continue
			}
			if _, err := ratings.Exclude(ctx, tx, actor, rid, reason); err != nil {
				return Flag{}, err
			}
		}
	}
	return f, audit.Record(ctx, tx, actor, "flag."+status, "feedback_flag", strconv.FormatInt(id, 10),
		map[string]any{"status": FlagOpen}, map[string]any{"status": status, "note": note, "ratings": len(f.RatingIDs)})
}
