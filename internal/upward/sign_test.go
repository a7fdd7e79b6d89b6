package upward_test

import (
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"minyi/internal/upward"
)

// A key made by openssl (docs/operations.md) signs bodies that openssl
// verifies with the public key, under the default user id: what a
// platform's receiver built on another stack does.
func TestOpenSSLKeyAndSignatureInterop(t *testing.T) {
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("no openssl")
	}
	dir := t.TempDir()
	key, pub, body, sig := filepath.Join(dir, "sm2.pem"), filepath.Join(dir, "pub.pem"), filepath.Join(dir, "body"),
		filepath.Join(dir, "sig")
	run := func(args ...string) {
		t.Helper()
		if out, err := exec.Command("openssl", args...).CombinedOutput(); err != nil {
			t.Fatalf("openssl %v: %v\n%s", args, err, out)
		}
	}
	run("genpkey", "-algorithm", "SM2", "-out", key)
	run("pkey", "-in", key, "-pubout", "-out", pub)
	text, _ := os.ReadFile(key)
	k, err := upward.ParsePrivateKey(text)
	if err != nil {
		t.Fatal(err)
	}
	data := []byte(`{"platformCode":"PT","records":[{"writingEvaluation":"很好"}]}`)
	h, err := upward.Sign(k, data)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := base64.StdEncoding.DecodeString(h)
	os.WriteFile(body, data, 0o600)
	os.WriteFile(sig, der, 0o600)
	run("pkeyutl", "-verify", "-in", body, "-pubin", "-inkey", pub, "-sigfile", sig, "-rawin", "-digest", "sm3",
		"-pkeyopt", "distid:1234567812345678")
	// And the public key openssl wrote verifies with Verify.
	ptext, _ := os.ReadFile(pub)
	pk, err := upward.ParsePublicKey(ptext)
	if err != nil || !upward.Verify(pk, data, h) || upward.Verify(pk, append(data, ' '), h) {
		t.Errorf("Verify with openssl's public key: %v", err)
	}
}
