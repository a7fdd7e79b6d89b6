package channels_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"minyi/internal/channels"
)

// mailbox is a real SMTP server (github.com/emersion/go-smtp) offering
// STARTTLS and AUTH PLAIN, keeping what it receives.
type mailbox struct {
	mu    sync.Mutex
	mails []received
	tls   []bool
}

type received struct {
	from string
	to   []string
	data []byte
}

type session struct {
	b        *mailbox
	c        *smtp.Conn
	authed   bool
	from     string
	to       []string
	user     string
	password string
}

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }
func (s *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != s.user || pass != s.password {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "bad credentials"}
		}
		s.authed = true
		return nil
	}), nil
}
func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if !s.authed {
		return &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "authenticate first"}
	}
	s.from = from
	return nil
}
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error { s.to = append(s.to, to); return nil }
func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	_, isTLS := s.c.TLSConnectionState()
	s.b.mu.Lock()
	s.b.mails = append(s.b.mails, received{s.from, s.to, b})
	s.b.tls = append(s.b.tls, isTLS)
	s.b.mu.Unlock()
	return nil
}
func (s *session) Reset()        { s.from, s.to = "", nil }
func (s *session) Logout() error { return nil }

// startMailbox serves SMTP on a local port with a certificate of its own
// and returns the address and a pool trusting that certificate.
func startMailbox(t *testing.T, b *mailbox) (host string, port int, roots *x509.CertPool) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "localhost"},
		DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, BasicConstraintsValid: true,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	roots = x509.NewCertPool()
	roots.AddCert(cert)
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &session{b: b, c: c, user: "office@example.gov.cn", password: "mail-pass"}, nil
	}))
	srv.Domain = "localhost"
	srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln) //nolint:errcheck
	t.Cleanup(func() { srv.Close() })
	return "localhost", ln.Addr().(*net.TCPAddr).Port, roots
}

// E-mail goes through a real SMTP server over STARTTLS with a login, and
// arrives with its subject, text and link readable; a wrong password is a
// final failure, an unreachable server a temporary one.
func TestEmailOverSTARTTLS(t *testing.T) {
	b := &mailbox{}
	host, port, roots := startMailbox(t, b)
	s := &channels.EmailSender{Host: host, Port: port, TLS: "starttls", Username: "office@example.gov.cn",
		Password: "mail-pass", From: "绩效办 <minyi@example.gov.cn>", TLSConfig: &tls.Config{RootCAs: roots, ServerName: "localhost"}}
	m := msg
	m.Email = "unit-a@example.gov.cn"
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	if len(b.mails) != 1 || !b.tls[0] || b.mails[0].from != "minyi@example.gov.cn" || b.mails[0].to[0] != "unit-a@example.gov.cn" {
		t.Fatalf("received %+v tls %v", b.mails, b.tls)
	}
	parsed, err := mail.ReadMessage(bytes.NewReader(b.mails[0].data))
	if err != nil {
		t.Fatal(err)
	}
	subject, _ := new(mime.WordDecoder).DecodeHeader(parsed.Header.Get("Subject"))
	var body []byte
	if strings.EqualFold(parsed.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		body, _ = io.ReadAll(quotedprintable.NewReader(parsed.Body))
	} else {
		body, _ = io.ReadAll(parsed.Body)
	}
	if subject != msg.Title || !strings.Contains(string(body), msg.Text) || !strings.Contains(string(body), msg.Link) ||
		parsed.Header.Get("X-Minyi-Delivery") != "d-42" {
		t.Fatalf("subject %q body %q headers %v", subject, body, parsed.Header)
	}

	wrong := *s
	wrong.Password = "nope"
	if err := wrong.Send(context.Background(), m); err == nil || channels.IsTemporary(err) {
		t.Fatalf("wrong password: %v", err)
	}
	// Nobody listening: temporary.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	down := *s
	down.Port, down.Timeout = closed, 3*time.Second
	if err := down.Send(context.Background(), m); !channels.IsTemporary(err) {
		t.Fatalf("server down: %v", err)
	}
	// STARTTLS required: a server that does not offer it gets nothing.
	plain := *s
	plain.TLSConfig = &tls.Config{RootCAs: x509.NewCertPool(), ServerName: "localhost"}
	if err := plain.Send(context.Background(), m); err == nil {
		t.Fatal("sent over a connection whose certificate is not trusted")
	} else if errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
	if len(b.mails) != 1 {
		t.Fatalf("%d mails after the failures", len(b.mails))
	}
}
