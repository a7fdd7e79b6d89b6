package cycles

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"minyi/internal/apperr"
	"minyi/internal/score"
)

// MaxLevelPoints is the most points a level may be worth, as for the
// LEVEL_POINTS setting.
const MaxLevelPoints = 1000

// Config is an assessment cycle's configuration, stored as one JSON value
// per version: the level→points mapping and the scoring rules.
type Config struct {
	// LevelPoints are the points of levels 5 down to 1, in the order of the
	// LEVEL_POINTS setting.
	LevelPoints []float64    `json:"level_points"`
	Score       score.Config `json:"score"`
}

// DefaultConfig returns the configuration a new cycle gets when none is
// given: the server's level points (LEVEL_POINTS, copied) and
// score.DefaultConfig.
func DefaultConfig(levelPoints []float64) Config {
	return Config{LevelPoints: slices.Clone(levelPoints), Score: score.DefaultConfig()}
}

// PointsFor returns the points of a level from 1 to 5 under the mapping.
// The configuration must be valid.
func (c Config) PointsFor(level int) float64 { return c.LevelPoints[5-level] }

// Normalized returns a copy with the group keys and names trimmed; the copy
// shares no slice with c.
func (c Config) Normalized() Config {
	c.LevelPoints = slices.Clone(c.LevelPoints)
	c.Score.Groups = slices.Clone(c.Score.Groups)
	for i := range c.Score.Groups {
		c.Score.Groups[i].Key = strings.TrimSpace(c.Score.Groups[i].Key)
		c.Score.Groups[i].Name = strings.TrimSpace(c.Score.Groups[i].Name)
	}
	return c
}

// Validate checks the configuration and returns one apperr invalid error
// with a Chinese message per field, or nil. level_points lists five numbers
// from 0 to 1000 that do not rise as the level falls (field level_points
// for a wrong length, level_points[i] for a bad entry); the score part must
// pass score.Config.Validate, whose fields are reported as score.<field>,
// for example score.daily_weight or score.groups[2].key.
func (c Config) Validate() error {
	f := apperr.Fields{}
	if len(c.LevelPoints) != 5 {
		f.Add("level_points", "等级分值须为5个数，依次对应5级到1级")
	} else {
		for i, p := range c.LevelPoints {
			field := fmt.Sprintf("level_points[%d]", i)
			switch {
			case !(p >= 0 && p <= MaxLevelPoints):
				f.Add(field, fmt.Sprintf("%d级的分值须在0到%d之间", 5-i, MaxLevelPoints))
			case i > 0 && p > c.LevelPoints[i-1]:
				f.Add(field, fmt.Sprintf("%d级的分值不能高于%d级", 5-i, 6-i))
			}
		}
	}
	if err := c.Score.Validate(); err != nil {
		var ae *apperr.Error
		if !errors.As(err, &ae) || len(ae.Fields) == 0 {
			return err
		}
		for k, v := range ae.Fields {
			f.Add("score."+k, v)
		}
	}
	return f.Err()
}
