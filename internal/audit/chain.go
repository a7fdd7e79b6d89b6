package audit

// The audit log's hash chain (issue 19). Postgres links every entry when
// its transaction commits (migration 0040: a deferred trigger appends to
// audit_chain under the single head row's lock); this file recomputes the
// chain from the stored entries, independently of the database's own
// functions, so that a changed function cannot vouch for a changed entry.

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// HashSize is the length of a link's hash (SHA-256).
const HashSize = sha256.Size

// genesis is the hash the first link is chained to.
var genesis = make([]byte, HashSize)

// chained is one stored entry as the chain covers it.
type chained struct {
	ID       int64
	At       time.Time
	ActorID  *int64
	Actor    string
	Action   string
	Entity   string
	EntityID string
	Before   *string // jsonb's own text form
	After    *string
}

// bytes is the entry's canonical form, as minyi_audit_entry_bytes writes
// it: each field as its byte length, a colon and its text, "~" for NULL,
// one per line; the time in microseconds since 1970.
func (e chained) bytes() []byte {
	field := func(s *string) string {
		if s == nil {
			return "~"
		}
		return strconv.Itoa(len(*s)) + ":" + *s
	}
	str := func(s string) *string { return &s }
	var actorID *string
	if e.ActorID != nil {
		actorID = str(strconv.FormatInt(*e.ActorID, 10))
	}
	parts := []string{
		field(str(strconv.FormatInt(e.ID, 10))),
		field(str(strconv.FormatInt(e.At.UnixMicro(), 10))),
		field(actorID),
		field(&e.Actor), field(&e.Action), field(&e.Entity), field(&e.EntityID),
		field(e.Before), field(e.After),
	}
	return []byte(strings.Join(parts, "\n"))
}

// link is the hash of the link after prev for this entry.
func (e chained) link(prev []byte) []byte {
	h := sha256.New()
	h.Write(prev)
	h.Write(e.bytes())
	return h.Sum(nil)
}

// Checkpoint is the chain's head at one moment: every link up to Seq is
// fixed by Hash. An auditor who keeps it outside the system can later
// prove that nothing up to Seq changed.
type Checkpoint struct {
	Seq    int64     `json:"seq"`
	Hash   string    `json:"hash"` // hex
	MadeAt time.Time `json:"made_at"`
}

// String is the checkpoint as `minyi audit verify --checkpoint` takes it.
func (c Checkpoint) String() string { return strconv.FormatInt(c.Seq, 10) + ":" + c.Hash }

// ParseCheckpoint reads "SEQ:HEX", as Checkpoint.String writes it.
func ParseCheckpoint(s string) (Checkpoint, error) {
	seqText, hashText, ok := strings.Cut(strings.TrimSpace(s), ":")
	seq, err := strconv.ParseInt(seqText, 10, 64)
	if !ok || err != nil || seq < 1 {
		return Checkpoint{}, fmt.Errorf("checkpoint %q: want SEQ:HASH, e.g. 1024:9f86d0…", s)
	}
	h, err := hex.DecodeString(hashText)
	if err != nil || len(h) != HashSize {
		return Checkpoint{}, fmt.Errorf("checkpoint %q: the hash must be %d hexadecimal digits", s, 2*HashSize)
	}
	return Checkpoint{Seq: seq, Hash: hex.EncodeToString(h)}, nil
}
