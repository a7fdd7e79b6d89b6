// Package windowreq holds window evaluation requests (窗口评价请求): a
// business system (internal/bizsys) asks for a window's terminal to show
// the rating page of a case; the terminal receives the request (Next,
// woken through Redis by Wake/Hub), shows it, and posts the rating with
// the request's id, which binds the rating to the case, item, stage,
// staff member and applicant type. A request unanswered by its expiry is
// expired (Expire, run by the maintenance). The request lives in
// Postgres; nothing about it is kept in an instance's memory.
package windowreq

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/db"
	"minyi/internal/ratings"
)

// States of a request.
const (
	Waiting = "waiting" // created, no terminal has received it yet
	Shown   = "shown"   // a terminal received it and shows the rating page
	Rated   = "rated"   // the citizen rated; RatingID names the rating
	Expired = "expired" // nobody rated before ExpiresAt
)

// Request is one evaluation request; its JSON is what the business system
// reads (docs/api.md).
type Request struct {
	ID              uuid.UUID  `json:"id" db:"id"`
	SystemID        int64      `json:"-" db:"system_id"`
	ClientRequestID string     `json:"client_request_id" db:"client_request_id"`
	UnitID          int64      `json:"unit_id" db:"unit_id"`
	TerminalID      *int64     `json:"terminal_id" db:"terminal_id"`
	PointID         *int64     `json:"point_id" db:"point_id"`
	CaseNo          string     `json:"case_no" db:"case_no"`
	ItemCode        string     `json:"item_code" db:"item_code"`
	Stage           string     `json:"stage" db:"stage"`
	WindowNo        string     `json:"window" db:"window_no"`
	StaffNo         string     `json:"staff_no" db:"staff_no"`
	ApplicantType   int        `json:"applicant_type" db:"applicant_type"`
	PhoneMask       *string    `json:"phone_mask" db:"phone_mask"`
	State           string     `json:"state" db:"state"`
	ShownTerminalID *int64     `json:"-" db:"shown_terminal_id"`
	RatingID        *uuid.UUID `json:"rating_id" db:"rating_id"`
	CreatedAt       time.Time  `json:"created_at" db:"created_at"`
	ExpiresAt       time.Time  `json:"expires_at" db:"expires_at"`
	ShownAt         *time.Time `json:"shown_at" db:"shown_at"`
	RatedAt         *time.Time `json:"rated_at" db:"rated_at"`
	// InvitedAt is when the applicant was sent the SMS invitation.
	InvitedAt *time.Time `json:"invited_at" db:"invited_at"`
}

const columns = `id, system_id, client_request_id, unit_id, terminal_id, point_id, case_no, item_code, stage,
	window_no, staff_no, applicant_type, phone_mask, state, shown_terminal_id, rating_id, created_at, expires_at,
	shown_at, rated_at, invited_at`

// At returns the request as it stands at now: a waiting or shown request
// past its expiry is expired, whether or not the maintenance marked it yet.
func (r Request) At(now time.Time) Request {
	if (r.State == Waiting || r.State == Shown) && !now.Before(r.ExpiresAt) {
		r.State = Expired
	}
	return r
}

// Input is what a business system posts.
type Input struct {
	ClientRequestID string `json:"client_request_id"`
	CaseNo          string `json:"case_no"`
	ItemCode        string `json:"item_code"`
	Stage           string `json:"stage"`
	TerminalID      *int64 `json:"terminal_id"`
	PointID         *int64 `json:"point_id"`
	Window          string `json:"window"`
	StaffNo         string `json:"staff_no"`
	ApplicantType   int    `json:"applicant_type"`
	Phone           string `json:"phone"`
}

var clientIDRE = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,64}$`)

// Validate normalizes the input and returns an invalid error naming each
// bad field. Whether the item and stage exist is the catalogue's
// (internal/items), checked by Create.
func (in *Input) Validate() error {
	in.CaseNo, in.Window, in.StaffNo = strings.TrimSpace(in.CaseNo), strings.TrimSpace(in.Window), strings.TrimSpace(in.StaffNo)
	in.Phone = ratings.NormalizePhone(in.Phone)
	f := apperr.Fields{}
	if !clientIDRE.MatchString(in.ClientRequestID) {
		f.Add("client_request_id", "client_request_id 须为 1–64 位字母、数字或 . _ : -，同一请求重试时不变")
	}
	switch n := utf8.RuneCountInString(in.CaseNo); {
	case n == 0:
		f.Add("case_no", "请填写办件编号（case_no）")
	case n > 64:
		f.Add("case_no", "办件编号不能超过64个字符")
	}
	if (in.TerminalID == nil) == (in.PointID == nil) {
		f.Add("terminal_id", "须且只能指定 terminal_id（评价器）或 point_id（窗口）之一")
	}
	if utf8.RuneCountInString(in.Window) > 32 {
		f.Add("window", "窗口号不能超过32个字符")
	}
	if utf8.RuneCountInString(in.StaffNo) > 32 {
		f.Add("staff_no", "工号不能超过32个字符")
	}
	if in.Phone != "" && !ratings.ValidPhone(in.Phone) {
		f.Add("phone", "手机号码格式不正确")
	}
	dims := ratings.DimensionsInput{ItemCode: in.ItemCode, Stage: in.Stage, ApplicantType: in.ApplicantType}
	d := dims.Check(f, ratings.TerminalPF, ratings.PFPad)
	in.ItemCode, in.Stage = d.ItemCode, d.Stage
	return f.Err()
}

// Find returns the request with the id, or not_found.
func Find(ctx context.Context, q db.DBTX, id uuid.UUID) (Request, error) {
	rows, _ := q.Query(ctx, `SELECT `+columns+` FROM window_requests WHERE id = $1`, id)
	r, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Request])
	if err = db.Err(err); apperr.Is(err, apperr.NotFound) {
		return Request{}, apperr.New(apperr.NotFound, "评价请求不存在")
	}
	return r, err
}

// ParseID parses a request id from a path; a malformed one is not_found.
func ParseID(s string) (uuid.UUID, error) {
	id, err := uuid.Parse(s)
	if err != nil {
		return uuid.Nil, apperr.New(apperr.NotFound, "评价请求不存在")
	}
	return id, nil
}

// errNoRequest is Next's "nothing open for the terminal".
var errNoRequest = errors.New("no open request")

// IsNone reports whether err is Next's "no open request".
func IsNone(err error) bool { return errors.Is(err, errNoRequest) }
