package results

import (
	"context"
	"strconv"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/assessment"
	"minyi/internal/audit"
	"minyi/internal/db"
)

// MaxUploads is the most evidence files an application for review or a
// rectification report carries.
const MaxUploads = 5

// Upload is an evidence file (证明材料) sent with an application for
// review or a rectification report: PDF, PNG or JPEG, at most 10 MB. In
// the API its bytes come base64-encoded.
type Upload struct {
	Filename string `json:"filename"`
	Content  []byte `json:"content_base64"`
}

// checkUploads adds a "files" error for too many files, or for the first
// file of the wrong type or size (naming it), so a refused request stores
// nothing.
func checkUploads(f apperr.Fields, files []Upload) {
	if len(files) > MaxUploads {
		f.Add("files", "证明材料最多"+strconv.Itoa(MaxUploads)+"个文件")
		return
	}
	for _, u := range files {
		if _, err := assessment.SniffEvidence(u.Content); err != nil {
			name := u.Filename
			if name == "" {
				name = "证明材料"
			}
			f.Add("files", "“"+name+"”："+apperr.From(err).Message)
			return
		}
	}
}

// saveUploads stores the files as evidence owned by the unit, returning
// their ids in order (empty, not nil, for none).
func saveUploads(ctx context.Context, tx pgx.Tx, actor audit.Actor, unitID int64, files []Upload) ([]string, error) {
	ids := []string{}
	for _, u := range files {
		ef, err := assessment.SaveEvidence(ctx, tx, actor, &unitID, u.Filename, u.Content)
		if err != nil {
			return nil, apperr.InvalidField("files", apperr.From(err).Message)
		}
		ids = append(ids, ef.ID)
	}
	return ids, nil
}

// evidenceByID describes the files of ids, by id.
func evidenceByID(ctx context.Context, q db.DBTX, ids []string) (map[string]assessment.EvidenceFile, error) {
	files, err := assessment.EvidenceInfo(ctx, q, ids)
	out := make(map[string]assessment.EvidenceFile, len(files))
	for _, f := range files {
		out[f.ID] = f
	}
	return out, err
}

// pick returns the files of ids that exist, in order.
func pick(files map[string]assessment.EvidenceFile, ids []string) []assessment.EvidenceFile {
	out := []assessment.EvidenceFile{}
	for _, id := range ids {
		if f, ok := files[id]; ok {
			out = append(out, f)
		}
	}
	return out
}
