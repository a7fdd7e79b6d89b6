package assessment

import (
	"bytes"
	"context"
	"crypto/sha256"
	"net/http"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/db"
)

// Evidence limits and messages.
const (
	MaxEvidenceBytes = 10 << 20
	// MaxEvidencePerItem is the most files one entry, claim, deduction or
	// adjustment may cite.
	MaxEvidencePerItem = 10
	MsgEvidenceType    = "仅支持 PDF、PNG、JPEG 格式"
	MsgEvidenceSize    = "文件不能超过10MB"
)

// EvidenceFile describes a stored evidence file (without its bytes).
type EvidenceFile struct {
	ID          string `json:"id" db:"id"`
	Filename    string `json:"filename" db:"filename"`
	ContentType string `json:"content_type" db:"content_type"`
	Size        int    `json:"size" db:"size"`
	// SHA256 is the content's hash in hex: the same bytes always have the
	// same hash, and are stored once.
	SHA256      string    `json:"sha256" db:"sha256"`
	OwnerUnitID *int64    `json:"owner_unit_id" db:"owner_unit_id"`
	CreatedAt   time.Time `json:"created_at" db:"created_at"`
}

// SniffEvidence returns the content type of an evidence file judged by its
// bytes (never by its name): application/pdf, image/png or image/jpeg. Any
// other content, an empty file or one over 10 MiB is refused.
func SniffEvidence(data []byte) (string, error) {
	if len(data) > MaxEvidenceBytes {
		return "", apperr.InvalidField("file", MsgEvidenceSize)
	}
	if len(data) == 0 {
		return "", apperr.InvalidField("file", "文件为空，请重新选择")
	}
	ct := http.DetectContentType(data)
	switch {
	case ct == "image/png" || ct == "image/jpeg":
		return ct, nil
	case ct == "application/pdf" || bytes.HasPrefix(data, []byte("%PDF-")):
		return "application/pdf", nil
	}
	return "", apperr.InvalidField("file", MsgEvidenceType)
}

// cleanFilename keeps the base name, without control characters, at most
// 200 characters; an empty name becomes "证明材料".
func cleanFilename(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '"' {
			return -1
		}
		return r
	}, strings.TrimSpace(name))
	if name == "" || name == "." || name == "/" {
		name = "证明材料"
	}
	for utf8.RuneCountInString(name) > 200 {
		r := []rune(name)
		name = string(r[len(r)-200:])
	}
	return name
}

// SaveEvidence stores an uploaded file owned by ownerUnitID (nil: only the
// office may read it) and records the upload in the audit log. The content
// type comes from the bytes; see SniffEvidence.
func SaveEvidence(ctx context.Context, tx pgx.Tx, actor audit.Actor, ownerUnitID *int64, filename string, data []byte) (EvidenceFile, error) {
	ct, err := SniffEvidence(data)
	if err != nil {
		return EvidenceFile{}, err
	}
	sum := sha256.Sum256(data)
	var by *int64
	if actor.ID != 0 {
		by = &actor.ID
	}
	// The bytes are stored once per content (migration 0041); the upload
	// is its own row referring to them by hash.
	if _, err := tx.Exec(ctx, `INSERT INTO evidence_blobs (sha256, size, data) VALUES ($1, $2, $3)
		ON CONFLICT (sha256) DO NOTHING`, sum[:], len(data), data); err != nil {
		return EvidenceFile{}, db.Err(err)
	}
	rows, _ := tx.Query(ctx, `INSERT INTO evidence_files (sha256, filename, content_type, size, owner_unit_id, uploaded_by)
		VALUES ($1, $2, $3, $4, $5, $6)
		RETURNING id::text, filename, content_type, size, encode(sha256, 'hex') AS sha256, owner_unit_id, created_at`,
		sum[:], cleanFilename(filename), ct, len(data), ownerUnitID, by)
	f, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[EvidenceFile])
	if err != nil {
		return EvidenceFile{}, db.Err(err)
	}
	return f, audit.Record(ctx, tx, actor, "evidence.upload", "evidence_file", f.ID, nil, f)
}

var msgNoEvidence = "证明材料不存在"

