package surveys

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/db"
	"minyi/internal/ratings"
	"minyi/internal/secure"
)

// Respondent statuses: invited (the link has not been used), started (an
// answer was saved), submitted.
const (
	RespondentInvited   = "invited"
	RespondentStarted   = "started"
	RespondentSubmitted = "submitted"
	// RespondentUnsubmitted is a filter: invited or started.
	RespondentUnsubmitted = "unsubmitted"
)

// Limits of a respondent's fields.
const (
	MaxName         = 50
	MaxOrganisation = 100
)

// usedMessage is what a used invitation link says.
const usedMessage = "此邀请链接已使用，问卷已提交，感谢您的参与"

// RespondentStatusLabel returns the Chinese name of a respondent status.
func RespondentStatusLabel(status string) string {
	switch status {
	case RespondentInvited:
		return "未作答"
	case RespondentStarted:
		return "已开始"
	case RespondentSubmitted:
		return "已提交"
	case RespondentUnsubmitted:
		return "未提交"
	}
	return status
}

// Respondent is a person invited to answer a survey.
type Respondent struct {
	ID           int64   `json:"id" db:"id"`
	SurveyID     int64   `json:"survey_id" db:"survey_id"`
	Name         string  `json:"name" db:"name"`
	GroupKey     string  `json:"group" db:"group_key"`
	Organisation string  `json:"organisation" db:"organisation"`
	PhoneMask    *string `json:"phone_mask" db:"phone_mask"`
	PhoneEnc     []byte  `json:"-" db:"phone_enc"`
	// UnitIDs are the units the respondent rates when the group does not
	// rate every unit; nil otherwise.
	UnitIDs     []int64    `json:"unit_ids" db:"unit_ids"`
	TokenEnc    []byte     `json:"-" db:"token_enc"`
	Status      string     `json:"status" db:"status"`
	StartedAt   *time.Time `json:"started_at" db:"started_at"`
	SubmittedAt *time.Time `json:"submitted_at" db:"submitted_at"`
	CreatedAt   time.Time  `json:"created_at" db:"created_at"`
}

const respondentColumns = `r.id, r.survey_id, r.name, r.group_key, r.organisation, r.phone_mask, r.phone_enc,
	r.unit_ids, r.token_enc, r.status, r.started_at, r.submitted_at, r.created_at`

// Token returns the respondent's invitation token.
func (r Respondent) Token(keys *secure.Keys) (string, error) { return keys.Decrypt(r.TokenEnc) }

// RespondentInput is one respondent as staff enter or import it.
type RespondentInput struct {
	Name         string `json:"name"`
	Group        string `json:"group"` // key or name of a group of the survey
	Organisation string `json:"organisation"`
	Phone        string `json:"phone"`
	// UnitIDs are required when the group rates a list per respondent.
	UnitIDs []int64 `json:"unit_ids"`
}

