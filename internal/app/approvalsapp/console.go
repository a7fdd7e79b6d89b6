package approvalsapp

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/approvals"
	"minyi/internal/db"
	"minyi/internal/httpx"
	"minyi/internal/users"
)

// pageSize is how many requests a page of the list shows.
const pageSize = 50

type listPage struct {
	httpx.BasePage
	Items []approvals.Request
	Pager httpx.Pager
}

// ApprovalsPage lists what waits for the signed-in leader's approval (the
// office: every pending request), oldest first, a page at a time.
func (s *Handlers) ApprovalsPage(c *gin.Context) {
	f, err := filterFor(httpx.CurrentUser(c))
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	page := httpx.PageParam(c)
	f.Limit, f.Offset = pageSize, (page-1)*pageSize
	title := "待我审批"
	if f.Approver == 0 {
		title = "领导审批"
	}
	d := listPage{BasePage: s.Base(c, title, "approvals")}
	var total int
	if d.Items, total, err = approvals.Waiting(c, s.Pool, f); err != nil {
		s.ConsoleError(c, err)
		return
	}
	d.Pager = httpx.NewPager(page, pageSize, total, func(p int) string { return "/console/approvals?page=" + strconv.Itoa(p) })
	d.Pager.Unit = "项"
	s.Render(c, http.StatusOK, "console/approvals.html", d)
}

type requestPage struct {
	httpx.BasePage
	Request approvals.Request
	// Mine: it is the signed-in leader's turn; Withdrawable: the office
	// may withdraw it.
	Mine         bool
	Withdrawable bool
	Errors       map[string]string
	Form         map[string]string
	Timeline     []approvals.Request
}

// ApprovalPage shows one request, its item's approval timeline and, when it
// is the signed-in leader's turn, the form to approve or return it.
func (s *Handlers) ApprovalPage(c *gin.Context) {
	s.showRequest(c, http.StatusOK, nil, nil)
}

func (s *Handlers) showRequest(c *gin.Context, status int, errs, form map[string]string) {
	u := httpx.CurrentUser(c)
	id, err := httpx.IDParam(c, "id")
	if err == nil {
		err = canSee(u)
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	d := requestPage{Errors: errs, Form: form}
	err = db.ReadSnapshot(c, s.Pool, func(tx pgx.Tx) error {
		var err error
		if d.Request, err = approvals.Find(c, tx, id); err != nil {
			return err
		}
		d.Timeline, err = approvals.History(c, tx, d.Request.Subject, d.Request.SubjectID)
		return err
	})
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	d.BasePage = s.Base(c, "审批 · "+d.Request.Title, "approvals")
	d.Mine = d.Request.Waits(u.ID)
	d.Withdrawable = u.Role == users.RoleOffice && approvals.CanWithdraw(d.Request) == nil
	s.Render(c, status, "console/approval.html", d)
}

// DecideSubmit records the signed-in leader's decision from the request's
// page; a refusal shows the page again with the message beside the field
// and the comment kept.
func (s *Handlers) DecideSubmit(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	in := approvals.DecideInput{Decision: c.PostForm("decision"), Comment: c.PostForm("comment")}
	err = db.Tx(c, s.Pool, func(tx pgx.Tx) error {
		_, err := decide(c, tx, s, id, in)
		return err
	})
	if err != nil {
		s.refused(c, err, httpx.PostedForm(c, "decide", "decision", "comment"), "")
		return
	}
	flash := "approval_approved"
	if strings.TrimSpace(in.Decision) == approvals.StateReturned {
		flash = "approval_returned"
	}
	httpx.Redirect(c, approvals.Link(id), flash)
}

// WithdrawSubmit withdraws a pending request from its page (office); a
// refusal shows the page again with the message and the reason kept.
func (s *Handlers) WithdrawSubmit(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	in := approvals.WithdrawInput{Comment: c.PostForm("comment")}
	err = db.Tx(c, s.Pool, func(tx pgx.Tx) error {
		_, err := withdraw(c, tx, s, id, in)
		return err
	})
	if err != nil {
		s.refused(c, err, httpx.PostedForm(c, "withdraw", "comment"), "withdraw_")
		return
	}
	httpx.Redirect(c, approvals.Link(id), "approval_withdrawn")
}

// refused shows the request's page again after a refused form: field
// errors beside the fields (their names prefixed), a conflict or a
// forbidden action at the top, the posted form kept.
func (s *Handlers) refused(c *gin.Context, err error, form map[string]string, prefix string) {
	if errs, ok := httpx.FieldErrors(err); ok {
		named := map[string]string{}
		for k, v := range errs {
			named[prefix+k] = v
		}
		s.showRequest(c, http.StatusUnprocessableEntity, named, form)
		return
	}
	if e := apperr.From(err); e.Code == apperr.Conflict || e.Code == apperr.Forbidden {
		s.showRequest(c, apperr.Status(e.Code), map[string]string{"_": e.Message}, form)
		return
	}
	s.ConsoleError(c, err)
}
