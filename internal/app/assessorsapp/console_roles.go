package assessorsapp

import (
	"github.com/gin-gonic/gin"

	"minyi/internal/assessment"
	"minyi/internal/units"
)

// proposerRole is one reason of a preset that names its proposer by role
// (监察局), with the unit the preset form preselects for it.
type proposerRole struct {
	PresetKey, ReasonKey, ReasonName, Role string
	// Selected is the unit chosen: the cycle's, when it uses the preset and
	// chose one; else the unit whose name contains the role (0: none).
	Selected int64
}

// fillRoles lists the roles of the presets for the preset form, each with
// its unit preselected, the units to choose from and the names of the
// proposers the cycle's reasons chose.
func (s *Handlers) fillRoles(c *gin.Context, d *proposalsPageData, set assessment.Settings) error {
	var err error
	if d.Units, err = units.ListUnits(c, s.Pool, nil); err != nil {
		return err
	}
	names := make(map[int64]string, len(d.Units))
	for _, u := range d.Units {
		names[u.ID] = u.Name
	}
	d.Proposer = map[string]string{}
	for _, r := range set.DeductionReasons {
		if r.ProposerUnitID != nil {
			d.Proposer[r.Key] = names[*r.ProposerUnitID]
		}
	}
	for _, p := range d.Presets {
		prefill, err := assessment.PrefillProposers(c, s.Pool, p)
		if err != nil {
			return err
		}
		for _, r := range p.Reasons {
			if r.Proposer == "" {
				continue
			}
			role := proposerRole{PresetKey: p.Key, ReasonKey: r.Key, ReasonName: r.Name, Role: r.Proposer, Selected: prefill[r.Key]}
			if cur, ok := set.Reason(r.Key); ok && d.Preset == p.Key && cur.ProposerUnitID != nil {
				role.Selected = *cur.ProposerUnitID
			}
			d.Roles = append(d.Roles, role)
		}
	}
	return nil
}
