package channels_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"testing"
	"time"

	"minyi/internal/channels"
	"minyi/internal/channels/channelstest"
)

// E-mail goes through a real SMTP server over STARTTLS with a login, and
// arrives with its subject, text and link readable; a wrong password is a
// final failure, an unreachable server a temporary one.
func TestEmailOverSTARTTLS(t *testing.T) {
	b := channelstest.StartMailbox(t)
	s := b.Sender("绩效办 <minyi@example.gov.cn>")
	m := msg
	m.Email = "unit-a@example.gov.cn"
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	mails := b.Mails()
	if len(mails) != 1 || !mails[0].TLS || mails[0].From != "minyi@example.gov.cn" || mails[0].To[0] != "unit-a@example.gov.cn" {
		t.Fatalf("received %+v", mails)
	}
	parsed, err := mail.ReadMessage(bytes.NewReader(mails[0].Data))
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
		parsed.Header.Get("X-Minyi-Delivery") != "d-42" || parsed.Header.Get("Message-ID") != "<minyi-delivery-d-42@example.gov.cn>" {
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
	if n := len(b.Mails()); n != 1 {
		t.Fatalf("%d mails after the failures", n)
	}
}
