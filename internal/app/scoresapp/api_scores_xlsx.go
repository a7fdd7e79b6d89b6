package scoresapp

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"github.com/xuri/excelize/v2"

	"minyi/internal/httpx"
	"minyi/internal/ratings"
	"minyi/internal/score"
	"minyi/internal/scores"
)

// Layout of a ranking sheet: a title row, a row naming the configuration
// version and the time, a status row, the header row, then one row a unit.
const (
	xlsxHeaderRow = 4
	xlsxFirstRow  = 5
	xlsxInfoSheet = "说明"
)

// scoresXLSX writes the report as a workbook: one ranking sheet per
// category, Chinese headers, numbers as numbers (scores rounded to two
// decimals), and a last sheet "说明" with the cycle, the configuration
// version with its values and the generation time.
func scoresXLSX(rep scores.Report, loc *time.Location) (*bytes.Buffer, error) {
	f := excelize.NewFile()
	defer f.Close()
	x := xlsxWriter{f: f, rep: rep, loc: loc}
	if err := x.styles(); err != nil {
		return nil, err
	}
	// The default sheet, active, is renamed to the first sheet rather
	// than deleted at the end: DeleteSheet and SetActiveSheet reread every
	// (streamed) sheet, which cost more than writing them.
	names := sheetNames(rep.Categories)
	if err := f.SetSheetName(f.GetSheetName(0), append(names, xlsxInfoSheet)[0]); err != nil {
		return nil, err
	}
	for i, cat := range rep.Categories {
		if i > 0 {
			if _, err := f.NewSheet(names[i]); err != nil {
				return nil, err
			}
		}
		if err := x.ranking(names[i], cat); err != nil {
			return nil, err
		}
	}
	if len(rep.Categories) > 0 {
		if _, err := f.NewSheet(xlsxInfoSheet); err != nil {
			return nil, err
		}
	}
	if err := x.info(); err != nil {
		return nil, err
	}
	return f.WriteToBuffer()
}

// sheetNames makes a valid, unique sheet name of each category, avoiding
// the info sheet's name.
func sheetNames(cats []scores.Category) []string {
	used := map[string]bool{xlsxInfoSheet: true}
	out := make([]string, len(cats))
	for i, c := range cats {
		name := strings.Map(func(r rune) rune {
			if strings.ContainsRune(`:\/?*[]'`, r) {
				return '_'
			}
			return r
		}, c.Name)
		if name == "" {
			name = "未分类"
		}
		name = truncateRunes(name, 28)
		base := name
		for n := 2; used[name]; n++ {
			name = base + "(" + strconv.Itoa(n) + ")"
		}
		used[name] = true
		out[i] = name
	}
	return out
}

func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

type xlsxWriter struct {
	f                   *excelize.File
	rep                 scores.Report
	loc                 *time.Location
	bold, title, points int
	percent             int
}

func (x *xlsxWriter) styles() (err error) {
	if x.bold, err = x.f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"EEF2F7"}}}); err != nil {
		return err
	}
	if x.title, err = x.f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}}); err != nil {
		return err
	}
	if x.points, err = x.f.NewStyle(&excelize.Style{NumFmt: 2}); err != nil { // 0.00
		return err
	}
	x.percent, err = x.f.NewStyle(&excelize.Style{NumFmt: 10}) // 0.00%
	return err
}

// versionLine names the configuration version and when the file was made.
func (x *xlsxWriter) versionLine() string {
	m := x.rep.Meta
	v := fmt.Sprintf("配置版本：第%d版", m.Version)
	if m.Version != m.NewestVersion {
		v += fmt.Sprintf("（最新为第%d版）", m.NewestVersion)
	}
	return v + "；考核期：" + m.Cycle.PeriodStart + " 至 " + m.Cycle.PeriodEnd +
		"；生成时间：" + m.GeneratedAt.In(x.loc).Format("2006-01-02 15:04")
}

