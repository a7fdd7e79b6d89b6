package results

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/assessment"
	"minyi/internal/audit"
	"minyi/internal/cycles"
	"minyi/internal/db"
	"minyi/internal/workdays"
)

// Stages of a publication.
const (
	StagePreliminary = "preliminary"
	StageFinal       = assessment.StageFinal
)

// Answers to an application for review.
const (
	AppealPending  = "pending"
	AppealUpheld   = "upheld"
	AppealPartly   = "partly"
	AppealRejected = "rejected"
)

// AppealStatusLabel is an application's status in Chinese.
func AppealStatusLabel(s string) string {
	switch s {
	case AppealPending:
		return "待答复"
	case AppealUpheld:
		return "复核成立"
	case AppealPartly:
		return "部分成立"
	case AppealRejected:
		return "复核不成立"
	}
	return s
}

// Publication is one publication of a cycle's results.
type Publication struct {
	ID          int64     `json:"id" db:"id"`
	CycleID     int64     `json:"cycle_id" db:"cycle_id"`
	Stage       string    `json:"stage" db:"stage"`
	PublishedAt time.Time `json:"published_at" db:"published_at"`
	PublishedBy *string   `json:"published_by" db:"published_by"`
	// AppealDeadline is the last day to apply for review (preliminary).
	AppealDeadline  *string    `json:"appeal_deadline" db:"appeal_deadline"`
	ShowComposite   bool       `json:"show_composite" db:"show_composite"`
	SettingsVersion int        `json:"settings_version" db:"settings_version"`
	SchemeVersion   int        `json:"scheme_version" db:"scheme_version"`
	Note            string     `json:"note" db:"note"`
	ReopenedAt      *time.Time `json:"reopened_at" db:"reopened_at"`
	ReopenedBy      *string    `json:"reopened_by" db:"reopened_by"`
	ReopenReason    *string    `json:"reopen_reason" db:"reopen_reason"`

	// AppealDeadlineProvisional marks a deadline counted through a year
	// without a working-day calendar (weekends only, 暂定); entering the
	// year recomputes it. DeadlineNotes are those recomputations.
	AppealDeadlineProvisional bool     `json:"appeal_deadline_provisional" db:"appeal_deadline_provisional"`
	DeadlineNotes             []string `json:"deadline_notes" db:"-"`

	// SnapshotSHA256 is the hash of the publication's snapshot (hex; nil
	// for publications made before snapshots), PreviousID the publication
	// of the cycle it follows. See snapshot.go.
	SnapshotSHA256 *string `json:"snapshot_sha256" db:"snapshot_sha256"`
	PreviousID     *int64  `json:"previous_id" db:"previous_id"`
}

const publicationColumns = `p.id, p.cycle_id, p.stage, p.published_at, u.username AS published_by,
	to_char(p.appeal_deadline, 'YYYY-MM-DD') AS appeal_deadline, p.show_composite, p.settings_version,
	p.scheme_version, p.note, p.reopened_at, r.username AS reopened_by, p.reopen_reason, p.appeal_deadline_provisional,
	encode(p.snapshot_sha256, 'hex') AS snapshot_sha256, p.previous_id
	FROM assessment_publications p LEFT JOIN users u ON u.id = p.published_by LEFT JOIN users r ON r.id = p.reopened_by`

// Status is where a cycle's results stand.
type Status struct {
	// Preliminary is the preliminary publication; Final the newest final
	// one (Final.ReopenedAt set: reopened, not final any more).
	Preliminary *Publication `json:"preliminary"`
	Final       *Publication `json:"final"`
	// Stage: "draft", "preliminary", "final" or "reopened".
	Stage      string        `json:"stage"`
	StageLabel string        `json:"stage_label"`
	History    []Publication `json:"history"`
}

// IsFinal reports whether the final results are in force.
func (s Status) IsFinal() bool { return s.Final != nil && s.Final.ReopenedAt == nil }

// LoadStatus returns the cycle's publications.
func LoadStatus(ctx context.Context, q db.DBTX, cycleID int64) (Status, error) {
	rows, _ := q.Query(ctx, `SELECT `+publicationColumns+` WHERE p.cycle_id = $1 ORDER BY p.id`, cycleID)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[Publication])
	if err != nil {
		return Status{}, db.Err(err)
	}
	if err := addPublicationNotes(ctx, q, list); err != nil {
		return Status{}, err
	}
	st := Status{Stage: "draft", StageLabel: "计算审核中（未公布）", History: list}
	if st.History == nil {
		st.History = []Publication{}
	}
	for i := range list {
		p := list[i]
		if p.Stage == StagePreliminary {
			st.Preliminary = &p
			st.Stage, st.StageLabel = "preliminary", "初步结果已公布（复核阶段）"
		} else {
			st.Final = &p
			if p.ReopenedAt == nil {
				st.Stage, st.StageLabel = "final", "最终结果已公布"
			} else {
				st.Stage, st.StageLabel = "reopened", "已重新开启（待重新公布最终结果）"
			}
		}
	}
	return st, nil
}

