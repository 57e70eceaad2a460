use std::env;

// libloading::Library::new in a comment is not a call.
fn ordinary() {
    let home = env::var("HOME").unwrap();
    let term = env::var("TERM").unwrap_or_default();
    let client = reqwest::Client::builder().danger_accept_invalid_certs(false).build();
    let sealed = aead.seal_in_place(&nonce, &mut buf);
    let _ = (home, term, client, sealed);
}
