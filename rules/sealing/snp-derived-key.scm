; id: sealing.snp-derived-key
; title: SEV-SNP derived key
; category: sealing
; severity: warning
; languages: c, cpp, go, rust
; requirement: Code Patchable (framework 6.1, Table 2) and Upgrades and Rollbacks (7.4.3): data sealed to one platform is lost on live migration or a platform update
; message: SNP_GET_DERIVED_KEY derives a key from the chip (VCEK) or the launch measurement; data protected with it is bound to this platform
; remediation: obtain keys after attestation; justify intended use with ccgov:ignore sealing.snp-derived-key <reason>
; query: c, cpp
; The request passed to a call (ioctl, or a wrapper of it); the #define and
; the kernel's own "case SNP_GET_DERIVED_KEY:" are not uses.
(call_expression
  arguments: (argument_list (identifier) @finding)
  (#eq? @finding "SNP_GET_DERIVED_KEY"))
; query: go
(call_expression
  function: (selector_expression
    field: (field_identifier) @fn)
  (#match? @fn "^GetDerivedKey")) @finding
; go-sev-guest's raw ioctl request, passed to a call (not a mock's case label)
((argument_list (selector_expression field: (field_identifier) @finding))
  (#eq? @finding "IocSnpGetDerivedKey"))
; query: rust
; the sev crate's Firmware::get_derived_key, called on the firmware handle
; (a program's own function of that name is not the request)
(call_expression
  function: (field_expression field: (field_identifier) @fn @finding)
  (#eq? @fn "get_derived_key"))
