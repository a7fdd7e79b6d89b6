package testutil

import (
	"os/exec"
	"syscall"
)

// setParentDeathSignal has the kernel kill the child when the test binary
// dies without running its cleanups (a timeout's panic, a kill), so no
// redis-server outlives it on a port.
func setParentDeathSignal(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
