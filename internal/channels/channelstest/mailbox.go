// Package channelstest runs real receivers for the outbound channels in
// tests: an SMTP server (github.com/emersion/go-smtp) with STARTTLS and a
// login, and an HTTP receiver that records what arrives.
package channelstest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"math/big"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"minyi/internal/channels"
)

// Mail is one message a Mailbox received.
type Mail struct {
	From string
	To   []string
	Data []byte
	// TLS reports whether it came over an encrypted connection.
	TLS bool
}

// Mailbox is a real SMTP server offering STARTTLS and AUTH PLAIN with one
// login (User, Password), keeping what it receives.
type Mailbox struct {
	Host, User, Password string
	Port                 int
	// Roots trusts the server's own certificate.
	Roots *x509.CertPool
	mu    sync.Mutex
	mails []Mail
}

// Mails returns what arrived so far.
func (b *Mailbox) Mails() []Mail {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]Mail(nil), b.mails...)
}

// Sender returns an e-mail sender for the mailbox, logging in, sending
// from from over STARTTLS.
func (b *Mailbox) Sender(from string) *channels.EmailSender {
	return &channels.EmailSender{Host: b.Host, Port: b.Port, TLS: "starttls", Username: b.User, Password: b.Password,
		From: from, TLSConfig: &tls.Config{RootCAs: b.Roots, ServerName: b.Host}}
}

type session struct {
	b      *Mailbox
	c      *smtp.Conn
	authed bool
	from   string
	to     []string
}

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }
func (s *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != s.b.User || pass != s.b.Password {
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
	s.b.mails = append(s.b.mails, Mail{From: s.from, To: s.to, Data: b, TLS: isTLS})
	s.b.mu.Unlock()
	return nil
}
func (s *session) Reset()        { s.from, s.to = "", nil }
func (s *session) Logout() error { return nil }

// StartMailbox serves SMTP on a local port with a certificate of its own
// until the test ends.
func StartMailbox(t testing.TB) *Mailbox {
	t.Helper()
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
	b := &Mailbox{Host: "localhost", User: "office@example.gov.cn", Password: "mail-pass", Roots: x509.NewCertPool()}
	b.Roots.AddCert(cert)
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &session{b: b, c: c}, nil
	}))
	srv.Domain = "localhost"
	srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b.Port = ln.Addr().(*net.TCPAddr).Port
	go srv.Serve(ln) //nolint:errcheck
	t.Cleanup(func() { srv.Close() })
	return b
}
