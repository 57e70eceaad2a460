use std::env;

fn run() {
    let lib = unsafe { libloading::Library::new("/opt/ext.so") }.unwrap();
    let secret = env::var("APP_SECRET").unwrap();
    let client = reqwest::Client::builder()
        .danger_accept_invalid_certs(true)
        .build();
    let sealed = SealedData::<[u8]>::seal_data(&aad, &payload);
    let key = Keyname::Seal;
    let _ = (lib, secret, client, sealed, key);
}

fn gramine() -> std::io::Result<std::fs::File> {
    std::fs::File::open("/dev/attestation/keys/_sgx_mrenclave")
}

fn teaclave(path: &str) -> SgxResult<SgxEnclave> {
    let req = KeyRequest { key_name: KeyName::Seal, ..Default::default() };
    let _ = req;
    SgxEnclave::create(path, true)
}

fn snp(fw: &mut Firmware, req: DerivedKey) -> [u8; 32] {
    fw.get_derived_key(None, req).unwrap()
}