// statusLine says whether the result is final.
func (x *xlsxWriter) statusLine() string {
	if !x.rep.Provisional {
		return "结果状态：正式"
	}
	return "结果状态：暂定（" + strings.Join(x.rep.Reasons, "；") + "）"
}

// cell names a cell by 1-based column and row.
func cell(col, row int) string {
	name, _ := excelize.CoordinatesToCellName(col, row)
	return name
}

func (x *xlsxWriter) row(sheet string, row int, values []any) error {
	return x.f.SetSheetRow(sheet, cell(1, row), &values)
}

// ranking writes one category's sheet through a StreamWriter, each cell
// with its style: setting cells one by one (SetSheetRow, SetCellStyle
// over ranges) and marshalling the sheet at the end took most of the
// export's time with 1,000 units (issue 12). The workbook's content is
// the same.
func (x *xlsxWriter) ranking(sheet string, cat scores.Category) error {
	groups := x.rep.Config.Score.Groups
	head := []any{"排名", "单位名称", "简码", "公众评价得分", "日常评价得分", "日常评价数", "年度评价得分", "年度答卷数"}
	for _, g := range groups {
		head = append(head, g.Name+"得分", g.Name+"答卷数")
	}
	head = append(head, "标记", "备注")
	last := len(head)
	sw, err := x.f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	// Column widths come before the rows in a stream.
	for _, w := range []struct {
		from, to int
		width    float64
	}{{2, 2, 28}, {3, last - 1, 12}, {last, last, 40}} {
		if w.from <= w.to {
			if err := sw.SetColWidth(w.from, w.to, w.width); err != nil {
				return err
			}
		}
	}
	top := []any{excelize.Cell{StyleID: x.title, Value: x.rep.Cycle.Name + " 公众评价得分 · " + cat.Name}, x.versionLine(), x.statusLine()}
	for i, v := range top {
		if err := sw.SetRow(cell(1, i+1), []any{v}); err != nil {
			return err
		}
	}
	for i, v := range head {
		head[i] = excelize.Cell{StyleID: x.bold, Value: v}
	}
	if err := sw.SetRow(cell(1, xlsxHeaderRow), head); err != nil {
		return err
	}
	// Score columns (0-based): the public score, the two parts and each
	// group's mean, shown as 0.00 also where empty.
	points := map[int]bool{3: true, 4: true, 6: true}
	for j := range groups {
		points[8+2*j] = true
	}
	for i, u := range cat.Units {
		row := scoreSheetRow(u, groups)
		for j := range row {
			if points[j] {
				row[j] = excelize.Cell{StyleID: x.points, Value: row[j]}
			}
		}
		if err := sw.SetRow(cell(1, xlsxFirstRow+i), row); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// scoreSheetRow is one unit's row: empty cells where there is no value or the
// detail is hidden from the viewer.
func scoreSheetRow(u scores.UnitScore, groups []score.Group) []any {
	row := []any{nil, u.Unit.Name, "", nil, nil, nil, nil, nil}
	if u.Unit.ShortCode != nil {
		row[2] = *u.Unit.ShortCode
	}
	if u.Rank != nil {
		row[0] = *u.Rank
	}
	if u.Score != nil {
		row[3] = *u.Score
	}
	r := u.Result
	if r != nil {
		row[5], row[7] = r.Daily.Count, r.Annual.Count
		if r.Daily.Count > 0 {
			row[4] = score.Round2(r.Daily.Mean)
		}
		if r.Annual.Counted {
			row[6] = score.Round2(r.Annual.Mean)
		}
	}
	for i := range groups {
		var mean, count any
		if r != nil && i < len(r.Annual.Groups) {
			g := r.Annual.Groups[i]
			count = g.Count
			if g.Count > 0 {
				mean = score.Round2(g.Mean)
			}
		}
		row = append(row, mean, count)
	}
	labels := make([]string, len(u.Flags))
	for i, f := range u.Flags {
		labels[i] = f.Label
	}
	note := u.UnrankedReason
	if u.DetailHidden && note == "" {
		note = "仅显示排名与得分"
	}
	return append(row, strings.Join(labels, "；"), note)
}

// info writes the sheet describing the cycle and the configuration used.
func (x *xlsxWriter) info() error {
	m := x.rep.Meta
	sc := m.Config.Score
	sheet := xlsxInfoSheet
	points := make([]string, 0, 5)
	for level := 5; level >= 1; level-- {
		points = append(points, ratings.LevelLabel(level)+" "+strconv.FormatFloat(m.Config.LevelPoints[5-level], 'f', -1, 64)+"分")
	}
	short := "日常评价仍按权重计入"
	if sc.AnnualCarriesWhenDailyShort {
		short = "由年度评价计全部得分"
	}
	status := "正式"
	if m.Provisional {
		status = "暂定：" + strings.Join(m.Reasons, "；")
	}
	rows := [][]any{
		{"考核年度", m.Cycle.Name},
		{"考核期", m.Cycle.PeriodStart + " 至 " + m.Cycle.PeriodEnd},
		{"配置版本", m.Version},
		{"最新配置版本", m.NewestVersion},
		{"生成时间", m.GeneratedAt.In(x.loc).Format("2006-01-02 15:04:05")},
		{"结果状态", status},
		{"等级分值", strings.Join(points, "；")},
		{"日常评价权重", sc.DailyWeight},
		{"年度评价权重", sc.AnnualWeight},
		{"日常评价最低数量", sc.MinDailyCount},
		{"日常评价不足最低数量时", short},
		{},
		{"受访群体", "代码", "权重", "最低样本量"},
	}
	for _, g := range sc.Groups {
		rows = append(rows, []any{g.Name, g.Key, g.Weight, g.MinSample})
	}
	for i, r := range rows {
		if err := x.row(sheet, i+1, r); err != nil {
			return err
		}
	}
	for _, c := range []string{"B8", "B9"} {
		if err := x.f.SetCellStyle(sheet, c, c, x.percent); err != nil {
			return err
		}
	}
	if err := x.f.SetCellStyle(sheet, "A13", "D13", x.bold); err != nil {
		return err
	}
	if len(sc.Groups) > 0 {
		if err := x.f.SetCellStyle(sheet, "C14", cell(3, 13+len(sc.Groups)), x.percent); err != nil {
			return err
		}
	}
	if err := x.f.SetColWidth(sheet, "A", "A", 24); err != nil {
		return err
	}
	return x.f.SetColWidth(sheet, "B", "B", 60)
}

// sendScoresXLSX answers with the report as a workbook.
func (s *Handlers) sendScoresXLSX(c *gin.Context, rep scores.Report) error {
	buf, err := scoresXLSX(rep, s.Config.Location)
	if err != nil {
		return err
	}
	name := fmt.Sprintf("%s公众评价得分（第%d版）.xlsx", rep.Cycle.Name, rep.Version)
	httpx.Attachment(c, fmt.Sprintf("scores-cycle-%d-v%d.xlsx", rep.Cycle.ID, rep.Version), name)
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, httpx.XLSXType, buf.Bytes())
	return nil
}

// APICycleScoresXLSX answers the cycle's scores as an .xlsx workbook, as
// the user may see them.
func (s *Handlers) APICycleScoresXLSX(c *gin.Context) {
	rep, err := s.viewerReport(c)
	if err == nil {
		err = s.sendScoresXLSX(c, rep)
	}
	if err != nil {
		s.APIError(c, err)
	}
}

// ScoresXLSXDownload is the console's download of the scores workbook.
func (s *Handlers) ScoresXLSXDownload(c *gin.Context) {
	rep, err := s.viewerReport(c)
	if err == nil {
		err = s.sendScoresXLSX(c, rep)
	}
	if err != nil {
		s.ConsoleError(c, err)
	}
}
