// Package pii protects personal data at rest: ID numbers and mobile numbers are sealed with
// AES-256-GCM (authenticated encryption) and made searchable through a keyed hash (HMAC-SHA256),
// both under keys derived from one master key with HKDF.
package pii

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/crypto/hkdf"
)

// KeySize is the length of the master key in bytes.
const KeySize = 32

// prefix marks the format of a sealed value so the scheme can change without ambiguity.
const prefix = "v1."

// Box seals and opens personal values and computes their search index, under the current
// master key; while keys are rotated it also opens, and indexes, under the previous ones.
type Box struct {
	keys []keySet // keys[0] is the current key's
}

// keySet is what one master key derives.
type keySet struct {
	aead        cipher.AEAD
	indexKey    []byte
	fingerprint string
}

// New returns a Box for a 32-byte master key. During a key rotation the previous keys are given
// too: values sealed under them still open (and their search indexes still match) until every
// value is sealed again under the current key (Reseal).
func New(master []byte, previous ...[]byte) (*Box, error) {
	b := &Box{}
	for _, k := range append([][]byte{master}, previous...) {
		ks, err := newKeySet(k)
		if err != nil {
			return nil, err
		}
		b.keys = append(b.keys, ks)
	}
	return b, nil
}

// Rotating reports whether previous keys were given: a rotation is under way.
func (b *Box) Rotating() bool { return len(b.keys) > 1 }

func newKeySet(master []byte) (keySet, error) {
	if len(master) != KeySize {
		return keySet{}, fmt.Errorf("pii: master key must be %d bytes, got %d", KeySize, len(master))
	}
	encKey, err := derive(master, "contest pii encryption v1")
	if err != nil {
		return keySet{}, err
	}
	indexKey, err := derive(master, "contest pii index v1")
	if err != nil {
		return keySet{}, err
	}
	fp, err := derive(master, "contest key fingerprint v1")
	if err != nil {
		return keySet{}, err
	}
	block, err := aes.NewCipher(encKey)
	if err != nil {
		return keySet{}, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return keySet{}, err
	}
	return keySet{aead: aead, indexKey: indexKey, fingerprint: hex.EncodeToString(fp[:16])}, nil
}

// Fingerprint names the current master key without revealing it: 16 bytes derived from the key
// under a label of their own, in hex. Two boxes have the same fingerprint when they have the
// same current key; a backup records it so that a restore under another key (whose ID numbers
// would not open) is refused.
func (b *Box) Fingerprint() string { return b.keys[0].fingerprint }

// Fingerprints names every key the box opens with: the current key's first, then the previous
// keys' of a rotation under way.
func (b *Box) Fingerprints() []string {
	out := make([]string, len(b.keys))
	for i, k := range b.keys {
		out[i] = k.fingerprint
	}
	return out
}

func derive(master []byte, info string) ([]byte, error) {
	key := make([]byte, 32)
	if _, err := io.ReadFull(hkdf.New(sha256.New, master, nil, []byte(info)), key); err != nil {
		return nil, err
	}
	return key, nil
}

// Seal encrypts plaintext for the named field; the field is authenticated with it, so a value
// copied into another column does not open. The empty string stays empty.
func (b *Box) Seal(field, plaintext string) (string, error) {
	if plaintext == "" {
		return "", nil
	}
	aead := b.keys[0].aead
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	out := aead.Seal(nonce, nonce, []byte(plaintext), []byte(field))
	return prefix + base64.RawURLEncoding.EncodeToString(out), nil
}

// ErrTampered is returned for a sealed value that does not authenticate.
var ErrTampered = errors.New("pii: sealed value does not authenticate")

// Open decrypts a value sealed for field, under the current key or a previous one.
func (b *Box) Open(field, sealed string) (string, error) {
	plain, _, err := b.open(field, sealed)
	return plain, err
}

// open decrypts a value and says which key opened it (0: the current one).
func (b *Box) open(field, sealed string) (string, int, error) {
	if sealed == "" {
		return "", 0, nil
	}
	raw, ok := strings.CutPrefix(sealed, prefix)
	if !ok {
		return "", 0, fmt.Errorf("pii: unknown format")
	}
	data, err := base64.RawURLEncoding.DecodeString(raw)
	if err != nil {
		return "", 0, ErrTampered
	}
	for i, k := range b.keys {
		n := k.aead.NonceSize()
		if len(data) < n {
			return "", 0, ErrTampered
		}
		if plain, err := k.aead.Open(nil, data[:n], data[n:], []byte(field)); err == nil {
			return string(plain), i, nil
		}
	}
	return "", 0, ErrTampered
}

// Reseal returns sealed as sealed under the current key, and whether it changed (a value
// sealed under a previous key).
func (b *Box) Reseal(field, sealed string) (string, bool, error) {
	plain, key, err := b.open(field, sealed)
	if err != nil || key == 0 {
		return sealed, false, err
	}
	out, err := b.Seal(field, plain)
	return out, err == nil, err
}

// Index returns the keyed hash of a normalized value, for exact-match search. Without the key
// it cannot be reversed by trying all ID numbers. The empty string stays empty.
func (b *Box) Index(value string) string {
	if value == "" {
		return ""
	}
	return index(b.keys[0].indexKey, value)
}

// Indexes returns the value's keyed hash under the current key and, during a rotation, under
// each previous one: a search finds the rows not sealed again yet.
func (b *Box) Indexes(value string) []string {
	if value == "" {
		return []string{""}
	}
	out := make([]string, len(b.keys))
	for i, k := range b.keys {
		out[i] = index(k.indexKey, value)
	}
	return out
}

func index(key []byte, value string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(value))
	return hex.EncodeToString(m.Sum(nil))
}