// normalize trims the input, resolves the group to its key and drops
// repeated units.
func (in *RespondentInput) normalize(s Survey) {
	in.Name = strings.TrimSpace(in.Name)
	in.Organisation = strings.TrimSpace(in.Organisation)
	in.Phone = ratings.NormalizePhone(strings.TrimSpace(in.Phone))
	if g, ok := s.Group(in.Group); ok {
		in.Group = g.Key
	} else {
		in.Group = strings.TrimSpace(in.Group)
	}
	var ids []int64
	for _, id := range in.UnitIDs {
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	in.UnitIDs = ids
}

// validate adds a message per bad field: name, group, organisation, phone,
// unit_ids. units holds the ids of existing units.
func (in RespondentInput) validate(s Survey, units map[int64]bool, f apperr.Fields) {
	if n := utf8.RuneCountInString(in.Name); n == 0 {
		f.Add("name", "请填写姓名")
	} else if n > MaxName {
		f.Add("name", "姓名不能超过50字")
	}
	g, ok := s.Group(in.Group)
	switch {
	case in.Group == "":
		f.Add("group", "请填写受访群体")
	case !ok:
		names := make([]string, len(s.Groups))
		for i, g := range s.Groups {
			names[i] = g.Name
		}
		f.Add("group", "受访群体“"+in.Group+"”未参与本问卷，须为："+strings.Join(names, "、"))
	}
	if utf8.RuneCountInString(in.Organisation) > MaxOrganisation {
		f.Add("organisation", "工作单位不能超过100字")
	}
	if in.Phone != "" && !ratings.ValidPhone(in.Phone) {
		f.Add("phone", "请填写正确的手机号码或固定电话")
	}
	if !ok {
		return
	}
	switch {
	case g.AllUnits && len(in.UnitIDs) > 0:
		f.Add("unit_ids", "“"+g.Name+"”评价全部单位，无需填写评价单位")
	case !g.AllUnits && len(in.UnitIDs) == 0:
		f.Add("unit_ids", "“"+g.Name+"”按名单评价，请填写该受访人评价的单位")
	}
	for _, id := range in.UnitIDs {
		if !units[id] {
			f.Add("unit_ids", fmt.Sprintf("评价单位（编号%d）不存在", id))
		}
	}
}

// dedupeKey is the keyed hash that makes adding the same person twice
// harmless.
func (in RespondentInput) dedupeKey(keys *secure.Keys) []byte {
	return keys.Hash("survey respondent", in.Group, in.Name, in.Organisation, in.Phone)
}

// insertRespondents stores the respondents, already normalized and valid,
// in one round trip; a respondent already in the survey is left as it is.
// It returns each one's row, in order, and whether it was added.
func insertRespondents(ctx context.Context, tx pgx.Tx, keys *secure.Keys, surveyID int64, list []RespondentInput) ([]Respondent, []bool, error) {
	const insert = `INSERT INTO survey_respondents AS r (survey_id, name, group_key, organisation, phone_enc, phone_mask,
			unit_ids, dedupe_key, token_hash, token_enc)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
		ON CONFLICT (survey_id, dedupe_key) DO NOTHING
		RETURNING ` + respondentColumns
	const existing = `SELECT ` + respondentColumns + ` FROM survey_respondents r WHERE r.survey_id = $1 AND r.dedupe_key = $2`
	b := &pgx.Batch{}
	for _, in := range list {
		var phoneEnc []byte
		var phoneMask *string
		if in.Phone != "" {
			phoneEnc, phoneMask = keys.Encrypt(in.Phone), ptr(secure.MaskPhone(in.Phone))
		}
		var unitIDs []int64
		if len(in.UnitIDs) > 0 {
			unitIDs = in.UnitIDs
		}
		token := secure.Token(24)
		dedupe := in.dedupeKey(keys)
		b.Queue(insert, surveyID, in.Name, in.Group, in.Organisation, phoneEnc, phoneMask, unitIDs, dedupe,
			secure.SHA256(token), keys.Encrypt(token))
		// Read after the insert, in the same batch: the added row or the one
		// that was there (or added earlier in this batch).
		b.Queue(existing, surveyID, dedupe)
	}
	res := tx.SendBatch(ctx, b)
	defer res.Close()
	out := make([]Respondent, len(list))
	added := make([]bool, len(list))
	for i := range list {
		rows, _ := res.Query()
		got, err := pgx.CollectRows(rows, pgx.RowToStructByName[Respondent])
		if err != nil {
			return nil, nil, db.Err(err)
		}
		added[i] = len(got) == 1
		rows, _ = res.Query()
		if out[i], err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Respondent]); err != nil {
			return nil, nil, db.Err(err)
		}
	}
	return out, added, db.Err(res.Close())
}

func ptr[T any](v T) *T { return &v }

// respondentAudit is what the audit log keeps of a respondent: no phone
// number beyond its mask and never the invitation token.
type respondentAudit struct {
	SurveyID     int64   `json:"survey_id"`
	Name         string  `json:"name"`
	Group        string  `json:"group"`
	Organisation string  `json:"organisation"`
	PhoneMask    *string `json:"phone_mask"`
	UnitIDs      []int64 `json:"unit_ids"`
}

