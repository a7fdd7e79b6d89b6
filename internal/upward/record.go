// Package upward reports Minyi's ratings to the provincial 好差评 platform
// (issue 18): each rating, and the rectification result of each 差评 whose
// case is closed, becomes the national record (record.go), collected in
// batches by a durable cursor on ingest order (collect.go) without adding
// work to the rating write path, and delivered once, signed with SM2
// (sign.go), through the river outbox the notifications use (send.go);
// the office sees what is delivered, waiting and failed, and resends
// (status.go).
package upward

import (
	"strconv"
	"time"
)

// Sources of records: a rating, or a 差评's rectification result.
const (
	SourceRating        = "rating"
	SourceRectification = "rectification"
)

// SourceNames are the Chinese names of the sources.
var SourceNames = map[string]string{
	SourceRating:        "评价记录",
	SourceRectification: "差评整改结果",
}

// TimeLayout is the national record's assessTime, yyyy-MM-dd HH:mm:ss,
// written in the deployment's time zone (TIME_ZONE).
const TimeLayout = "2006-01-02 15:04:05"

// Record is one national 好差评 record, with the provincial platforms'
// field names (docs/api.md). A field Minyi does not hold is left out of
// the JSON, never filled with a made-up value: taskCode, taskName,
// evalDetail, evaVersion and userProp for a rating without the 事项, coded
// reasons and applicant type (migration 0082; none before it); projectNo and assessNumber
// for a rating without a 办件编号 (a QR rating not bound to a case);
// deptCode and areaCode for a unit without its codes.
type Record struct {
	// RecordID is Minyi's key of the record, stable across resends: the
	// rating's id, or "<case id>-<rating id>" for a rectification.
	RecordID string `json:"recordId"`
	// ProjectNo is the 办件编号; AssessNumber which rating of the case
	// this is: its stage's position (一事多评), 1 for a case's one rating
	// without a stage.
	ProjectNo    string `json:"projectNo,omitempty"`
	AssessNumber int    `json:"assessNumber,omitempty"`
	// Pf is the channel in the national scheme: 1 PC, 2 app, 3 QR code,
	// 4 hall pad, 5 other hall terminal.
	Pf int `json:"pf"`
	// Satisfaction is 5 非常满意 … 1 非常不满意: Minyi's level, which
	// runs the same way.
	Satisfaction      int      `json:"satisfaction"`
	EvalDetail        []string `json:"evalDetail,omitempty"`
	WritingEvaluation string   `json:"writingEvaluation"`
	AssessTime        string   `json:"assessTime"`
	TaskCode          string   `json:"taskCode,omitempty"`
	TaskName          string   `json:"taskName,omitempty"`
	DeptCode          string   `json:"deptCode,omitempty"`
	// DeptName is the unit's name, for a reader of the record.
	DeptName   string `json:"deptName"`
	AreaCode   string `json:"areaCode,omitempty"`
	UserProp   string `json:"userProp,omitempty"`
	DataSource string `json:"dataSource"`
	EvaVersion string `json:"evaVersion,omitempty"`
	// Rectification and Answer are a rectification record's: the unit's
	// measures and its report of the fix, and its answer (explanation) to
	// the 差评; RectifyTime is when the office closed the case.
	Rectification string `json:"rectification,omitempty"`
	Answer        string `json:"answer,omitempty"`
	RectifyTime   string `json:"rectifyTime,omitempty"`
}

// Envelope is the JSON body of one delivery: a batch of one source's
// records. BatchID is the same on every resend of the batch, so a
// receiver can drop a repeat; SentAt is the time of this attempt.
type Envelope struct {
	PlatformCode string   `json:"platformCode"`
	BatchID      string   `json:"batchId"`
	Type         string   `json:"type"`
	SentAt       string   `json:"sentAt"`
	Count        int      `json:"count"`
	Records      []Record `json:"records"`
}

// row is a record as the database gives it, before formatting.
type row struct {
	ID         string    `db:"id"`
	CaseID     *int64    `db:"case_id"`
	RatedAt    time.Time `db:"rated_at"`
	CaseNo     string    `db:"case_no"`
	Pf         int       `db:"pf"`
	Level      int       `db:"level"`
	Comment    string    `db:"comment"`
	UnitName   string    `db:"unit_name"`
	CreditCode string    `db:"credit_code"`
	AreaCode   string    `db:"area_code"`
	ItemCode   string    `db:"item_code"`
	ItemName   string    `db:"item_name"`
	// StagePosition is the position of the rating's stage (接件 1, 受理 2,
	// …), 0 without a stage.
	StagePosition int      `db:"stage_position"`
	ReasonCodes   []string `db:"reason_codes"`
	EvaVersion    string   `db:"eva_version"`
	// ApplicantType is the userProp (1 natural person, 2 legal person).
	ApplicantType *int       `db:"applicant_type"`
	Explanation   string     `db:"explanation"`
	Measures      string     `db:"measures"`
	DoneNote      string     `db:"done_note"`
	ClosedAt      *time.Time `db:"closed_at"`
}

// record formats r as the national record in loc with the configured data
// source code.
func (r row) record(loc *time.Location, dataSource string) Record {
	rec := Record{RecordID: r.ID, ProjectNo: r.CaseNo, Pf: r.Pf, Satisfaction: r.Level,
		WritingEvaluation: r.Comment, AssessTime: r.RatedAt.In(loc).Format(TimeLayout),
		DeptCode: r.CreditCode, DeptName: r.UnitName, AreaCode: r.AreaCode, DataSource: dataSource,
		TaskCode: r.ItemCode, TaskName: r.ItemName, EvalDetail: r.ReasonCodes, EvaVersion: r.EvaVersion}
	if len(rec.EvalDetail) == 0 {
		rec.EvalDetail = nil
	}
	if r.ApplicantType != nil {
		rec.UserProp = strconv.Itoa(*r.ApplicantType)
	}
	switch {
	case r.StagePosition > 0:
		rec.AssessNumber = r.StagePosition // 一事多评: which stage of the case
	case r.CaseNo != "":
		rec.AssessNumber = 1 // the case's one rating
	}
	if r.CaseID != nil {
		rec.RecordID = itoa(*r.CaseID) + "-" + r.ID
		rec.Answer = r.Explanation
		rec.Rectification = joinNonEmpty(r.Measures, r.DoneNote)
		if r.ClosedAt != nil {
			rec.RectifyTime = r.ClosedAt.In(loc).Format(TimeLayout)
		}
	}
	return rec
}

func joinNonEmpty(parts ...string) string {
	out := ""
	for _, p := range parts {
		if p == "" {
			continue
		}
		if out != "" {
			out += "\n"
		}
		out += p
	}
	return out
}