// LoadEvidence returns a file with its bytes. A malformed id is not_found.
func LoadEvidence(ctx context.Context, q db.DBTX, id string) (EvidenceFile, []byte, error) {
	if !uuidOK(id) {
		return EvidenceFile{}, nil, apperr.New(apperr.NotFound, msgNoEvidence)
	}
	var f EvidenceFile
	var data []byte
	err := q.QueryRow(ctx, `SELECT f.id::text, f.filename, f.content_type, f.size, encode(f.sha256, 'hex'),
			f.owner_unit_id, f.created_at, b.data
		FROM evidence_files f JOIN evidence_blobs b ON b.sha256 = f.sha256 WHERE f.id = $1`, id).
		Scan(&f.ID, &f.Filename, &f.ContentType, &f.Size, &f.SHA256, &f.OwnerUnitID, &f.CreatedAt, &data)
	if err != nil {
		return EvidenceFile{}, nil, notFound(db.Err(err), msgNoEvidence)
	}
	return f, data, nil
}

// EvidenceInfo returns the files' descriptions in the order of ids (unknown
// ids are left out).
func EvidenceInfo(ctx context.Context, q db.DBTX, ids []string) ([]EvidenceFile, error) {
	out := []EvidenceFile{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, _ := q.Query(ctx, `SELECT id::text, filename, content_type, size, encode(sha256, 'hex') AS sha256,
			owner_unit_id, created_at
		FROM evidence_files WHERE id = ANY($1::uuid[]) ORDER BY array_position($1::uuid[], id)`, ids)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[EvidenceFile])
	if out == nil {
		out = []EvidenceFile{}
	}
	return out, db.Err(err)
}

// CanReadEvidence reports whether a user (office, or of unit unitID) may
// download the file: the office always, a unit only its own files.
func CanReadEvidence(f EvidenceFile, office bool, unitID *int64) bool {
	return office || (unitID != nil && f.OwnerUnitID != nil && *f.OwnerUnitID == *unitID)
}

// checkEvidence validates the ids an item cites: at most 10, each an
// uploaded file; a unit user (office false) may cite only files of its
// own unit. It returns the ids deduplicated, in order.
func checkEvidence(ctx context.Context, q db.DBTX, ids []string, office bool, unitID *int64) ([]string, error) {
	out := []string{}
	seen := map[string]bool{}
	for _, id := range ids {
		id = strings.ToLower(strings.TrimSpace(id))
		if id == "" || seen[id] {
			continue
		}
		if !uuidOK(id) {
			return nil, apperr.InvalidField("evidence_ids", "证明材料编号无效")
		}
		seen[id] = true
		out = append(out, id)
	}
	if len(out) > MaxEvidencePerItem {
		return nil, apperr.InvalidField("evidence_ids", "证明材料最多10个文件")
	}
	files, err := EvidenceInfo(ctx, q, out)
	if err != nil {
		return nil, err
	}
	if len(files) != len(out) {
		return nil, apperr.InvalidField("evidence_ids", "证明材料不存在，请重新上传")
	}
	for _, f := range files {
		if !CanReadEvidence(f, office, unitID) {
			return nil, apperr.InvalidField("evidence_ids", "只能引用本单位上传的证明材料")
		}
	}
	return out, nil
}

func uuidOK(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, r := range s {
		switch i {
		case 8, 13, 18, 23:
			if r != '-' {
				return false
			}
		default:
			if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f' || r >= 'A' && r <= 'F') {
				return false
			}
		}
	}
	return true
}

// notFound replaces a not_found error's message.
func notFound(err error, message string) error {
	if apperr.Is(err, apperr.NotFound) {
		return apperr.New(apperr.NotFound, message)
	}
	return err
}

// CheckEvidence validates the evidence ids an item of another package
// cites (a deduction proposal): at most 10, each an uploaded file, and a
// unit user (office false) only files of its own unit. It returns the ids
// deduplicated, in order, or invalid naming evidence_ids.
func CheckEvidence(ctx context.Context, q db.DBTX, ids []string, office bool, unitID *int64) ([]string, error) {
	return checkEvidence(ctx, q, ids, office, unitID)
}
