// Package childproc confines the tools the server runs on uploaded media (ffmpeg, ffprobe,
// tesseract) as processes: they die with the server and yield the CPU to what people wait on.
package childproc

import (
	"os/exec"
	"syscall"
)

// DieWithParent has the kernel kill cmd when the server dies, so a tool is never left running
// after a crash (its job runs again elsewhere). Call it before cmd starts.
func DieWithParent(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
}

// Yield lowers the scheduling priority of the started process pid to nice (0 is normal, 19
// the lowest). A process that has already ended is not an error.
func Yield(pid, nice int) {
	_ = syscall.Setpriority(syscall.PRIO_PROCESS, pid, nice)
}
