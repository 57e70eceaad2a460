; id: sealing.open-enclave
; title: Open Enclave sealing
; category: sealing
; severity: warning
; languages: c, cpp
; requirement: Code Patchable (framework 6.1, Table 2) and Upgrades and Rollbacks (7.4.3): data sealed to one platform is lost on live migration or a platform update
; message: Open Enclave seal keys are bound to the platform and enclave identity; sealed data is lost on migration
; remediation: use keys released after attestation; justify intended sealing with ccgov:ignore sealing.open-enclave <reason>
(call_expression
  function: (identifier) @fn
  (#any-of? @fn "oe_seal" "oe_unseal" "oe_get_seal_key" "oe_get_seal_key_v2"
                "oe_get_seal_key_by_policy" "oe_get_seal_key_by_policy_v2")) @finding
