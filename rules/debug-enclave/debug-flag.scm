; id: debug-enclave.debug-launch
; title: Enclave launched in debug mode
; category: debug-enclave
; severity: error
; languages: c, cpp
; requirement: Code Identifiable and Circumscribed (framework 6.1, Table 2): a debug enclave can be read and changed by the host, so its measurement proves nothing
; message: the enclave is created with the debug flag, so the host can inspect and modify its memory
; remediation: create production enclaves without the debug flag; keep debug builds out of release images
(call_expression
  function: (identifier) @fn
  arguments: (argument_list . (_) . [(number_literal) (true) (identifier)] @debug)
  (#any-of? @fn "sgx_create_enclave" "sgx_create_enclavew" "sgx_create_enclave_ex")
  (#not-match? @debug "^(0|0x0|false|SGX_RELEASE|RELEASE)$")) @finding
((identifier) @finding
  (#any-of? @finding "OE_ENCLAVE_FLAG_DEBUG" "OE_ENCLAVE_FLAG_DEBUG_AUTO"))
