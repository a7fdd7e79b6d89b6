package windowreq

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/bizsys"
	"minyi/internal/db"
	"minyi/internal/items"
	"minyi/internal/secure"
)

// target is where a request is shown: its unit, and the window whose
// terminals may receive it.
type target struct {
	unitID  int64
	pointID *int64
}

// resolveTarget finds the unit of the named terminal or window. It returns
// not_found for an unknown or revoked terminal or an unknown window, and
// forbidden for one of a unit the system may not act for.
func resolveTarget(ctx context.Context, q db.DBTX, sys bizsys.System, in Input) (target, error) {
	var t target
	var err error
	if in.TerminalID != nil {
		err = q.QueryRow(ctx, `SELECT unit_id, point_id FROM terminals WHERE id = $1 AND revoked_at IS NULL`,
			*in.TerminalID).Scan(&t.unitID, &t.pointID)
		if err = db.Err(err); apperr.Is(err, apperr.NotFound) {
			return t, apperr.New(apperr.NotFound, "评价器不存在或已吊销（terminal_id）")
		}
	} else {
		err = q.QueryRow(ctx, `SELECT unit_id FROM service_points WHERE id = $1`, *in.PointID).Scan(&t.unitID)
		t.pointID = in.PointID
		if err = db.Err(err); apperr.Is(err, apperr.NotFound) {
			return t, apperr.New(apperr.NotFound, "窗口不存在（point_id）")
		}
	}
	if err != nil {
		return t, err
	}
	if !sys.MayAct(t.unitID) {
		return t, apperr.New(apperr.Forbidden, "该评价器或窗口所属单位不在本业务系统的授权范围内")
	}
	return t, nil
}