// lockCycle takes the cycle's row lock, serializing publications.
func lockCycle(ctx context.Context, tx pgx.Tx, cycleID int64) error {
	var one int
	err := tx.QueryRow(ctx, `SELECT 1 FROM assessment_cycles WHERE id = $1 FOR UPDATE`, cycleID).Scan(&one)
	if err == pgx.ErrNoRows {
		return apperr.New(apperr.NotFound, "考核年度不存在")
	}
	return db.Err(err)
}

// localDay is t's date in loc at midnight.
func localDay(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// requireComplete refuses to publish while a unit's result is incomplete.
func requireComplete(a Assessment) error {
	if len(a.Incomplete) == 0 {
		return nil
	}
	names := make([]string, 0, 5)
	for i, u := range a.Incomplete {
		if i == 5 {
			names = append(names, "等")
			break
		}
		names = append(names, u.Name)
	}
	return apperr.New(apperr.Conflict, fmt.Sprintf("尚有%d个单位得分不完整，不能公布结果：%s", len(a.Incomplete), strings.Join(names, "、")))
}

// PublishInput is what the office submits to publish.
type PublishInput struct {
	// ShowComposite: the public page shows the composite with the grade.
	ShowComposite *bool  `json:"show_composite"`
	Note          string `json:"note"`
	// ProvisionalReason is why the final results are published while the
	// public evaluation scores are still provisional; required then.
	ProvisionalReason string `json:"provisional_reason"`
}

func (in PublishInput) validate() error {
	if utf8.RuneCountInString(in.Note) > 500 {
		return apperr.InvalidField("note", "说明不能超过500字")
	}
	if utf8.RuneCountInString(in.ProvisionalReason) > 500 {
		return apperr.InvalidField("provisional_reason", "理由不能超过500字")
	}
	return nil
}

// insertPublication stores the publication and the snapshot of every line.
func insertPublication(ctx context.Context, tx pgx.Tx, actor audit.Actor, a Assessment, categoryOrder []string, stage string, deadline *window, in PublishInput, now time.Time) (int64, error) {
	show := in.ShowComposite == nil || *in.ShowComposite
	var by *int64
	if actor.ID != 0 {
		by = &actor.ID
	}
	var due, days any
	var provisional bool
	if deadline != nil {
		due, days, provisional = deadline.due.String(), deadline.days, deadline.due.Provisional
	}
	hash, err := SnapshotHash(a)
	if err != nil {
		return 0, err
	}
	if categoryOrder == nil {
		categoryOrder = []string{}
	}
	var id int64
	err = tx.QueryRow(ctx, `INSERT INTO assessment_publications (cycle_id, stage, published_at, published_by,
		appeal_deadline, show_composite, settings_version, scheme_version, note, appeal_days, appeal_deadline_provisional,
		snapshot_sha256, config_version, category_order, previous_id)
		VALUES ($1, $2, $3, $4, $5::date, $6, $7, $8, $9, $10, $11, $12, $13, $14,
			(SELECT max(id) FROM assessment_publications WHERE cycle_id = $1)) RETURNING id`,
		a.Cycle.ID, stage, now, by, due, show, a.SettingsVersion, a.SchemeVersion, strings.TrimSpace(in.Note), days, provisional,
		hash[:], a.ConfigVersion, categoryOrder).Scan(&id)
	if err != nil {
		return 0, db.Err(err)
	}
	rows := [][]any{}
	for _, c := range a.Categories {
		for _, l := range c.Lines {
			b, err := json.Marshal(l)
			if err != nil {
				return 0, err
			}
			rows = append(rows, []any{id, a.Cycle.ID, l.Unit.ID, c.Name, l.Grade, *l.Composite, *l.Rank, l.Reason, b})
		}
	}
	_, err = tx.CopyFrom(ctx, pgx.Identifier{"assessment_results"},
		[]string{"publication_id", "cycle_id", "unit_id", "category", "grade", "composite", "rank", "reason", "breakdown"},
		pgx.CopyFromRows(rows))
	return id, db.Err(err)
}

// window is the review window of a preliminary publication: its last
// day and the working days it counts.
type window struct {
	due  workdays.Due
	days int
	// receiptBy is the last day a receipt (签收 or delivery) still starts
	// a unit's window (AppealWindow); due counts from the notification.
	receiptBy workdays.Due
}

// publicationSummary is what the audit log keeps of a publication.
func publicationSummary(a Assessment, id int64, stage string, deadline *window) map[string]any {
	counts := map[string]int{}
	for _, c := range a.Categories {
		for _, l := range c.Lines {
			counts[l.Grade]++
		}
	}
	out := map[string]any{"publication_id": id, "stage": stage, "appeal_deadline": nil,
		"scheme_version": a.SchemeVersion, "settings_version": a.SettingsVersion, "grades": counts}
	if deadline != nil {
		out["appeal_deadline"], out["appeal_deadline_provisional"] = deadline.due.String(), deadline.due.Provisional
	}
	return out
}

// PublishPreliminary computes the results and publishes them as the
// preliminary results: each unit then sees its result with the deadline to
// apply for review, AppealDays working days after today (provisional when
// it touches a year without a working-day calendar). It refuses a second
// preliminary publication and incomplete results.
func PublishPreliminary(ctx context.Context, tx pgx.Tx, actor audit.Actor, loc *time.Location, now time.Time, cycleID int64, categoryOrder []string, in PublishInput) (Status, error) {
	if err := in.validate(); err != nil {
		return Status{}, err
	}
	if err := lockCycle(ctx, tx, cycleID); err != nil {
		return Status{}, err
	}
	// The cycle's own categories order the publication (the server's
	// while the cycle has none set).
	categoryOrder, err := cycles.Categories(ctx, tx, cycleID, categoryOrder)
	if err != nil {
		return Status{}, err
	}
	st, err := LoadStatus(ctx, tx, cycleID)
	if err != nil {
		return Status{}, err
	}
	if st.Preliminary != nil {
		return Status{}, apperr.New(apperr.Conflict, "初步结果已于"+st.Preliminary.PublishedAt.In(loc).Format(time.DateOnly)+"公布，不能重复公布")
	}
	a, err := ComputeAll(ctx, tx, loc, now, cycleID, categoryOrder)
	if err != nil {
		return Status{}, err
	}
	if err := requireComplete(a); err != nil {
		return Status{}, err
	}
	due, err := workdays.Deadline(ctx, tx, localDay(now, loc), a.Settings.AppealDays)
	if err != nil {
		return Status{}, err
	}
	receiptBy, err := workdays.Deadline(ctx, tx, localDay(now, loc), a.Settings.ReceiptDaysInForce())
	if err != nil {
		return Status{}, err
	}
	deadline := window{due: due, days: a.Settings.AppealDays, receiptBy: receiptBy}
	id, err := insertPublication(ctx, tx, actor, a, categoryOrder, StagePreliminary, &deadline, in, now)
	if err != nil {
		return Status{}, err
	}
	if err := noticePreliminary(ctx, tx, cycleID, id, deadline, now); err != nil {
		return Status{}, err
	}
	if err := audit.Record(ctx, tx, actor, "results.publish_preliminary", "cycle", strconv.FormatInt(cycleID, 10), nil,
		publicationSummary(a, id, StagePreliminary, &deadline)); err != nil {
		return Status{}, err
	}
	return LoadStatus(ctx, tx, cycleID)
}

// PublishFinal publishes the final results, recomputed now: only after the
// preliminary results, once every unit's review window has closed (see
// AppealWindow) and every application is answered, not while final
// results are in force, and, when the cycle names approvers of its
// results, once they have all approved these very figures (approval.go).
func PublishFinal(ctx context.Context, tx pgx.Tx, actor audit.Actor, loc *time.Location, now time.Time, cycleID int64, categoryOrder []string, in PublishInput) (Status, error) {
	if err := in.validate(); err != nil {
		return Status{}, err
	}
	if err := lockCycle(ctx, tx, cycleID); err != nil {
		return Status{}, err
	}
	st, a, categoryOrder, err := finalReady(ctx, tx, loc, now, cycleID, categoryOrder)
	if err != nil {
		return Status{}, err
	}
	if err := requireApproval(ctx, tx, st, a); err != nil {
		return Status{}, err
	}
	reason := strings.TrimSpace(in.ProvisionalReason)
	if a.PublicProvisional && reason == "" {
		return Status{}, apperr.New(apperr.Conflict, "公众评价得分仍为暂定（"+strings.Join(a.PublicReasons, "；")+
			"），最终结果公布后即锁定。如确需现在公布，请填写理由，理由将记入操作日志")
	}
	id, err := insertPublication(ctx, tx, actor, a, categoryOrder, StageFinal, nil, in, now)
	if err != nil {
		return Status{}, err
	}
	summary := publicationSummary(a, id, StageFinal, nil)
	if a.PublicProvisional {
		summary["public_provisional"], summary["public_reasons"], summary["provisional_reason"] = true, a.PublicReasons, reason
	}
	if err := audit.Record(ctx, tx, actor, "results.publish_final", "cycle", strconv.FormatInt(cycleID, 10), nil,
		summary); err != nil {
		return Status{}, err
	}
	return LoadStatus(ctx, tx, cycleID)
}

// finalReady checks the final results may be published now, but for the
// approvals and the provisional public scores, and computes them: the
// preliminary results are out, the final ones not in force, every review
// window closed, every application answered, every unit's result complete.
// The cycle's row must be locked.
func finalReady(ctx context.Context, tx pgx.Tx, loc *time.Location, now time.Time, cycleID int64, categoryOrder []string) (Status, Assessment, []string, error) {
	// The cycle's own categories order the publication (the server's
	// while the cycle has none set).
	categoryOrder, err := cycles.Categories(ctx, tx, cycleID, categoryOrder)
	if err != nil {
		return Status{}, Assessment{}, nil, err
	}
	st, err := LoadStatus(ctx, tx, cycleID)
	if err != nil {
		return Status{}, Assessment{}, nil, err
	}
	switch {
	case st.Preliminary == nil:
		return Status{}, Assessment{}, nil, apperr.New(apperr.Conflict, "尚未公布初步结果，须先公布初步结果并经过申请复核期")
	case st.IsFinal():
		return Status{}, Assessment{}, nil, apperr.New(apperr.Conflict, "最终结果已于"+st.Final.PublishedAt.In(loc).Format(time.DateOnly)+"公布；如需更正请先重新开启")
	}
	if err := windowsClosed(ctx, tx, loc, now, *st.Preliminary); err != nil {
		return Status{}, Assessment{}, nil, err
	}
	rows, _ := tx.Query(ctx, `SELECT u.name FROM assessment_appeals a JOIN units u ON u.id = a.unit_id
		WHERE a.cycle_id = $1 AND a.status = 'pending' ORDER BY a.id`, cycleID)
	pending, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return Status{}, Assessment{}, nil, db.Err(err)
	}
	if len(pending) > 0 {
		return Status{}, Assessment{}, nil, apperr.New(apperr.Conflict, fmt.Sprintf("尚有%d件复核申请未答复，不能公布最终结果：%s", len(pending), strings.Join(pending, "、")))
	}
	a, err := ComputeAll(ctx, tx, loc, now, cycleID, categoryOrder)
	if err != nil {
		return Status{}, Assessment{}, nil, err
	}
	if err := requireComplete(a); err != nil {
		return Status{}, Assessment{}, nil, err
	}
	return st, a, categoryOrder, nil
}

