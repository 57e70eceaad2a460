; id: code-loading.dlopen
; title: Library loaded at run time
; category: code-loading
; severity: error
; languages: c, cpp
; requirement: Code Circumscribed (framework 6.1, Table 2; controls 9.3.1 "Circumscribed"): every piece of code that may run must be measured before attestation
; message: dlopen/LoadLibrary loads code after the enclave was measured, so the attested measurement no longer covers what runs
; remediation: link the library at build time so it is part of the measured image
(call_expression
  function: (identifier) @fn
  (#any-of? @fn "dlopen" "dlmopen" "LoadLibraryA" "LoadLibraryW" "LoadLibraryExA"
                "LoadLibraryExW" "LoadLibrary" "LoadLibraryEx" "LoadPackagedLibrary")) @finding
