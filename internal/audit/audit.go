// Package audit writes and reads the audit log: who changed what, when, with
// the state before and after.
package audit

import (
	"context"
	"encoding/json"
	"time"

	"minyi/internal/db"
)

// Actor is who made a change.
type Actor struct {
	ID   int64
	Name string
}

// System is the actor for changes made by the program itself (demo, CLI).
var System = Actor{Name: "system"}

// Entry is one audit record.
type Entry struct {
	ID       int64           `json:"id" db:"id"`
	At       time.Time       `json:"at" db:"at"`
	ActorID  *int64          `json:"actor_id" db:"actor_id"`
	Actor    string          `json:"actor" db:"actor"`
	Action   string          `json:"action" db:"action"`
	Entity   string          `json:"entity" db:"entity"`
	EntityID string          `json:"entity_id" db:"entity_id"`
	Before   json.RawMessage `json:"before" db:"before"`
	After    json.RawMessage `json:"after" db:"after"`
}

// Record writes one entry; before and after are marshalled to JSON (nil
// stays NULL). An action without a label in labels.go is refused with an
// error: the log shows every action in words.
func Record(ctx context.Context, q db.DBTX, actor Actor, action, entity, entityID string, before, after any) error {
	if _, ok := actionLabels[action]; !ok {
		return errUnlabelled(action)
	}
	const sql = `INSERT INTO audit_log (actor_id, actor, action, entity, entity_id, before, after)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`
	var actorID *int64
	if actor.ID != 0 {
		actorID = &actor.ID
	}
	b, err := toJSON(before)
	if err != nil {
		return err
	}
	a, err := toJSON(after)
	if err != nil {
		return err
	}
	_, err = q.Exec(ctx, sql, actorID, actor.Name, action, entity, entityID, b, a)
	return db.Err(err)
}

func toJSON(v any) ([]byte, error) {
	if v == nil {
		return nil, nil
	}
	return json.Marshal(v)
}
