; id: runtime-config.sensitive-env
; title: Security-sensitive setting read from the environment
; category: runtime-config
; severity: warning
; languages: c, cpp, go, rust, python
; requirement: Configuration Immutable (framework 6.2, Table 3; controls 9.3.2 "Immutable"): security-sensitive configuration must not change or be read at run time
; message: a security-sensitive setting comes from an environment variable, which the host sets after the measurement and the attestation service never sees
; skip-files: setup.py, build.rs, test_*.py, *_test.py, conftest.py, *_test.go
; remediation: bake the value into the measured image or the signed configuration manifest, or fetch it after attestation from a verified source
; A name is sensitive when one of its parts (split at anything but letters
; and digits) is one of the words below; counters, timeouts and test stubs
; are not. A name given as a constant (getenv(RA_TLS_MRENCLAVE)) is judged
; by the constant's name. analyzers/inventory.c classifies with the same
; words (a test checks that the two agree).
; query: c
(call_expression
  function: (identifier) @fn
  arguments: (argument_list . (string_literal) @name)
  (#match? @fn "getenv")
  (#match? @name "(^|[^A-Za-z0-9])(KEYS?|APIKEY|SECRETS?|TOKENS?|PASS|PASSWORDS?|PASSWD|PASSPHRASE|NETRC|CREDS?|CREDENTIALS?|CERTS?|CERTIFICATES?|CACERTS?|PCKCERT|TLS|SSL|MTLS|TTLS|CA|CAFILE|CAPATH|CABUNDLE|TRUST|TRUSTED|TRUSTSTORE|KEYSTORE|ATTEST|ATTESTATION|QUOTE|TDX|TSM|RTMR|MRENCLAVE|MRSIGNER|PCK|PCCS|AESM|QVL|KBC|KBS|POLICY|POLICIES|ENCLAVE|SEAL|SEALED|SEALING|INSECURE|VERIFY|NOVERIFY|VERIFICATION|AUTH|AUTHN|AUTHZ|OAUTH|PRIVATE|CIPHERS?|CIPHERSUITES|FIPS|MEASUREMENTS?|KMS|HSM|VAULT|PKCS11|JWT|HMAC|SIGNING|SSLKEYLOGFILE|PYTHONHTTPSVERIFY|keys?|apikey|secrets?|tokens?|pass|passwords?|passwd|passphrase|netrc|creds?|credentials?|certs?|certificates?|cacerts?|pckcert|tls|ssl|mtls|ttls|ca|cafile|capath|cabundle|trust|trusted|truststore|keystore|attest|attestation|quote|tdx|tsm|rtmr|mrenclave|mrsigner|pck|pccs|aesm|qvl|kbc|kbs|policy|policies|enclave|seal|sealed|sealing|insecure|verify|noverify|verification|auth|authn|authz|oauth|private|ciphers?|ciphersuites|fips|measurements?|kms|hsm|vault|pkcs11|jwt|hmac|signing|sslkeylogfile|pythonhttpsverify)([^A-Za-z0-9]|$)")
  (#not-match? @name "(^|[^A-Za-z0-9])(STUB|DBG|RETRY|RETRIES|BACKOFF|TIMEOUT|SECONDS|INTERVAL|stub|dbg|retry|retries|backoff|timeout|seconds|interval)([^A-Za-z0-9]|$)")) @finding
(call_expression
  function: (identifier) @fn
  arguments: (argument_list . (identifier) @name)
  (#match? @fn "getenv")
  (#match? @name "^[A-Z][A-Z0-9_]*$")
  (#match? @name "(^|[^A-Za-z0-9])(KEYS?|APIKEY|SECRETS?|TOKENS?|PASS|PASSWORDS?|PASSWD|PASSPHRASE|NETRC|CREDS?|CREDENTIALS?|CERTS?|CERTIFICATES?|CACERTS?|PCKCERT|TLS|SSL|MTLS|TTLS|CA|CAFILE|CAPATH|CABUNDLE|TRUST|TRUSTED|TRUSTSTORE|KEYSTORE|ATTEST|ATTESTATION|QUOTE|TDX|TSM|RTMR|MRENCLAVE|MRSIGNER|PCK|PCCS|AESM|QVL|KBC|KBS|POLICY|POLICIES|ENCLAVE|SEAL|SEALED|SEALING|INSECURE|VERIFY|NOVERIFY|VERIFICATION|AUTH|AUTHN|AUTHZ|OAUTH|PRIVATE|CIPHERS?|CIPHERSUITES|FIPS|MEASUREMENTS?|KMS|HSM|VAULT|PKCS11|JWT|HMAC|SIGNING|SSLKEYLOGFILE|PYTHONHTTPSVERIFY|keys?|apikey|secrets?|tokens?|pass|passwords?|passwd|passphrase|netrc|creds?|credentials?|certs?|certificates?|cacerts?|pckcert|tls|ssl|mtls|ttls|ca|cafile|capath|cabundle|trust|trusted|truststore|keystore|attest|attestation|quote|tdx|tsm|rtmr|mrenclave|mrsigner|pck|pccs|aesm|qvl|kbc|kbs|policy|policies|enclave|seal|sealed|sealing|insecure|verify|noverify|verification|auth|authn|authz|oauth|private|ciphers?|ciphersuites|fips|measurements?|kms|hsm|vault|pkcs11|jwt|hmac|signing|sslkeylogfile|pythonhttpsverify)([^A-Za-z0-9]|$)")
  (#not-match? @name "(^|[^A-Za-z0-9])(STUB|DBG|RETRY|RETRIES|BACKOFF|TIMEOUT|SECONDS|INTERVAL|stub|dbg|retry|retries|backoff|timeout|seconds|interval)([^A-Za-z0-9]|$)")) @finding
; query: cpp
(call_expression
  function: [(identifier) @fn
             (qualified_identifier name: (identifier) @fn)]
  arguments: (argument_list . (string_literal) @name)
  (#match? @fn "getenv")
  (#match? @name "(^|[^A-Za-z0-9])(KEYS?|APIKEY|SECRETS?|TOKENS?|PASS|PASSWORDS?|PASSWD|PASSPHRASE|NETRC|CREDS?|CREDENTIALS?|CERTS?|CERTIFICATES?|CACERTS?|PCKCERT|TLS|SSL|MTLS|TTLS|CA|CAFILE|CAPATH|CABUNDLE|TRUST|TRUSTED|TRUSTSTORE|KEYSTORE|ATTEST|ATTESTATION|QUOTE|TDX|TSM|RTMR|MRENCLAVE|MRSIGNER|PCK|PCCS|AESM|QVL|KBC|KBS|POLICY|POLICIES|ENCLAVE|SEAL|SEALED|SEALING|INSECURE|VERIFY|NOVERIFY|VERIFICATION|AUTH|AUTHN|AUTHZ|OAUTH|PRIVATE|CIPHERS?|CIPHERSUITES|FIPS|MEASUREMENTS?|KMS|HSM|VAULT|PKCS11|JWT|HMAC|SIGNING|SSLKEYLOGFILE|PYTHONHTTPSVERIFY|keys?|apikey|secrets?|tokens?|pass|passwords?|passwd|passphrase|netrc|creds?|credentials?|certs?|certificates?|cacerts?|pckcert|tls|ssl|mtls|ttls|ca|cafile|capath|cabundle|trust|trusted|truststore|keystore|attest|attestation|quote|tdx|tsm|rtmr|mrenclave|mrsigner|pck|pccs|aesm|qvl|kbc|kbs|policy|policies|enclave|seal|sealed|sealing|insecure|verify|noverify|verification|auth|authn|authz|oauth|private|ciphers?|ciphersuites|fips|measurements?|kms|hsm|vault|pkcs11|jwt|hmac|signing|sslkeylogfile|pythonhttpsverify)([^A-Za-z0-9]|$)")
  (#not-match? @name "(^|[^A-Za-z0-9])(STUB|DBG|RETRY|RETRIES|BACKOFF|TIMEOUT|SECONDS|INTERVAL|stub|dbg|retry|retries|backoff|timeout|seconds|interval)([^A-Za-z0-9]|$)")) @finding
(call_expression
  function: [(identifier) @fn
             (qualified_identifier name: (identifier) @fn)]
  arguments: (argument_list . (identifier) @name)
  (#match? @fn "getenv")
  (#match? @name "^[A-Z][A-Z0-9_]*$")
  (#match? @name "(^|[^A-Za-z0-9])(KEYS?|APIKEY|SECRETS?|TOKENS?|PASS|PASSWORDS?|PASSWD|PASSPHRASE|NETRC|CREDS?|CREDENTIALS?|CERTS?|CERTIFICATES?|CACERTS?|PCKCERT|TLS|SSL|MTLS|TTLS|CA|CAFILE|CAPATH|CABUNDLE|TRUST|TRUSTED|TRUSTSTORE|KEYSTORE|ATTEST|ATTESTATION|QUOTE|TDX|TSM|RTMR|MRENCLAVE|MRSIGNER|PCK|PCCS|AESM|QVL|KBC|KBS|POLICY|POLICIES|ENCLAVE|SEAL|SEALED|SEALING|INSECURE|VERIFY|NOVERIFY|VERIFICATION|AUTH|AUTHN|AUTHZ|OAUTH|PRIVATE|CIPHERS?|CIPHERSUITES|FIPS|MEASUREMENTS?|KMS|HSM|VAULT|PKCS11|JWT|HMAC|SIGNING|SSLKEYLOGFILE|PYTHONHTTPSVERIFY|keys?|apikey|secrets?|tokens?|pass|passwords?|passwd|passphrase|netrc|creds?|credentials?|certs?|certificates?|cacerts?|pckcert|tls|ssl|mtls|ttls|ca|cafile|capath|cabundle|trust|trusted|truststore|keystore|attest|attestation|quote|tdx|tsm|rtmr|mrenclave|mrsigner|pck|pccs|aesm|qvl|kbc|kbs|policy|policies|enclave|seal|sealed|sealing|insecure|verify|noverify|verification|auth|authn|authz|oauth|private|ciphers?|ciphersuites|fips|measurements?|kms|hsm|vault|pkcs11|jwt|hmac|signing|sslkeylogfile|pythonhttpsverify)([^A-Za-z0-9]|$)")
  (#not-match? @name "(^|[^A-Za-z0-9])(STUB|DBG|RETRY|RETRIES|BACKOFF|TIMEOUT|SECONDS|INTERVAL|stub|dbg|retry|retries|backoff|timeout|seconds|interval)([^A-Za-z0-9]|$)")) @finding
; query: go
(call_expression
  function: (selector_expression
    operand: (identifier) @pkg
    field: (field_identifier) @fn)
  arguments: (argument_list . (interpreted_string_literal) @name)
  (#eq? @pkg "os")
  (#any-of? @fn "Getenv" "LookupEnv")
  (#match? @name "(^|[^A-Za-z0-9])(KEYS?|APIKEY|SECRETS?|TOKENS?|PASS|PASSWORDS?|PASSWD|PASSPHRASE|NETRC|CREDS?|CREDENTIALS?|CERTS?|CERTIFICATES?|CACERTS?|PCKCERT|TLS|SSL|MTLS|TTLS|CA|CAFILE|CAPATH|CABUNDLE|TRUST|TRUSTED|TRUSTSTORE|KEYSTORE|ATTEST|ATTESTATION|QUOTE|TDX|TSM|RTMR|MRENCLAVE|MRSIGNER|PCK|PCCS|AESM|QVL|KBC|KBS|POLICY|POLICIES|ENCLAVE|SEAL|SEALED|SEALING|INSECURE|VERIFY|NOVERIFY|VERIFICATION|AUTH|AUTHN|AUTHZ|OAUTH|PRIVATE|CIPHERS?|CIPHERSUITES|FIPS|MEASUREMENTS?|KMS|HSM|VAULT|PKCS11|JWT|HMAC|SIGNING|SSLKEYLOGFILE|PYTHONHTTPSVERIFY|keys?|apikey|secrets?|tokens?|pass|passwords?|passwd|passphrase|netrc|creds?|credentials?|certs?|certificates?|cacerts?|pckcert|tls|ssl|mtls|ttls|ca|cafile|capath|cabundle|trust|trusted|truststore|keystore|attest|attestation|quote|tdx|tsm|rtmr|mrenclave|mrsigner|pck|pccs|aesm|qvl|kbc|kbs|policy|policies|enclave|seal|sealed|sealing|insecure|verify|noverify|verification|auth|authn|authz|oauth|private|ciphers?|ciphersuites|fips|measurements?|kms|hsm|vault|pkcs11|jwt|hmac|signing|sslkeylogfile|pythonhttpsverify)([^A-Za-z0-9]|$)")
  (#not-match? @name "(^|[^A-Za-z0-9])(STUB|DBG|RETRY|RETRIES|BACKOFF|TIMEOUT|SECONDS|INTERVAL|stub|dbg|retry|retries|backoff|timeout|seconds|interval)([^A-Za-z0-9]|$)")) @finding
; query: rust
(call_expression
  function: (scoped_identifier
    path: (_) @path
    name: (identifier) @fn)
  arguments: (arguments . (string_literal) @name)
  (#match? @path "(^|::)env$")
  (#any-of? @fn "var" "var_os")
  (#match? @name "(^|[^A-Za-z0-9])(KEYS?|APIKEY|SECRETS?|TOKENS?|PASS|PASSWORDS?|PASSWD|PASSPHRASE|NETRC|CREDS?|CREDENTIALS?|CERTS?|CERTIFICATES?|CACERTS?|PCKCERT|TLS|SSL|MTLS|TTLS|CA|CAFILE|CAPATH|CABUNDLE|TRUST|TRUSTED|TRUSTSTORE|KEYSTORE|ATTEST|ATTESTATION|QUOTE|TDX|TSM|RTMR|MRENCLAVE|MRSIGNER|PCK|PCCS|AESM|QVL|KBC|KBS|POLICY|POLICIES|ENCLAVE|SEAL|SEALED|SEALING|INSECURE|VERIFY|NOVERIFY|VERIFICATION|AUTH|AUTHN|AUTHZ|OAUTH|PRIVATE|CIPHERS?|CIPHERSUITES|FIPS|MEASUREMENTS?|KMS|HSM|VAULT|PKCS11|JWT|HMAC|SIGNING|SSLKEYLOGFILE|PYTHONHTTPSVERIFY|keys?|apikey|secrets?|tokens?|pass|passwords?|passwd|passphrase|netrc|creds?|credentials?|certs?|certificates?|cacerts?|pckcert|tls|ssl|mtls|ttls|ca|cafile|capath|cabundle|trust|trusted|truststore|keystore|attest|attestation|quote|tdx|tsm|rtmr|mrenclave|mrsigner|pck|pccs|aesm|qvl|kbc|kbs|policy|policies|enclave|seal|sealed|sealing|insecure|verify|noverify|verification|auth|authn|authz|oauth|private|ciphers?|ciphersuites|fips|measurements?|kms|hsm|vault|pkcs11|jwt|hmac|signing|sslkeylogfile|pythonhttpsverify)([^A-Za-z0-9]|$)")
  (#not-match? @name "(^|[^A-Za-z0-9])(STUB|DBG|RETRY|RETRIES|BACKOFF|TIMEOUT|SECONDS|INTERVAL|stub|dbg|retry|retries|backoff|timeout|seconds|interval)([^A-Za-z0-9]|$)")) @finding
; query: python
(call
  function: (attribute
    object: (_) @obj
    attribute: (identifier) @fn)
  arguments: (argument_list . (string) @name)
  (#match? @obj "^(os|os\\.environ)$")
  (#any-of? @fn "getenv" "get")
  (#match? @name "(^|[^A-Za-z0-9])(KEYS?|APIKEY|SECRETS?|TOKENS?|PASS|PASSWORDS?|PASSWD|PASSPHRASE|NETRC|CREDS?|CREDENTIALS?|CERTS?|CERTIFICATES?|CACERTS?|PCKCERT|TLS|SSL|MTLS|TTLS|CA|CAFILE|CAPATH|CABUNDLE|TRUST|TRUSTED|TRUSTSTORE|KEYSTORE|ATTEST|ATTESTATION|QUOTE|TDX|TSM|RTMR|MRENCLAVE|MRSIGNER|PCK|PCCS|AESM|QVL|KBC|KBS|POLICY|POLICIES|ENCLAVE|SEAL|SEALED|SEALING|INSECURE|VERIFY|NOVERIFY|VERIFICATION|AUTH|AUTHN|AUTHZ|OAUTH|PRIVATE|CIPHERS?|CIPHERSUITES|FIPS|MEASUREMENTS?|KMS|HSM|VAULT|PKCS11|JWT|HMAC|SIGNING|SSLKEYLOGFILE|PYTHONHTTPSVERIFY|keys?|apikey|secrets?|tokens?|pass|passwords?|passwd|passphrase|netrc|creds?|credentials?|certs?|certificates?|cacerts?|pckcert|tls|ssl|mtls|ttls|ca|cafile|capath|cabundle|trust|trusted|truststore|keystore|attest|attestation|quote|tdx|tsm|rtmr|mrenclave|mrsigner|pck|pccs|aesm|qvl|kbc|kbs|policy|policies|enclave|seal|sealed|sealing|insecure|verify|noverify|verification|auth|authn|authz|oauth|private|ciphers?|ciphersuites|fips|measurements?|kms|hsm|vault|pkcs11|jwt|hmac|signing|sslkeylogfile|pythonhttpsverify)([^A-Za-z0-9]|$)")
  (#not-match? @name "(^|[^A-Za-z0-9])(STUB|DBG|RETRY|RETRIES|BACKOFF|TIMEOUT|SECONDS|INTERVAL|stub|dbg|retry|retries|backoff|timeout|seconds|interval)([^A-Za-z0-9]|$)")) @finding
(subscript
  value: (attribute
    object: (identifier) @os
    attribute: (identifier) @env)
  subscript: (string) @name
  (#eq? @os "os")
  (#eq? @env "environ")
  (#match? @name "(^|[^A-Za-z0-9])(KEYS?|APIKEY|SECRETS?|TOKENS?|PASS|PASSWORDS?|PASSWD|PASSPHRASE|NETRC|CREDS?|CREDENTIALS?|CERTS?|CERTIFICATES?|CACERTS?|PCKCERT|TLS|SSL|MTLS|TTLS|CA|CAFILE|CAPATH|CABUNDLE|TRUST|TRUSTED|TRUSTSTORE|KEYSTORE|ATTEST|ATTESTATION|QUOTE|TDX|TSM|RTMR|MRENCLAVE|MRSIGNER|PCK|PCCS|AESM|QVL|KBC|KBS|POLICY|POLICIES|ENCLAVE|SEAL|SEALED|SEALING|INSECURE|VERIFY|NOVERIFY|VERIFICATION|AUTH|AUTHN|AUTHZ|OAUTH|PRIVATE|CIPHERS?|CIPHERSUITES|FIPS|MEASUREMENTS?|KMS|HSM|VAULT|PKCS11|JWT|HMAC|SIGNING|SSLKEYLOGFILE|PYTHONHTTPSVERIFY|keys?|apikey|secrets?|tokens?|pass|passwords?|passwd|passphrase|netrc|creds?|credentials?|certs?|certificates?|cacerts?|pckcert|tls|ssl|mtls|ttls|ca|cafile|capath|cabundle|trust|trusted|truststore|keystore|attest|attestation|quote|tdx|tsm|rtmr|mrenclave|mrsigner|pck|pccs|aesm|qvl|kbc|kbs|policy|policies|enclave|seal|sealed|sealing|insecure|verify|noverify|verification|auth|authn|authz|oauth|private|ciphers?|ciphersuites|fips|measurements?|kms|hsm|vault|pkcs11|jwt|hmac|signing|sslkeylogfile|pythonhttpsverify)([^A-Za-z0-9]|$)")
  (#not-match? @name "(^|[^A-Za-z0-9])(STUB|DBG|RETRY|RETRIES|BACKOFF|TIMEOUT|SECONDS|INTERVAL|stub|dbg|retry|retries|backoff|timeout|seconds|interval)([^A-Za-z0-9]|$)")) @finding