func auditOf(r Respondent) respondentAudit {
	return respondentAudit{r.SurveyID, r.Name, r.GroupKey, r.Organisation, r.PhoneMask, r.UnitIDs}
}

// openForRespondents locks the survey against closing and returns it, or
// conflict when it is closed.
func openForRespondents(ctx context.Context, tx pgx.Tx, surveyID int64) (Survey, error) {
	s, err := lockSurvey(ctx, tx, surveyID, false)
	if err == nil && s.Status == StatusClosed {
		err = apperr.New(apperr.Conflict, "问卷已结束，不能再添加或删除受访人")
	}
	return s, err
}

// AddRespondent adds one respondent with a fresh invitation link and
// records it in the audit log. Adding the same person (same group, name,
// organisation and phone) again returns the one already there with added
// false and changes nothing. It returns not_found for an unknown survey,
// conflict for a closed one and invalid naming each bad field.
func AddRespondent(ctx context.Context, tx pgx.Tx, keys *secure.Keys, actor audit.Actor, surveyID int64, in RespondentInput) (Respondent, bool, error) {
	s, err := openForRespondents(ctx, tx, surveyID)
	if err != nil {
		return Respondent{}, false, err
	}
	units, err := loadUnitIndex(ctx, tx)
	if err != nil {
		return Respondent{}, false, err
	}
	in.normalize(s)
	f := apperr.Fields{}
	in.validate(s, units.ids, f)
	if err := f.Err(); err != nil {
		return Respondent{}, false, err
	}
	rs, added, err := insertRespondents(ctx, tx, keys, s.ID, []RespondentInput{in})
	if err != nil || !added[0] {
		return firstOr(rs), false, err
	}
	return rs[0], true, audit.Record(ctx, tx, actor, "survey.respondent_add", "survey_respondent",
		strconv.FormatInt(rs[0].ID, 10), nil, auditOf(rs[0]))
}

func firstOr(rs []Respondent) Respondent {
	if len(rs) == 0 {
		return Respondent{}
	}
	return rs[0]
}

