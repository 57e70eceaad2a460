; id: sealing.rust-sgx
; title: Rust SGX sealing (Teaclave, Fortanix)
; category: sealing
; severity: warning
; languages: rust
; requirement: Code Patchable (framework 6.1, Table 2) and Upgrades and Rollbacks (7.4.3): data sealed to one platform is lost on live migration or a platform update
; message: SealedData::seal and Keyname::Seal key requests bind data to this CPU; it cannot be unsealed after migration
; remediation: use keys released after attestation; justify intended sealing with ccgov:ignore sealing.rust-sgx <reason>
(call_expression
  function: (scoped_identifier
    path: (_) @type
    name: (identifier) @fn)
  (#match? @type "(^|::)SealedData(::<.*>)?$")
  (#any-of? @fn "seal_data" "seal" "seal_data_ex" "mac_aadata")) @finding
((scoped_identifier
   path: (_) @type
   name: (identifier) @name) @finding
  (#match? @type "(^|::)Keyname$")
  (#eq? @name "Seal"))
