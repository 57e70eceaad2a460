; id: code-loading.go-plugin
; title: Go plugin opened at run time
; category: code-loading
; severity: error
; languages: go
; requirement: Code Circumscribed (framework 6.1, Table 2; controls 9.3.1 "Circumscribed"): every piece of code that may run must be measured before attestation
; message: plugin.Open loads a shared object after the enclave was measured
; remediation: build the code into the binary instead of loading it as a plugin
(call_expression
  function: (selector_expression
    operand: (identifier) @pkg
    field: (field_identifier) @fn)
  (#eq? @pkg "plugin")
  (#eq? @fn "Open")) @finding
