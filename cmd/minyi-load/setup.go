package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"strings"
	"time"
)

// fixture is what a load run needs from the server: terminal tokens for the
// terminal API and QR codes for the public page.
type fixture struct {
	Terminals []string `json:"terminals"`
	Codes     []string `json:"codes"`
}

func readFixture(path string) (fixture, error) {
	var f fixture
	b, err := os.ReadFile(path)
	if err != nil {
		return f, err
	}
	if err := json.Unmarshal(b, &f); err != nil {
		return f, fmt.Errorf("%s: %w", path, err)
	}
	return f, nil
}

// setupCmd signs in as an office user and creates units, one QR code each,
// and terminals spread over them through the public API, then writes the
// tokens and codes to the fixture file.
func setupCmd(args []string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("setup", flag.ContinueOnError)
	rawURL := fs.String("url", "http://127.0.0.1:8080", "server base URL (loopback only)")
	username := fs.String("username", "", "office user to sign in as (password on stdin)")
	nUnits := fs.Int("units", 8, "units to create (each has one QR code)")
	nTerms := fs.Int("terminals", 64, "terminals to create, spread over the units")
	out := fs.String("fixture", "", "file to write the tokens and codes to")
	if err := fs.Parse(args); err != nil {
		return err
	}
	base, err := checkTarget(*rawURL)
	if err != nil {
		return err
	}
	if *username == "" || *out == "" || *nUnits < 1 || *nUnits > 1000 || *nTerms < 1 || *nTerms > 10000 {
		return errors.New("setup needs -username, -fixture, 1–1000 -units and 1–10000 -terminals")
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	password := strings.TrimRight(line, "\r\n")

	jar, _ := cookiejar.New(nil)
	cl := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	api := func(path string, in, dst any, want int) error {
		b, _ := json.Marshal(in)
		res, err := cl.Post(base.String()+path, "application/json", bytes.NewReader(b))
		if err != nil {
			return err
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(io.LimitReader(res.Body, 1<<20))
		if res.StatusCode != want {
			return fmt.Errorf("POST %s: %d %s", path, res.StatusCode, body)
		}
		if dst != nil {
			return json.Unmarshal(body, dst)
		}
		return nil
	}
	if err := api("/api/v1/session", map[string]string{"username": *username, "password": password}, nil, http.StatusOK); err != nil {
		return fmt.Errorf("sign in: %w", err)
	}
	var fx fixture
	stamp := time.Now().Format("150405")
	unitIDs := make([]int64, 0, *nUnits)
	for i := range *nUnits {
		var u struct {
			ID int64 `json:"id"`
			QR struct {
				Code string `json:"code"`
			} `json:"qr"`
		}
		in := map[string]string{"name": fmt.Sprintf("压测单位%s-%03d", stamp, i+1), "category": "社会服务类"}
		if err := api("/api/v1/units", in, &u, http.StatusCreated); err != nil {
			return err
		}
		unitIDs = append(unitIDs, u.ID)
		fx.Codes = append(fx.Codes, u.QR.Code)
	}
	for i := range *nTerms {
		var t struct {
			Token string `json:"token"`
		}
		path := fmt.Sprintf("/api/v1/units/%d/terminals", unitIDs[i%len(unitIDs)])
		if err := api(path, map[string]string{"name": fmt.Sprintf("压测评价器-%04d", i+1)}, &t, http.StatusCreated); err != nil {
			return err
		}
		fx.Terminals = append(fx.Terminals, t.Token)
	}
	b, _ := json.MarshalIndent(fx, "", "  ")
	if err := os.WriteFile(*out, b, 0o600); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created %d units (QR codes) and %d terminals; fixture in %s\n", len(fx.Codes), len(fx.Terminals), *out)
	return nil
}
