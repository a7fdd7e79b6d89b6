package casesapp

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/db"
	"minyi/internal/feedback"
	"minyi/internal/httpx"
)

// The third verdict, 已阅 (无需处理), over the API and in the console: a
// selection, everything a filter matches, one item from its page, and the
// office's rule for praise.

// APIAcknowledge marks the listed items read: {"items": [...], "note"} →
// {"acknowledged": n}.
func (s *Handlers) APIAcknowledge(c *gin.Context) {
	var in feedback.AcknowledgeInput
	if err := httpx.BindJSON(c, &in, 256<<10); err != nil {
		s.APIError(c, err)
		return
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		n, err := feedback.Acknowledge(c, tx, s.Config.Location, httpx.CurrentUser(c).Actor(), in, s.Now())
		return gin.H{"acknowledged": n}, err
	})
}

// APIAcknowledgeMatching marks every pending item the query's filter (as
// GET /feedback takes it) matches read, when they are {"expected": n}.
func (s *Handlers) APIAcknowledgeMatching(c *gin.Context) {
	var in feedback.AcknowledgeInput
	if err := httpx.BindJSON(c, &in, 16<<10); err != nil {
		s.APIError(c, err)
		return
	}
	f, err := s.feedbackFilter(c, "pending")
	if err != nil {
		s.APIError(c, err)
		return
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		n, err := feedback.AcknowledgeMatching(c, tx, s.Config.Location, httpx.CurrentUser(c).Actor(), f, in, s.Now())
		return gin.H{"acknowledged": n}, err
	})
}

// APIAutoRule answers the office's rule for praise.
func (s *Handlers) APIAutoRule(c *gin.Context) {
	r, err := feedback.FindAutoRule(c, s.Pool)
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, r)
}

// APISaveAutoRule stores {"enabled", "min_level"}.
func (s *Handlers) APISaveAutoRule(c *gin.Context) {
	var in feedback.AutoRule
	if err := httpx.BindJSON(c, &in, 4<<10); err != nil {
		s.APIError(c, err)
		return
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		return feedback.SaveAutoRule(c, tx, httpx.CurrentUser(c).Actor(), in, s.Now())
	})
}

// autoRunBudget bounds a run of the rule started by hand.
const autoRunBudget = 20 * time.Second

// runAutoRule applies the rule now to the queue's default period.
func (s *Handlers) runAutoRule(c *gin.Context) (int, error) {
	ctx, cancel := context.WithTimeout(c, autoRunBudget)
	defer cancel()
	n, err := feedback.AutoAcknowledge(ctx, s.Pool, s.Now())
	if ctx.Err() == context.DeadlineExceeded && c.Err() == nil {
		err = nil // the hourly maintenance goes on where this stopped
	}
	return n, err
}

// APIRunAutoRule applies the rule now: {} → {"acknowledged": n}.
func (s *Handlers) APIRunAutoRule(c *gin.Context) {
	var in struct{}
	if err := httpx.BindJSON(c, &in, 1<<10); err != nil {
		s.APIError(c, err)
		return
	}
	n, err := s.runAutoRule(c)
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"acknowledged": n})
}

// FeedbackAcknowledgeSubmit marks the items selected in the queue read
// (the merge form's other button); the action keeps the queue's filter.
func (s *Handlers) FeedbackAcknowledgeSubmit(c *gin.Context) {
	in := feedback.AcknowledgeInput{}
	checked := map[string]bool{}
	for _, v := range c.PostFormArray("item") {
		ref, ok := parseRef(v)
		if !ok {
			s.ConsoleError(c, apperr.New(apperr.NotFound, "该反馈不存在或不在核查范围内"))
			return
		}
		checked[v] = true
		in.Items = append(in.Items, ref)
	}
	err := db.Tx(c, s.Pool, func(tx pgx.Tx) error {
		_, err := feedback.Acknowledge(c, tx, s.Config.Location, httpx.CurrentUser(c).Actor(), in, s.Now())
		return err
	})
	s.afterQueueAction(c, err, "feedback_acknowledged", queueState{checked: checked, problem: c.PostForm("problem")})
}

// FeedbackAcknowledgeMatchingSubmit marks every pending item of the
// query's filter read, once the office confirmed their count.
func (s *Handlers) FeedbackAcknowledgeMatchingSubmit(c *gin.Context) {
	expected, _ := httpx.ParseInt(c.PostForm("expected"))
	f, err := s.feedbackFilter(c, "pending")
	if err == nil {
		err = db.Tx(c, s.Pool, func(tx pgx.Tx) error {
			_, err := feedback.AcknowledgeMatching(c, tx, s.Config.Location, httpx.CurrentUser(c).Actor(), f,
				feedback.AcknowledgeInput{Expected: expected, Note: c.PostForm("note")}, s.Now())
			return err
		})
	}
	s.afterQueueAction(c, err, "feedback_acknowledged", queueState{})
}

// afterQueueAction goes back to the queue with the flash, or shows the
// queue with the refusal in Chinese.
func (s *Handlers) afterQueueAction(c *gin.Context, err error, flash string, st queueState) {
	switch {
	case err == nil:
		httpx.Redirect(c, queueBack(c, "#queue"), flash)
	case apperr.Is(err, apperr.Invalid), apperr.Is(err, apperr.Conflict), apperr.Is(err, apperr.NotFound):
		st.msg = errorText(err)
		s.showQueue(c, apperr.Status(apperr.From(err).Code), st)
	default:
		s.ConsoleError(c, err)
	}
}

// FeedbackAcknowledgeItemSubmit marks one item read from its page.
func (s *Handlers) FeedbackAcknowledgeItemSubmit(c *gin.Context) {
	form := map[string]string{"form": "acknowledge", "ack_note": c.PostForm("note")}
	s.itemSubmit(c, "feedback_acknowledged", form, func(tx pgx.Tx, version int) error {
		_, err := feedback.Acknowledge(c, tx, s.Config.Location, httpx.CurrentUser(c).Actor(), feedback.AcknowledgeInput{
			Items: []feedback.Ref{{Kind: c.Param("kind"), ID: c.Param("id"), Version: version}}, Note: form["ack_note"]}, s.Now())
		return err
	})
}

// FeedbackAutoRuleSubmit saves the rule from the queue page, or (run=1)
// applies it now.
func (s *Handlers) FeedbackAutoRuleSubmit(c *gin.Context) {
	if c.PostForm("run") == "1" {
		if _, err := s.runAutoRule(c); err != nil {
			s.ConsoleError(c, err)
			return
		}
		httpx.Redirect(c, "/console/feedback#auto-rule", "feedback_auto_run")
		return
	}
	level, _ := httpx.ParseInt(c.PostForm("min_level"))
	err := db.Tx(c, s.Pool, func(tx pgx.Tx) error {
		_, err := feedback.SaveAutoRule(c, tx, httpx.CurrentUser(c).Actor(),
			feedback.AutoRule{Enabled: c.PostForm("enabled") == "1", MinLevel: level}, s.Now())
		return err
	})
	if apperr.Is(err, apperr.Invalid) {
		s.showQueue(c, http.StatusUnprocessableEntity, queueState{msg: errorText(err)})
		return
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	httpx.Redirect(c, "/console/feedback#auto-rule", "feedback_auto_rule")
}
