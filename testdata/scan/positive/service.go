package main

import (
	"crypto/tls"
	"os"
	"os/signal"
	"plugin"
	"syscall"

	"github.com/edgelesssys/ego/ecrypto"
	"github.com/edgelesssys/ego/enclave"
	"github.com/fsnotify/fsnotify"
	"github.com/spf13/viper"
)

func run() {
	sealed, _ := ecrypto.SealWithUniqueKey([]byte("secret"), nil)
	_ = sealed
	key, _, _ := enclave.GetProductSealKey()
	_ = key
	p, _ := plugin.Open("extension.so")
	_ = p
	token := os.Getenv("VAULT_TOKEN")
	_ = token
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGHUP)
	w, _ := fsnotify.NewWatcher()
	_ = w
	viper.WatchConfig()
	cfg := &tls.Config{InsecureSkipVerify: true}
	_ = cfg
	f, _ := os.Open("/dev/attestation/keys/_sgx_mrsigner")
	_ = f
	dk, _ := client.GetDerivedKeyAcknowledgingItsLimitations(qp, req)
	_ = dk
	rk, _, _ := enclave.GetRandomUniqueSealKey()
	_ = rk
	_ = d.Ioctl(labi.IocSnpGetDerivedKey, &req)
}

// EGo's sealing functions passed as values, as marblerun does.
var sealer = Sealer{seal: ecrypto.SealWithProductKey256, unseal: ecrypto.Unseal256}
