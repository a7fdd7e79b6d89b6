package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Upward reporting is off by default; with UPWARD_URL it needs one key and
// both codes, and the key's PEM comes from the file or the variable.
func TestUpwardSettings(t *testing.T) {
	c, err := load(map[string]string{"SECRET_KEY": goodSecret})
	if err != nil || c.UpwardOn() || c.UpwardBatch != 500 || c.UpwardInterval.String() != "30s" {
		t.Fatalf("defaults: %v %+v", err, c)
	}
	_, err = load(map[string]string{"SECRET_KEY": goodSecret, "UPWARD_URL": "ftp://x", "UPWARD_BATCH": "0"})
	for _, want := range []string{"UPWARD_URL", "UPWARD_KEY_FILE", "UPWARD_PLATFORM", "UPWARD_SOURCE", "UPWARD_BATCH"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not name %s", err, want)
		}
	}
	file := filepath.Join(t.TempDir(), "sm2.pem")
	os.WriteFile(file, []byte("-----BEGIN PRIVATE KEY-----\n"), 0o600)
	c, err = load(map[string]string{"SECRET_KEY": goodSecret, "UPWARD_URL": "https://hcp.example.gov.cn/receive",
		"UPWARD_KEY_FILE": file, "UPWARD_PLATFORM": "PT34", "UPWARD_SOURCE": "DS34"})
	if err != nil || !c.UpwardOn() {
		t.Fatalf("complete settings refused: %v", err)
	}
	if pem, err := c.UpwardKeyPEM(); err != nil || !strings.HasPrefix(string(pem), "-----BEGIN") {
		t.Errorf("key file: %q %v", pem, err)
	}
	c.UpwardKey = "secret pem text"
	if s := c.String(); strings.Contains(s, "secret pem text") || !strings.Contains(s, "UPWARD_KEY=****") {
		t.Errorf("the key is not masked: %s", s)
	}
}
