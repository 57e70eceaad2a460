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
  arguments: (argument_list) @args
  (#any-of? @fn "dlopen" "dlmopen" "LoadLibraryA" "LoadLibraryW" "LoadLibraryExA"
                "LoadLibraryExW" "LoadLibrary" "LoadLibraryEx" "LoadPackagedLibrary")
  ; dlopen(NULL, ...) names the program itself, and RTLD_NOLOAD only asks
  ; whether a library is already loaded: neither loads code.
  (#not-match? @args "^\\( *(0|NULL|nullptr) *,|RTLD_NOLOAD")) @finding
