package usesapp

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"
	"github.com/xuri/excelize/v2"

	"minyi/internal/apperr"
	"minyi/internal/cycles"
	"minyi/internal/db"
	"minyi/internal/httpx"
	"minyi/internal/rewards"
)

// exportHead is the header row of the bonus sheet; amounts are in yuan.
var exportHead = []any{"类别", "名次", "单位名称", "等次", "公务员人数", "成绩突出", "行政问责次数", "未完成重大任务数",
	"基本奖金（元）", "上浮（元）", "扣减（元）", "应发奖金（元）", "通报批评", "表彰", "整改案件"}

// yuan is an amount in cents as yuan, for a numeric cell.
func yuan(cents int64) float64 { return float64(cents) / 100 }

// yuanText is an amount in cents as yuan with two decimals, for CSV.
func yuanText(cents int64) string { return fmt.Sprintf("%d.%02d", cents/100, cents%100) }

func recordText(r *rewards.Record) string {
	if r == nil {
		return ""
	}
	return r.DocNo + "（" + r.DocDate + "）"
}

// exportRow is one unit's row: numbers are numbers (nil where none).
func exportRow(l rewards.UnitLine) []any {
	var staff any
	if l.StaffCount != nil {
		staff = *l.StaffCount
	}
	caseText := ""
	if l.CaseID != nil {
		caseText = "已立案（案件编号 " + strconv.FormatInt(*l.CaseID, 10) + "）"
	} else if l.ProposeCase != "" {
		caseText = "应限期整改，尚未立案"
	}
	return []any{l.Category, l.Rank, l.UnitName, l.GradeLabel, staff, httpx.YesNo(l.Factors.Outstanding), l.Factors.Accountability,
		l.Factors.FailedTasks, yuan(l.Bonus.Base), yuan(l.Bonus.Raise), yuan(l.Bonus.Cut), yuan(l.Bonus.Total),
		recordText(l.Criticism), recordText(l.Commendation), caseText}
}

// exportData reads every line of the cycle with the title and the line
// saying when it was exported.
func (s *Handlers) exportData(c *gin.Context) (cycles.Cycle, []rewards.UnitLine, string, bool) {
	id, err := httpx.IDParam(c, "id")
	if err == nil && !httpx.CurrentUser(c).SeesAll() {
		err = apperr.New(apperr.Forbidden, "只有绩效办和领导可以导出各单位的绩效奖金")
	}
	if err != nil {
		s.APIError(c, err)
		return cycles.Cycle{}, nil, "", false
	}
	var cy cycles.Cycle
	var lines []rewards.UnitLine
	err = db.ReadSnapshot(c, s.Pool, func(tx pgx.Tx) error {
		var err error
		if cy, err = cycles.FindCycle(c, tx, id); err != nil {
			return err
		}
		lines, _, _, err = rewards.Lines(c, tx, id, rewards.Filter{})
		return err
	})
	if err != nil {
		s.APIError(c, err)
		return cycles.Cycle{}, nil, "", false
	}
	stamp := "最终考核结果，" + s.Now().In(s.Config.Location).Format("2006-01-02 15:04") + " 导出；金额单位：元"
	return cy, lines, stamp, true
}

// APIExportXLSX answers GET /cycles/:id/uses/xlsx: the bonus sheet
// "绩效奖金" (title, when exported, header, one row a unit).
func (s *Handlers) APIExportXLSX(c *gin.Context) {
	cy, lines, stamp, ok := s.exportData(c)
	if !ok {
		return
	}
	b, err := bonusXLSX(cy.Name+" 绩效奖金", stamp, lines)
	if err != nil {
		s.APIError(c, err)
		return
	}
	httpx.Attachment(c, fmt.Sprintf("bonus-cycle-%d-%s.xlsx", cy.ID, s.Now().In(s.Config.Location).Format(time.DateOnly)), cy.Name+"绩效奖金.xlsx")
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, httpx.XLSXType, b)
}

func bonusXLSX(title, stamp string, lines []rewards.UnitLine) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "绩效奖金"
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
	for i, vals := range [][]any{{title}, {stamp}, exportHead} {
		if err := sw.SetRow("A"+strconv.Itoa(i+1), vals); err != nil {
			return nil, err
		}
	}
	for i, l := range lines {
		if err := sw.SetRow("A"+strconv.Itoa(i+4), exportRow(l)); err != nil {
			return nil, err
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

// APIExportCSV answers GET /cycles/:id/uses/csv: the same rows as CSV,
// UTF-8 with a byte-order mark so that Excel reads the Chinese.
func (s *Handlers) APIExportCSV(c *gin.Context) {
	cy, lines, stamp, ok := s.exportData(c)
	if !ok {
		return
	}
	var buf bytes.Buffer
	buf.WriteString("\xEF\xBB\xBF")
	w := csv.NewWriter(&buf)
	_ = w.Write([]string{cy.Name + " 绩效奖金"})
	_ = w.Write([]string{stamp})
	head := make([]string, len(exportHead))
	for i, h := range exportHead {
		head[i] = h.(string)
	}
	_ = w.Write(head)
	for _, l := range lines {
		row := exportRow(l)
		out := make([]string, len(row))
		for i, v := range row {
			switch x := v.(type) {
			case nil:
			case float64:
				out[i] = yuanText(int64(x*100 + 0.5))
			default:
				out[i] = fmt.Sprint(x)
			}
		}
		_ = w.Write(out)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		s.APIError(c, err)
		return
	}
	httpx.Attachment(c, fmt.Sprintf("bonus-cycle-%d-%s.csv", cy.ID, s.Now().In(s.Config.Location).Format(time.DateOnly)), cy.Name+"绩效奖金.csv")
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}
