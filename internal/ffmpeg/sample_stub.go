package ffmpeg

import (
	"context"
	"errors"

	"github.com/jskx/contest/internal/contest"
)

// Sample: temporary until h-sample lands.
func (Tools) Sample(ctx context.Context, input string, plan contest.ScanPlan, sink contest.FrameSink) (contest.SoundPicture, error) {
	return contest.SoundPicture{}, errors.New("not built")
}
