package browsertest

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
)

// Shot keeps a screenshot of the whole page as name.png in the folder
// MINYI_SHOTS names, if set.
func Shot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("MINYI_SHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o600); err != nil {
		t.Fatal(err)
	}
}

// NoSideways fails the test when the page scrolls sideways.
func NoSideways(t *testing.T, ctx context.Context, what string) {
	t.Helper()
	if over := Eval[float64](t, ctx, `Math.max(document.documentElement.scrollWidth, document.body.scrollWidth) - window.innerWidth`); over > 0 {
		t.Errorf("%s scrolls %.0f px sideways", what, over)
	}
}
