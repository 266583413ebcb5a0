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

// copyNice is the scheduling priority of the poster and web-copy runs (0 is normal, 19 the
// lowest): on deadline night they yield the cores to what people wait on — password hashes,
// verdicts, pages — and take what is left.
const copyNice = 10

// yieldCPU lowers the priority of the started process pid. A process that has already ended
// is not an error.
func yieldCPU(pid int) {
	_ = syscall.Setpriority(syscall.PRIO_PROCESS, pid, copyNice)
}
