; id: debug-enclave.gramine-insecure
; title: Gramine manifest enables debugging or an insecure option
; category: debug-enclave
; severity: error
; languages: toml
; requirement: Code Identifiable and Circumscribed (framework 6.1, Table 2): a debug enclave can be read and changed by the host, so its measurement proves nothing
; message: the Gramine manifest turns on sgx.debug or an insecure__ option, which lets the host observe or steer the enclave
; remediation: remove sgx.debug and every insecure__ key from release manifests
(pair
  (dotted_key (bare_key) @table (bare_key) @key)
  (boolean) @value
  (#eq? @table "sgx")
  (#eq? @key "debug")
  (#eq? @value "true")) @finding
; insecure__ options: any value but false (fs.insecure__keys.default = "..."
; is a key written into the manifest).
; The grammar nests longer dotted keys to the left: a.b.c is ((a.b).c).
(pair
  [(dotted_key (bare_key) @key)
   (dotted_key (dotted_key (bare_key) @key))
   (dotted_key (dotted_key (dotted_key (bare_key) @key)))]
  (_) @value
  (#match? @key "^insecure__")
  (#not-eq? @value "false")) @finding
(table
  (bare_key) @table
  (pair (bare_key) @key (boolean) @value) @finding
  (#eq? @table "sgx")
  (#eq? @key "debug")
  (#eq? @value "true"))
(pair
  (bare_key) @key
  (_) @value
  (#match? @key "^insecure__")
  (#not-eq? @value "false")) @finding
