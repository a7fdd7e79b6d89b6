package main

// notTimed are the GET routes of the staff's route groups left out, and
// why; TestCatalogueCoversRoutes fails when the route table has a GET
// route that is neither timed nor here.
var notTimed = map[string]string{
	// An inspection's file: one stored file read by id after the
	// inspection's row, as /console/evidence/:id (timed) reads it.
	"/console/inspections/:id/files/:file": "one stored file by id, as /console/evidence/:id",
	"/api/v1/inspections/:id/files/:file":  "one stored file by id, as /api/v1/evidence/:id",
	"/login":                               "the sign-in page, used to sign in",
	// One service item by its primary key (the bench's data has no items),
	// and a fixed CSV template that reads nothing.
	"/console/items/:id":      "one service item by its primary key",
	"/console/items/template": "a fixed CSV template; no query",
	// One online integration by its primary key and its few keys by
	// integration id (the bench's data has no integrations).
	"/console/rating-links/:id": "one online integration by its primary key, its keys by an index on integration_id",
	"/api/v1/rating-links/:id":  "one online integration by its primary key, its keys by an index on integration_id",
	// One business system by its primary key and its few tokens by
	// system id (the bench's data has no business systems).
	"/api/v1/business-systems/:id": "one business system by its primary key, its tokens by an index on system_id",
	// Its edit form: the system by primary key and the units list that
	// /console/business-systems (timed) also shows.
	"/console/business-systems/:id/edit": "one business system by its primary key and the units, as /console/business-systems",
	// Public, not the staff's: the signed rating link's page reads its key
	// by primary key and the unit's QR code, like /q/:code.
	"/l": "the citizens' signed rating link: a key by primary key, then the unit as /q/:code",
	// An agency's column mapping (issue 18): one row by its key, and the
	// mapping step of one uploaded file kept for it (a few kilobytes to
	// parse); neither grows with the ratings.
	"/api/v1/agencies/:id/mapping":            "one saved mapping by its key",
	"/console/agencies/:id/mappings/:file_id": "one kept upload's mapping step, by id",
	// Public, not the staff's: its one query finds the rating by a probe of
	// one partition's primary key (id range and rated_at window of the
	// reference; feedback.FindTracking), then the review and case by theirs
	// (0.2 ms with 1.5 million ratings, EXPLAIN ANALYZE), and the generated
	// ratings' random ids carry no reference to time it with.
	"/t/:reference": "the citizens' tracking page: one primary-key probe per table, see feedback.FindTracking",
	"/console/notifications/:id": "opens one notification: marks it read (a keyed update) and redirects to its link, " +
		"which is timed itself",
}