// Reopen ends the final results in force, with a reason, so the inputs
// may be corrected; the final results are then published again.
func Reopen(ctx context.Context, tx pgx.Tx, actor audit.Actor, now time.Time, cycleID int64, reason string) (Status, error) {
	reason = strings.TrimSpace(reason)
	if n := utf8.RuneCountInString(reason); n == 0 || n > 2000 {
		return Status{}, apperr.InvalidField("reason", "请填写重新开启的理由（不超过2000字）")
	}
	if err := lockCycle(ctx, tx, cycleID); err != nil {
		return Status{}, err
	}
	st, err := LoadStatus(ctx, tx, cycleID)
	if err != nil {
		return Status{}, err
	}
	if !st.IsFinal() {
		return Status{}, apperr.New(apperr.Conflict, "最终结果尚未公布，无需重新开启")
	}
	var by *int64
	if actor.ID != 0 {
		by = &actor.ID
	}
	if _, err := tx.Exec(ctx, `UPDATE assessment_publications SET reopened_at = $2, reopened_by = $3, reopen_reason = $4
		WHERE id = $1`, st.Final.ID, now, by, reason); err != nil {
		return Status{}, db.Err(err)
	}
	after, err := LoadStatus(ctx, tx, cycleID)
	if err != nil {
		return Status{}, err
	}
	return after, audit.Record(ctx, tx, actor, "results.reopen", "cycle", strconv.FormatInt(cycleID, 10), st.Final, after.Final)
}

// Published returns the stored lines of a publication by category, in
// ranking order.
func Published(ctx context.Context, q db.DBTX, publicationID int64, unitID *int64) ([]Category, error) {
	rows, _ := q.Query(ctx, `SELECT category, breakdown FROM assessment_results
		WHERE publication_id = $1 AND ($2::bigint IS NULL OR unit_id = $2) ORDER BY category, rank, unit_id`, publicationID, unitID)
	var cats []Category
	var cat string
	var raw []byte
	_, err := pgx.ForEachRow(rows, []any{&cat, &raw}, func() error {
		var l Line
		if err := json.Unmarshal(raw, &l); err != nil {
			return err
		}
		if len(cats) == 0 || cats[len(cats)-1].Name != cat {
			cats = append(cats, Category{Name: cat})
		}
		c := &cats[len(cats)-1]
		c.Units++
		c.Ranked++
		c.Lines = append(c.Lines, &l)
		return nil
	})
	if cats == nil {
		cats = []Category{}
	}
	return cats, db.Err(err)
}
