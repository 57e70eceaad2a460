; id: code-loading.executable-memory
; title: Memory mapped or changed to executable
; category: code-loading
; severity: error
; languages: c, cpp
; requirement: Code Circumscribed (framework 6.1, Table 2; controls 9.3.1 "Circumscribed"): every piece of code that may run must be measured before attestation
; message: PROT_EXEC in mmap/mprotect makes new memory executable, so code can be created or loaded after measurement
; remediation: do not generate or load code at run time inside the TEE; use only code present in the measured image
(call_expression
  function: (identifier) @fn
  ; PROT_EXEC in any argument (a comment between arguments is a node too,
  ; so positions are not counted); only the protection argument takes it.
  arguments: (argument_list
    [(identifier) @prot
     (binary_expression left: (identifier) @prot)
     (binary_expression right: (identifier) @prot)
     (binary_expression left: (binary_expression left: (identifier) @prot))
     (binary_expression left: (binary_expression right: (identifier) @prot))])
  (#any-of? @fn "mmap" "mmap64" "mprotect" "pkey_mprotect" "VirtualAlloc" "VirtualAllocEx" "VirtualProtect"
                "VirtualProtectEx" "PalVirtualMemoryAlloc" "PalVirtualMemoryProtect" "memory_alloc")
  (#any-of? @prot "PROT_EXEC" "PAL_PROT_EXEC" "PAGE_EXECUTE" "PAGE_EXECUTE_READ" "PAGE_EXECUTE_READWRITE"
                  "PAGE_EXECUTE_WRITECOPY")) @finding
