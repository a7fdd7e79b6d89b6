package channels

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/textproto"
	"strings"
	"time"

	"github.com/wneessen/go-mail"
)

// EmailSender sends e-mail through the office's SMTP server (an 政务邮箱
// relay, usually port 587 with STARTTLS and a login). It uses
// github.com/wneessen/go-mail, a maintained client that does STARTTLS,
// implicit TLS and the SMTP AUTH mechanisms, rather than net/smtp, which
// is frozen.
type EmailSender struct {
	Host string
	Port int
	// TLS is "starttls" (required, the default), "tls" (implicit TLS,
	// port 465) or "none" (a relay on a trusted network only).
	TLS      string
	Username string
	Password string
	From     string
	// TLSConfig overrides the TLS settings (tests trust their own CA).
	TLSConfig *tls.Config
	Timeout   time.Duration
}

// Channel is Email.
func (s *EmailSender) Channel() string { return Email }

// Send mails m to m.Email as plain text, the title as subject.
func (s *EmailSender) Send(ctx context.Context, m Message) error {
	if m.Email == "" {
		return errors.New("email: no address")
	}
	msg := mail.NewMsg()
	if err := msg.From(s.From); err != nil {
		return fmt.Errorf("email: from %q: %w", s.From, err)
	}
	if err := msg.To(m.Email); err != nil {
		return fmt.Errorf("email: to %q: %w", m.Email, err)
	}
	msg.Subject(m.Title)
	if m.ID != "" {
		// The same delivery keeps its Message-ID on a resend, so a
		// mailbox (and its reader's client) can drop the repeat.
		msg.SetMessageIDWithValue(MessageID(m.ID, s.From))
		msg.SetGenHeader("X-Minyi-Delivery", m.ID)
	} else {
		msg.SetMessageID()
	}
	msg.SetBodyString(mail.TypeTextPlain, m.Body())
	opts := []mail.Option{mail.WithPort(s.Port), mail.WithTimeout(orDefault(s.Timeout, 20*time.Second))}
	switch s.TLS {
	case "tls":
		opts = append(opts, mail.WithSSL())
	case "none":
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	default:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	}
	if s.TLSConfig != nil {
		opts = append(opts, mail.WithTLSConfig(s.TLSConfig))
	}
	if s.Username != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover), mail.WithUsername(s.Username), mail.WithPassword(s.Password))
	}
	c, err := mail.NewClient(s.Host, opts...)
	if err != nil {
		return fmt.Errorf("email: %w", err)
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return classifySMTP(err)
	}
	return nil
}

// MessageID is the Message-ID (without angle brackets) of delivery id
// sent from the address from: minyi-delivery-<id>@<from's domain>.
func MessageID(id, from string) string {
	domain := "minyi.invalid"
	if at := strings.LastIndexByte(from, '@'); at >= 0 && at < len(from)-1 {
		domain = strings.TrimRight(from[at+1:], ">")
	}
	return "minyi-delivery-" + id + "@" + domain
}

// classifySMTP makes a 4xx answer, a refused connection or a timeout
// temporary; a 5xx answer (unknown mailbox, refused login) is final.
func classifySMTP(err error) error {
	var tp *textproto.Error
	if errors.As(err, &tp) && tp.Code >= 500 {
		return fmt.Errorf("email: %w", err)
	}
	var se *mail.SendError
	if errors.As(err, &se) && se.ErrorCode() >= 500 {
		return fmt.Errorf("email: %w", err)
	}
	return &TemporaryError{Err: fmt.Errorf("email: %w", err)}
}

func orDefault(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}
