package assessorsapp

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/assessment"
	"minyi/internal/assessors"
	"minyi/internal/cycles"
	"minyi/internal/db"
	"minyi/internal/httpx"
	"minyi/internal/units"
)

// proposalsPath is the office's page of a cycle's deduction proposals.
func proposalsPath(cycleID int64) string { return cyclePath(cycleID) + "/deduction-proposals" }

// statusTab is one status filter of the proposals page.
type statusTab struct {
	Key, Label, Link string
	On               bool
}

type proposalsPageData struct {
	httpx.BasePage
	Cycle   cycles.Cycle
	Presets []assessment.DeductionPreset
	Preset  string
	Cap     float64
	Groups  []assessment.DeductionGroup
	Reasons []assessment.DeductionReason
	// Roles are the reasons of the presets that name a proposer's role,
	// with the unit chosen for it; Units the units to choose from.
	Roles []proposerRole
	Units []units.Unit
	// Proposer names the unit chosen as each reason's proposer.
	Proposer  map[string]string
	Tabs      []statusTab
	Status    string
	Proposals []assessors.Proposal
	Pager     httpx.Pager
	// Failed is the proposal whose rejection was refused, with its error.
	Failed int64
	Error  string
}

// ProposalsPage is the office's page of the cycle's deduction proposals
// (pending first by default; ?status= filters) and of the cycle's
// deduction-reason preset.
func (s *Handlers) ProposalsPage(c *gin.Context) {
	s.showProposals(c, http.StatusOK, 0, "")
}

func (s *Handlers) showProposals(c *gin.Context, status int, failed int64, msg string) {
	cy, err := s.cycleOf(c)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	st := c.DefaultQuery("status", assessors.ProposalPending)
	switch st {
	case assessors.ProposalPending, assessors.ProposalConfirmed, assessors.ProposalRejected, "all":
	default:
		st = assessors.ProposalPending
	}
	d := proposalsPageData{BasePage: s.Base(c, cy.Name+" 扣分建议", "cycles"), Cycle: cy, Presets: assessment.DeductionPresets(),
		Status: st, Failed: failed, Error: msg}
	for _, k := range []string{assessors.ProposalPending, assessors.ProposalConfirmed, assessors.ProposalRejected, "all"} {
		label := "全部"
		if k != "all" {
			label = assessors.ProposalStatusLabel(k)
		}
		d.Tabs = append(d.Tabs, statusTab{Key: k, Label: label, Link: proposalsPath(cy.ID) + "?status=" + k, On: k == st})
	}
	set, err := assessment.LoadSettings(c, s.Pool, cy.ID)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	d.Preset, d.Cap, d.Reasons = set.Settings.DeductionPreset, set.Settings.DeductionCap, set.Settings.DeductionReasons
	d.Groups = set.Settings.DeductionGroups
	if d.Preset == "" {
		d.Preset = assessment.MatchDeductionPreset(set.Settings)
	}
	if err := s.fillRoles(c, &d, set.Settings); err != nil {
		s.ConsoleError(c, err)
		return
	}
	f := assessors.ProposalFilter{CycleID: cy.ID, Limit: pageSize}
	if st != "all" {
		f.Status = st
	}
	page, offset := pageOffset(c)
	f.Offset = offset
	var total int
	d.Proposals, total, err = assessors.ListProposals(c, s.Pool, f)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	d.Pager = httpx.NewPager(page, pageSize, total, func(n int) string {
		return proposalsPath(cy.ID) + "?" + url.Values{"status": {st}, "page": {strconv.Itoa(n)}}.Encode()
	})
	s.Render(c, status, "console/deduction_proposals.html", d)
}

// DecideProposalSubmit confirms (decision=confirm) or rejects
// (decision=reject, with reason) a proposal of the cycle.
func (s *Handlers) DecideProposalSubmit(c *gin.Context) {
	cy, err := s.cycleOf(c)
	var id int64
	if err == nil {
		id, err = httpx.IDParam(c, "proposal_id")
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	confirm := c.PostForm("decision") == "confirm"
	err = db.Tx(c, s.Pool, func(tx pgx.Tx) error {
		p, err := assessors.FindProposal(c, tx, id)
		if err == nil && p.CycleID != cy.ID {
			err = httpx.ErrNotFound
		}
		if err != nil {
			return err
		}
		actor := httpx.CurrentUser(c).Actor()
		if confirm {
			_, err = assessors.ConfirmProposal(c, tx, actor, id, s.Now())
		} else {
			_, err = assessors.RejectProposal(c, tx, actor, id, c.PostForm("reason"), s.Now())
		}
		return err
	})
	if err != nil {
		if errs, ok := httpx.FieldErrors(err); ok {
			msg := errs["reason"]
			for _, m := range errs {
				if msg == "" {
					msg = m
				}
			}
			s.showProposals(c, http.StatusUnprocessableEntity, id, msg)
			return
		}
		s.ConsoleError(c, err)
		return
	}
	flash := "proposal_rejected"
	if confirm {
		flash = "proposal_confirmed"
	}
	httpx.Redirect(c, proposalsPath(cy.ID)+"?status="+url.QueryEscape(c.DefaultQuery("status", "pending")), flash)
}

// PresetSubmit applies the chosen deduction-reason preset to the cycle,
// with the unit chosen for each proposer's role (proposer.<reason key>;
// empty: none).
func (s *Handlers) PresetSubmit(c *gin.Context) {
	cy, err := s.cycleOf(c)
	key := c.PostForm("preset")
	chosen := map[string]int64{}
	if p, ok := assessment.FindDeductionPreset(key); ok && err == nil {
		for _, r := range p.Reasons {
			raw, sent := c.GetPostForm("proposer." + r.Key)
			if r.Proposer == "" || !sent {
				continue
			}
			chosen[r.Key] = 0
			if raw = strings.TrimSpace(raw); raw != "" {
				if chosen[r.Key], err = strconv.ParseInt(raw, 10, 64); err != nil || chosen[r.Key] <= 0 {
					chosen[r.Key], err = -1, nil
				}
			}
		}
	}
	if err == nil {
		err = db.Tx(c, s.Pool, func(tx pgx.Tx) error {
			_, err := assessment.ApplyDeductionPreset(c, tx, httpx.CurrentUser(c).Actor(), cy.ID, key, chosen)
			return err
		})
	}
	if err != nil {
		if errs, ok := httpx.FieldErrors(err); ok {
			msg := errs["preset"]
			for _, m := range errs {
				if msg == "" {
					msg = m
				}
			}
			s.showProposals(c, http.StatusUnprocessableEntity, 0, msg)
			return
		}
		s.ConsoleError(c, err)
		return
	}
	httpx.Redirect(c, proposalsPath(cy.ID)+"#preset", "preset_applied")
}
