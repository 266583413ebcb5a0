//go:build !linux

// Package childproc confines the tools the server runs on uploaded media (ffmpeg, ffprobe,
// tesseract) as processes: they die with the server and yield the CPU to what people wait on.
package childproc

import "os/exec"

// DieWithParent does nothing where the kernel cannot kill a child with its parent.
func DieWithParent(*exec.Cmd) {}

// Yield does nothing where priorities are not set this way.
func Yield(int, int) {}
