/work/main/plugins/target/release/deps/wit_bindgen_rust-b50bc808a22268cb.d: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/wit-bindgen-rust-0.51.0/src/lib.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/wit-bindgen-rust-0.51.0/src/bindgen.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/wit-bindgen-rust-0.51.0/src/interface.rs

/work/main/plugins/target/release/deps/libwit_bindgen_rust-b50bc808a22268cb.rlib: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/wit-bindgen-rust-0.51.0/src/lib.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/wit-bindgen-rust-0.51.0/src/bindgen.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/wit-bindgen-rust-0.51.0/src/interface.rs

/work/main/plugins/target/release/deps/libwit_bindgen_rust-b50bc808a22268cb.rmeta: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/wit-bindgen-rust-0.51.0/src/lib.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/wit-bindgen-rust-0.51.0/src/bindgen.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/wit-bindgen-rust-0.51.0/src/interface.rs

/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/wit-bindgen-rust-0.51.0/src/lib.rs:
/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/wit-bindgen-rust-0.51.0/src/bindgen.rs:
/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/wit-bindgen-rust-0.51.0/src/interface.rs:

# env-dep:CARGO_PKG_NAME=wit-bindgen-rust
# env-dep:CARGO_PKG_VERSION=0.51.0
