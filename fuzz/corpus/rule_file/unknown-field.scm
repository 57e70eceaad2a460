; id: code-loading.dlopen
; title: Library loaded at run time
; category: code-loading
; severity: error
; languages: c, cpp
; requirement: Code Circumscribed (framework 6.1, Table 2; controls 9.3.1 "Circumscribed"): every piece of code that may run must be measured before attestation
; message: dlopen/LoadLibrary loads  "LoadLibraryExA"
 n: (identifier) @fndLibraryExW" "LoadLibrary" "LoadLibraryEx" "LoadPackagedLibrary")) @finding
