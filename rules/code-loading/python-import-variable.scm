; id: code-loading.python-dynamic-import
; title: Python module imported by a computed name
; category: code-loading
; severity: warning
; languages: python
; requirement: Code Circumscribed (framework 6.1, Table 2; controls 9.3.1 "Circumscribed"): every piece of code that may run must be measured before attestation
; message: importing a module whose name is computed at run time lets input decide which code runs
; remediation: import modules by literal name, so the set of code is fixed at build time
(call
  function: (_) @fn
  arguments: (argument_list . [(identifier) (attribute) (call) (subscript) (binary_operator)
                              (concatenated_string)] @name)
  (#match? @fn "^(importlib\\.import_module|__import__)$")) @finding
; Loading a module from a file path, and running compiled source.
(call
  function: (_) @fn
  (#match? @fn "(^|\\.)(spec_from_file_location|SourceFileLoader|load_source|exec_module)$")) @finding
; exec of anything but a literal: code made or read at run time.
(call
  function: (identifier) @fn
  arguments: (argument_list . [(identifier) (attribute) (call) (subscript)] @code)
  (#eq? @fn "exec")) @finding
; A loop over a literal list of names imports a fixed set of modules.
(for_statement
  right: [(list . (string)) (tuple . (string))]
  body: (block) @exclude)
