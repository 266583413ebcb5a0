package pii

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
)

// fileMagic starts a sealed file; a stored file without it was stored before files were sealed.
const fileMagic = "contest-sealed-file-v1\n"

// SealFile encrypts a whole file that holds personal data (the scan of a signed 作品授权书 shows
// ID numbers) under a key of its own, AES-256-GCM, and stores that key sealed under the master
// key in the file's header: a copied object is unreadable without the master key, and files
// never share a key.
func (b *Box) SealFile(plain []byte) ([]byte, error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	aead, err := fileAEAD(key)
	if err != nil {
		return nil, err
	}
	sealedKey, err := b.Seal("file key", base64.StdEncoding.EncodeToString(key))
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(fileMagic)+2+len(sealedKey)+len(nonce)+len(plain)+aead.Overhead())
	out = append(out, fileMagic...)
	out = binary.BigEndian.AppendUint16(out, uint16(len(sealedKey)))
	out = append(out, sealedKey...)
	out = append(out, nonce...)
	return aead.Seal(out, nonce, plain, []byte(fileMagic)), nil
}

// OpenFile decrypts a file sealed by SealFile. A file without the seal's header (stored before
// files were sealed) is returned as it is; a sealed file that was altered is an error.
func (b *Box) OpenFile(stored []byte) ([]byte, error) {
	rest, ok := bytes.CutPrefix(stored, []byte(fileMagic))
	if !ok {
		return stored, nil
	}
	if len(rest) < 2 {
		return nil, errors.New("pii: sealed file truncated")
	}
	n := int(binary.BigEndian.Uint16(rest))
	rest = rest[2:]
	if len(rest) < n {
		return nil, errors.New("pii: sealed file truncated")
	}
	encoded, err := b.Open("file key", string(rest[:n]))
	if err != nil {
		return nil, fmt.Errorf("pii: file key: %w", err)
	}
	key, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil {
		return nil, fmt.Errorf("pii: file key: %w", err)
	}
	aead, err := fileAEAD(key)
	if err != nil {
		return nil, err
	}
	rest = rest[n:]
	if len(rest) < aead.NonceSize() {
		return nil, errors.New("pii: sealed file truncated")
	}
	plain, err := aead.Open(nil, rest[:aead.NonceSize()], rest[aead.NonceSize():], []byte(fileMagic))
	if err != nil {
		return nil, fmt.Errorf("pii: sealed file altered or under another key: %w", err)
	}
	return plain, nil
}

func fileAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// ResealFile returns a file sealed by SealFile with its key sealed again under the current
// master key, and whether it changed (its key was sealed under a previous one). The content is
// not encrypted again: it has a key of its own. A file stored before sealing is sealed now.
func (b *Box) ResealFile(stored []byte) ([]byte, bool, error) {
	rest, ok := bytes.CutPrefix(stored, []byte(fileMagic))
	if !ok {
		out, err := b.SealFile(stored)
		return out, err == nil, err
	}
	if len(rest) < 2 || len(rest) < 2+int(binary.BigEndian.Uint16(rest)) {
		return nil, false, errors.New("pii: sealed file truncated")
	}
	n := int(binary.BigEndian.Uint16(rest))
	sealedKey, changed, err := b.Reseal("file key", string(rest[2:2+n]))
	if err != nil || !changed {
		return stored, false, err
	}
	out := make([]byte, 0, len(stored)+len(sealedKey)-n)
	out = append(out, fileMagic...)
	out = binary.BigEndian.AppendUint16(out, uint16(len(sealedKey)))
	out = append(out, sealedKey...)
	return append(out, rest[2+n:]...), true, nil
}
