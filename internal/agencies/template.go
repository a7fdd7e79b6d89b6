package agencies

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/xuri/excelize/v2"

	"minyi/internal/surveys"
	"minyi/internal/units"
)

// Sheet names of the upload template.
const (
	templateSheet      = "答卷"
	templateUnitsSheet = "单位列表"
	templateHelpSheet  = "填写说明"
)

// TemplateXLSX returns an upload template for the survey: the first sheet
// holds the header row an upload needs, with drop-down lists for the group
// and the levels, followed by the units and filling instructions. It never
// merges cells, which uploads refuse.
func TemplateXLSX(s surveys.Survey, list []units.Unit) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName(f.GetSheetName(0), templateSheet); err != nil {
		return nil, err
	}
	var header []any
	var fields []string
	var widths []float64
	for _, col := range FileColumns(s) {
		if col.Field == "opinion" && !s.AllowOpinion {
			continue
		}
		header, fields = append(header, col.Names[0]), append(fields, col.Field)
		w := 14.0
		switch col.Field {
		case "unit":
			w = 30
		case "opinion":
			w = 40
		}
		widths = append(widths, w)
	}
	if err := f.SetSheetRow(templateSheet, "A1", &header); err != nil {
		return nil, err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E8F0FE"}}})
	if err != nil {
		return nil, err
	}
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49}) // "@": keeps ids such as 00123 as typed
	if err != nil {
		return nil, err
	}
	last, _ := excelize.ColumnNumberToName(len(header))
	if err := f.SetCellStyle(templateSheet, "A1", last+"1", bold); err != nil {
		return nil, err
	}
	for i, w := range widths {
		col, _ := excelize.ColumnNumberToName(i + 1)
		if err := f.SetColWidth(templateSheet, col, col, w); err != nil {
			return nil, err
		}
	}
	if err := f.SetColStyle(templateSheet, "A", text); err != nil {
		return nil, err
	}
	if err := f.SetPanes(templateSheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return nil, err
	}
	if err := templateLists(f, s, fields, len(list)); err != nil {
		return nil, err
	}
	if err := templateUnits(f, list); err != nil {
		return nil, err
	}
	if err := templateHelp(f, s); err != nil {
		return nil, err
	}
	f.SetActiveSheet(0)
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// templateLists adds drop-down lists: units from the units sheet, the
// groups taking part, and the level names for every rating column.
func templateLists(f *excelize.File, s surveys.Survey, fields []string, unitCount int) error {
	levels := []string{"非常满意", "满意", "基本满意", "不满意", "非常不满意"}
	groups := make([]string, len(s.Groups))
	for i, g := range s.Groups {
		groups[i] = g.Name
	}
	for i, field := range fields {
		col, _ := excelize.ColumnNumberToName(i + 1)
		dv := excelize.NewDataValidation(true)
		dv.Sqref = col + "2:" + col + "10001"
		var err error
		switch {
		case field == "unit" && unitCount > 0:
			dv.SetSqrefDropList(fmt.Sprintf("'%s'!$C$2:$C$%d", templateUnitsSheet, unitCount+1))
			// Short codes are accepted too, so a value not in the list is a warning only.
			dv.SetError(excelize.DataValidationErrorStyleWarning, "单位", "请选择单位名称，或填写单位简码")
		case field == "group" && len(groups) > 0:
			err = dv.SetDropList(groups)
		case field == "level" || strings.HasPrefix(field, "aspects."):
			err = dv.SetDropList(levels)
		default:
			continue
		}
		if err != nil {
			return err
		}
		if err := f.AddDataValidation(templateSheet, dv); err != nil {
			return err
		}
	}
	return nil
}

func templateUnits(f *excelize.File, list []units.Unit) error {
	if _, err := f.NewSheet(templateUnitsSheet); err != nil {
		return err
	}
	if err := f.SetSheetRow(templateUnitsSheet, "A1", &[]any{"单位编号", "单位简码", "单位名称", "单位类别"}); err != nil {
		return err
	}
	for i, u := range list {
		code := ""
		if u.ShortCode != nil {
			code = *u.ShortCode
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := f.SetSheetRow(templateUnitsSheet, cell, &[]any{u.ID, code, u.Name, u.Category}); err != nil {
			return err
		}
	}
	return f.SetColWidth(templateUnitsSheet, "C", "D", 32)
}

func templateHelp(f *excelize.File, s surveys.Survey) error {
	if _, err := f.NewSheet(templateHelpSheet); err != nil {
		return err
	}
	groups := make([]string, len(s.Groups))
	for i, g := range s.Groups {
		groups[i] = g.Name + "（" + g.Key + "）"
	}
	lines := []string{
		"《" + s.Title + "》第三方调查答卷上传模板",
		"1. 在“答卷”工作表中每行填写一份答卷，第一行表头请勿修改；不要合并单元格。",
		"2. 答卷编号：贵机构自己的编号，每份答卷唯一，最长100个字符；同一编号重复上传不会重复计数。",
		"3. 单位：填写单位完整名称或单位简码，见“单位列表”工作表。",
		"4. 受访群体：" + strings.Join(groups, "、") + "。",
		"5. 满意度：填写 1–5 的整数（5 非常满意、4 满意、3 基本满意、2 不满意、1 非常不满意），或直接填写文字。评价项可留空。",
		"6. 日期：调查日期，格式 YYYY-MM-DD，可留空（按上传当天计）。",
		fmt.Sprintf("7. 每个文件最多 %d 行答卷；可保存为 .xlsx 或 CSV（UTF-8 或 GBK 编码）后上传。", MaxRows),
	}
	if s.AllowOpinion {
		lines = append(lines, "8. 意见建议：选填，最多1000字。")
	} else {
		lines = append(lines, "8. 本问卷不收集意见建议。")
	}
	for i, l := range lines {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetCellValue(templateHelpSheet, cell, l); err != nil {
			return err
		}
	}
	return f.SetColWidth(templateHelpSheet, "A", "A", 110)
}
