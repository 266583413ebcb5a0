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

// Box seals and opens personal values and computes their search index.
type Box struct {
	aead     cipher.AEAD
	indexKey []byte
}

// New returns a Box for a 32-byte master key.
func New(master []byte) (*Box, error) {
	if len(master) != KeySize {
		return nil, fmt.Errorf("pii: master key must be %d bytes, got %d", KeySize, len(master))
	}
	encKey, err := derive(master, "contest pii encryption v1")
	if err != nil {
		return nil, err
	}
	indexKey, err := derive(master, "contest pii index v1")
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(encKey)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Box{aead: aead, indexKey: indexKey}, nil
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
	nonce := make([]byte, b.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	out := b.aead.Seal(nonce, nonce, []byte(plaintext), []byte(field))
	return prefix + base64.RawURLEncoding.EncodeToString(out), nil
}

// ErrTampered is returned for a sealed value that does not authenticate.
var ErrTampered = errors.New("pii: sealed value does not authenticate")

// Open decrypts a value sealed for field.
func (b *Box) Open(field, sealed string) (string, error) {
	if sealed == "" {
		return "", nil
	}
	raw, ok := strings.CutPrefix(sealed, prefix)
	if !ok {
		return "", fmt.Errorf("pii: unknown format")
	}
	data, err := base64.RawURLEncoding.DecodeString(raw)
	if err != nil || len(data) < b.aead.NonceSize() {
		return "", ErrTampered
	}
	n := b.aead.NonceSize()
	plain, err := b.aead.Open(nil, data[:n], data[n:], []byte(field))
	if err != nil {
		return "", ErrTampered
	}
	return string(plain), nil
}

// Index returns the keyed hash of a normalized value, for exact-match search. Without the key
// it cannot be reversed by trying all ID numbers. The empty string stays empty.
func (b *Box) Index(value string) string {
	if value == "" {
		return ""
	}
	m := hmac.New(sha256.New, b.indexKey)
	m.Write([]byte(value))
	return hex.EncodeToString(m.Sum(nil))
}
