package secure_test

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"

	"minyi/internal/secure"
)

func keys(t *testing.T, secret string) *secure.Keys {
	t.Helper()
	k, err := secure.NewKeys(secret)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestEncryptRoundTrip(t *testing.T) {
	k := keys(t, "first-secret-0123456789abcdef0123456789")
	for _, phone := range []string{"13812345678", "0791-88886666", "", "电话"} {
		sealed := k.Encrypt(phone)
		if phone != "" && bytes.Contains(sealed, []byte(phone)) {
			t.Errorf("ciphertext of %q contains the plaintext", phone)
		}
		got, err := k.Decrypt(sealed)
		if err != nil || got != phone {
			t.Errorf("Decrypt(Encrypt(%q)) = %q, %v", phone, got, err)
		}
	}
	a, b := k.Encrypt("13812345678"), k.Encrypt("13812345678")
	if bytes.Equal(a, b) {
		t.Error("two encryptions of the same number are equal; the nonce is not random")
	}
}

func TestDecryptRejectsForeignOrDamagedData(t *testing.T) {
	k := keys(t, "first-secret-0123456789abcdef0123456789")
	other := keys(t, "other-secret-0123456789abcdef012345678")
	sealed := k.Encrypt("13812345678")
	if _, err := other.Decrypt(sealed); err == nil {
		t.Error("a different key decrypted the phone number")
	}
	damaged := bytes.Clone(sealed)
	damaged[len(damaged)-1] ^= 1
	if _, err := k.Decrypt(damaged); err == nil {
		t.Error("a tampered ciphertext decrypted")
	}
	if _, err := k.Decrypt([]byte("short")); err == nil {
		t.Error("a too-short ciphertext decrypted")
	}
	if _, err := k.Decrypt(nil); err == nil {
		t.Error("an empty ciphertext decrypted")
	}
}

func TestHashIsKeyedAndUnambiguous(t *testing.T) {
	k := keys(t, "first-secret-0123456789abcdef0123456789")
	other := keys(t, "other-secret-0123456789abcdef012345678")
	h := k.Hash("client", "127.0.0.1")
	if len(h) != 32 {
		t.Fatalf("hash is %d bytes, want 32", len(h))
	}
	if !bytes.Equal(h, k.Hash("client", "127.0.0.1")) {
		t.Error("hash is not deterministic")
	}
	if bytes.Equal(h, other.Hash("client", "127.0.0.1")) {
		t.Error("hash does not depend on the secret")
	}
	if bytes.Contains(h, []byte("127.0.0.1")) {
		t.Error("hash contains the address")
	}
	if bytes.Equal(k.Hash("ab", "c"), k.Hash("a", "bc")) {
		t.Error(`Hash("ab","c") == Hash("a","bc"): parts are ambiguous`)
	}
	if bytes.Equal(k.Hash("client", "x"), k.Hash("phone", "x")) {
		t.Error("purposes share hashes")
	}
}

func TestToken(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		tok := secure.Token(16)
		raw, err := base64.RawURLEncoding.DecodeString(tok)
		if err != nil || len(raw) != 16 {
			t.Fatalf("Token(16) = %q: not 16 URL-safe base64 bytes (%v)", tok, err)
		}
		if seen[tok] {
			t.Fatalf("Token repeated %q", tok)
		}
		seen[tok] = true
	}
}

func TestPasswords(t *testing.T) {
	h, err := secure.HashPassword("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(h, "correct horse") {
		t.Error("hash contains the password")
	}
	if !secure.CheckPassword(h, "correct horse") {
		t.Error("right password refused")
	}
	for _, wrong := range []string{"", "correct horsE", "correct horse "} {
		if secure.CheckPassword(h, wrong) {
			t.Errorf("wrong password %q accepted", wrong)
		}
	}
	if secure.CheckPassword("not-a-hash", "correct horse") {
		t.Error("a malformed hash matched")
	}
}

func TestMaskPhone(t *testing.T) {
	tests := []struct{ in, want string }{
		{"13812345678", "138****5678"},
		{"138 1234 5678", "138****5678"},
		{"0791-88886666", "079*****6666"},
		{"12345", "****"},
		{"", "****"},
	}
	for _, tt := range tests {
		if got := secure.MaskPhone(tt.in); got != tt.want {
			t.Errorf("MaskPhone(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSHA256(t *testing.T) {
	if a, b := secure.SHA256("mt_a"), secure.SHA256("mt_b"); len(a) != 32 || bytes.Equal(a, b) {
		t.Errorf("SHA256 gives %d bytes; distinct inputs equal: %v", len(a), bytes.Equal(a, b))
	}
}
