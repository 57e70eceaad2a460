; id: sealing.gramine-keys
; title: Gramine platform-bound sealing key
; category: sealing
; severity: warning
; languages: c, cpp, go, rust, python
; requirement: Code Patchable (framework 6.1, Table 2) and Upgrades and Rollbacks (7.4.3): data sealed to one platform is lost on live migration or a platform update
; message: /dev/attestation/keys/_sgx_mrenclave and _sgx_mrsigner are SGX sealing keys bound to this CPU
; remediation: provision keys through the attestation flow; justify intended sealing with ccgov:ignore sealing.gramine-keys <reason>
; query: c, cpp
((string_literal) @finding
  (#match? @finding "/dev/attestation/keys/_sgx_mr(enclave|signer)"))
; query: go
([(interpreted_string_literal) (raw_string_literal)] @finding
  (#match? @finding "/dev/attestation/keys/_sgx_mr(enclave|signer)"))
; query: rust
([(string_literal) (raw_string_literal)] @finding
  (#match? @finding "/dev/attestation/keys/_sgx_mr(enclave|signer)"))
; query: python
((string) @finding
  (#match? @finding "/dev/attestation/keys/_sgx_mr(enclave|signer)"))
