package links

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/db"
	"minyi/internal/ratings"
	"minyi/internal/safetext"
)

// Integration is an online platform or app that opens signed rating
// links (线上评价渠道). PF is its national channel code, stored on every
// rating made through it: 1 PC (电脑端) or 2 mobile app (移动端). Origins
// are the web origins allowed to frame the rating page.
type Integration struct {
	ID        int64     `json:"id" db:"id"`
	Name      string    `json:"name" db:"name"`
	PF        int       `json:"pf" db:"pf"`
	Origins   []string  `json:"origins" db:"origins"`
	Enabled   bool      `json:"enabled" db:"enabled"`
	CreatedAt time.Time `json:"created_at" db:"created_at"`
	UpdatedAt time.Time `json:"updated_at" db:"updated_at"`
}

// PFName is the channel code in words.
func (i Integration) PFName() string { return ratings.PFLabel(i.PF) }

// Input is an integration as the office enters it; Origins is one origin
// a line (or separated by spaces or commas).
type Input struct {
	Name    string `json:"name"`
	PF      int    `json:"pf"`
	Origins string `json:"origins"`
	Enabled bool   `json:"enabled"`
}

// MaxOrigins is how many origins an integration may list.
const MaxOrigins = 20

// originRE is a web origin as CSP frame-ancestors takes it: a scheme,
// a host (its leftmost label may be *) and an optional port; nothing
// else, so that no CSP syntax can be slipped in.
var originRE = regexp.MustCompile(`^https?://(\*\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*(:[0-9]{1,5})?$`)

// ParseOrigins splits the origins' text and reports the first bad one.
func ParseOrigins(text string) ([]string, string) {
	out := []string{}
	for _, o := range strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == '，' || r == ' ' || r == '\n' || r == '\r' || r == '\t' }) {
		o = strings.ToLower(strings.TrimRight(o, "/"))
		if !originRE.MatchString(o) {
			return out, o
		}
		if !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	return out, ""
}

// Validate trims the input and returns the origins, or an invalid error
// naming each bad field.
func (in *Input) Validate() ([]string, error) {
	f := apperr.Fields{}
	if !safetext.Valid(in.Name) || !safetext.Valid(in.Origins) {
		f.Add("name", safetext.Message)
	}
	in.Name = strings.TrimSpace(in.Name)
	if n := utf8.RuneCountInString(in.Name); n < 1 || n > 100 {
		f.Add("name", "请填写渠道名称（不超过100字）")
	}
	if in.PF != ratings.PFPC && in.PF != ratings.PFApp {
		f.Add("pf", "请选择渠道类型：电脑端（渠道代码 1）或移动端（渠道代码 2）")
	}
	origins, bad := ParseOrigins(in.Origins)
	switch {
	case bad != "":
		f.Add("origins", "“"+bad+"”不是有效的网站来源，应形如 https://www.example.gov.cn（不带路径）")
	case len(origins) > MaxOrigins:
		f.Add("origins", "最多填写20个网站来源")
	}
	return origins, f.Err()
}

const integrationColumns = `id, name, pf, origins, enabled, created_at, updated_at`

// ListIntegrations returns every integration by name.
func ListIntegrations(ctx context.Context, q db.DBTX) ([]Integration, error) {
	rows, _ := q.Query(ctx, `SELECT `+integrationColumns+` FROM rating_link_integrations ORDER BY name`)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[Integration])
	return list, db.Err(err)
}

// FindIntegration returns the integration, or not_found.
func FindIntegration(ctx context.Context, q db.DBTX, id int64) (Integration, error) {
	rows, _ := q.Query(ctx, `SELECT `+integrationColumns+` FROM rating_link_integrations WHERE id = $1`, id)
	it, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Integration])
	if err == pgx.ErrNoRows {
		return it, apperr.New(apperr.NotFound, "评价渠道不存在")
	}
	return it, db.Err(err)
}

// SaveIntegration adds an integration (id 0) or changes one, audited. It
// returns invalid for a bad input or a name another integration has, and
// not_found for an unknown id.
func SaveIntegration(ctx context.Context, tx pgx.Tx, actor audit.Actor, id int64, in Input) (Integration, error) {
	origins, err := in.Validate()
	if err != nil {
		return Integration{}, err
	}
	var before *Integration
	if id != 0 {
		old, err := FindIntegration(ctx, tx, id)
		if err != nil {
			return old, err
		}
		before = &old
	}
	var taken bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM rating_link_integrations WHERE name = $1 AND id <> $2)`,
		in.Name, id).Scan(&taken); err != nil {
		return Integration{}, db.Err(err)
	}
	if taken {
		return Integration{}, apperr.InvalidField("name", "已有同名的评价渠道")
	}
	const insert = `INSERT INTO rating_link_integrations (name, pf, origins, enabled) VALUES ($1, $2, $3, $4)
		RETURNING ` + integrationColumns
	const update = `UPDATE rating_link_integrations SET name = $1, pf = $2, origins = $3, enabled = $4, updated_at = now()
		WHERE id = $5 RETURNING ` + integrationColumns
	var rows pgx.Rows
	action := "link_integration.create"
	if before == nil {
		rows, _ = tx.Query(ctx, insert, in.Name, in.PF, origins, in.Enabled)
	} else {
		rows, _ = tx.Query(ctx, update, in.Name, in.PF, origins, in.Enabled, id)
		action = "link_integration.update"
	}
	after, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Integration])
	if err != nil {
		return after, db.Err(err)
	}
	return after, audit.Record(ctx, tx, actor, action, "link_integration", itoa(after.ID), auditView(before), auditView(&after))
}

// integrationAudit is what the audit log keeps of an integration.
type integrationAudit struct {
	Name    string   `json:"name"`
	PF      int      `json:"pf"`
	Origins []string `json:"origins"`
	Enabled bool     `json:"enabled"`
}

func auditView(i *Integration) any {
	if i == nil {
		return nil
	}
	return integrationAudit{Name: i.Name, PF: i.PF, Origins: i.Origins, Enabled: i.Enabled}
}
