package contest

import "crypto/rand"

// PasswordAlphabet is the characters of generated passwords: letters and digits without the
// ones read as one another (0 O o, 1 l I i L), so a password read out or copied by hand arrives intact.
const PasswordAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz"

// GeneratedPasswordLen is the length of generated passwords: 13 characters of a 54-letter
// alphabet are 74.8 bits, as strong as the 12 base64 characters they replace (72 bits).
const GeneratedPasswordLen = 13

// NewPassword returns a random password of GeneratedPasswordLen characters of PasswordAlphabet,
// for one-time passwords an organizer hands over and the first passwords the tools print.
func NewPassword() string {
	// Bytes at or above the largest multiple of the alphabet's size are drawn again, so every
	// character is equally likely.
	const limit = 256 - 256%len(PasswordAlphabet)
	out := make([]byte, 0, GeneratedPasswordLen)
	b := make([]byte, GeneratedPasswordLen)
	for len(out) < GeneratedPasswordLen {
		if _, err := rand.Read(b); err != nil {
			panic(err) // crypto/rand never fails on supported platforms
		}
		for _, v := range b {
			if int(v) < limit && len(out) < GeneratedPasswordLen {
				out = append(out, PasswordAlphabet[int(v)%len(PasswordAlphabet)])
			}
		}
	}
	return string(out)
}
