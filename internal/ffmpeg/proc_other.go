//go:build !linux

package ffmpeg

import "os/exec"

// dieWithParent does nothing where the kernel cannot kill a child with its parent.
func dieWithParent(*exec.Cmd) {}

// yieldCPU does nothing where priorities are not set this way.
func yieldCPU(int, int) {}
