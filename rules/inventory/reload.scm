; id: inventory.reload
; title: Configuration can change while running
; category: inventory
; inventory: reload
; severity: note
; languages: c, cpp, go, python
; requirement: Configuration Identifiable (framework 6.2, Table 3; controls 9.3.2 "Auditable": a tool that finds every place code reads configuration and creates a manifest)
; message: a reload hook or file watch lets configuration change after start
; query: c, cpp
(call_expression
  function: (identifier) @fn
  arguments: (argument_list . (identifier) @sig)
  (#any-of? @fn "signal" "sigaction")
  (#eq? @sig "SIGHUP")) @finding
(call_expression
  function: (identifier) @fn
  (#any-of? @fn "inotify_add_watch" "fanotify_mark")) @finding
; query: go
(call_expression
  function: (selector_expression field: (field_identifier) @fn)
  (#any-of? @fn "WatchConfig" "OnConfigChange" "NewWatcher")) @finding
(call_expression
  function: (selector_expression operand: (identifier) @pkg field: (field_identifier) @fn)
  arguments: (argument_list (selector_expression field: (field_identifier) @sig))
  (#eq? @pkg "signal") (#eq? @fn "Notify") (#eq? @sig "SIGHUP")) @finding
; query: python
(call
  function: (attribute object: (identifier) @pkg attribute: (identifier) @fn)
  arguments: (argument_list . (attribute attribute: (identifier) @sig))
  (#eq? @pkg "signal") (#eq? @fn "signal") (#eq? @sig "SIGHUP")) @finding
