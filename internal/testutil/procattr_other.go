//go:build !linux

package testutil

import "os/exec"

// setParentDeathSignal does nothing where the kernel offers no parent-death
// signal; the test's cleanups stop the processes.
func setParentDeathSignal(*exec.Cmd) {}
