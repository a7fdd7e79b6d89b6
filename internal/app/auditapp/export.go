package auditapp

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/xuri/excelize/v2"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/httpx"
)

// exportCap is the most entries one export holds; a larger selection is
// refused with a message asking for a narrower filter.
const exportCap = 10000

// auditXLSXHead is the header row of the exported sheet, the page's
// columns.
var auditXLSXHead = []any{"时间", "操作人", "操作", "对象", "对象编号", "变更内容"}

// ExportXLSX writes the entries the page's filter selects, newest first,
// as a workbook: one row an entry, the change one field a line.
func (s *Handlers) ExportXLSX(c *gin.Context) {
	f, err := s.filter(c, readQuery(c))
	if err != nil {
		if apperr.Is(err, apperr.Invalid) {
			s.showAudit(c, http.StatusUnprocessableEntity, "")
			return
		}
		s.ConsoleError(c, err)
		return
	}
	f.Limit = exportCap
	list, more, err := audit.List(c, s.Pool, f)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	if more {
		s.showAudit(c, http.StatusUnprocessableEntity, "所选记录超过 "+httpx.GroupDigits(exportCap)+
			" 条，无法一次导出。请缩小日期范围或增加筛选条件后再导出。")
		return
	}
	body, err := s.auditXLSX(list)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	day := s.Now().In(s.Config.Location).Format(time.DateOnly)
	httpx.Attachment(c, "audit-"+day+".xlsx", "审计日志-"+day+".xlsx")
	c.Data(http.StatusOK, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body)
}

// auditXLSX streams the rows into one sheet 审计日志.
func (s *Handlers) auditXLSX(list []audit.Entry) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "审计日志"
	if err := f.SetSheetName(f.GetSheetName(0), sheet); err != nil {
		return nil, err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return nil, err
	}
	for col, w := range map[int]float64{1: 20, 2: 14, 3: 22, 4: 16, 5: 10, 6: 80} {
		if err := sw.SetColWidth(col, col, w); err != nil {
			return nil, err
		}
	}
	if err := sw.SetRow("A1", auditXLSXHead); err != nil {
		return nil, err
	}
	for i, e := range list {
		r := s.rowOf(e)
		lines := make([]string, 0, len(r.Changes))
		for _, ch := range r.Changes {
			lines = append(lines, changeText(ch))
		}
		vals := []any{r.At.In(s.Config.Location).Format("2006-01-02 15:04:05"), r.Actor, r.ActionLabel,
			r.EntityLabel, e.EntityID, strings.Join(lines, "\n")}
		if err := sw.SetRow("A"+strconv.Itoa(i+2), vals); err != nil {
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

// changeText is one field's change on one line: 名称：甲 → 乙.
func changeText(ch audit.Change) string {
	b, a := ch.Before, ch.After
	if b == "" {
		b = "（空）"
	}
	if a == "" {
		a = "（空）"
	}
	return ch.Field + "：" + b + " → " + a
}
