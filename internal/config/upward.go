package config

import (
	"fmt"
	"net/url"
	"os"
	"time"
)

// Bounds of the upward reporting's settings.
const (
	MinUpwardInterval = time.Second
	MaxUpwardInterval = time.Hour
	MaxUpwardBatch    = 5000
	MaxUpwardLag      = 10 * time.Minute
)

// UpwardOn reports whether upward reporting is configured.
func (c *Config) UpwardOn() bool { return c.UpwardURL != "" }

// validateUpward checks the UPWARD_* settings: with UPWARD_URL set, the
// key (exactly one of UPWARD_KEY_FILE and UPWARD_KEY) and both codes are
// required. The key itself is parsed at start (upward.ParsePrivateKey).
func (c *Config) validateUpward(bad func(name, format string, a ...any)) {
	if c.UpwardInterval < MinUpwardInterval || c.UpwardInterval > MaxUpwardInterval {
		bad("UPWARD_INTERVAL", "must be between %s and %s", MinUpwardInterval, MaxUpwardInterval)
	}
	if c.UpwardBatch < 1 || c.UpwardBatch > MaxUpwardBatch {
		bad("UPWARD_BATCH", "must be between 1 and %d", MaxUpwardBatch)
	}
	if c.UpwardLag < 0 || c.UpwardLag > MaxUpwardLag {
		bad("UPWARD_LAG", "must be between 0s and %s", MaxUpwardLag)
	}
	if !c.UpwardOn() {
		return
	}
	if u, err := url.Parse(c.UpwardURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		bad("UPWARD_URL", "must be an absolute http(s) URL")
	}
	if (c.UpwardKeyFile == "") == (c.UpwardKey == "") {
		bad("UPWARD_KEY_FILE", "set exactly one of UPWARD_KEY_FILE (a PEM file) and UPWARD_KEY (the PEM text) with UPWARD_URL")
	}
	if c.UpwardPlatform == "" {
		bad("UPWARD_PLATFORM", "must be set with UPWARD_URL (the platform code the province assigns)")
	}
	if c.UpwardSource == "" {
		bad("UPWARD_SOURCE", "must be set with UPWARD_URL (the data source code the province assigns)")
	}
}

// UpwardKeyPEM returns the SM2 private key's PEM text: UPWARD_KEY, or the
// file UPWARD_KEY_FILE names.
func (c *Config) UpwardKeyPEM() ([]byte, error) {
	if c.UpwardKey != "" {
		return []byte(c.UpwardKey), nil
	}
	b, err := os.ReadFile(c.UpwardKeyFile)
	if err != nil {
		return nil, fmt.Errorf("UPWARD_KEY_FILE: %w", err)
	}
	return b, nil
}
