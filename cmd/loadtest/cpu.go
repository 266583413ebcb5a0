package main

import (
	"syscall"
	"time"
)

// cpuTime is the CPU this process has used (user and system): on one machine the load tool
// takes its share of the cores it measures.
func cpuTime() time.Duration {
	var u syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &u) != nil {
		return 0
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}
