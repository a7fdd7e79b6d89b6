package citizensms

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/audit"
	"minyi/internal/callbacks"
	"minyi/internal/db"
	"minyi/internal/notify"
)

// The automatic kinds, each called in the transaction of its event by a
// thin hook in the handler that runs the event.

// casePhones returns the distinct call-back numbers of the case's source
// ratings: the numbers the citizens gave, nothing else.
func (s *Service) casePhones(ctx context.Context, tx pgx.Tx, caseID int64) ([]string, error) {
	list, err := callbacks.Phones(ctx, tx, s.Keys, caseID, true)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []string
	for _, p := range list {
		if p.Full && !seen[p.Number] {
			seen[p.Number] = true
			out = append(out, p.Number)
		}
	}
	return out, nil
}

// CaseClosed sends each citizen who left a call-back number on a source
// rating of the closed case a one-time 追评 link, issued here
// (callbacks.IssueLink, audited as actor's) so its token appears only in
// the SMS. One message per case and number.
func (s *Service) CaseClosed(ctx context.Context, tx pgx.Tx, base string, actor audit.Actor, caseID int64, now time.Time) error {
	if on, err := s.switchedOn(ctx, tx, KindCaseFollowup); err != nil || !on {
		return err
	}
	phones, err := s.casePhones(ctx, tx, caseID)
	if err != nil || len(phones) == 0 {
		return err
	}
	text, err := notify.SMSText(ctx, tx, KindCaseFollowup)
	if err != nil {
		return err
	}
	for _, phone := range phones {
		key := KindCaseFollowup + ":" + strconv.FormatInt(caseID, 10) + ":" + s.phoneKey(phone)
		done, err := exists(ctx, tx, key)
		if err != nil {
			return err
		}
		if done || !mobileRE.MatchString(phone) {
			continue // sent before; or a landline, which gets no SMS (and so no link)
		}
		l, err := callbacks.IssueLink(ctx, tx, actor, caseID, 0, now)
		if err != nil {
			return err
		}
		m := message{kind: KindCaseFollowup, key: key, phone: phone, caseID: &caseID, text: text,
			values: Values{phLink: base + "/f/" + l.Token}}
		if _, err := s.record(ctx, tx, base, m, now); err != nil {
			return err
		}
	}
	return nil
}

// CaseOpened tells each citizen of a real-name complaint that became the
// case that it was accepted (受理) and by when they will be called back.
// Cases without a call-back deadline get nothing.
func (s *Service) CaseOpened(ctx context.Context, tx pgx.Tx, base string, caseID int64, now time.Time) error {
	if on, err := s.switchedOn(ctx, tx, KindCallbackNotice); err != nil || !on {
		return err
	}
	var unit string
	var due *time.Time
	err := tx.QueryRow(ctx, `SELECT u.name, c.callback_due::timestamp FROM rectification_cases c
		JOIN units u ON u.id = c.unit_id WHERE c.id = $1 AND c.real_name`, caseID).Scan(&unit, &due)
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && due == nil) {
		return nil // not a real-name case with a call-back deadline
	}
	if err != nil {
		return db.Err(err)
	}
	phones, err := s.casePhones(ctx, tx, caseID)
	if err != nil || len(phones) == 0 {
		return err
	}
	text, err := notify.SMSText(ctx, tx, KindCallbackNotice)
	if err != nil {
		return err
	}
	for _, phone := range phones {
		m := message{kind: KindCallbackNotice, phone: phone, caseID: &caseID, text: text,
			key:    KindCallbackNotice + ":" + strconv.FormatInt(caseID, 10) + ":" + s.phoneKey(phone),
			values: Values{phUnit: clip(unit, 20), phCallback: due.Format("1月2日")}}
		if _, err := s.record(ctx, tx, base, m, now); err != nil {
			return err
		}
	}
	return nil
}
