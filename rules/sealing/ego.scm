; id: sealing.ego
; title: EGo sealing
; category: sealing
; severity: warning
; languages: go
; requirement: Code Patchable (framework 6.1, Table 2) and Upgrades and Rollbacks (7.4.3): data sealed to one platform is lost on live migration or a platform update
; message: EGo seal keys (ecrypto.SealWith*, enclave.Get*SealKey) are bound to the CPU; sealed data is lost on migration
; remediation: use keys released after attestation; justify intended sealing with ccgov:ignore sealing.ego <reason>
; EGo's sealing API, called or passed as a function value.
((selector_expression
   operand: (identifier) @pkg
   field: (field_identifier) @fn) @finding
  (#eq? @pkg "ecrypto")
  (#match? @fn "^(SealWith(Unique|Product)Key|Unseal)"))
((selector_expression
   operand: (identifier) @pkg
   field: (field_identifier) @fn) @finding
  (#eq? @pkg "enclave")
  (#match? @fn "^Get(Random)?(Unique|Product)?SealKey$"))
