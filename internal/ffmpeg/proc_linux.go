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
