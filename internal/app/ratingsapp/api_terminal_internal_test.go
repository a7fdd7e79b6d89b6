package ratingsapp

import (
	"encoding/json"
	"testing"
)

// storedReply writes the all-stored terminal reply by hand for speed; it
// must stay byte for byte what encoding/json (and so c.JSON) would write.
func TestStoredReplyMatchesEncodingJSON(t *testing.T) {
	for _, results := range [][]terminalResult{
		{{ID: "r-1", Status: "created"}},
		{{ID: "T25-000101", Status: "created"}, {ID: "a.b_c:d-E9", Status: "duplicate"}, {ID: "x", Status: "created"}},
	} {
		accepted, duplicates := 0, 0
		for _, r := range results {
			if r.Status == "created" {
				accepted++
			} else {
				duplicates++
			}
		}
		want, err := json.Marshal(struct {
			Accepted   int              `json:"accepted"`
			Duplicates int              `json:"duplicates"`
			Rejected   int              `json:"rejected"`
			Results    []terminalResult `json:"results"`
		}{accepted, duplicates, 0, results})
		if err != nil {
			t.Fatal(err)
		}
		if got := storedReply(accepted, duplicates, results); string(got) != string(want) {
			t.Errorf("storedReply:\n got %s\nwant %s", got, want)
		}
	}
}
