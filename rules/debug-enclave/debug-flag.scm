; id: debug-enclave.debug-launch
; title: Enclave launched in debug mode
; category: debug-enclave
; severity: error
; languages: c, cpp, rust
; requirement: Code Identifiable and Circumscribed (framework 6.1, Table 2): a debug enclave can be read and changed by the host, so its measurement proves nothing
; message: the enclave is created with the debug flag, so the host can inspect and modify its memory
; remediation: create production enclaves without the debug flag; keep debug builds out of release images
; query: c, cpp
(call_expression
  function: (identifier) @fn
  arguments: (argument_list . (_) . [(number_literal) (true) (identifier)] @debug)
  (#any-of? @fn "sgx_create_enclave" "sgx_create_enclavew" "sgx_create_enclave_ex")
  (#not-match? @debug "^(0|0x0|false)$|RELEASE")) @finding
; Open Enclave's flag where it is set: passed, ORed in, assigned or
; initialized. Its #define, tests (flags & X) and clearing (&= ~X) are not.
((argument_list (identifier) @finding)
  (#any-of? @finding "OE_ENCLAVE_FLAG_DEBUG" "OE_ENCLAVE_FLAG_DEBUG_AUTO"))
((binary_expression operator: "|" [left: (identifier) @finding right: (identifier) @finding])
  (#any-of? @finding "OE_ENCLAVE_FLAG_DEBUG" "OE_ENCLAVE_FLAG_DEBUG_AUTO"))
((assignment_expression right: [(identifier) @finding (cast_expression value: (identifier) @finding)])
  (#any-of? @finding "OE_ENCLAVE_FLAG_DEBUG" "OE_ENCLAVE_FLAG_DEBUG_AUTO"))
((init_declarator value: (identifier) @finding)
  (#any-of? @finding "OE_ENCLAVE_FLAG_DEBUG" "OE_ENCLAVE_FLAG_DEBUG_AUTO"))
; query: rust
; Teaclave and Fortanix: SgxEnclave::create(path, true) and friends.
(call_expression
  function: (scoped_identifier
    path: (_) @type
    name: (identifier) @fn)
  arguments: (arguments . (_) . (boolean_literal) @debug)
  (#match? @type "(^|::)SgxEnclave$")
  (#match? @fn "^create")
  (#eq? @debug "true")) @finding
