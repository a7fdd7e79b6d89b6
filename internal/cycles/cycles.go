// Package cycles holds the assessment cycles (考核年度): each cycle's period
// and its configuration, kept as append-only versions so a past year's
// result can always be recomputed from the version it used.
package cycles

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/db"
)

// Year bounds of a cycle.
const (
	MinYear = 2000
	MaxYear = 2100
)

// dateLayout is the layout of period dates, in the API and in SQL.
const dateLayout = "2006-01-02"

// Cycle is an assessment cycle with its current configuration.
type Cycle struct {
	ID   int64  `json:"id" db:"id"`
	Name string `json:"name" db:"name"`
	Year int    `json:"year" db:"year"`
	// Main marks the year's main cycle (主考核), whose final results the
	// three-year streaks read; a year has at most one (main.go).
	Main bool `json:"main" db:"main"`
	// PeriodStart and PeriodEnd are dates (YYYY-MM-DD); both days belong to
	// the period.
	PeriodStart string    `json:"period_start" db:"period_start"`
	PeriodEnd   string    `json:"period_end" db:"period_end"`
	CreatedAt   time.Time `json:"created_at" db:"created_at"`
	UpdatedAt   time.Time `json:"updated_at" db:"updated_at"`
	// Config is the newest configuration version, numbered ConfigVersion.
	Config        Config `json:"config" db:"config"`
	ConfigVersion int    `json:"config_version" db:"config_version"`
	// Categories are the cycle's unit categories in order (categories.go);
	// nil until set, when the server's UNIT_CATEGORIES stand in and every
	// unit takes part.
	Categories []string `json:"categories" db:"categories"`
}

// CycleInput is what staff enter to create a cycle.
type CycleInput struct {
	Name        string `json:"name"`
	Year        int    `json:"year"`
	PeriodStart string `json:"period_start"`
	PeriodEnd   string `json:"period_end"`
	// Main asks for the year's main cycle (true) or an extra one (false);
	// omitted, the cycle is main when its year has none yet.
	Main *bool `json:"main"`
}

// Normalize trims the input.
func (in *CycleInput) Normalize() {
	in.Name = strings.TrimSpace(in.Name)
	in.PeriodStart = strings.TrimSpace(in.PeriodStart)
	in.PeriodEnd = strings.TrimSpace(in.PeriodEnd)
}

// Validate returns an invalid error naming each bad field: name (1–100
// characters), year (2000–2100), period_start and period_end (dates
// YYYY-MM-DD, the end not before the start).
func (in CycleInput) Validate() error {
	f := apperr.Fields{}
	if n := utf8.RuneCountInString(in.Name); n == 0 {
		f.Add("name", "请填写考核年度名称")
	} else if n > 100 {
		f.Add("name", "考核年度名称不能超过100字")
	}
	if in.Year < MinYear || in.Year > MaxYear {
		f.Add("year", "年度须在2000到2100之间")
	}
	start, okStart := parseDate(f, "period_start", in.PeriodStart, "开始日期")
	end, okEnd := parseDate(f, "period_end", in.PeriodEnd, "结束日期")
	if okStart && okEnd && end.Before(start) {
		f.Add("period_end", "结束日期不能早于开始日期")
	}
	return f.Err()
}

// parseDate parses a YYYY-MM-DD date, adding a message for field when it
// is missing or malformed.
func parseDate(f apperr.Fields, field, v, label string) (time.Time, bool) {
	if v == "" {
		f.Add(field, "请填写"+label)
		return time.Time{}, false
	}
	t, err := time.Parse(dateLayout, v)
	if err != nil {
		f.Add(field, label+"须为有效日期，格式为 YYYY-MM-DD")
		return time.Time{}, false
	}
	return t, true
}

