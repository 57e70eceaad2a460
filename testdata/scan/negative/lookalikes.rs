use std::env;

// libloading::Library::new in a comment is not a call.
fn ordinary() {
    let home = env::var("HOME").unwrap();
    let term = env::var("TERM").unwrap_or_default();
    let client = reqwest::Client::builder().danger_accept_invalid_certs(false).build();
    let sealed = aead.seal_in_place(&nonce, &mut buf);
    let _ = (home, term, client, sealed);
}

// Serializers and the simulated EGETKEY match on the key name; that is not a request.
fn describe(k: KeyName) -> &'static str {
    match k {
        KeyName::Seal => "seal",
        _ => "other",
    }
}

// A program's own function named get_derived_key, and a release enclave.
fn cli(args: KeyArgs) -> Result<()> {
    let _e = SgxEnclave::create("enclave.signed.so", false);
    key::get_derived_key(args)
}
