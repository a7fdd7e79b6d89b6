package ratings

import (
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
)

// inputCTE turns the batch's parameters into rows, one per rating, with
// its position in the batch as ord. Optional values arrive as "" or 0 and
// become NULL here, so that every parameter is a plain array pgx encodes
// without reflection.
const inputCTE = `input AS (
	SELECT t.id, t.origin, nullif(t.client_id, '') AS client_id, t.unit_id, nullif(t.point_id, 0) AS point_id,
		nullif(t.terminal_id, 0) AS terminal_id, t.channel, nullif(t.qr_code, '') AS qr_code, t.level,
		t.points::numeric AS points, t.reasons, t.comment, t.phone_enc, nullif(t.phone_mask, '') AS phone_mask,
		nullif(t.case_no, '') AS case_no, nullif(t.window_no, '') AS window_no, nullif(t.staff_no, '') AS staff_no,
		t.client_hash, t.rated_at, t.rate_checked, t.nmarks, nullif(t.item_code, '') AS item_code,
		nullif(t.stage, '') AS stage, nullif(t.pf, 0) AS pf, t.reason_codes, nullif(t.eva_version, '') AS eva_version,
		nullif(t.applicant_type, 0) AS applicant_type, t.ord
	FROM unnest($1::uuid[], $2::bigint[], $3::text[], $4::bigint[], $5::bigint[], $6::bigint[], $7::text[],
		$8::text[], $9::smallint[], $10::float8[], $11::text[], $12::text[], $13::bytea[], $14::text[], $15::text[],
		$16::text[], $17::text[], $18::bytea[], $19::timestamptz[], $20::bool[], $21::int[], $22::text[], $23::text[],
		$24::smallint[], $25::text[], $26::text[], $27::smallint[]) WITH ORDINALITY
	AS t(id, origin, client_id, unit_id, point_id, terminal_id, channel, qr_code, level, points, reasons, comment,
		phone_enc, phone_mask, case_no, window_no, staff_no, client_hash, rated_at, rate_checked, nmarks, item_code,
		stage, pf, reason_codes, eva_version, applicant_type, ord)
)`

// ratingArgs is the number of parameters inputCTE reads ($1–$27).
const ratingArgs = 27

// batchArgs lays a batch out as the parameters of insertSQL and fastSQL;
// touch lists the terminals whose last_seen_at may need refreshing, and
// ratings dated before cutoff are late (see lateCutoff). The daily caps of
// the ratings that have one come last (see capArgs).
func batchArgs(items []NewRating, touch []int64, cutoff time.Time) []any {
	n := len(items)
	var (
		ids                          = make([][16]byte, n)
		origins, unitIDs             = make([]int64, n), make([]int64, n)
		pointIDs, terminalIDs        = make([]int64, n), make([]int64, n)
		clientIDs, qrCodes, channels = make([]string, n), make([]string, n), make([]string, n)
		reasons, comments, phoneMask = make([]string, n), make([]string, n), make([]string, n)
		caseNo, win, staff           = make([]string, n), make([]string, n), make([]string, n)
		levels                       = make([]int16, n)
		points                       = make([]float64, n)
		phoneEnc, clientHash         = make(pgtype.FlatArray[[]byte], n), make(pgtype.FlatArray[[]byte], n)
		ratedAt                      = make([]time.Time, n)
		checked                      = make([]bool, n)
		nmarks                       = make([]int32, n)
		itemCode, stage, evaVersion  = make([]string, n), make([]string, n), make([]string, n)
		reasonCodes                  = make([]string, n)
		pf, applicant                = make([]int16, n), make([]int16, n)
		mRating                      [][16]byte
		mUnit                        []int64
		mDay                         []time.Time
		mKey                         pgtype.FlatArray[[]byte]
	)
	for i := range items {
		it := &items[i]
		ids[i], origins[i], unitIDs[i] = it.ID, it.Origin, it.UnitID
		if it.PointID != nil {
			pointIDs[i] = *it.PointID
		}
		if it.TerminalID != nil {
			terminalIDs[i] = *it.TerminalID
		}
		clientIDs[i], qrCodes[i], channels[i] = it.ClientID, it.QRCode, it.Channel
		reasons[i], comments[i], phoneMask[i] = strings.Join(it.Reasons, "\x1f"), it.Comment, it.PhoneMask
		caseNo[i], win[i], staff[i] = it.CaseNo, it.WindowNo, it.StaffNo
		levels[i], points[i] = int16(it.Level), it.Points
		phoneEnc[i], clientHash[i] = it.PhoneEnc, it.ClientHash
		ratedAt[i], checked[i], nmarks[i] = it.RatedAt, it.RateChecked, int32(len(it.Marks))
		d := &it.Dims
		itemCode[i], stage[i], evaVersion[i] = d.ItemCode, d.Stage, d.EvaVersion
		reasonCodes[i], pf[i], applicant[i] = strings.Join(d.ReasonCodes, "\x1f"), int16(d.PF), int16(d.ApplicantType)
		for _, m := range it.Marks {
			mRating, mUnit, mDay, mKey = append(mRating, it.ID), append(mUnit, it.UnitID), append(mDay, it.Day), append(mKey, m)
		}
	}
	args := []any{ids, origins, clientIDs, unitIDs, pointIDs, terminalIDs, channels, qrCodes, levels, points, reasons,
		comments, phoneEnc, phoneMask, caseNo, win, staff, clientHash, ratedAt, checked, nmarks,
		itemCode, stage, pf, reasonCodes, evaVersion, applicant, mRating, mUnit, mDay, mKey, touch, cutoff}
	return append(args, capArgs(items)...)
}
