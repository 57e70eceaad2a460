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
	// Verification replaced by the application's own check (an attestation
	// check), not switched off.
	att := &tls.Config{InsecureSkipVerify: true, VerifyPeerCertificate: verifyQuote}
	_ = att
	id, _ := enclave.GetSealKeyID()
	_ = id
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGTERM)
	return aead.Seal(nil, nonce, msg, nil)
}

// A mock device dispatching on the request is not a request.
func (d *mockDevice) Ioctl(command uintptr, req any) error {
	switch command {
	case labi.IocSnpGetDerivedKey:
		return nil
	}
	return errUnknown
}
