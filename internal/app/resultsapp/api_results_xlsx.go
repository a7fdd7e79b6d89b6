package resultsapp

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"
	"github.com/xuri/excelize/v2"

	"minyi/internal/db"
	"minyi/internal/httpx"
	"minyi/internal/results"
)

// resultsXLSXHead is the header row of the results sheet.
var resultsXLSXHead = []any{"类别", "名次", "单位名称", "方案得分", "公众评价得分", "加分", "扣分", "综合得分", "等次", "等次理由"}

// resultsXLSX writes the lines as one sheet "考核结果": a title row, a row
// saying what the numbers are (draft or which publication), the header,
// then one row a unit; numbers are numbers, empty where there is none.
// The sheet goes through a StreamWriter: setting 1,000 rows cell by cell
// and marshalling the sheet at the end cost more than computing them
// (issue 12); the workbook's content is the same.
func resultsXLSX(title, source string, cats []results.Category) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "考核结果"
	if err := f.SetSheetName(f.GetSheetName(0), sheet); err != nil {
		return nil, err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return nil, err
	}
	if err := sw.SetColWidth(3, 3, 28); err != nil {
		return nil, err
	}
	if err := sw.SetColWidth(10, 10, 60); err != nil {
		return nil, err
	}
	for i, vals := range [][]any{{title}, {source}, resultsXLSXHead} {
		if err := sw.SetRow("A"+strconv.Itoa(i+1), vals); err != nil {
			return nil, err
		}
	}
	row := 4
	for _, c := range cats {
		for _, l := range c.Lines {
			vals := []any{c.Name, nil, l.Unit.Name, nil, nil, l.Inputs.BonusCounted, l.Inputs.DeductionsCounted, nil, l.GradeLabel, l.Reason}
			if l.Rank != nil {
				vals[1] = *l.Rank
			}
			if l.SchemeScore != nil {
				vals[3] = *l.SchemeScore
			}
			if l.PublicScore != nil {
				vals[4] = *l.PublicScore
			}
			if l.Composite != nil {
				vals[7] = *l.Composite
			}
			if err := sw.SetRow("A"+strconv.Itoa(row), vals); err != nil {
				return nil, err
			}
			row++
		}
	}
	if err := sw.Flush(); err != nil {
		return nil, err
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// APIResultsXLSX exports the newest publication's lines, or with
// ?source=draft (or before any publication) the results as they stand now.
func (s *Handlers) APIResultsXLSX(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	if err != nil {
		s.APIError(c, err)
		return
	}
	var cats []results.Category
	var title, source string
	now := s.Now()
	err = db.ReadSnapshot(c, s.Pool, func(tx pgx.Tx) error {
		st, err := results.LoadStatus(c, tx, id)
		if err != nil {
			return err
		}
		p := newestPublication(st)
		if p != nil && c.Query("source") != "draft" {
			if cats, err = results.Published(c, tx, p.ID, nil); err != nil {
				return err
			}
			cats = orderCategories(cats, s.categoryOrder(c, tx, id))
			label := "初步结果"
			if p.Stage == results.StageFinal {
				label = "最终结果"
			}
			source = fmt.Sprintf("%s，%s 公布（%s）", label,
				p.PublishedAt.In(s.Config.Location).Format("2006-01-02 15:04"), versionsText(p.SchemeVersion, p.SettingsVersion))
		} else {
			a, err := results.ComputeRanking(c, tx, s.Config.Location, now, id, s.Config.UnitCategories, 0)
			if err != nil {
				return err
			}
			cats = a.Categories
			source = fmt.Sprintf("计算审核中（未公布），%s 计算（%s）",
				now.In(s.Config.Location).Format("2006-01-02 15:04"), versionsText(a.SchemeVersion, a.SettingsVersion))
		}
		return tx.QueryRow(c, `SELECT name FROM assessment_cycles WHERE id = $1`, id).Scan(&title)
	})
	var b []byte
	if err == nil {
		b, err = resultsXLSX(title+" 考核结果", source, cats)
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	httpx.Attachment(c, fmt.Sprintf("results-cycle-%d-%s.xlsx", id, now.In(s.Config.Location).Format(time.DateOnly)), title+"考核结果.xlsx")
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, httpx.XLSXType, b)
}

// versionsText names the versions of the scheme and of the rules a result
// was computed with; version 0 of the rules is the defaults, never saved.
func versionsText(scheme, settings int) string {
	rules := "默认考核规则"
	if settings > 0 {
		rules = fmt.Sprintf("考核规则第%d版", settings)
	}
	return fmt.Sprintf("考核方案第%d版，%s", scheme, rules)
}
