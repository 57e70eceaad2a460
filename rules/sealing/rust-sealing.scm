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
  (#match? @type "(^|::)(SealedData|UnsealedData|SgxSealedData|SgxMacAadata|MacAad)(::<.*>)?$")
  (#match? @fn "^(seal|unseal|mac)")) @finding
; A key request for the seal key (Teaclave spells the type KeyName, the
; Fortanix crate Keyname): the value of a field, an argument or a binding.
; Match arms of serializers and of the simulated EGETKEY are not requests.
([(field_initializer value: (scoped_identifier path: (_) @type name: (identifier) @name) @finding)
  (arguments (scoped_identifier path: (_) @type name: (identifier) @name) @finding)
  (let_declaration value: (scoped_identifier path: (_) @type name: (identifier) @name) @finding)]
  (#match? @type "(^|::)Key[Nn]ame$")
  (#eq? @name "Seal"))