// cycleQuery selects cycles with their newest configuration version.
const cycleQuery = `SELECT c.id, c.name, c.year, c.main,
		to_char(c.period_start, 'YYYY-MM-DD') AS period_start, to_char(c.period_end, 'YYYY-MM-DD') AS period_end,
		c.created_at, c.updated_at, v.config, v.version AS config_version, c.categories
	FROM assessment_cycles c
	JOIN LATERAL (SELECT version, config FROM cycle_config_versions
		WHERE cycle_id = c.id ORDER BY version DESC LIMIT 1) v ON true`

// CreateCycle stores a cycle with cfg as its configuration version 1 and
// records it in the audit log. It returns invalid for bad input, a bad
// configuration, a name already in use or a second main cycle of a year.
func CreateCycle(ctx context.Context, tx pgx.Tx, actor audit.Actor, in CycleInput, cfg Config) (Cycle, error) {
	in.Normalize()
	cfg = cfg.Normalized()
	if err := in.Validate(); err != nil {
		return Cycle{}, err
	}
	if err := cfg.Validate(); err != nil {
		return Cycle{}, err
	}
	main, err := resolveMain(ctx, tx, in.Year, in.Main)
	if err != nil {
		return Cycle{}, err
	}
	const q = `INSERT INTO assessment_cycles (name, year, period_start, period_end, main)
		VALUES ($1, $2, $3::date, $4::date, $5) RETURNING id`
	var id int64
	if err := tx.QueryRow(ctx, q, in.Name, in.Year, in.PeriodStart, in.PeriodEnd, main).Scan(&id); err != nil {
		err = db.Err(err)
		if apperr.Is(err, apperr.Conflict) {
			return Cycle{}, apperr.InvalidField("name", "考核年度“"+in.Name+"”已存在")
		}
		return Cycle{}, err
	}
	if err := insertVersion(ctx, tx, actor, id, 1, cfg, ""); err != nil {
		return Cycle{}, err
	}
	c, err := FindCycle(ctx, tx, id)
	if err != nil {
		return Cycle{}, err
	}
	return c, audit.Record(ctx, tx, actor, "cycle.create", "cycle", strconv.FormatInt(id, 10), nil, c)
}

// FindCycle returns the cycle with its newest configuration, or not_found.
func FindCycle(ctx context.Context, q db.DBTX, id int64) (Cycle, error) {
	rows, _ := q.Query(ctx, cycleQuery+` WHERE c.id = $1`, id)
	c, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Cycle])
	if err != nil {
		return Cycle{}, notFound(db.Err(err), "考核年度不存在")
	}
	return c, nil
}

// Page selects a slice of a list; a Limit of 0 means the default of 100,
// and Limit is capped at 500.
type Page struct {
	Limit, Offset int
}

func (p Page) limit() int {
	if p.Limit <= 0 {
		return 100
	}
	return min(p.Limit, 500)
}

// ListCycles returns cycles newest year first, and how many exist in all.
func ListCycles(ctx context.Context, q db.DBTX, p Page) ([]Cycle, int, error) {
	type row struct {
		Cycle
		Total int `db:"total"`
	}
	rows, _ := q.Query(ctx, `SELECT x.*, count(*) OVER () AS total FROM (`+cycleQuery+`) x
		ORDER BY x.year DESC, x.period_start DESC, x.id DESC LIMIT $1 OFFSET $2`, p.limit(), p.Offset)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[row])
	if err != nil {
		return nil, 0, db.Err(err)
	}
	out := make([]Cycle, len(list))
	total := 0
	for i, r := range list {
		out[i], total = r.Cycle, r.Total
	}
	if len(list) == 0 && p.Offset > 0 {
		err = q.QueryRow(ctx, `SELECT count(*) FROM assessment_cycles`).Scan(&total)
	}
	return out, total, db.Err(err)
}

// notFound replaces a not_found error with one carrying message; other
// errors pass through.
func notFound(err error, message string) error {
	if apperr.Is(err, apperr.NotFound) {
		return apperr.New(apperr.NotFound, message)
	}
	return err
}
