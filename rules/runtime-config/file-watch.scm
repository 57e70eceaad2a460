; id: runtime-config.file-watch
; title: Configuration files watched for changes
; category: runtime-config
; severity: warning
; languages: c, cpp, go
; requirement: Configuration Immutable (framework 6.2, Table 3; controls 9.3.2 "Immutable"): security-sensitive configuration must not change or be read at run time
; message: a file watch (inotify, fsnotify, viper.WatchConfig) picks up configuration changes made by the host after attestation
; remediation: read configuration once, before attestation; restart (and re-attest) to change it
; query: c, cpp
(call_expression
  function: (identifier) @fn
  (#any-of? @fn "inotify_init" "inotify_init1" "inotify_add_watch" "fanotify_init" "fanotify_mark")) @finding
; query: go
(call_expression
  function: (selector_expression
    operand: (_) @pkg
    field: (field_identifier) @fn)
  (#match? @pkg "^(fsnotify|viper)$")
  (#any-of? @fn "NewWatcher" "NewBufferedWatcher" "WatchConfig" "OnConfigChange")) @finding
(call_expression
  function: (selector_expression
    field: (field_identifier) @fn)
  (#any-of? @fn "WatchConfig" "OnConfigChange")) @finding
