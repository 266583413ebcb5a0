package contest

// Temporary until the matching lands (h-ocr).
func FindLeaks(texts []FrameText, names, units []string) []LeakHit { return nil }
func SubtitleText(text string) bool                                { return false }
