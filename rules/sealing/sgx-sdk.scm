; id: sealing.sgx-sdk
; title: SGX SDK sealing
; category: sealing
; severity: warning
; languages: c, cpp
; requirement: Code Patchable (framework 6.1, Table 2) and Upgrades and Rollbacks (7.4.3): data sealed to one platform is lost on live migration or a platform update
; message: data sealed with the SGX SDK is bound to this CPU and enclave identity; it cannot be unsealed after the VM moves to another host
; remediation: obtain keys from the attestation service or HSM after attestation; where sealing is intended, justify it with ccgov:ignore sealing.sgx-sdk <reason>
(call_expression
  function: (identifier) @fn
  (#any-of? @fn "sgx_seal_data" "sgx_seal_data_ex" "sgx_unseal_data" "sgx_mac_aadata"
                "sgx_mac_aadata_ex" "sgx_unmac_aadata" "sgx_fopen_auto_key")) @finding
