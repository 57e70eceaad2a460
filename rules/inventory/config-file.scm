; id: inventory.config-file
; title: Configuration file opened
; category: inventory
; inventory: file
; severity: note
; languages: c, cpp, go, rust, python
; requirement: Configuration Identifiable (framework 6.2, Table 3; controls 9.3.2 "Auditable": a tool that finds every place code reads configuration and creates a manifest)
; message: the program opens a configuration file
; query: c, cpp
(call_expression
  function: (identifier) @fn
  arguments: (argument_list . (string_literal) @key)
  (#any-of? @fn "fopen" "open" "openat" "freopen")
  (#match? @key "(/etc/|\\.(conf|cfg|ini|json|ya?ml|toml|env|properties)[\"'])")) @finding
; query: go
(call_expression
  function: (selector_expression operand: (identifier) @pkg field: (field_identifier) @fn)
  arguments: (argument_list . (interpreted_string_literal) @key)
  (#match? @pkg "^(os|ioutil|viper)$")
  (#any-of? @fn "Open" "OpenFile" "ReadFile" "SetConfigFile")
  (#match? @key "(/etc/|\\.(conf|cfg|ini|json|ya?ml|toml|env|properties)[\"'])")) @finding
; query: rust
(call_expression
  function: (scoped_identifier name: (identifier) @fn)
  arguments: (arguments . (string_literal) @key)
  (#any-of? @fn "open" "read_to_string" "read")
  (#match? @key "(/etc/|\\.(conf|cfg|ini|json|ya?ml|toml|env|properties)[\"'])")) @finding
; query: python
(call
  function: (identifier) @fn
  arguments: (argument_list . (string) @key)
  (#eq? @fn "open")
  (#match? @key "(/etc/|\\.(conf|cfg|ini|json|ya?ml|toml|env|properties)[\"'])")) @finding
