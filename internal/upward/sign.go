package upward

import (
	"crypto/ecdsa"
	"crypto/rand"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/smx509"
)

// SignatureHeader carries the SM2 signature of a batch's body: base64
// (standard, padded) of the DER signature (SEQUENCE of r and s) over the
// exact body bytes, digested with SM3 under the default user id
// 1234567812345678 (GB/T 35276-2017), as docs/api.md tells receivers.
const SignatureHeader = "X-Minyi-Signature"

// SignatureAlgHeader names the algorithm, so a receiver can refuse another.
const SignatureAlgHeader = "X-Minyi-Signature-Alg"

// SignatureAlg is the value of SignatureAlgHeader.
const SignatureAlg = "SM2-SM3"

// ErrKey is returned for a PEM text that holds no SM2 private key.
var ErrKey = errors.New("upward: not an SM2 private key (PEM \"PRIVATE KEY\" as openssl genpkey -algorithm SM2 writes, or \"EC PRIVATE KEY\")")

// ParsePrivateKey reads an SM2 private key from PEM: PKCS #8 ("PRIVATE
// KEY", what `openssl genpkey -algorithm SM2` writes) or SEC 1 ("EC
// PRIVATE KEY" on the SM2 curve). It returns ErrKey for anything else.
func ParsePrivateKey(pemText []byte) (*sm2.PrivateKey, error) {
	block, _ := pem.Decode(pemText)
	if block == nil {
		return nil, ErrKey
	}
	switch block.Type {
	case "PRIVATE KEY":
		k, err := smx509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrKey, err)
		}
		if sk, ok := k.(*sm2.PrivateKey); ok {
			return sk, nil
		}
	case "EC PRIVATE KEY":
		sk, err := smx509.ParseSM2PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrKey, err)
		}
		return sk, nil
	}
	return nil, ErrKey
}

// PublicKeyPEM writes the public half of key as a PEM "PUBLIC KEY"
// (SubjectPublicKeyInfo), the form the provincial platform registers.
func PublicKeyPEM(key *sm2.PrivateKey) ([]byte, error) {
	der, err := smx509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}

// ParsePublicKey reads a PEM "PUBLIC KEY" on the SM2 curve.
func ParsePublicKey(pemText []byte) (*ecdsa.PublicKey, error) {
	block, _ := pem.Decode(pemText)
	if block == nil || block.Type != "PUBLIC KEY" {
		return nil, errors.New("upward: not a PEM public key")
	}
	k, err := smx509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, err
	}
	pub, ok := k.(*ecdsa.PublicKey)
	if !ok || !sm2.IsSM2PublicKey(pub) {
		return nil, errors.New("upward: not an SM2 public key")
	}
	return pub, nil
}

// Sign is the value of SignatureHeader for body.
func Sign(key *sm2.PrivateKey, body []byte) (string, error) {
	sig, err := key.SignWithSM2(rand.Reader, nil, body)
	if err != nil {
		return "", fmt.Errorf("upward: sign: %w", err)
	}
	return base64.StdEncoding.EncodeToString(sig), nil
}

// Verify reports whether header is a valid signature of body by pub: what
// a receiver does (the test receiver does exactly this).
func Verify(pub *ecdsa.PublicKey, body []byte, header string) bool {
	sig, err := base64.StdEncoding.DecodeString(header)
	if err != nil {
		return false
	}
	return sm2.VerifyASN1WithSM2(pub, nil, body, sig)
}
