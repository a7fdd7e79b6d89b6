package httpx

import "time"

// TokenTable is a list of bearer tokens with their state and a form to
// revoke each, as the "token-table" block (web/templates/partials/tokens.html)
// shows it: a unit's service-hall terminals and a survey agency's API tokens.
// The words that differ between the lists are data; so are the columns only
// one of them has (Lead).
type TokenTable struct {
	// Lead are the headers of columns before the token's, filled from each
	// row's Lead (a terminal's name and service point).
	Lead []string
	// Active is the status of a token in use (正常, 有效).
	Active string
	// ShowRevokedAt adds the time of revocation to a revoked token's status.
	ShowRevokedAt bool
	// LastUsed heads the column of the last use; NeverUsed stands in it for a
	// token never used; LastUsedSmall sets that column in small type.
	LastUsed      string
	NeverUsed     string
	LastUsedSmall bool
	// Created heads the column of the time the token was issued.
	Created string
	// Empty is shown instead of the table when there are no rows.
	Empty string
	CSRF  string
	Rows  []TokenRow
}

// TokenRow is one token of a TokenTable.
type TokenRow struct {
	// Lead are the cells of the table's Lead columns; an empty one shows a dash.
	Lead      []string
	Hint      string // the token's first characters, never the token
	CreatedAt time.Time
	LastUsed  *time.Time
	RevokedAt *time.Time
	// RevokeURL is the revoke form's action, and Confirm the question the
	// browser asks before posting it; with no RevokeURL (a revoked token, a
	// user who may not revoke it) the row has no form.
	RevokeURL string
	Confirm   string
}
