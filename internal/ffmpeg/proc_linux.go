package ffmpeg

import (
	"os/exec"
	"syscall"
)

// dieWithParent has the kernel kill cmd when the server dies, so an ffprobe or ffmpeg is never
// left running after a crash (its job runs again elsewhere).
func dieWithParent(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
}

// yieldCPU lowers the priority of the started process pid to nice (0 is normal, 19 the
// lowest). A process that has already ended is not an error.
func yieldCPU(pid, nice int) {
	_ = syscall.Setpriority(syscall.PRIO_PROCESS, pid, nice)
}
