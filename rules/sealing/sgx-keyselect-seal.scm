; id: sealing.sgx-get-key-seal
; title: SGX seal key requested with sgx_get_key
; category: sealing
; severity: warning
; languages: c, cpp
; requirement: Code Patchable (framework 6.1, Table 2) and Upgrades and Rollbacks (7.4.3): data sealed to one platform is lost on live migration or a platform update
; message: a key request with SGX_KEYSELECT_SEAL derives a platform-bound seal key; data protected with it does not survive migration
; remediation: use keys released after attestation; justify intended sealing with ccgov:ignore sealing.sgx-get-key-seal <reason>
; A key request that selects a seal key: the constant assigned, initialized
; or passed. Its #define and the comparisons of SDK and simulator code
; (key_name == SGX_KEYSELECT_SEAL, case labels) are not requests.
((assignment_expression right: (identifier) @finding)
  (#any-of? @finding "SGX_KEYSELECT_SEAL" "SGX_KEYSELECT_PROVISION_SEAL"))
((initializer_pair value: (identifier) @finding)
  (#any-of? @finding "SGX_KEYSELECT_SEAL" "SGX_KEYSELECT_PROVISION_SEAL"))
((init_declarator value: (identifier) @finding)
  (#any-of? @finding "SGX_KEYSELECT_SEAL" "SGX_KEYSELECT_PROVISION_SEAL"))
((initializer_list (identifier) @finding)
  (#any-of? @finding "SGX_KEYSELECT_SEAL" "SGX_KEYSELECT_PROVISION_SEAL"))
((argument_list (identifier) @finding)
  (#any-of? @finding "SGX_KEYSELECT_SEAL" "SGX_KEYSELECT_PROVISION_SEAL"))
