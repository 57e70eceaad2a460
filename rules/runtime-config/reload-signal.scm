; id: runtime-config.sighup-reload
; title: Configuration reload on SIGHUP
; category: runtime-config
; severity: warning
; languages: c, cpp, go, python
; requirement: Configuration Immutable (framework 6.2, Table 3; controls 9.3.2 "Immutable"): security-sensitive configuration must not change or be read at run time
; message: a SIGHUP handler lets the host make the program re-read its configuration after attestation
; remediation: read configuration once, before attestation; restart (and re-attest) to change it
; query: c, cpp
(call_expression
  function: (identifier) @fn
  arguments: (argument_list . (identifier) @sig)
  (#any-of? @fn "signal" "sigaction" "bsd_signal" "sysv_signal")
  (#eq? @sig "SIGHUP")) @finding
; query: go
(call_expression
  function: (selector_expression
    operand: (identifier) @pkg
    field: (field_identifier) @fn)
  arguments: (argument_list (selector_expression field: (field_identifier) @sig))
  (#eq? @pkg "signal")
  (#eq? @fn "Notify")
  (#eq? @sig "SIGHUP")) @finding
; query: python
(call
  function: (attribute object: (identifier) @pkg attribute: (identifier) @fn)
  arguments: (argument_list . (attribute attribute: (identifier) @sig))
  (#eq? @pkg "signal")
  (#eq? @fn "signal")
  (#eq? @sig "SIGHUP")) @finding
