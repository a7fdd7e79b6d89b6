// Package secure holds Minyi's small cryptographic helpers: random tokens,
// keyed hashes, encryption of phone numbers at rest and password hashing.
// Every key is derived from SECRET_KEY with HKDF, one key per purpose.
package secure

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"

	"golang.org/x/crypto/bcrypt"
)

// Keys are the per-purpose keys derived from the secret.
type Keys struct {
	hashKey []byte
	aead    cipher.AEAD
}

// NewKeys derives the keys from secret.
func NewKeys(secret string) (*Keys, error) {
	hk, err := hkdf.Key(sha256.New, []byte(secret), nil, "minyi hash v1", 32)
	if err != nil {
		return nil, err
	}
	ek, err := hkdf.Key(sha256.New, []byte(secret), nil, "minyi phone encryption v1", 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(ek)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Keys{hashKey: hk, aead: aead}, nil
}

// Hash returns the keyed hash (HMAC-SHA-256) of the parts, joined with a
// separator that cannot appear in them ambiguously.
func (k *Keys) Hash(parts ...string) []byte {
	m := hmac.New(sha256.New, k.hashKey)
	for _, p := range parts {
		m.Write([]byte(p))
		m.Write([]byte{0})
	}
	return m.Sum(nil)
}

// Encrypt seals plaintext with AES-GCM; the nonce leads the result.
func (k *Keys) Encrypt(plaintext string) []byte {
	nonce := make([]byte, k.aead.NonceSize())
	rand.Read(nonce)
	return k.aead.Seal(nonce, nonce, []byte(plaintext), nil)
}

// Decrypt opens what Encrypt sealed.
func (k *Keys) Decrypt(sealed []byte) (string, error) {
	n := k.aead.NonceSize()
	if len(sealed) < n {
		return "", errors.New("secure: ciphertext too short")
	}
	out, err := k.aead.Open(nil, sealed[:n], sealed[n:], nil)
	return string(out), err
}

// Token returns a random URL-safe token of n random bytes.
func Token(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// APIToken returns a new bearer token for a device or an agency: prefix and
// 32 random bytes; the hash to store and look it up by (SHA256); and the hint
// staff see to recognise it (the prefix and first characters).
func APIToken(prefix string) (token string, hash []byte, hint string) {
	token = prefix + Token(32)
	return token, SHA256(token), token[:7] + "…"
}

// SHA256 returns the plain SHA-256 of s, for looking up high-entropy tokens.
func SHA256(s string) []byte {
	sum := sha256.Sum256([]byte(s))
	return sum[:]
}

// HashPassword returns a bcrypt hash of password.
func HashPassword(password string) (string, error) {
	b, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	return string(b), err
}

// HashGeneratedPassword hashes a password made by the system with about
// 70 random bits (users.GeneratePassword) at bcrypt's lowest cost: the
// cost factor protects passwords people choose, which an attacker holding
// the hashes can guess from lists; a random one of that length cannot be
// searched at any cost. It keeps creating the accounts of a thousand units
// at once to a second or two. Such a password is temporary: the next
// sign-in replaces it with one hashed by HashPassword.
func HashGeneratedPassword(password string) (string, error) {
	b, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	return string(b), err
}

// CheckPassword reports whether password matches hash.
func CheckPassword(hash, password string) bool {
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
}

// MaskPhone shows the first three and last four digits of a phone number:
// 13812341234 → 138****1234.
func MaskPhone(phone string) string {
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, phone)
	if len(digits) < 8 {
		return "****"
	}
	return digits[:3] + strings.Repeat("*", len(digits)-7) + digits[len(digits)-4:]
}

// ShortHex is the first 16 bytes of a hash in hex: a compact key part for
// Redis keys and rate-limit names.
func ShortHex(b []byte) string { return hex.EncodeToString(b[:16]) }
