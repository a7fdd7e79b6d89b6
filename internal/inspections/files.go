package inspections

import (
	"context"
	"slices"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/assessment"
	"minyi/internal/audit"
	"minyi/internal/db"
)

// Refusals of an inspection's files.
const (
	MsgFileNotFound  = "检查材料不存在"
	MsgFileNotShared = "该检查材料未提供给被检查单位"
)

// File is a file attached to an inspection; Shared when the inspected
// units may download it.
type File struct {
	assessment.EvidenceFile
	Shared bool `json:"shared"`
}

// files describes the attached files in order, marking the shared ones.
func files(ctx context.Context, q db.DBTX, ids, shared []string) ([]File, error) {
	info, err := assessment.EvidenceInfo(ctx, q, ids)
	out := make([]File, 0, len(info))
	for _, f := range info {
		out = append(out, File{EvidenceFile: f, Shared: slices.Contains(shared, f.ID)})
	}
	return out, err
}

// AddFiles attaches uploaded evidence files to the inspection (ids already
// attached are kept once), shared with the inspected units when shared,
// audited; at most 10 files in all (MsgTooManyFiles). It returns
// not_found, conflict when the cycle's result is final and invalid for ids
// that are not uploaded files.
func AddFiles(ctx context.Context, tx pgx.Tx, actor audit.Actor, inspectionID int64, ids []string, shared bool) (Inspection, error) {
	if _, err := lockInspection(ctx, tx, inspectionID); err != nil {
		return Inspection{}, err
	}
	before, err := Find(ctx, tx, inspectionID, Viewer{})
	if err != nil {
		return Inspection{}, err
	}
	if len(ids) == 0 {
		return Inspection{}, apperr.InvalidField("evidence_ids", "请选择要添加的检查材料")
	}
	all := append(append([]string{}, before.EvidenceIDs...), ids...)
	ev, err := assessment.CheckEvidence(ctx, tx, all, true, nil)
	if err != nil {
		if apperr.Is(err, apperr.Invalid) && len(all) > assessment.MaxEvidencePerItem {
			err = apperr.InvalidField("evidence_ids", MsgTooManyFiles)
		}
		return Inspection{}, err
	}
	if len(ev) == len(before.EvidenceIDs) {
		return before, nil // a retry: nothing new
	}
	sharedIDs := before.SharedIDs
	if shared {
		sharedIDs = append(sharedIDs, ev[len(before.EvidenceIDs):]...)
	}
	if _, err := tx.Exec(ctx, `UPDATE inspections SET evidence_ids = $2::uuid[], shared_ids = $3::uuid[] WHERE id = $1`,
		inspectionID, ev, sharedIDs); err != nil {
		return Inspection{}, db.Err(err)
	}
	after, err := Find(ctx, tx, inspectionID, Viewer{})
	if err != nil {
		return Inspection{}, err
	}
	return after, audit.Record(ctx, tx, actor, "inspection.files", "inspection", after.IDString(),
		map[string]any{"evidence_ids": before.EvidenceIDs, "shared_ids": before.SharedIDs},
		map[string]any{"evidence_ids": after.EvidenceIDs, "shared_ids": after.SharedIDs})
}

// lockFile locks the inspection and returns it with the attached file;
// not_found (MsgFileNotFound) for a file it does not carry, conflict when
// the cycle's result is final.
func lockFile(ctx context.Context, tx pgx.Tx, inspectionID int64, fileID string) (Inspection, File, error) {
	if _, err := lockInspection(ctx, tx, inspectionID); err != nil {
		return Inspection{}, File{}, err
	}
	i, err := Find(ctx, tx, inspectionID, Viewer{})
	if err != nil {
		return Inspection{}, File{}, err
	}
	for _, f := range i.Files {
		if f.ID == fileID {
			return i, f, nil
		}
	}
	return Inspection{}, File{}, apperr.New(apperr.NotFound, MsgFileNotFound)
}

