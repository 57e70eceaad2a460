package main

import (
	"crypto/cipher"
	"crypto/tls"
	"os"
	"os/signal"
	"syscall"
)

// plugin.Open and ecrypto.SealWithUniqueKey in a comment are not calls.
func ordinary(aead cipher.AEAD, nonce, msg []byte) []byte {
	home := os.Getenv("HOME")
	lang := os.Getenv("LANG")
	_ = home + lang
	cfg := &tls.Config{InsecureSkipVerify: false, MinVersion: tls.VersionTLS13}
	_ = cfg
	// A copy of another config's setting adds nothing to review.
	clone := &tls.Config{InsecureSkipVerify: cfg.InsecureSkipVerify}
	_ = clone
	_ = os.Getenv("GODEBUG")
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGTERM)
	return aead.Seal(nil, nonce, msg, nil)
}
