package usesapp

import (
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

// unitLine is one unit's use of its result as GET
// /cycles/:id/uses/units/:unit_id answers: the line with its case's state.
type unitLine struct {
	rewards.UnitLine
	CaseStatus string `json:"case_status,omitempty"`
	CaseDue    string `json:"case_answer_due,omitempty"`
}

// ownLine reads the :unit_id's line of the :id cycle for the signed-in
// user: a unit user only its own (403 for another unit's), the office and
// leaders any; 404 when the unit has no final result in force.
func (s *Handlers) ownLine(c *gin.Context) (cycles.Cycle, unitLine, bool) {
	id, unitID, err := cycleAndUnit(c)
	if err == nil && !httpx.CurrentUser(c).CanSeeUnit(unitID) {
		err = apperr.New(apperr.Forbidden, "只能查看本单位的结果运用情况")
	}
	if err != nil {
		s.APIError(c, err)
		return cycles.Cycle{}, unitLine{}, false
	}
	var cy cycles.Cycle
	var out unitLine
	err = db.ReadSnapshot(c, s.Pool, func(tx pgx.Tx) error {
		var err error
		if cy, err = cycles.FindCycle(c, tx, id); err != nil {
			return err
		}
		lines, _, _, err := rewards.Lines(c, tx, id, rewards.Filter{UnitID: &unitID, Limit: 1})
		if err != nil {
			return err
		}
		if len(lines) == 0 {
			return apperr.New(apperr.NotFound, "该单位没有本年度的最终考核结果")
		}
		out.UnitLine = lines[0]
		if out.CaseID != nil {
			out.CaseStatus, out.CaseDue, err = rewards.CaseState(c, tx, *out.CaseID)
		}
		return err
	})
	if err != nil {
		s.APIError(c, err)
		return cycles.Cycle{}, unitLine{}, false
	}
	return cy, out, true
}

// APIUnitLine answers GET /cycles/:id/uses/units/:unit_id: one unit's
// grade, factors, amount, records and case.
func (s *Handlers) APIUnitLine(c *gin.Context) {
	if _, l, ok := s.ownLine(c); ok {
		c.JSON(http.StatusOK, l)
	}
}

// APIUnitXLSX answers GET /cycles/:id/uses/units/:unit_id/xlsx: the same
// line as a two-column sheet "本单位结果运用" (item, value; amounts in yuan
// as numbers).
func (s *Handlers) APIUnitXLSX(c *gin.Context) {
	cy, l, ok := s.ownLine(c)
	if !ok {
		return
	}
	b, err := unitXLSX(cy, l, s.Now().In(s.Config.Location).Format("2006-01-02 15:04"))
	if err != nil {
		s.APIError(c, err)
		return
	}
	httpx.Attachment(c, fmt.Sprintf("uses-cycle-%d-unit-%d-%s.xlsx", cy.ID, l.UnitID, s.Now().In(s.Config.Location).Format(time.DateOnly)),
		cy.Name+l.UnitName+"结果运用.xlsx")
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, httpx.XLSXType, b)
}

func recordCell(r *rewards.Record) string {
	if r == nil {
		return "无"
	}
	return r.DocNo + "（" + r.DocDate + "）" + r.Body
}

func unitXLSX(cy cycles.Cycle, l unitLine, stamp string) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "本单位结果运用"
	if err := f.SetSheetName(f.GetSheetName(0), sheet); err != nil {
		return nil, err
	}
	var staff any = "未登记"
	if l.StaffCount != nil {
		staff = *l.StaffCount
	}
	caseText := "无"
	if l.CaseID != nil {
		caseText = "案件编号 " + strconv.FormatInt(*l.CaseID, 10) + "，" + l.CaseStatus
		if l.CaseDue != "" {
			caseText += "，答复期限 " + l.CaseDue
		}
	} else if l.ProposeCase != "" {
		caseText = l.CaseLabel() + "，尚未立案"
	}
	rows := [][]any{
		{cy.Name + " " + l.UnitName + " 结果运用"},
		{"最终考核结果，" + stamp + " 导出；金额单位：元"},
		{"项目", "内容"},
		{"类别", l.Category}, {"名次", l.Rank}, {"等次", l.GradeLabel}, {"公务员人数", staff},
		{"成绩突出", httpx.YesNo(l.Factors.Outstanding)}, {"行政问责次数", l.Factors.Accountability}, {"未完成重大任务数", l.Factors.FailedTasks},
		{"基本奖金（元）", yuan(l.Bonus.Base)}, {"上浮（元）", yuan(l.Bonus.Raise)}, {"扣减（元）", yuan(l.Bonus.Cut)},
		{"应发奖金（元）", yuan(l.Bonus.Total)},
		{"通报批评", recordCell(l.Criticism)}, {"表彰", recordCell(l.Commendation)}, {"整改案件", caseText},
	}
	for i, r := range rows {
		if err := f.SetSheetRow(sheet, "A"+strconv.Itoa(i+1), &r); err != nil {
			return nil, err
		}
	}
	if err := f.SetColWidth(sheet, "A", "A", 20); err != nil {
		return nil, err
	}
	if err := f.SetColWidth(sheet, "B", "B", 60); err != nil {
		return nil, err
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
