// Package a11y checks the page open in a test's headless browser against
// WCAG 2.1 level A and AA with axe-core (vendored in axe/, see its README).
// The script is only embedded in test helpers: it is never served to users.
package a11y

import (
	"context"
	_ "embed"
	"fmt"
	"strings"

	"github.com/chromedp/chromedp"
)

//go:embed axe/axe.min.js
var axeSource string

// Tags are the rule sets run: WCAG 2.0 and 2.1, levels A and AA.
var Tags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa"}

// Node is one element a rule failed on.
type Node struct {
	// Target is the CSS selector path axe gives for the element.
	Target []string `json:"target"`
	// HTML is the element's opening markup, as axe shortens it.
	HTML string `json:"html"`
	// Summary says what is wrong with this element and how to fix it.
	Summary string `json:"failureSummary"`
}

// Violation is a rule that failed on the page.
type Violation struct {
	ID      string `json:"id"`
	Impact  string `json:"impact"` // minor, moderate, serious or critical
	Help    string `json:"help"`
	HelpURL string `json:"helpUrl"`
	Nodes   []Node `json:"nodes"`
}

// Serious reports whether the violation's impact is serious or critical.
func (v Violation) Serious() bool { return v.Impact == "serious" || v.Impact == "critical" }

// String describes the violation and every failing element, so that a test
// failure says what to fix and where.
func (v Violation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "[%s] %s: %s (%s)", v.Impact, v.ID, v.Help, v.HelpURL)
	for _, n := range v.Nodes {
		fmt.Fprintf(&b, "\n    at %s\n      %s", strings.Join(n.Target, " "), n.HTML)
		if n.Summary != "" {
			fmt.Fprintf(&b, "\n      %s", strings.ReplaceAll(n.Summary, "\n", "\n      "))
		}
	}
	return b.String()
}

// Check injects axe-core into the page open in ctx (once per document),
// runs the WCAG 2.1 A and AA rules on the whole document and returns the
// violations found. It returns an error when the script cannot be run.
func Check(ctx context.Context) ([]Violation, error) {
	loaded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof window.axe === "object"`))
	if err != nil {
		return nil, fmt.Errorf("a11y: probing for axe: %w", err)
	}
	if !loaded {
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](axeSource)); err != nil {
			return nil, fmt.Errorf("a11y: injecting axe: %w", err)
		}
	}
	tags := `["` + strings.Join(Tags, `","`) + `"]`
	script := `axe.run(document, {runOnly: {type: "tag", values: ` + tags + `}, resultTypes: ["violations"]})
		.then(r => r.violations.map(v => ({id: v.id, impact: v.impact || "", help: v.help, helpUrl: v.helpUrl,
			nodes: v.nodes.map(n => ({target: n.target.map(String), html: n.html, failureSummary: n.failureSummary || ""}))})))`
	out, err := chromedp.Run(ctx, chromedp.Evaluate[[]Violation](script, chromedp.EvalAwaitPromise))
	if err != nil {
		return nil, fmt.Errorf("a11y: running axe: %w", err)
	}
	return out, nil
}

// Serious keeps the violations whose impact is serious or critical.
func Serious(vs []Violation) []Violation {
	var out []Violation
	for _, v := range vs {
		if v.Serious() {
			out = append(out, v)
		}
	}
	return out
}
