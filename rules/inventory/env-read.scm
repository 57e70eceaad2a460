; id: inventory.env-read
; title: Configuration read from the environment
; category: inventory
; inventory: env
; severity: note
; languages: c, cpp, go, rust, python
; requirement: Configuration Identifiable (framework 6.2, Table 3; controls 9.3.2 "Auditable": a tool that finds every place code reads configuration and creates a manifest)
; message: the program reads an environment variable
; query: c
(call_expression
  function: (identifier) @fn
  arguments: (argument_list . (_) @key)
  (#any-of? @fn "getenv" "secure_getenv" "_wgetenv")) @finding
; query: cpp
(call_expression
  function: [(identifier) @fn (qualified_identifier name: (identifier) @fn)]
  arguments: (argument_list . (_) @key)
  (#any-of? @fn "getenv" "secure_getenv" "_wgetenv")) @finding
; query: go
(call_expression
  function: (selector_expression operand: (identifier) @pkg field: (field_identifier) @fn)
  arguments: (argument_list . (_) @key)
  (#eq? @pkg "os")
  (#any-of? @fn "Getenv" "LookupEnv")) @finding
; query: rust
(call_expression
  function: (scoped_identifier path: (_) @path name: (identifier) @fn)
  arguments: (arguments . (_) @key)
  (#match? @path "(^|::)env$")
  (#any-of? @fn "var" "var_os")) @finding
; query: python
(call
  function: (attribute object: (_) @obj attribute: (identifier) @fn)
  arguments: (argument_list . (_) @key)
  (#match? @obj "^(os|os\\.environ)$")
  (#any-of? @fn "getenv" "get")) @finding
(subscript
  value: (attribute object: (identifier) @os attribute: (identifier) @env)
  subscript: (_) @key
  (#eq? @os "os")
  (#eq? @env "environ")) @finding
