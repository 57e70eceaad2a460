; id: debug-enclave.ego-debug
; title: EGo enclave configured for debugging
; category: debug-enclave
; severity: error
; languages: json
; requirement: Code Identifiable and Circumscribed (framework 6.1, Table 2): a debug enclave can be read and changed by the host, so its measurement proves nothing
; message: enclave.json sets "debug": true, so the enclave is created in debug mode and the host can read and change its memory
; remediation: set "debug": false in the enclave.json of release builds
(pair
  key: (string (string_content) @key)
  value: (true)
  (#eq? @key "debug")) @finding
