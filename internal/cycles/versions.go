package cycles

import (
	"context"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/db"
)

// MaxNoteLength is the most characters a configuration change's note may have.
const MaxNoteLength = 500

// VersionInfo describes one configuration version without the
// configuration itself.
type VersionInfo struct {
	CycleID   int64     `json:"cycle_id" db:"cycle_id"`
	Version   int       `json:"version" db:"version"`
	CreatedAt time.Time `json:"created_at" db:"created_at"`
	// CreatedBy is the username of who made the version, or nil when the
	// program made it.
	CreatedBy *string `json:"created_by" db:"created_by"`
	Note      string  `json:"note" db:"note"`
}

// ConfigVersion is one stored configuration version of a cycle.
type ConfigVersion struct {
	VersionInfo
	Config Config `json:"config" db:"config"`
}

const versionColumns = `v.cycle_id, v.version, v.created_at, u.username AS created_by, v.note`

// insertVersion stores cfg as version n of the cycle.
func insertVersion(ctx context.Context, tx pgx.Tx, actor audit.Actor, cycleID int64, n int, cfg Config, note string) error {
	var by *int64
	if actor.ID != 0 {
		by = &actor.ID
	}
	const q = `INSERT INTO cycle_config_versions (cycle_id, version, config, created_by, note)
		VALUES ($1, $2, $3, $4, $5)`
	_, err := tx.Exec(ctx, q, cycleID, n, cfg, by, note)
	return db.Err(err)
}

// SetConfig stores cfg as the cycle's next configuration version and
// records the change, with the version before and after, in the audit log.
// Earlier versions stay as they were. The cycle row is locked first, so
// concurrent changes get consecutive versions instead of a conflict. It
// returns not_found for an unknown cycle and invalid for a bad
// configuration or a note over 500 characters (field note).
func SetConfig(ctx context.Context, tx pgx.Tx, actor audit.Actor, cycleID int64, cfg Config, note string) (ConfigVersion, error) {
	cfg = cfg.Normalized()
	note = strings.TrimSpace(note)
	if err := cfg.Validate(); err != nil {
		return ConfigVersion{}, err
	}
	if utf8.RuneCountInString(note) > MaxNoteLength {
		return ConfigVersion{}, apperr.InvalidField("note", "说明不能超过500字")
	}
	var id int64
	err := tx.QueryRow(ctx, `SELECT id FROM assessment_cycles WHERE id = $1 FOR UPDATE`, cycleID).Scan(&id)
	if err != nil {
		return ConfigVersion{}, notFound(db.Err(err), "考核年度不存在")
	}
	// Read after taking the lock, so the newest version is the one committed
	// by whoever held it before.
	before, err := FindCycle(ctx, tx, cycleID)
	if err != nil {
		return ConfigVersion{}, err
	}
	n := before.ConfigVersion + 1
	if err := insertVersion(ctx, tx, actor, cycleID, n, cfg, note); err != nil {
		return ConfigVersion{}, err
	}
	if _, err := tx.Exec(ctx, `UPDATE assessment_cycles SET updated_at = now() WHERE id = $1`, cycleID); err != nil {
		return ConfigVersion{}, db.Err(err)
	}
	v, err := FindConfigVersion(ctx, tx, cycleID, n)
	if err != nil {
		return ConfigVersion{}, err
	}
	type state struct {
		Version int    `json:"version"`
		Config  Config `json:"config"`
		Note    string `json:"note,omitempty"`
	}
	return v, audit.Record(ctx, tx, actor, "cycle.config", "cycle", strconv.FormatInt(cycleID, 10),
		state{before.ConfigVersion, before.Config, ""}, state{n, v.Config, note})
}

// ListConfigVersions returns the cycle's configuration versions newest
// first, and how many it has. It returns not_found for an unknown cycle.
func ListConfigVersions(ctx context.Context, q db.DBTX, cycleID int64, p Page) ([]VersionInfo, int, error) {
	var total int
	err := q.QueryRow(ctx, `SELECT (SELECT count(*) FROM cycle_config_versions WHERE cycle_id = c.id)
		FROM assessment_cycles c WHERE c.id = $1`, cycleID).Scan(&total)
	if err != nil {
		return nil, 0, notFound(db.Err(err), "考核年度不存在")
	}
	rows, _ := q.Query(ctx, `SELECT `+versionColumns+`
		FROM cycle_config_versions v LEFT JOIN users u ON u.id = v.created_by
		WHERE v.cycle_id = $1 ORDER BY v.version DESC LIMIT $2 OFFSET $3`, cycleID, p.limit(), p.Offset)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[VersionInfo])
	return list, total, db.Err(err)
}

// FindConfigVersion returns one configuration version of the cycle, or
// not_found when the cycle or the version does not exist.
func FindConfigVersion(ctx context.Context, q db.DBTX, cycleID int64, version int) (ConfigVersion, error) {
	rows, _ := q.Query(ctx, `SELECT `+versionColumns+`, v.config
		FROM cycle_config_versions v LEFT JOIN users u ON u.id = v.created_by
		WHERE v.cycle_id = $1 AND v.version = $2`, cycleID, version)
	v, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[ConfigVersion])
	if err != nil {
		return ConfigVersion{}, notFound(db.Err(err), "该配置版本不存在")
	}
	return v, nil
}

// SetConfigIfChanged is SetConfig for a form that may be sent twice: when
// cfg, normalized, equals the newest version's configuration it stores
// nothing and returns the newest version with changed false. The check runs
// under the cycle's row lock, so two identical submissions make one version.
// It returns the errors of SetConfig.
func SetConfigIfChanged(ctx context.Context, tx pgx.Tx, actor audit.Actor, cycleID int64, cfg Config, note string) (v ConfigVersion, changed bool, err error) {
	var id int64
	err = tx.QueryRow(ctx, `SELECT id FROM assessment_cycles WHERE id = $1 FOR UPDATE`, cycleID).Scan(&id)
	if err != nil {
		return ConfigVersion{}, false, notFound(db.Err(err), "考核年度不存在")
	}
	cur, err := FindCycle(ctx, tx, cycleID)
	if err != nil {
		return ConfigVersion{}, false, err
	}
	if reflect.DeepEqual(cur.Config, cfg.Normalized()) {
		v, err = FindConfigVersion(ctx, tx, cycleID, cur.ConfigVersion)
		return v, false, err
	}
	v, err = SetConfig(ctx, tx, actor, cycleID, cfg, note)
	return v, err == nil, err
}
