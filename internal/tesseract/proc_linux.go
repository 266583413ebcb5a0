package tesseract

import (
	"os/exec"
	"syscall"
)

// dieWithParent has the kernel kill cmd when the server dies, so a tesseract is never left
// running after a crash (its scan runs again).
func dieWithParent(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
}

// ocrNice is the scheduling priority of a tesseract run: the lowest (19). The content scan only
// warns organizers, hours later is soon enough; everything else comes first.
const ocrNice = 19

// yieldCPU lowers the priority of the started process pid. A process that has already ended
// is not an error.
func yieldCPU(pid int) {
	_ = syscall.Setpriority(syscall.PRIO_PROCESS, pid, ocrNice)
}