// Create stores the system's request, which expires ttl after now, and
// returns it with true; a retry with the same client_request_id returns
// the stored request, unchanged, with false. It returns invalid for bad
// input or an item or stage the unit's catalogue refuses, not_found for
// an unknown terminal or window, forbidden for one outside the system's
// units, and conflict for a case the unit already has a rating of at the
// stage. The phone, if any, is stored sealed with keys.
func Create(ctx context.Context, tx pgx.Tx, keys *secure.Keys, sys bizsys.System, in Input, ttl time.Duration,
	now time.Time) (Request, bool, error) {
	if r, err := findByClientID(ctx, tx, sys.ID, in.ClientRequestID); err == nil || !apperr.Is(err, apperr.NotFound) {
		return r, false, err
	}
	if err := in.Validate(); err != nil {
		return Request{}, false, err
	}
	t, err := resolveTarget(ctx, tx, sys, in)
	if err != nil {
		return Request{}, false, err
	}
	known, err := items.Lookup(ctx, tx, t.unitID, []string{in.ItemCode}, []string{in.Stage})
	if err != nil {
		return Request{}, false, err
	}
	if f := known.Problem(in.ItemCode, in.Stage, now); f != nil {
		return Request{}, false, &apperr.Error{Code: apperr.Invalid, Message: "事项或办理环节不正确", Fields: f}
	}
	var rated bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM rating_cases WHERE unit_id = $1 AND case_no = $2 AND stage = $3)`,
		t.unitID, in.CaseNo, in.Stage).Scan(&rated); err != nil {
		return Request{}, false, db.Err(err)
	}
	if rated {
		return Request{}, false, &apperr.Error{Code: apperr.Conflict, Message: "该办件已评价",
			Fields: map[string]string{"case_no": "本单位已有该办件编号（" + in.CaseNo + "）在该环节的评价"}}
	}
	var phoneEnc []byte
	var phoneMask *string
	if in.Phone != "" {
		m := secure.MaskPhone(in.Phone)
		phoneEnc, phoneMask = keys.Encrypt(in.Phone), &m
	}
	var pointID *int64
	if in.PointID != nil {
		pointID = t.pointID
	}
	rows, _ := tx.Query(ctx, `INSERT INTO window_requests (system_id, client_request_id, unit_id, terminal_id, point_id,
			case_no, item_code, stage, window_no, staff_no, applicant_type, phone_enc, phone_mask, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
		ON CONFLICT (system_id, client_request_id) DO NOTHING
		RETURNING `+columns,
		sys.ID, in.ClientRequestID, t.unitID, in.TerminalID, pointID, in.CaseNo, in.ItemCode, in.Stage, in.Window,
		in.StaffNo, in.ApplicantType, phoneEnc, phoneMask, now, now.Add(ttl))
	r, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Request])
	if err = db.Err(err); apperr.Is(err, apperr.NotFound) {
		// A concurrent retry inserted it first.
		r, err = findByClientID(ctx, tx, sys.ID, in.ClientRequestID)
		return r, false, err
	}
	return r, err == nil, err
}

func findByClientID(ctx context.Context, q db.DBTX, systemID int64, clientID string) (Request, error) {
	rows, _ := q.Query(ctx, `SELECT `+columns+` FROM window_requests WHERE system_id = $1 AND client_request_id = $2`,
		systemID, clientID)
	r, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Request])
	return r, db.Err(err)
}

// Next returns the oldest open request for the terminal (addressed to it,
// or to its window, pointID) and marks it shown by the terminal. A request
// the terminal was already shown is returned again (the terminal may have
// restarted); one shown on another terminal of the window is not. It
// returns an error IsNone reports for when there is none. The claim is a
// single statement with SKIP LOCKED, so two terminals of one window never
// both take a request.
func Next(ctx context.Context, q db.DBTX, terminalID int64, pointID *int64, now time.Time) (Request, error) {
	rows, _ := q.Query(ctx, `WITH next AS (
			SELECT id FROM window_requests
			WHERE state IN ('waiting', 'shown') AND expires_at > $3
			  AND (terminal_id = $1 OR (point_id = $2 AND terminal_id IS NULL))
			  AND (state = 'waiting' OR shown_terminal_id = $1)
			ORDER BY created_at LIMIT 1
			FOR UPDATE SKIP LOCKED)
		UPDATE window_requests w SET state = 'shown', shown_terminal_id = $1, shown_at = coalesce(w.shown_at, $3)
		FROM next WHERE w.id = next.id
		RETURNING `+prefixed("w."), terminalID, pointID, now)
	r, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Request])
	if err = db.Err(err); apperr.Is(err, apperr.NotFound) {
		return Request{}, errNoRequest
	}
	return r, err
}

// ForTerminal returns the request the terminal may rate: one addressed to
// it or to its window and not shown on another terminal. It returns
// not_found otherwise, and conflict for an expired one.
func ForTerminal(ctx context.Context, q db.DBTX, id uuid.UUID, terminalID int64, pointID *int64, now time.Time) (Request, error) {
	r, err := Find(ctx, q, id)
	if err != nil {
		return Request{}, err
	}
	mine := (r.TerminalID != nil && *r.TerminalID == terminalID) ||
		(r.TerminalID == nil && pointID != nil && r.PointID != nil && *r.PointID == *pointID)
	if !mine || (r.ShownTerminalID != nil && *r.ShownTerminalID != terminalID) {
		return Request{}, apperr.New(apperr.NotFound, "评价请求不存在")
	}
	if r.At(now).State == Expired {
		return Request{}, apperr.New(apperr.Conflict, "评价请求已过期，请由窗口重新发起")
	}
	return r, nil
}

// MarkRated records that the request was answered by the rating. Marking
// an answered request again is harmless (a replay); its first rating
// stays.
func MarkRated(ctx context.Context, q db.DBTX, id, ratingID uuid.UUID, now time.Time) (Request, error) {
	rows, _ := q.Query(ctx, `UPDATE window_requests SET state = 'rated', rating_id = coalesce(rating_id, $2),
			rated_at = coalesce(rated_at, $3)
		WHERE id = $1 RETURNING `+columns, id, ratingID, now)
	r, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Request])
	return r, db.Err(err)
}

// Expire marks the open requests past their expiry expired and returns
// how many it marked.
func Expire(ctx context.Context, q db.DBTX, now time.Time) (int64, error) {
	tag, err := q.Exec(ctx, `UPDATE window_requests SET state = 'expired', expired_at = $1
		WHERE state IN ('waiting', 'shown') AND expires_at <= $1`, now)
	return tag.RowsAffected(), db.Err(err)
}

// KeepRequests is how long a window request is kept after it was made:
// long past its expiry and its invitation link (72 h), and short enough
// that an applicant's mobile number does not stay for years.
const KeepRequests = 90 * 24 * time.Hour

// Prune deletes, a batch of at most 10,000 at a time, the requests made
// before now − KeepRequests that are no longer open (rated or expired),
// and returns how many it deleted. The ratings they led to stay, with
// their case, item, stage and staff.
func Prune(ctx context.Context, q db.DBTX, now time.Time) (int64, error) {
	var total int64
	for {
		tag, err := q.Exec(ctx, `DELETE FROM window_requests WHERE id IN (SELECT id FROM window_requests
			WHERE created_at < $1 AND (state IN ('rated', 'expired') OR expires_at <= $2) LIMIT 10000)`,
			now.Add(-KeepRequests), now)
		if err != nil {
			return total, db.Err(err)
		}
		total += tag.RowsAffected()
		if tag.RowsAffected() < 10000 {
			return total, nil
		}
	}
}

// RatingOf returns the id of the rating stored under the idempotency key
// (origin, clientID) — the rating a replayed request's rating duplicates —
// or not_found.
func RatingOf(ctx context.Context, q db.DBTX, origin int64, clientID string) (uuid.UUID, error) {
	var id uuid.UUID
	err := q.QueryRow(ctx, `SELECT rating_id FROM rating_requests WHERE origin = $1 AND client_id = $2`,
		origin, clientID).Scan(&id)
	return id, db.Err(err)
}

// RatingClientID is the idempotency key of the rating that answers the
// request: one rating per request, whatever the terminal re-sends.
func RatingClientID(id uuid.UUID) string { return "wr:" + id.String() }
