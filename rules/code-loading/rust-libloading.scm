; id: code-loading.rust-libloading
; title: Rust library loaded at run time (libloading)
; category: code-loading
; severity: error
; languages: rust
; requirement: Code Circumscribed (framework 6.1, Table 2; controls 9.3.1 "Circumscribed"): every piece of code that may run must be measured before attestation
; message: libloading::Library::new loads a shared library after the enclave was measured
; remediation: link the library at build time
(call_expression
  function: (scoped_identifier
    path: (_) @type
    name: (identifier) @fn)
  (#match? @type "(^|::)Library$")
  (#any-of? @fn "new" "open")) @finding
