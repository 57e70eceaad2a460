; id: code-loading.python-ctypes
; title: Python loads a native library (ctypes)
; category: code-loading
; severity: error
; languages: python
; requirement: Code Circumscribed (framework 6.1, Table 2; controls 9.3.1 "Circumscribed"): every piece of code that may run must be measured before attestation
; message: ctypes loads a shared library at run time, outside what the enclave measured
; remediation: ship native code as part of the measured image and import it as a module built into it
(call
  function: (_) @fn
  (#match? @fn "^(ctypes\\.)?(CDLL|PyDLL|WinDLL|OleDLL|cdll\\.LoadLibrary|windll\\.LoadLibrary|pydll\\.LoadLibrary)$")) @finding