// RemoveFile takes the file off the inspection (the stored file itself
// stays, as every evidence file does), audited with its name. It returns
// not_found (MsgNotFound, MsgFileNotFound) and conflict when the cycle's
// result is final.
func RemoveFile(ctx context.Context, tx pgx.Tx, actor audit.Actor, inspectionID int64, fileID string) (Inspection, error) {
	before, f, err := lockFile(ctx, tx, inspectionID, fileID)
	if err != nil {
		return Inspection{}, err
	}
	if _, err := tx.Exec(ctx, `UPDATE inspections SET evidence_ids = array_remove(evidence_ids, $2::uuid),
		shared_ids = array_remove(shared_ids, $2::uuid) WHERE id = $1`, inspectionID, fileID); err != nil {
		return Inspection{}, db.Err(err)
	}
	after, err := Find(ctx, tx, inspectionID, Viewer{})
	if err != nil {
		return Inspection{}, err
	}
	return after, audit.Record(ctx, tx, actor, "inspection.file_remove", "inspection", after.IDString(),
		map[string]any{"filename": f.Filename, "evidence_ids": before.EvidenceIDs, "shared_ids": before.SharedIDs},
		map[string]any{"evidence_ids": after.EvidenceIDs, "shared_ids": after.SharedIDs})
}

// ShareFile shares the attached file with the inspected units, or stops
// sharing it, audited (nothing is recorded when it already is so). It
// returns not_found and conflict as RemoveFile.
func ShareFile(ctx context.Context, tx pgx.Tx, actor audit.Actor, inspectionID int64, fileID string, shared bool) (Inspection, error) {
	before, f, err := lockFile(ctx, tx, inspectionID, fileID)
	if err != nil {
		return Inspection{}, err
	}
	if f.Shared == shared {
		return before, nil
	}
	sql := `UPDATE inspections SET shared_ids = array_append(shared_ids, $2::uuid) WHERE id = $1`
	if !shared {
		sql = `UPDATE inspections SET shared_ids = array_remove(shared_ids, $2::uuid) WHERE id = $1`
	}
	if _, err := tx.Exec(ctx, sql, inspectionID, fileID); err != nil {
		return Inspection{}, db.Err(err)
	}
	after, err := Find(ctx, tx, inspectionID, Viewer{})
	if err != nil {
		return Inspection{}, err
	}
	return after, audit.Record(ctx, tx, actor, "inspection.file_share", "inspection", after.IDString(),
		map[string]any{"filename": f.Filename, "shared": f.Shared}, map[string]any{"filename": f.Filename, "shared": shared})
}

// ReadableFile returns the attached file if v may download it: the office
// and leaders every file, a unit user a shared file of an inspection of
// its unit. It returns not_found (MsgNotFound, MsgFileNotFound) and
// forbidden (MsgNotInspected, MsgFileNotShared).
func ReadableFile(ctx context.Context, q db.DBTX, inspectionID int64, fileID string, v Viewer) (File, error) {
	i, err := Find(ctx, q, inspectionID, Viewer{})
	if err != nil {
		return File{}, err
	}
	var file *File
	for k := range i.Files {
		if i.Files[k].ID == fileID {
			file = &i.Files[k]
		}
	}
	if v.UnitID == nil {
		if file == nil {
			return File{}, apperr.New(apperr.NotFound, MsgFileNotFound)
		}
		return *file, nil
	}
	if !slices.ContainsFunc(i.Units, func(u UnitRef) bool { return u.ID == *v.UnitID }) {
		return File{}, apperr.New(apperr.Forbidden, MsgNotInspected)
	}
	if file == nil {
		return File{}, apperr.New(apperr.NotFound, MsgFileNotFound)
	}
	if !file.Shared {
		return File{}, apperr.New(apperr.Forbidden, MsgFileNotShared)
	}
	return *file, nil
}
