package ratings

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"strings"
	"time"

	"github.com/google/uuid"

	"minyi/internal/apperr"
	"minyi/internal/db"
)

// A rating's reference (评价编号) is what a citizen reads out on a phone
// call or types into the tracking page: the local day of the rating and
// ten Crockford base32 characters, e.g. 20261203-1Q9ZK-4M7TX. It is derived
// from the rating's id, never stored: a QR rating's id is a version 7 UUID
// whose 48-bit time is the rating's rated_at (NewQRID), so the day and the
// millisecond within it locate the row's partition, and the 23 random bits
// that follow narrow the id to a range of 2^51 ids, in practice one row:
// a lookup is one probe of the partition's primary key (id, rated_at), at
// any number of ratings, with no column or index to add.
//
// The 50 bits after the day are the millisecond of the local day (27 bits)
// and 23 random bits of the id (the 12 of rand_a and the first 11 of
// rand_b). Someone guessing references of a known day, even within its
// eight working hours, hits an existing rating with a chance of about one
// in a billion (2^-30) per guess at a province's 150 000 ratings a day, and
// the pages that look references up are rate limited per address.

const (
	crockford   = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
	refDayChars = 8  // YYYYMMDD
	refChars    = 10 // 50 bits
	msBits      = 27
	randBits    = 23
	// maxMsOfDay allows a 25-hour local day (a zone leaving daylight
	// saving time).
	maxMsOfDay = 25 * 3600 * 1000
	// refSlack is how far a rating's rated_at may lie from its id's time:
	// none for NewQRID's ids, a few milliseconds for ids the writer made
	// before the QR form set them.
	refSlack = time.Minute
)

// NewQRID returns a version 7 UUID whose time is at (to the millisecond),
// with 74 random bits, so that the rating's reference derives from it.
func NewQRID(at time.Time) uuid.UUID {
	var u uuid.UUID
	if _, err := rand.Read(u[:]); err != nil {
		panic(err) // crypto/rand never fails on supported systems
	}
	var ms [8]byte
	binary.BigEndian.PutUint64(ms[:], uint64(at.UnixMilli()))
	copy(u[0:6], ms[2:8])
	u[6] = 0x70 | u[6]&0x0f
	u[8] = 0x80 | u[8]&0x3f
	return u
}

// Reference returns the reference of the rating with the id, its day in
// the time zone loc.
func Reference(id uuid.UUID, loc *time.Location) string {
	var ms [8]byte
	copy(ms[2:8], id[0:6])
	at := time.UnixMilli(int64(binary.BigEndian.Uint64(ms[:]))).In(loc)
	day := time.Date(at.Year(), at.Month(), at.Day(), 0, 0, 0, 0, loc)
	msOfDay := uint64(at.Sub(day).Milliseconds())
	randA := uint64(id[6]&0x0f)<<8 | uint64(id[7])
	randB := uint64(id[8]&0x3f)<<5 | uint64(id[9]>>3)
	v := msOfDay<<randBits | randA<<11 | randB
	var b [refChars]byte
	for i := refChars - 1; i >= 0; i-- {
		b[i] = crockford[v&31]
		v >>= 5
	}
	return day.Format("20060102") + "-" + string(b[:5]) + "-" + string(b[5:])
}

// RefRange is where a reference's rating lies: its id between Low and
// High and its rated_at from From to before To.
type RefRange struct {
	Reference string    // the reference in its canonical form
	Day       time.Time // its local day, midnight in the zone it was read in
	Low, High uuid.UUID
	From, To  time.Time
}

// ParseReference reads a reference as a citizen may type it: in either
// case, with or without hyphens and spaces, with O for 0 and I or L for 1.
// It returns invalid when it is not one.
func ParseReference(s string, loc *time.Location) (RefRange, error) {
	bad := apperr.New(apperr.Invalid, "评价编号格式不正确")
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch {
		case r == '-' || r == ' ' || r == '\u3000':
		case r == 'O':
			b.WriteByte('0')
		case r == 'I' || r == 'L':
			b.WriteByte('1')
		case r < 128:
			b.WriteRune(r)
		default:
			return RefRange{}, bad
		}
	}
	c := b.String()
	if len(c) != refDayChars+refChars {
		return RefRange{}, bad
	}
	day, err := time.ParseInLocation("20060102", c[:refDayChars], loc)
	if err != nil {
		return RefRange{}, bad
	}
	var v uint64
	for i := refDayChars; i < len(c); i++ {
		d := strings.IndexByte(crockford, c[i])
		if d < 0 {
			return RefRange{}, bad
		}
		v = v<<5 | uint64(d)
	}
	msOfDay := v >> randBits
	if msOfDay >= maxMsOfDay {
		return RefRange{}, bad
	}
	at := day.Add(time.Duration(msOfDay) * time.Millisecond)
	randA, randB := v>>11&0xfff, v&0x7ff
	var lo uuid.UUID
	var ms [8]byte
	binary.BigEndian.PutUint64(ms[:], uint64(at.UnixMilli()))
	copy(lo[0:6], ms[2:8])
	lo[6] = 0x70 | byte(randA>>8)
	lo[7] = byte(randA)
	lo[8] = 0x80 | byte(randB>>5)
	lo[9] = byte(randB&0x1f) << 3
	hi := lo
	hi[9] |= 0x07
	for i := 10; i < 16; i++ {
		hi[i] = 0xff
	}
	return RefRange{Reference: Reference(lo, loc), Day: day, Low: lo, High: hi, From: at.Add(-refSlack), To: at.Add(refSlack)}, nil
}

// RequestedRatingID returns the id of the rating stored for the client id
// of origin (0 for the QR form): the rating a repeated submission stands
// for. It returns not_found when there is none.
func RequestedRatingID(ctx context.Context, q db.DBTX, origin int64, clientID string) (uuid.UUID, error) {
	var id uuid.UUID
	err := q.QueryRow(ctx, `SELECT rating_id FROM rating_requests WHERE origin = $1 AND client_id = $2`,
		origin, clientID).Scan(&id)
	return id, db.Err(err)
}
