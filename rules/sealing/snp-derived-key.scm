; id: sealing.snp-derived-key
; title: SEV-SNP derived key
; category: sealing
; severity: warning
; languages: c, cpp, go
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
