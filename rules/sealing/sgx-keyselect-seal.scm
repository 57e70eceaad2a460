; id: sealing.sgx-get-key-seal
; title: SGX seal key requested with sgx_get_key
; category: sealing
; severity: warning
; languages: c, cpp
; requirement: Code Patchable (framework 6.1, Table 2) and Upgrades and Rollbacks (7.4.3): data sealed to one platform is lost on live migration or a platform update
; message: a key request with SGX_KEYSELECT_SEAL derives a platform-bound seal key; data protected with it does not survive migration
; remediation: use keys released after attestation; justify intended sealing with ccgov:ignore sealing.sgx-get-key-seal <reason>
((identifier) @finding
  (#eq? @finding "SGX_KEYSELECT_SEAL"))
