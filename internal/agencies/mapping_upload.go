package agencies

import (
	"context"
	"strings"

	"minyi/internal/apperr"
	"minyi/internal/db"
	"minyi/internal/sheet"
	"minyi/internal/surveys"
)

// MappingNeeded is returned for a file whose header is not Minyi's own
// template and that no saved mapping fits: the file needs a mapping step.
type MappingNeeded struct {
	// Table is the file as read; Format and Filename describe it.
	Table    *sheet.Table
	Format   string
	Filename string
	// Saved is the saved mapping that does not fit the file, nil when none
	// is saved; Reason says in Chinese why the file cannot be imported.
	Saved  *Mapping
	Reason string
	// Guess is a starting mapping for the file, with its warnings.
	Guess         Mapping
	GuessWarnings []string
}

func (e *MappingNeeded) Error() string { return e.Reason }

// Start returns the mapping the mapping step starts from: the saved one
// when it names the file's columns, the guess otherwise.
func (e *MappingNeeded) Start() Mapping {
	if e.Saved != nil && len(e.Saved.Columns) > 0 {
		return *e.Saved
	}
	return e.Guess
}

// isOwnTemplate reports whether the file's header is Minyi's own template.
func isOwnTemplate(t *sheet.Table, s surveys.Survey) bool {
	_, err := t.Map(FileColumns(s))
	return err == nil
}

// ReadMappedFile reads an uploaded file for the agency's survey. A file
// with Minyi's own header reads as FileUpload reads it. Another file reads
// through the mapping saved for the agency and survey, its warnings kept
// for the report; when none is saved or it does not fit the file, it
// returns a *MappingNeeded. It returns the errors of sheet.Read for an
// unreadable file and invalid for one without data rows.
func ReadMappedFile(ctx context.Context, q db.DBTX, a Agency, data []byte, filename string, s surveys.Survey) (UploadInput, error) {
	saved, err := savedMappingOrNil(ctx, q, a.ID, a.SurveyID)
	if err != nil {
		return UploadInput{}, err
	}
	return readWithMapping(ctx, data, filename, s, saved)
}

// ReadFileWithMapping reads an uploaded file under the given mapping (nil:
// Minyi's own header or a *MappingNeeded), as ReadMappedFile does.
func ReadFileWithMapping(ctx context.Context, data []byte, filename string, s surveys.Survey, m *Mapping) (UploadInput, error) {
	return readWithMapping(ctx, data, filename, s, m)
}

func readWithMapping(ctx context.Context, data []byte, filename string, s surveys.Survey, m *Mapping) (UploadInput, error) {
	t, err := sheet.Read(ctx, data, MaxRows)
	if err != nil {
		return UploadInput{}, err
	}
	in := UploadInput{Format: t.Format, Filename: sheet.Filename(filename)}
	if isOwnTemplate(t, s) {
		in.Rows, err = RowsFromTable(t, s)
		return in, err
	}
	if len(t.Rows) == 0 {
		return UploadInput{}, apperr.InvalidField(sheet.Field, "文件只有表头，没有答卷数据")
	}
	need := &MappingNeeded{Table: t, Format: t.Format, Filename: in.Filename, Saved: m}
	need.Guess, need.GuessWarnings = GuessMappingWithWarnings(t.Header, s)
	var extra []string
	if m == nil && ownNamesOnly(need.Guess, s) {
		// Minyi's own template with columns of its own added: those are
		// ignored with a warning, no mapping needed.
		m = &need.Guess
		for _, c := range m.Columns {
			if c.Field == MapIgnore {
				extra = append(extra, "第 "+sheet.ColumnName(c.Position-1)+" 列“"+shown(c.Header)+"”不是模板中的列，已忽略")
			}
		}
	}
	if m == nil {
		need.Reason = "文件的表头不是本系统的上传模板，且尚未保存该机构的字段对应设置，请先设置各列对应的字段"
		return UploadInput{}, need
	}
	rows, warnings, err := ApplyMapping(t, *m, s)
	if err != nil {
		need.Reason = "已保存的字段对应设置不适用于此文件：" + strings.TrimSuffix(apperr.From(err).Message, "。")
		return UploadInput{}, need
	}
	in.Rows, in.Warnings = rows, append(extra, warnings...)
	return in, nil
}

// ownNamesOnly reports whether the guess is valid and maps only columns
// headed by the names of Minyi's own template (FileColumns), so the file is
// the template with other columns added.
func ownNamesOnly(g Mapping, s surveys.Survey) bool {
	if g.Validate(s) != nil {
		return false
	}
	own := map[string]bool{}
	for _, c := range FileColumns(s) {
		for _, n := range c.Names {
			own[normHeader(n)] = true
		}
	}
	for _, c := range g.Columns {
		if c.Field != MapIgnore && !own[normHeader(c.Header)] {
			return false
		}
	}
	return true
}
