package server_test

import (
	"net/http"
	"strings"
	"testing"
)

// instrumentFixtures opens a 部门互评 of the demo cycle (the demo unit
// account answers it) and takes the link of an invitee of the demo's
// provincial leaders' evaluation.
func (w *goldenWorld) instrumentFixtures(t *testing.T) {
	t.Helper()
	cy := w.p["cycle"]
	var peer goldenObj
	w.call(t, w.office, "POST", goldenAPI("/cycles/%s/instruments", cy), map[string]any{"key": "peer", "name": "部门互评",
		"purpose": "peer", "min_answers": 3}, http.StatusCreated, &peer)
	w.call(t, w.office, "POST", goldenAPI("/instruments/%s/open", peer.ID), nil, http.StatusOK, nil)
	w.p["instrument"] = peer.ID.String()
	var list goldenList
	w.call(t, w.office, "GET", goldenAPI("/cycles/%s/instruments", cy), nil, http.StatusOK, &list)
	for _, it := range list.Items {
		if goldenStr(it["key"]) != "leaders" {
			continue
		}
		link := w.first(t, goldenAPI("/instruments/%s/invitees", goldenStr(it["id"])), "link")
		w.p["etoken"] = link[strings.LastIndex(link, "/e/")+3:]
	}
	if w.p["etoken"] == "" {
		t.Fatal("fixture: the demo has no leaders' evaluation with an invitee")
	}
}
