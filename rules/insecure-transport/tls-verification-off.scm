; id: insecure-transport.tls-verify-off
; title: TLS certificate verification turned off
; category: insecure-transport
; severity: error
; languages: c, cpp, go, rust, python
; requirement: Code Auditable and Configuration Measurable (framework 6.1, 6.2): a TEE that does not verify its peers can be fed data and policy by anyone on the path
; message: certificate verification is disabled, so the peer's identity is not checked
; remediation: keep verification on and pin the expected CA or attested key
; query: c, cpp
(call_expression
  function: (identifier) @fn
  arguments: (argument_list (identifier) @mode)
  (#any-of? @fn "SSL_CTX_set_verify" "SSL_set_verify")
  (#eq? @mode "SSL_VERIFY_NONE")) @finding
; A function that checks SSL_get_verify_result itself has moved the check
; after the handshake (curl, cpp-httplib): verification is not off.
((function_definition) @exclude
  (#contains? @exclude "SSL_get_verify_result"))
; curl_easy_setopt, and the wrappers of curl's tool and tests (my_setopt_long,
; easy_setopt, test_setopt): the option, then 0 or false.
(call_expression
  function: (identifier) @fn
  arguments: (argument_list (identifier) @opt . [(number_literal) (false) (identifier)] @value)
  (#match? @fn "setopt")
  (#any-of? @opt "CURLOPT_SSL_VERIFYPEER" "CURLOPT_SSL_VERIFYHOST" "CURLOPT_PROXY_SSL_VERIFYPEER"
                 "CURLOPT_PROXY_SSL_VERIFYHOST" "CURLOPT_DOH_SSL_VERIFYPEER" "CURLOPT_DOH_SSL_VERIFYHOST")
  (#match? @value "^(0[lLuU]*|false|FALSE)$")) @finding
; query: go
(keyed_element
  (literal_element (identifier) @key)
  (literal_element (true))
  (#eq? @key "InsecureSkipVerify")) @finding
; A tls.Config that sets VerifyPeerCertificate or VerifyConnection replaces
; the standard check with its own (an attestation check, say).
((literal_value
   (keyed_element (literal_element (identifier) @check))) @exclude
  (#any-of? @check "VerifyPeerCertificate" "VerifyConnection"))
(assignment_statement
  left: (expression_list (selector_expression field: (field_identifier) @key))
  right: (expression_list (true))
  (#eq? @key "InsecureSkipVerify")) @finding
; query: rust
(call_expression
  function: (field_expression field: (field_identifier) @fn @finding)
  arguments: (arguments . (boolean_literal) @value)
  (#any-of? @fn "danger_accept_invalid_certs" "danger_accept_invalid_hostnames")
  (#eq? @value "true"))
; query: python
(call
  arguments: (argument_list
    (keyword_argument name: (identifier) @key value: (false)))
  (#eq? @key "verify")) @finding
(attribute
  object: (identifier) @mod
  attribute: (identifier) @name
  (#eq? @mod "ssl")
  (#eq? @name "CERT_NONE")) @finding