// DeleteRespondent removes a respondent who has not submitted, with any
// saved answers, and records it in the audit log. It returns not_found for
// an unknown respondent and conflict once the respondent has submitted or
// the survey is closed.
func DeleteRespondent(ctx context.Context, tx pgx.Tx, actor audit.Actor, surveyID, id int64) error {
	// The respondent first, then the survey: the order submission locks them in.
	r, err := lockRespondent(ctx, tx, `r.survey_id = $1 AND r.id = $2`, surveyID, id)
	if err != nil {
		return notFound(err, "受访人不存在")
	}
	if r.Status == RespondentSubmitted {
		return apperr.New(apperr.Conflict, "该受访人已提交问卷，不能删除")
	}
	if _, err := openForRespondents(ctx, tx, surveyID); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM survey_respondents WHERE id = $1`, id); err != nil {
		return db.Err(err)
	}
	return audit.Record(ctx, tx, actor, "survey.respondent_delete", "survey_respondent", strconv.FormatInt(id, 10), auditOf(r), nil)
}

// lockRespondent locks and returns the respondent matching where.
func lockRespondent(ctx context.Context, tx pgx.Tx, where string, args ...any) (Respondent, error) {
	rows, _ := tx.Query(ctx, `SELECT `+respondentColumns+` FROM survey_respondents r WHERE `+where+` FOR UPDATE`, args...)
	r, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Respondent])
	return r, db.Err(err)
}

// FindRespondent returns a respondent of the survey, or not_found.
func FindRespondent(ctx context.Context, q db.DBTX, surveyID, id int64) (Respondent, error) {
	rows, _ := q.Query(ctx, `SELECT `+respondentColumns+` FROM survey_respondents r WHERE r.survey_id = $1 AND r.id = $2`, surveyID, id)
	r, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Respondent])
	if err != nil {
		return Respondent{}, notFound(db.Err(err), "受访人不存在")
	}
	return r, nil
}

// RespondentFilter selects respondents of a survey. Status is one of the
// respondent statuses or RespondentUnsubmitted; Search matches the name or
// organisation. All lifts the page limit (for exports and letters).
type RespondentFilter struct {
	Group, Status, Search string
	ID                    int64
	Limit, Offset         int
	All                   bool
}

// MaxExport is the most respondents an export or a print of letters holds.
const MaxExport = 20000

// Validate returns invalid for an unknown status (field status).
func (f RespondentFilter) Validate() error {
	switch f.Status {
	case "", RespondentInvited, RespondentStarted, RespondentSubmitted, RespondentUnsubmitted:
		return nil
	}
	return apperr.InvalidField("status", "状态须为 invited、started、submitted 或 unsubmitted")
}

// ListRespondents returns the survey's respondents in the order they were
// added, and how many match in all.
func ListRespondents(ctx context.Context, q db.DBTX, surveyID int64, f RespondentFilter) ([]Respondent, int, error) {
	if err := f.Validate(); err != nil {
		return nil, 0, err
	}
	limit := pageLimit(f.Limit)
	if f.All {
		limit, f.Offset = MaxExport, 0
	}
	type row struct {
		Respondent
		Total int `db:"total"`
	}
	const sql = `SELECT ` + respondentColumns + `, count(*) OVER () AS total
		FROM survey_respondents r
		WHERE r.survey_id = $1 AND ($2 = '' OR r.group_key = $2)
			AND ($3 = '' OR r.status = $3 OR ($3 = 'unsubmitted' AND r.status <> 'submitted'))
			AND ($4 = '' OR strpos(r.name, $4) > 0 OR strpos(r.organisation, $4) > 0)
			AND ($5::bigint = 0 OR r.id = $5)
		ORDER BY r.id LIMIT $6 OFFSET $7`
	rows, _ := q.Query(ctx, sql, surveyID, f.Group, f.Status, strings.TrimSpace(f.Search), f.ID, limit, f.Offset)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[row])
	if err != nil {
		return nil, 0, db.Err(err)
	}
	out := make([]Respondent, len(list))
	total := 0
	for i, r := range list {
		out[i], total = r.Respondent, r.Total
	}
	return out, total, nil
}

// GroupProgress counts a group's respondents by status.
type GroupProgress struct {
	Key       string `json:"group"`
	Name      string `json:"name"`
	Invited   int    `json:"invited"`
	Started   int    `json:"started"`
	Submitted int    `json:"submitted"`
	Total     int    `json:"total"`
}

// Progress counts the survey's respondents per group taking part, in the
// survey's group order, with the sum over all groups.
func Progress(ctx context.Context, q db.DBTX, s Survey) ([]GroupProgress, GroupProgress, error) {
	rows, _ := q.Query(ctx, `SELECT group_key, status, count(*) FROM survey_respondents
		WHERE survey_id = $1 GROUP BY group_key, status`, s.ID)
	index := map[string]int{}
	out := make([]GroupProgress, len(s.Groups))
	for i, g := range s.Groups {
		out[i] = GroupProgress{Key: g.Key, Name: g.Name}
		index[g.Key] = i
	}
	var key, status string
	var n int
	_, err := pgx.ForEachRow(rows, []any{&key, &status, &n}, func() error {
		i, ok := index[key]
		if !ok {
			i = len(out)
			out = append(out, GroupProgress{Key: key, Name: key})
			index[key] = i
		}
		p := &out[i]
		switch status {
		case RespondentInvited:
			p.Invited += n
		case RespondentStarted:
			p.Started += n
		case RespondentSubmitted:
			p.Submitted += n
		}
		p.Total += n
		return nil
	})
	if err != nil {
		return nil, GroupProgress{}, db.Err(err)
	}
	sum := GroupProgress{Name: "合计"}
	for _, p := range out {
		sum.Invited += p.Invited
		sum.Started += p.Started
		sum.Submitted += p.Submitted
		sum.Total += p.Total
	}
	return out, sum, nil
}
